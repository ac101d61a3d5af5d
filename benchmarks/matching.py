"""Explainable matching (fuhua.demands.matching): one need against the province demo's pool of mentors, investors,
providers, products, experts and open challenges, with the reasons, side by side with a baseline.

    .venv/bin/python benchmarks/matching.py [--home DIR] [--needs 200]

The pool is the province demo's (Jiangsu: ~5,900 pool mentors, ~550 investors with their funds, listed providers
and their products, 200 experts, the open challenges). With `--home DIR` the demo in DIR is used (and its demands
step run if it has none); without, a province demo is built in a throwaway FUHUA_HOME first
(`fuhua demo --scale province --no-serve`, a few minutes).

Timed, per need, over at least 200 open needs (every kind of need, sampled with a fixed seed):
- **matching**: `match_need` for every kind of candidate (jieba on the need, BM25 over the words it shares with the
  pool, the structured reasons, top 10 of each kind with their reasons), on the cached index;
- **matching with links**: `match_demand` as the platform administrator for the kinds that answer the need, the
  page's and API's call (one scoped query per kind for the links);
- **baseline**: a plain field-equality filter without ranking or reasons (same industry field and province,
  first 10 by id, one query per kind), `matching.field_filter_baseline`.
The index build (once per process, rebuilt when the pool changes) is timed separately. Goal: p50 <= 50 ms.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "src"))


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(p * len(values)) - 1))]


def line(label: str, times: list[float], extra: str = "") -> str:
    return (f"{label:<28} p50 {statistics.median(times) * 1000:6.1f} ms   p95 {percentile(times, 0.95) * 1000:6.1f} ms"
            f"   max {max(times) * 1000:6.1f} ms{extra}")


def build(home: Path) -> None:
    print(f"building the province demo in {home} (fuhua demo --scale province --no-serve) …", flush=True)
    started = time.perf_counter()
    env = {**os.environ, "FUHUA_HOME": str(home)}
    subprocess.run([str(ROOT / ".venv/bin/fuhua"), "demo", "--scale", "province", "--no-serve"], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    print(f"  built in {time.perf_counter() - started:.0f} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", type=Path, default=None, help="a FUHUA_HOME holding (or to hold) the province demo")
    parser.add_argument("--needs", type=int, default=200)
    args = parser.parse_args()
    home = args.home or Path(tempfile.mkdtemp(prefix="fuhua-matching-"))
    if not (home / "fuhua.sqlite3").exists():
        build(home)
    os.environ["FUHUA_HOME"] = str(home)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fuhua.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from fuhua.core.demo import DemoRun
    from fuhua.core.system import SYSTEM
    from fuhua.demands import matching
    from fuhua.demands.demo import load_demands
    from fuhua.demands.models import Demand, DemandStatus

    if not Demand.objects.exists():  # a demo built before the demands app: migrate and run its step
        call_command("migrate", verbosity=0)
        load_demands(DemoRun(scale="province", today=django.utils.timezone.localdate()))
    ids = list(Demand.objects.filter(status=DemandStatus.OPEN).order_by("pk").values_list("pk", flat=True))
    if len(ids) < args.needs:
        ids += list(Demand.objects.exclude(pk__in=ids).order_by("pk").values_list("pk", flat=True))
    ids = random.Random(13).sample(ids, min(args.needs, len(ids)))
    demands = list(Demand.objects.filter(pk__in=ids).order_by("pk"))

    started = time.perf_counter()
    index = matching.pool_index()
    built = time.perf_counter() - started
    sizes = ", ".join(f"{matching.KIND_LABELS[k]} {len(c.docs):,}" for k, c in index.corpora.items())
    print(f"pool: {sizes}; index built in {built:.2f} s")
    kinds = {k: sum(1 for d in demands if d.kind == k) for k in sorted({d.kind for d in demands})}
    print(f"needs: {len(demands)} ({', '.join(f'{k} {n}' for k, n in kinds.items())})")

    matching.match_need(matching.Need.of(demands[0]))  # warm-up (jieba's dictionary is loaded with the index)
    matching.match_demand(SYSTEM, demands[0])  # and the URL resolver, loaded by the first link (process start)
    full, linked, baseline, listed = [], [], [], 0
    for demand in demands:
        need = matching.Need.of(demand)
        t0 = time.perf_counter()
        found = matching.match_need(need)
        t1 = time.perf_counter()
        matching.match_demand(SYSTEM, demand)
        t2 = time.perf_counter()
        matching.field_filter_baseline(demand, matching.KINDS)
        t3 = time.perf_counter()
        full.append(t1 - t0)
        linked.append(t2 - t1)
        baseline.append(t3 - t2)
        listed += sum(len(ms) for ms in found.values())
    assert matching.pool_index() is index  # nothing rebuilt the index during the run
    print(line("matching (all 6 kinds)", full, f"   {listed / len(demands):.1f} ranked with reasons per need"
                                                   "   goal p50 <= 50 ms"))
    print(line("matching with links", linked, "   (kinds answering the need, as the page and API)"))
    print(line("baseline: field filter", baseline, "   (same field and province, by id, no ranking or reasons)"))
    example = demands[0]
    top = matching.match_need(matching.Need.of(example), ("mentor",), top=1)["mentor"]
    if top:
        print(f"e.g. {example.title} → {top[0].name}: {top[0].reason_text}")


if __name__ == "__main__":
    main()
