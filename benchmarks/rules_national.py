"""Rules engine: every rule of every national pack over a synthetic national population.

    .venv/bin/python benchmarks/rules_national.py [--carriers 16000] [--firms 500000] [--repeat 21]
    .venv/bin/python benchmarks/rules_national.py --home DIR [--repeat 21]

Builds 16,000 carriers and 500,000 firms + incubations with numpy (timed separately,
including the one-off relation indexes), then reports the best and the median of N full
evaluations (computation only) and the machine load.  Goal: <= 50 ms for all packs together.

With `--home DIR` the population is the real national demo instead: loaded from the database in
DIR with `fuhua.rules.adapter.load_population` (one load per as-of date, timed separately from the
computation). If DIR holds no national demo, it is built first with
`FUHUA_HOME=DIR fuhua demo --scale national --no-serve` (about 4-5 minutes).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from fuhua.rules import Population, evaluate_population, load_registry

FIELDS = np.array(["software", "biomedicine", "integrated_circuits", "modern_agriculture", "materials",
                   "equipment"], dtype=object)
KINDS = np.array(["incubator", "maker_space", "accelerator"], dtype=object)
STATUSES = np.array(["incubating", "incubating", "incubating", "graduated", "exited"], dtype=object)
GRADES = np.array(["A", "B", "C", "D"], dtype=object)


def _dates(rng, start: str, end: str, n: int) -> np.ndarray:
    lo, hi = np.datetime64(start, "D").astype(np.int64), np.datetime64(end, "D").astype(np.int64)
    return rng.integers(lo, hi, n).astype("datetime64[D]")


def build_population(carriers: int = 16_000, firms: int = 500_000, seed: int = 7) -> Population:
    rng = np.random.default_rng(seed)
    c, f = carriers, firms
    area = rng.uniform(300, 40_000, c)
    carrier = {
        "id": np.arange(c), "kind": KINDS[rng.integers(0, 3, c)], "specialised": rng.random(c) < 0.3,
        "industry_field": FIELDS[rng.integers(0, len(FIELDS), c)], "has_tech_platform": rng.random(c) < 0.5,
        "independent_legal_entity": rng.random(c) < 0.9, "established": _dates(rng, "2005-01-01", "2023-01-01", c),
        "stats_years_consecutive": rng.integers(0, 10, c), "hardship_region": rng.random(c) < 0.1,
        "incubation_area_m2": area, "tenant_area_m2": area * rng.uniform(0.5, 0.95, c),
        "workstations": rng.integers(0, 200, c), "workstation_public_area_m2": area * rng.uniform(0.5, 0.95, c),
        "seed_fund_fen": rng.integers(0, 2_000_000_000, c), "fund_use_cases": rng.integers(0, 10, c),
        "staff_total": rng.integers(1, 30, c), "staff_professional": rng.integers(0, 25, c),
        "staff_fulltime": rng.integers(0, 10, c), "mentors": rng.integers(0, 30, c),
        "graduates_cumulative": rng.integers(0, 100, c), "teams_entered_last_year": rng.integers(0, 60, c),
        "teams_registered_firms_last_year": rng.integers(0, 30, c), "teams_financed_last_year": rng.integers(0, 15, c),
        "incubation_cases_last_year": rng.integers(0, 8, c), "events_last_year": rng.integers(0, 40, c),
        "has_clear_model": rng.random(c) < 0.9, "dedicated_operator": rng.random(c) < 0.9,
        "stats_reported": rng.random(c) < 0.95, "stats_reports_missed_consecutive": rng.integers(0, 3, c),
        "evaluation_grade_last": GRADES[rng.integers(0, 4, c)], "evaluation_grade_prev": GRADES[rng.integers(0, 4, c)],
        "income_total_fen": rng.integers(1, 5_000_000_000, c), "incubation_income_separate": rng.random(c) < 0.7,
    }
    carrier["income_rent_property_fen"] = (carrier["income_total_fen"] * rng.uniform(0, 1, c)).astype(np.int64)
    firm = {
        "id": np.arange(f), "founded": _dates(rng, "2012-01-01", "2024-01-01", f),
        "industry_field": FIELDS[rng.integers(0, len(FIELDS), f)], "high_tech": rng.random(f) < 0.15,
        "vc_investment_cumulative_fen": rng.integers(0, 2_000_000_000, f),
        "revenue_last_year_fen": rng.integers(0, 2_000_000_000, f),
        "revenue_prev_year_fen": rng.integers(0, 2_000_000_000, f),
        "rd_spend_last_year_fen": rng.integers(0, 200_000_000, f),
        "rd_spend_prev_year_fen": rng.integers(0, 200_000_000, f),
        "listed": rng.random(f) < 0.01, "merged_or_acquired": rng.random(f) < 0.01,
        "patents_applied": rng.integers(0, 4, f), "ip_valid": rng.integers(0, 3, f),
    }
    incubation = {
        "id": np.arange(f), "carrier_id": rng.integers(0, c, f), "firm_id": rng.permutation(f),
        "entered": _dates(rng, "2015-01-01", "2024-06-01", f), "status": STATUSES[rng.integers(0, 5, f)],
        "financed": rng.random(f) < 0.15, "own_fund_equity": rng.random(f) < 0.08,
    }
    return Population.from_columns({"carrier": carrier, "firm": firm, "incubation": incubation})


NATIONAL_MIN_CARRIERS = 10_000  # the national demo has 16,000; the province demo a few hundred


def _django(home: Path) -> None:
    os.environ["FUHUA_HOME"] = str(home)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fuhua.settings")
    import django

    django.setup()


def _carriers_in(home: Path) -> int:
    """Carriers in DIR's demo database (0 if there is none), asked in a child process so that this one
    can still set Django up after a build."""
    if not (home / "fuhua.sqlite3").exists():
        return 0
    code = ("import django; django.setup(); from fuhua.registry.models import Carrier; "
            "print(Carrier.objects.count())")
    env = {**os.environ, "FUHUA_HOME": str(home), "DJANGO_SETTINGS_MODULE": "fuhua.settings"}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    return int(done.stdout.strip()) if done.returncode == 0 and done.stdout.strip().isdigit() else 0


def ensure_national_demo(home: Path) -> None:
    home.mkdir(parents=True, exist_ok=True)
    found = _carriers_in(home)
    if found >= NATIONAL_MIN_CARRIERS:
        return
    if found:
        sys.exit(f"{home} holds a smaller demo ({found} carriers); give an empty directory for the national one.")
    print(f"building the national demo in {home} (about 4-5 minutes) …", flush=True)
    fuhua = Path(sys.executable).with_name("fuhua")
    command = [str(fuhua)] if fuhua.exists() else [sys.executable, "-m", "fuhua.cli"]
    subprocess.run([*command, "demo", "--scale", "national", "--no-serve"], check=True,
                   env={**os.environ, "FUHUA_HOME": str(home)})


def load_demo_populations(home: Path, dates: list[str]) -> tuple[dict, float, str]:
    """One population per as-of date, from the demo database; returns them, the loading time and a summary."""
    ensure_national_demo(home)
    _django(home)
    import datetime

    from fuhua.incubation.models import Incubation
    from fuhua.registry.models import Carrier, Firm
    from fuhua.rules.adapter import load_population

    populations, seconds = {}, 0.0
    for day in dates:
        loaded = load_population(datetime.date.fromisoformat(day), carriers=Carrier.objects.all())
        populations[day] = loaded.population
        seconds += loaded.seconds
    pop = next(iter(populations.values()))
    summary = (f"national demo in {home}: {len(pop['carrier'].ids):,} carriers, {len(pop['firm'].ids):,} firms "
               f"and teams, {len(pop['incubation'].ids):,} incubations (database: {Carrier.objects.count():,} "
               f"carriers, {Firm.objects.count():,} firms, {Incubation.objects.count():,} incubations)")
    return populations, seconds, summary


def load() -> str:
    try:
        return Path("/proc/loadavg").read_text().split(" ")[0] + f" (1-min load average, {os.cpu_count()} CPUs)"
    except OSError:  # pragma: no cover - not Linux
        return "n/a"


def main(argv=None) -> tuple[float, float]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--carriers", type=int, default=16_000)
    parser.add_argument("--firms", type=int, default=500_000)
    parser.add_argument("--repeat", type=int, default=21)
    parser.add_argument("--home", type=Path, default=None,
                        help="evaluate the national demo in this FUHUA_HOME (built there if absent)")
    args = parser.parse_args(argv)
    registry = load_registry()
    jobs = [(registry.get("cn-most-2018", "2024-06-30"), "2024-06-30"),
            (registry.get("cn-maker-space-2017", "2024-06-30"), "2024-06-30"),
            (registry.get("cn-miit-2025", "2025-12-31"), "2025-12-31")]
    if args.home is not None:
        populations, loading, summary = load_demo_populations(args.home.resolve(),
                                                              sorted({as_of for _, as_of in jobs}))
        print(summary)
        print(f"loading from the database (load_population, {len(populations)} as-of dates): {loading:.2f} s")
    t0 = time.perf_counter()
    if args.home is None:
        pop = build_population(args.carriers, args.firms)
        populations = {as_of: pop for _, as_of in jobs}
    t_indexes = time.perf_counter()
    for pack, as_of in jobs:  # one-off: materialise relation indexes (part of loading the data)
        evaluate_population(pack, populations[as_of], as_of)
    build, indexes = time.perf_counter() - t0, time.perf_counter() - t_indexes
    times, cpu = [], []
    for _ in range(args.repeat):
        t, c = time.perf_counter(), time.process_time()
        for pack, as_of in jobs:
            evaluate_population(pack, populations[as_of], as_of)
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    best, median = min(times), statistics.median(times)
    rules = sum(len(p.rules) for p, _ in jobs)
    if args.home is not None:
        print(f"relation indexes (first evaluation, one-off): {indexes:.2f} s")
    else:
        print(f"population: {args.carriers} carriers, {args.firms} firms, {args.firms} incubations "
              f"(build + indexes {build:.2f} s)")
    print(f"evaluate {rules} rules of {len(jobs)} packs, vectorised, {args.repeat} runs: "
          f"best {best * 1000:.1f} ms, median {median * 1000:.1f} ms (goal <= 50 ms)")
    print(f"  CPU time of this process (insensitive to time-slicing on a busy machine): "
          f"best {min(cpu) * 1000:.1f} ms, median {statistics.median(cpu) * 1000:.1f} ms")
    print(f"machine load: {load()}")
    return best, median


if __name__ == "__main__":
    main()
