"""Load the administrative divisions shipped in registry/data/regions.csv, so every installation has them.

Self-contained (reads the CSV itself) so that later changes to application code cannot break it.
Rows that already exist (e.g. created by hand or by the test world) are left as they are.
"""

import csv
from pathlib import Path

from django.db import migrations

CSV_PATH = Path(__file__).resolve().parent.parent / "data" / "regions.csv"


def _rows():
    with CSV_PATH.open(encoding="utf-8") as f:
        lines = [line for line in f if line.strip() and not line.startswith("#")]
    return list(csv.DictReader(lines))


def load(apps, schema_editor):
    Region = apps.get_model("registry", "Region")
    existing = set(Region.objects.values_list("code", flat=True))
    # The CSV lists parents before their children, so one pass with the parent's code suffices.
    Region.objects.bulk_create(
        [
            Region(
                code=row["code"],
                name=row["name"],
                level=row["level"],
                parent_id=row["parent"] or None,
                is_hardship=row["is_hardship"] == "true",
            )
            for row in _rows()
            if row["code"] not in existing
        ]
    )


def unload(apps, schema_editor):
    Region = apps.get_model("registry", "Region")
    codes = [row["code"] for row in _rows()]
    # Children first: parent is a PROTECT foreign key.
    for level in ("county", "prefecture", "province"):
        Region.objects.filter(code__in=codes, level=level).delete()


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
