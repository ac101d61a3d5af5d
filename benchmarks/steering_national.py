"""The national admin's start page, the aggregates behind it and the report of a province, at national scale.

    .venv/bin/python benchmarks/steering_national.py [--home DIR] [--repeat 7] [--region 320000]

DIR (default /tmp/fuhua-bench-national) holds a national-size database; if it holds no carriers it is built
first: migrations, then the demo steps the start page, the aggregates and the report read (registry: 16,000
carriers over the 31 mainland provinces; 500,000 tenants; founders; demo accounts; experts; statistics;
evaluation; policies; targets), `--scale national`, in one transaction (`fuhua demo --scale national` runs every
step; the others, e.g. the marketplace or mentoring, add nothing these pages read). Timed, each beside its
baseline in the same run:

1. aggregates rebuilt from scratch (goal <= 60 s) beside one COUNT over the tenancies;
2. the national admin's start page `/` through the full middleware stack (Django test client, DEBUG off):
   cold (first request after the rebuild) and warm (best/median/p95), beside the bare endpoint of
   bench_urls.py (one indexed row, no authentication) and beside the same page counted live (the start
   page's aggregates removed, which is what every request cost before them); the SQL queries of each;
3. the province report (HTML, PDF, XLSX) built from a fresh snapshot, beside the snapshot alone.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STEPS = ("registry", "incubation", "founders", "accounts", "experts", "statistics", "evaluation", "policies",
         "steering")


def build(home: Path) -> None:
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from fuhua.core.demo import DemoRun, demo_steps
    from fuhua.demo.loader import _fast_sqlite
    from fuhua.registry.models import Carrier

    call_command("migrate", "--no-input", "-v", "0")
    if Carrier.objects.exists():
        return
    run = DemoRun(scale="national", today=timezone.localdate(), on_note=lambda text: None)
    started = time.perf_counter()
    with _fast_sqlite(), transaction.atomic():
        for step in demo_steps():
            if step.key not in STEPS:
                continue
            t0 = time.perf_counter()
            step.run(run)
            print(f"  built {step.key:<12} {time.perf_counter() - t0:7.1f} s", flush=True)
    print(f"  national database built in {time.perf_counter() - started:.0f} s in {home}", flush=True)


BARE = "/bench/region"  # one indexed row, no authentication or scoping (bench_urls.py)


def timed(fn, repeat: int) -> list[float]:
    walls = []
    for _ in range(repeat):
        w = time.perf_counter()
        fn()
        walls.append(time.perf_counter() - w)
    return walls


def summary(walls: list[float]) -> str:
    ordered = sorted(walls)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return (f"best {ordered[0] * 1000:7.0f} ms  median {statistics.median(ordered) * 1000:7.0f} ms  "
            f"p95 {p95 * 1000:7.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--home", type=Path, default=Path("/tmp/fuhua-bench-national"))
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--region", default="320000")
    parser.add_argument("--skip-report", action="store_true")
    args = parser.parse_args()
    args.home.mkdir(parents=True, exist_ok=True)
    os.environ["FUHUA_HOME"] = str(args.home)
    sys.path.insert(0, str(ROOT / "src"))
    from fuhua.core.cli_helpers import setup_django

    setup_django()
    from django.conf import settings

    settings.DEBUG = False
    sys.path.insert(0, str(ROOT / "benchmarks"))
    settings.ROOT_URLCONF = "bench_urls"  # Fuhua's URLs plus the bare endpoint (bench_urls.py)
    build(args.home)

    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from fuhua.incubation.models import Incubation
    from fuhua.registry.models import Carrier, Firm
    from fuhua.steering import aggregates, report, services
    from fuhua.steering.models import Aggregate

    print(f"{Carrier.objects.count():,} carriers, {Firm.objects.count():,} firms, "
          f"{Incubation.objects.count():,} tenancies; load {os.getloadavg()[0]:.1f}", flush=True)

    # 1. the aggregates, from scratch
    count = timed(lambda: Incubation.objects.count(), 1)[0]
    w, c = time.perf_counter(), time.process_time()
    built = aggregates.rebuild()
    print(f"aggregates rebuilt: {built['rows']:,} rows in {time.perf_counter() - w:.1f} s "
          f"(CPU {time.process_time() - c:.1f} s); baseline one COUNT(*) of the tenancies {count * 1000:.0f} ms",
          flush=True)

    # 2. the national admin's start page
    admin = get_user_model().objects.get(username="admin")
    client = Client(HTTP_HOST="localhost")
    client.force_login(admin)

    def page(path="/"):
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        return response

    def queries(path="/") -> int:
        with CaptureQueriesContext(connection) as captured:
            page(path)
        return len(captured.captured_queries)

    first = timed(lambda: page(BARE), 1)[0]  # the process's first request: URL conf, middleware, imports
    cold = timed(page, 1)[0]  # the start page's first request: its templates, the catalogue, cold database pages
    assert b'data-freshness="figures"' in page().content, "the start page did not read the aggregates"
    warm = timed(page, args.repeat)
    health = timed(lambda: page(BARE), args.repeat)
    print(f"process's first request (bare endpoint) {first * 1000:.0f} ms")
    print(f"start page (admin, aggregates): cold {cold * 1000:.0f} ms; warm {summary(warm)}; {queries()} queries")
    print(f"  baseline bare endpoint:        {summary(health)}; {queries(BARE)} queries")
    with transaction.atomic():  # the page as it was before the aggregates: counted per request
        Aggregate.objects.filter(year=aggregates.NOW).delete()
        live = timed(page, max(3, args.repeat // 2))
        live_queries = queries()
        transaction.set_rollback(True)
    print(f"  baseline counted live:         {summary(live)}; {live_queries} queries", flush=True)

    # 3. the province report
    if not args.skip_report:
        region = services.region_for(admin, args.region, "add")
        year = report.last_complete_year()
        snap = timed(lambda: report.build_snapshot(admin, region, year), 1)[0]
        print(f"report {region.name} {year}: snapshot alone {snap:.2f} s", flush=True)
        for fmt in ("html", "pdf", "xlsx"):
            sizes = []

            def one(fmt=fmt, sizes=sizes):
                sizes.append(len(report.render(report.build_snapshot(admin, region, year), fmt)))

            walls = timed(one, 2)
            print(f"  {fmt:<4} snapshot + render: best {min(walls):.2f} s  ({sizes[-1]:,} bytes)", flush=True)


if __name__ == "__main__":
    main()
