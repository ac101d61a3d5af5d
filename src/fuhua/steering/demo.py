"""Demo steering: Nantong's targets from its 2022-2024 action plan (data/nantong-2022-2024.yaml), set by the
system like the rest of the demo data, so that the Nantong bureau account sees them with their progress; then
the dashboards' aggregates, built once so that the start page has its charts before the worker runs."""

from __future__ import annotations

from pathlib import Path

import yaml

from fuhua.core.context import acting_as
from fuhua.core.demo import DemoRun
from fuhua.registry.models import Region

from . import aggregates
from .models import Target, parse_period

PLANS = [Path(__file__).resolve().parent / "data" / "nantong-2022-2024.yaml"]


def plan_targets(path: Path) -> tuple[dict, list[dict]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data, list(data["targets"])


def load_targets(run: DemoRun) -> None:
    created = 0
    with acting_as(None, source="demo"):
        for path in PLANS:
            plan, rows = plan_targets(path)
            region = Region.objects.filter(code=plan["region"]).first()
            if region is None:
                continue
            for row in rows:
                first, last = parse_period(row["period"])
                _, made = Target.objects.get_or_create(
                    region=region, metric=row["metric"], first_year=first, last_year=last,
                    defaults={"period": row["period"], "mode": row["mode"], "value": row["value"],
                              "plan_title": plan["plan_title"], "plan_number": plan["plan_number"],
                              "plan_article": f"{plan['plan_article']}：“{row['quote']}”",
                              "note": plan["source"]})
                created += made
    built = aggregates.rebuild(run.today)
    run.note(f"steering: {created} targets of Nantong's 2022-2024 plan; {built['rows']:,} dashboard aggregates "
             f"in {built['seconds']} s")
