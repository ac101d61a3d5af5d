"""Policies: entitlements of all four seed policies over a national-scale synthetic population.

    .venv/bin/python benchmarks/policies_entitlements.py [--carriers 16000] [--firms 500000] [--repeat 21]
                                                         [--openfisca]

Builds 16,000 carriers (with the policy attributes: levels before / new in the period / highest, grade,
paid amounts per ledger group, approved claims) and 500,000 firms + incubations with numpy, like
benchmarks/rules_national.py (build timed separately). Timed — computation only, best and median of N:
every payable item of the four packs in `src/fuhua/policies/packs/`, in dependency order (Suzhou 2020
first; what it makes due feeds Suzhou 2022's 不重复享受 offsets), plus the vectorised extraction of the
amounts due (count, total). Goal: <= 50 ms. With --openfisca, also runs benchmarks/rules_vs_openfisca.py
(the same engine against OpenFisca on award-like rules) and prints its table alongside.
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

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

from fuhua.policies.packs import dependency_order, load_policies  # noqa: E402
from fuhua.policies.schema import policy_schema  # noqa: E402
from fuhua.rules import Population, evaluate_population, run_pack_tests  # noqa: E402

KINDS = np.array(["incubator", "maker_space", "accelerator", "university_park", "rural_star", "offshore",
                  "community"], dtype=object)
KIND_P = [0.45, 0.45, 0.03, 0.02, 0.02, 0.015, 0.015]
LEVELS = np.array(["none", "district", "municipal", "provincial", "national"], dtype=object)
GRADES = np.array(["none", "A", "B", "C", "D"], dtype=object)
STATUSES = np.array(["incubating", "incubating", "incubating", "graduated", "exited"], dtype=object)
AS_OF = "2025-06-30"


def _dates(rng, start: str, end: str, n: int) -> np.ndarray:
    lo, hi = np.datetime64(start, "D").astype(np.int64), np.datetime64(end, "D").astype(np.int64)
    return rng.integers(lo, hi, n).astype("datetime64[D]")


def base_columns(c: int, f: int, seed: int = 7) -> dict:
    rng = np.random.default_rng(seed)
    before = rng.integers(0, 5, c)
    new = np.where(rng.random(c) < 0.15, np.minimum(before + rng.integers(1, 3, c), 4), 0)  # 15% reach a level
    carrier = {
        "id": np.arange(c), "kind": KINDS[rng.choice(len(KINDS), c, p=KIND_P)],
        "established": _dates(rng, "2005-01-01", "2023-01-01", c),
        "in_jurisdiction": rng.random(c) < 0.5, "private_operator": rng.random(c) < 0.7,
        "level_before": LEVELS[before], "new_level": LEVELS[new], "highest_level": LEVELS[np.maximum(before, new)],
        "grade": GRADES[rng.integers(0, 5, c)], "approved_claim_fen": rng.integers(0, 200_000_000, c),
        "recognised_since": _dates(rng, "2010-01-01", "2025-06-01", c),
    }
    firm = {"id": np.arange(f), "founded": _dates(rng, "2012-01-01", "2024-01-01", f)}
    incubation = {"id": np.arange(f), "carrier_id": rng.integers(0, c, f), "firm_id": rng.permutation(f),
                  "entered": _dates(rng, "2015-01-01", "2024-06-01", f), "status": STATUSES[rng.integers(0, 5, f)]}
    return {"carrier": carrier, "firm": firm, "incubation": incubation, "rng": rng}


def populations(policies: dict, columns: dict) -> dict[str, Population]:
    """One population per policy (its schema has its own ledger groups and offsets); same base arrays."""
    rng, c = columns["rng"], len(columns["carrier"]["id"])
    out = {}
    for code, policy in policies.items():
        meta = policy.meta
        carrier = dict(columns["carrier"])
        for group in meta.groups:
            carrier[f"paid_{group}_fen"] = np.where(rng.random(c) < 0.1, rng.integers(0, 50, c) * 1_000_000, 0)
        for offset in meta.offsets:
            carrier[offset.into] = np.zeros(c, np.int64)  # filled from the upstream policy during the run
        schema = policy_schema(meta.groups, [o.into for o in meta.offsets])
        out[code] = Population.from_columns({"carrier": carrier, "firm": columns["firm"],
                                             "incubation": columns["incubation"]}, schema)
    return out


def compute_all(policies: dict, order: list[str], pops: dict[str, Population]) -> dict[str, tuple[int, int]]:
    """Every item of every policy; upstream dues feed downstream offsets. → {policy: (entitlements, fen)}."""
    dues_by_group: dict[str, dict[str, np.ndarray]] = {}
    summary = {}
    for code in order:
        policy, pop = policies[code], pops[code]
        for offset in policy.meta.offsets:  # 不重复享受: what the upstream policy makes due now counts as taken
            column = pop["carrier"].columns[offset.into]
            column[:] = sum(dues_by_group[offset.policy].get(g, 0) for g in offset.groups)
        out = evaluate_population(policy.pack, pop, AS_OF, policy.rules)
        groups: dict[str, np.ndarray] = {}
        count = total = 0
        for rule, item in policy.meta.items.items():
            values = out[rule]
            groups[item.group] = groups.get(item.group, 0) + values
            count += int(np.count_nonzero(values > 0))
            total += int(values.sum())
        dues_by_group[code] = groups
        summary[code] = (count, total)
    return summary


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
    parser.add_argument("--openfisca", action="store_true", help="also run rules_vs_openfisca.py (--repeat 5)")
    args = parser.parse_args(argv)
    policies = load_policies()
    failed = [(code, r.name) for code, p in policies.items() for r in run_pack_tests(p.pack) if not r.passed]
    if failed:
        raise SystemExit(f"pack tests failed: {failed}")
    order = dependency_order(policies)
    t0 = time.perf_counter()
    pops = populations(policies, base_columns(args.carriers, args.firms))
    summary = compute_all(policies, order, pops)  # warm-up
    build = time.perf_counter() - t0
    times, cpu = [], []
    for _ in range(args.repeat):
        t, c = time.perf_counter(), time.process_time()
        summary = compute_all(policies, order, pops)
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    items = sum(len(p.meta.items) for p in policies.values())
    print(f"population: {args.carriers:,} carriers, {args.firms:,} firms, {args.firms:,} incubations "
          f"(build {build:.2f} s)")
    for code in order:
        n, fen = summary[code]
        print(f"  {code:<26} {n:>6,} entitlements  {fen / 100:>18,.2f} yuan")
    print(f"{items} payable items of {len(policies)} policies, in dependency order, {args.repeat} runs: "
          f"best {min(times) * 1000:.1f} ms, median {statistics.median(times) * 1000:.1f} ms (goal <= 50 ms)")
    print(f"  CPU time: best {min(cpu) * 1000:.1f} ms, median {statistics.median(cpu) * 1000:.1f} ms")
    print(f"machine load: {load()}")
    if args.openfisca:
        print("\n--- side by side: benchmarks/rules_vs_openfisca.py --repeat 5 ---", flush=True)
        subprocess.run([sys.executable, str(HERE / "rules_vs_openfisca.py"), "--repeat", "5"], check=False)
    return min(times), statistics.median(times)


if __name__ == "__main__":
    main()
