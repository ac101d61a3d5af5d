# Labels only: products on offer (已上架), providers in the marketplace (已入驻) and since when (入驻日期).

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
        migrations.AlterField(
            model_name='provider',
            name='status',
            field=models.CharField(choices=[('applied', 'applied for listing'), ('listed', 'in the marketplace'), ('suspended', 'suspended'), ('delisted', 'delisted')], db_index=True, default='applied', editable=False, max_length=12, verbose_name='status'),
        ),
    ]
