# Labels only: products on offer (已上架) and providers in the marketplace since (入驻日期).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('marketplace', '0002_categories'),
    ]

    operations = [
        migrations.AlterField(
            model_name='product',
            name='status',
            field=models.CharField(choices=[('draft', 'draft'), ('pending', 'pending approval'), ('published', 'on offer'), ('withdrawn', 'withdrawn'), ('rejected', 'rejected')], db_index=True, default='draft', editable=False, max_length=12, verbose_name='status'),
        ),
        migrations.AlterField(
            model_name='provider',
            name='listed_on',
            field=models.DateField(blank=True, editable=False, null=True, verbose_name='in the marketplace since'),
        ),
    ]
