"""Loads the service categories from data/categories.yaml."""

from django.db import migrations

from fuhua.marketplace.categories import load_categories


def forwards(apps, schema_editor):
    load_categories(apps.get_model("marketplace", "ServiceCategory"))


class Migration(migrations.Migration):
    dependencies = [("marketplace", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
