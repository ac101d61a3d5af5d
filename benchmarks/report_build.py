"""The annual development report of a province, and the dashboards' aggregates, on a demo database.

    .venv/bin/python benchmarks/report_build.py [--home DIR] [--region 320000] [--year Y] [--repeat 3]
    .venv/bin/python benchmarks/report_build.py --home DIR --dashboard   # also the start page per account

If DIR holds no demo it is built first (`fuhua demo --scale province --no-serve`, about a minute). Each
format is timed end to end as `fuhua report build` does it: collect the snapshot (one Frame over the region's
carriers, recognitions, tenancies, statistics, grades and payouts) and render it. Goals (Jiangsu scale):
HTML <= 3 s, PDF <= 10 s, XLSX <= 5 s. Prints best and median wall time and the CPU time of the process.
With --dashboard: the aggregates rebuilt from scratch (goal <= 60 s for the national demo) and the start page
of admin / bureau_js / bureau_nt (goal <= 1 s, read from the aggregates).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def ensure_demo(home: Path, scale: str) -> None:
    if (home / "fuhua.sqlite3").exists():
        return
    home.mkdir(parents=True, exist_ok=True)
    subprocess.run([str(ROOT / ".venv" / "bin" / "fuhua"), "demo", "--scale", scale, "--no-serve"], check=True,
                   env={**os.environ, "FUHUA_HOME": str(home)})


def timed(fn, repeat: int) -> tuple[float, float, float]:
    walls, cpus = [], []
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    return min(walls), statistics.median(walls), statistics.median(cpus)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--home", type=Path, default=Path("/tmp/fuhua-bench-report"))
    parser.add_argument("--scale", default="province")
    parser.add_argument("--region", default="320000")
    parser.add_argument("--year", type=int, default=None)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dashboard", action="store_true")
    args = parser.parse_args()
    ensure_demo(args.home, args.scale)
    os.environ["FUHUA_HOME"] = str(args.home)
    sys.path.insert(0, str(ROOT / "src"))
    from fuhua.core.cli_helpers import setup_django

    setup_django()
    from django.contrib.auth import get_user_model

    from fuhua.registry.models import Carrier
    from fuhua.steering import aggregates, report, services

    user = get_user_model().objects.get(username="admin")
    region = services.region_for(user, args.region, "add")
    year = args.year or report.last_complete_year()
    print(f"{region.name} {year}: {Carrier.objects.filter(region.subtree_q('region')).count():,} carriers; "
          f"load {os.getloadavg()[0]:.1f}")
    for fmt in ("html", "pdf", "xlsx"):
        sizes = []

        def build(fmt=fmt, sizes=sizes):
            snapshot = report.build_snapshot(user, region, year)
            sizes.append(len(report.render(snapshot, fmt)))

        best, median, cpu = timed(build, args.repeat)
        print(f"  report {fmt:<4}  best {best:.2f} s  median {median:.2f} s  (CPU {cpu:.2f} s)  {sizes[-1]:,} bytes")
    if args.dashboard:
        w, c = time.perf_counter(), time.process_time()
        built = aggregates.rebuild()
        print(f"  aggregates rebuilt: {built['rows']:,} rows in {time.perf_counter() - w:.2f} s "
              f"(CPU {time.process_time() - c:.2f} s)")
        from django.test import Client

        for name in ("admin", "bureau_js", "bureau_nt"):
            account = get_user_model().objects.filter(username=name).first()
            if account is None:
                continue
            client = Client(HTTP_HOST="localhost")
            client.force_login(account)
            client.get("/")  # warm the templates and the catalogue

            def page(client=client):
                assert client.get("/").status_code == 200

            best, median, cpu = timed(page, max(args.repeat, 5))
            print(f"  start page {name:<10} best {best * 1000:.0f} ms  median {median * 1000:.0f} ms "
                  f"(CPU {cpu * 1000:.0f} ms)")


if __name__ == "__main__":
    main()
