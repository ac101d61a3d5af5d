import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

DROP_LEGACY_TRIGGER = """
DROP TRIGGER IF EXISTS policies_payout_append_only ON policies_payout;
DROP FUNCTION IF EXISTS policies_payout_append_only();
"""


def _drop_legacy_trigger(apps, schema_editor):
    """0002's PostgreSQL-only trigger is superseded by core.append_only's triggers (both databases,
    TRUNCATE included), installed after every migrate for models declaring `append_only = True`."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_LEGACY_TRIGGER, None)


class Migration(migrations.Migration):
    """Deleting an account that paid no longer blanks `created_by` on its ledger rows (F13): it is refused."""

    dependencies = [
        ("policies", "0002_ledger_append_only"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="payout",
            name="created_by",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="+", to=settings.AUTH_USER_MODEL),
        ),
        migrations.RunPython(_drop_legacy_trigger, migrations.RunPython.noop),
    ]
