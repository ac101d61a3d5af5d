from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0002_periodic_task_state"),
    ]

    operations = [
        migrations.AddField(
            model_name="objectchange",
            name="ip",
            field=models.GenericIPAddressField(blank=True, null=True, verbose_name="client address"),
        ),
    ]
