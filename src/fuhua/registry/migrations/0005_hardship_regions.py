"""Mark the hardship regions listed in registry/data/hardship_regions.csv (国人部发〔2006〕61号).

Self-contained like 0002_regions: reads the CSV itself. Regions under a marked one inherit it through the
rules adapter (the carrier's region, its parent or grandparent), so only the listed codes are set.
"""

import csv
from pathlib import Path

from django.db import migrations

CSV_PATH = Path(__file__).resolve().parent.parent / "data" / "hardship_regions.csv"


def _codes():
    with CSV_PATH.open(encoding="utf-8") as f:
        lines = [line for line in f if line.strip() and not line.startswith("#")]
    return [row["code"] for row in csv.DictReader(lines)]


def mark(apps, schema_editor):
    apps.get_model("registry", "Region").objects.filter(code__in=_codes()).update(is_hardship=True)


def unmark(apps, schema_editor):
    apps.get_model("registry", "Region").objects.filter(code__in=_codes()).update(is_hardship=False)


class Migration(migrations.Migration):
    dependencies = [("registry", "0004_ownership_enclave_county_city")]
    operations = [migrations.RunPython(mark, unmark)]
