"""The annual statistics prefill for every carrier of a province, read from the network's records (events held and
attendance, mentors and pairings, deals and financing), side by side with the whole form's prefill and with the
incubation records' source alone as the baseline (issue 13: goal <= 5 s for a province).

    .venv/bin/python benchmarks/network_prefill.py [--home DIR] [--year YYYY] [--repeat 3]

`--home` is a FUHUA_HOME with the province demo (default benchmarks/results/province, built as
benchmarks/api_throughput.py does; without one it is built: `fuhua demo --scale province --no-serve`).
Timed in-process, wall and CPU, best and median of `--repeat` runs:
- **network sources**: `core.prefill.load` of every field the events, mentoring and dealflow apps register, for all
  carriers (None: the whole region), the year before the demo's today;
- **whole form**: `statistics.prefill.prefill(form_for_year(year), None, year)` — every prefilled field of the annual
  report, every carrier (what the statistics season's opening does);
- **baseline**: the incubation records' source alone (`incubations.*` fields), the source that existed before.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "src"))

NETWORK = ("events", "mentoring", "dealflow")


def timed(fn, repeat: int) -> tuple[list[float], list[float], object]:
    walls, cpus, result = [], [], None
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        result = fn()
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
    return walls, cpus, result


def show(label: str, walls: list[float], cpus: list[float], extra: str = "") -> None:
    print(f"{label:<26} wall best {min(walls):6.2f} s median {statistics.median(walls):6.2f} s   "
          f"CPU best {min(cpus):6.2f} s median {statistics.median(cpus):6.2f} s{extra}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", type=Path, default=HERE / "results" / "province")
    parser.add_argument("--year", type=int, default=None)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if not (args.home / "fuhua.sqlite3").exists():
        print(f"building the province demo in {args.home} …", flush=True)
        subprocess.run([str(ROOT / ".venv/bin/fuhua"), "demo", "--scale", "province", "--no-serve"],
                       env={**os.environ, "FUHUA_HOME": str(args.home)}, check=True, stdout=subprocess.DEVNULL)
    os.environ["FUHUA_HOME"] = str(args.home)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fuhua.settings")
    import django

    django.setup()
    from django.utils import timezone

    from fuhua.core import prefill as sources
    from fuhua.registry.models import Carrier
    from fuhua.statistics.definitions import form_for_year
    from fuhua.statistics.prefill import prefill

    year = args.year or timezone.localdate().year - 1
    carriers = Carrier.objects.count()
    network = sorted(f for s in sources.registered() if s.key in NETWORK for f in s.fields)
    incubation = sorted(f for s in sources.registered() if s.key == "incubations" for f in s.fields)
    keys = ", ".join(s.key for s in sources.registered() if s.key in NETWORK)
    print(f"{carriers:,} carriers, year {year}; network fields: {len(network)} ({keys}); "
          f"incubation fields: {len(incubation)}")

    walls, cpus, columns = timed(lambda: sources.load(network, None, year), args.repeat)
    filled = sum(len(v) for v in columns.values())
    show("network sources", walls, cpus, f"   {filled:,} carrier values   goal <= 5 s")
    for field in network:
        values = columns.get(field, {})
        print(f"    {field:<40} {len(values):>6,} carriers   total {sum(values.values()):>12,}")
    form = form_for_year(year)
    walls, cpus, out = timed(lambda: prefill(form, None, year), args.repeat)
    show("whole form", walls, cpus, f"   {sum(len(v) for v in out.values()):,} values over {len(out):,} carriers")
    walls, cpus, _ = timed(lambda: sources.load(incubation, None, year), args.repeat)
    show("baseline: incubation only", walls, cpus)


if __name__ == "__main__":
    main()
