"""Recompute the search column so that it starts with the name's pinyin (core.search): lists then sort
Chinese names by pinyin. Batched, bounded in memory."""

from django.db import migrations

from fuhua.core.search import search_text

WITH_CODE = {"Organisation", "Firm"}  # their search text includes the credit code
MODELS = ("Organisation", "Carrier", "Firm", "StartupTeam", "MentorProfile", "InvestorProfile")


def recompute(apps, schema_editor):
    for name in MODELS:
        model = apps.get_model("registry", name)
        batch = []
        for obj in model.objects.only("pk", "name", *(("credit_code",) if name in WITH_CODE else ())).iterator(
                chunk_size=2000):
            obj.search = search_text(obj.name, obj.credit_code) if name in WITH_CODE else search_text(obj.name)
            batch.append(obj)
            if len(batch) == 2000:
                model.objects.bulk_update(batch, ["search"])
                batch = []
        model.objects.bulk_update(batch, ["search"])


class Migration(migrations.Migration):
    dependencies = [("registry", "0007_firm_filter_indexes")]
    operations = [migrations.RunPython(recompute, migrations.RunPython.noop)]
