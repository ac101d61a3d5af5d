"""Rules engine vs OpenFisca: the same three award rules, side by side, checked to the fen.

    .venv/bin/python benchmarks/rules_vs_openfisca.py [--carriers 16000] [--large 500000] [--repeat 11]

The rules are (a) the benchmark pack ``benchmarks/packs/awards-bench.yaml`` and (b) the OpenFisca
model ``OPENFISCA_MODEL`` below (variables + parameters): recognition award by highest level,
differential subsidy within a cumulative cap, and a yearly operating subsidy for carriers rated
qualified or better, scaled by tenant bands.  Both run on the same synthetic carriers (same seed);
the outputs must be exactly equal (fen; int64 in Fuhua, int32 in OpenFisca).

OpenFisca-core is an optional benchmark dependency, never a package dependency: it is installed
into a throwaway virtualenv (default ``benchmarks/results/openfisca-venv``, git-ignored; created
with ``python3 -m venv`` + ``pip install openfisca-core`` when missing) and the OpenFisca side runs
there in a subprocess.  Timed: computation only — OpenFisca ``simulation.calculate`` after
``set_input`` (a fresh simulation per run, so nothing is cached), Fuhua ``evaluate_population``
after the ``Population`` is built.  Best and median of N.  Goal: Fuhua >= 10x faster.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
PACK_FILE = HERE / "packs" / "awards-bench.yaml"
DEFAULT_VENV = HERE / "results" / "openfisca-venv"
RULES = ["recognition_award_fen", "differential_subsidy_fen", "operating_subsidy_fen"]
AS_OF = "2024-06-30"

KINDS = ["incubator", "maker_space", "accelerator"]
LEVELS = ["none", "municipal", "provincial", "national"]
GRADES = ["A", "B", "C", "D"]


def build_columns(n: int, seed: int = 11) -> dict[str, np.ndarray]:
    """Synthetic carriers as plain numpy columns (no Fuhua import: the OpenFisca worker uses it too)."""
    rng = np.random.default_rng(seed)
    level = rng.integers(0, 4, n)
    return {
        "kind": rng.integers(0, 3, n),  # index into KINDS
        "recognition_level": level,  # index into LEVELS (highest level reached)
        "level_before": rng.integers(0, level + 1),  # highest level before this one (<= level)
        "paid_so_far_fen": rng.integers(0, 101, n) * 1_000_000,  # 0 .. 1,000,000 yuan in steps of 10,000
        "tenants_reported": rng.integers(0, 150, n),
        "evaluation_grade_last": rng.integers(0, 4, n),  # index into GRADES
    }


# --------------------------------------------------------------------------------------------------
# OpenFisca side (runs in the throwaway venv; imports only numpy and openfisca_core)

OPENFISCA_PARAMETERS = {
    "awards": {
        "recognition": {
            "incubator": {k: {"values": {"2020-01-01": v}} for k, v in
                          {"national": 200_000_000, "provincial": 100_000_000, "municipal": 50_000_000,
                           "none": 0}.items()},
            "maker_space": {k: {"values": {"2020-01-01": v}} for k, v in
                            {"national": 50_000_000, "provincial": 30_000_000, "municipal": 20_000_000,
                             "none": 0}.items()},
        },
        "differential": {
            "amount": {k: {"values": {"2020-01-01": v}} for k, v in
                       {"national": 45_000_000, "provincial": 25_000_000, "municipal": 0, "none": 0}.items()},
            "cap": {"values": {"2020-01-01": 100_000_000}},
        },
        "operating": {
            "base": {"values": {"2020-01-01": 20_000_000}},
            "cap": {"values": {"2020-01-01": 50_000_000}},
            "band_factor": {"metadata": {"type": "single_amount"}, "brackets": [
                {"threshold": {"2020-01-01": t}, "amount": {"2020-01-01": a}}
                for t, a in ((0, 0.0), (10, 0.5), (30, 1.0), (60, 1.5), (100, 2.5))]},
        },
    },
}


def openfisca_system():
    from openfisca_core.entities import build_entity
    from openfisca_core.indexed_enums import Enum
    from openfisca_core.model_api import YEAR, Variable, max_, min_, where
    from openfisca_core.parameters import ParameterNode
    from openfisca_core.taxbenefitsystems import TaxBenefitSystem

    carrier = build_entity(key="carrier", plural="carriers", label="孵化载体", is_person=True)

    class Kind(Enum):
        incubator = "incubator"
        maker_space = "maker_space"
        accelerator = "accelerator"

    class Level(Enum):
        none = "none"
        municipal = "municipal"
        provincial = "provincial"
        national = "national"

    class Grade(Enum):
        A = "A"
        B = "B"
        C = "C"
        D = "D"

    def enum_input(name, enum):
        return type(name, (Variable,), {"value_type": Enum, "possible_values": enum, "default_value": next(iter(enum)),
                                        "entity": carrier, "definition_period": YEAR})

    def int_input(name):
        return type(name, (Variable,), {"value_type": int, "entity": carrier, "definition_period": YEAR})

    class recognition_award_fen(Variable):
        value_type = int
        entity = carrier
        definition_period = YEAR

        def formula(carriers, period, parameters):
            p = parameters(period).awards.recognition
            kind, level = carriers("kind", period), carriers("recognition_level", period)
            incubator_like = (kind == Kind.incubator) + (kind == Kind.accelerator)
            return where(incubator_like, p.incubator[level], p.maker_space[level])

    class differential_subsidy_fen(Variable):
        value_type = int
        entity = carrier
        definition_period = YEAR

        def formula(carriers, period, parameters):
            p = parameters(period).awards.differential
            level, before = carriers("recognition_level", period), carriers("level_before", period)
            step = max_(p.amount[level] - p.amount[before], 0)
            room = max_(p.cap - carriers("paid_so_far_fen", period), 0)
            return where(carriers("kind", period) == Kind.incubator, min_(step, room), 0)

    class operating_subsidy_fen(Variable):
        value_type = int
        entity = carrier
        definition_period = YEAR

        def formula(carriers, period, parameters):
            p = parameters(period).awards.operating
            grade = carriers("evaluation_grade_last", period)
            qualified = (grade == Grade.A) + (grade == Grade.B) + (grade == Grade.C)
            amount = np.floor(p.base * p.band_factor.calc(carriers("tenants_reported", period)) + 0.5)
            return where(qualified, min_(amount, p.cap), 0)

    system = TaxBenefitSystem([carrier])
    system.parameters = ParameterNode("", data=OPENFISCA_PARAMETERS)
    for variable in (enum_input("kind", Kind), enum_input("recognition_level", Level),
                     enum_input("level_before", Level), enum_input("evaluation_grade_last", Grade),
                     int_input("paid_so_far_fen"), int_input("tenants_reported"),
                     recognition_award_fen, differential_subsidy_fen, operating_subsidy_fen):
        system.add_variable(variable)
    return system, {"kind": Kind, "recognition_level": Level, "level_before": Level, "evaluation_grade_last": Grade}


def openfisca_worker(sizes: list[int], repeat: int, out_dir: Path) -> None:
    from openfisca_core.indexed_enums import EnumArray
    from openfisca_core.simulations import SimulationBuilder

    system, enums = openfisca_system()
    period = AS_OF[:4]
    report = {}
    for n in sizes:
        columns = build_columns(n)
        times, outputs = [], {}
        for _ in range(repeat):
            simulation = SimulationBuilder().build_default_simulation(system, n)
            for name, values in columns.items():
                if name in enums:
                    values = EnumArray(values.astype(np.int16), enums[name])
                simulation.set_input(name, period, values)
            t = time.perf_counter()
            outputs = {rule: simulation.calculate(rule, period) for rule in RULES}
            times.append(time.perf_counter() - t)
        np.savez(out_dir / f"openfisca_{n}.npz", **outputs)
        report[n] = times
    (out_dir / "openfisca.json").write_text(json.dumps(report))


# --------------------------------------------------------------------------------------------------
# Fuhua side

def fuhua_schema():
    from fuhua.rules import Attribute, default_schema

    return default_schema().extend("carrier", [
        Attribute("recognition_level", "str", "highest recognition level: none|municipal|provincial|national"),
        Attribute("level_before", "str", "highest level reached before the current one"),
        Attribute("paid_so_far_fen", "int", "construction subsidies already paid", "fen", 0),
        Attribute("tenants_reported", "int", "tenants reported for the evaluation year", "count", 0),
    ])



def fuhua_population(n: int, schema):
    from fuhua.rules import Population

    c = build_columns(n)
    carrier = {
        "id": np.arange(n), "kind": np.array(KINDS, dtype=object)[c["kind"]],
        "recognition_level": np.array(LEVELS, dtype=object)[c["recognition_level"]],
        "level_before": np.array(LEVELS, dtype=object)[c["level_before"]],
        "paid_so_far_fen": c["paid_so_far_fen"], "tenants_reported": c["tenants_reported"],
        "evaluation_grade_last": np.array(GRADES, dtype=object)[c["evaluation_grade_last"]],
    }
    return Population.from_columns({"carrier": carrier}, schema)


def fuhua_run(n: int, repeat: int):
    sys.path.insert(0, str(HERE.parent / "src"))
    from fuhua.rules import evaluate_population, load_pack_file, run_pack_tests

    schema = fuhua_schema()
    pack = load_pack_file(PACK_FILE, schema)
    failed = [r for r in run_pack_tests(pack) if not r.passed]
    if failed:
        raise SystemExit(f"{PACK_FILE.name}: pack tests failed: {failed}")
    pop = fuhua_population(n, schema)
    evaluate_population(pack, pop, AS_OF, RULES)  # warm-up
    times, out = [], {}
    for _ in range(repeat):
        t = time.perf_counter()
        out = evaluate_population(pack, pop, AS_OF, RULES)
        times.append(time.perf_counter() - t)
    return times, out


# --------------------------------------------------------------------------------------------------

def ensure_venv(venv: Path) -> Path:
    python = venv / "bin" / "python"
    if python.exists() and subprocess.run([python, "-c", "import openfisca_core"],
                                          capture_output=True).returncode == 0:
        return python
    print(f"creating {venv} with openfisca-core (one-off) …", flush=True)
    subprocess.run(["python3", "-m", "venv", str(venv)], check=True)
    pip = subprocess.run([python, "-m", "pip", "install", "-q", "openfisca-core"], capture_output=True, text=True)
    if pip.returncode != 0:
        print(pip.stdout, pip.stderr, file=sys.stderr)
        raise SystemExit(f"could not install openfisca-core into {venv}")
    return python


def load_average() -> str:
    try:
        return Path("/proc/loadavg").read_text().split(" ")[0] + f" (1-min load average, {os.cpu_count()} CPUs)"
    except OSError:  # pragma: no cover - not Linux
        return "n/a"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--carriers", type=int, default=16_000)
    parser.add_argument("--large", type=int, default=500_000, help="second size (0: skip)")
    parser.add_argument("--repeat", type=int, default=11)
    parser.add_argument("--venv", type=Path, default=DEFAULT_VENV, help="throwaway virtualenv for OpenFisca")
    parser.add_argument("--openfisca-worker", nargs=2, metavar=("SIZES", "OUT_DIR"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    sizes = [n for n in (args.carriers, args.large) if n]
    if args.openfisca_worker:
        openfisca_worker([int(s) for s in args.openfisca_worker[0].split(",")], args.repeat,
                         Path(args.openfisca_worker[1]))
        return 0

    python = ensure_venv(args.venv)
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [str(python), __file__, "--repeat", str(args.repeat),
               "--openfisca-worker", ",".join(map(str, sizes)), tmp]
        worker = subprocess.run(cmd, capture_output=True, text=True)
        if worker.returncode != 0:
            print(worker.stderr, file=sys.stderr)
            return 1
        of_times = {int(k): v for k, v in json.loads((Path(tmp) / "openfisca.json").read_text()).items()}
        of_out = {n: dict(np.load(Path(tmp) / f"openfisca_{n}.npz")) for n in of_times}

    ok = True
    rows = []
    for n in sizes:
        fu_times, fu_out = fuhua_run(n, args.repeat)
        for rule in RULES:
            a, b = fu_out[rule], of_out[n][rule]
            same = a.dtype == np.int64 and np.array_equal(a, b.astype(np.int64))
            ok &= same
            if not same:
                bad = np.flatnonzero(a != b)
                print(f"MISMATCH {rule} at {n}: {len(bad)} carriers differ, e.g. row {bad[:3]}: "
                      f"fuhua {a[bad[:3]]} openfisca {b[bad[:3]]}")
        checksum = sum(int(fu_out[r].sum()) for r in RULES)
        rows.append((n, fu_times, of_times[n], checksum))

    print(f"3 award rules (benchmarks/packs/awards-bench.yaml vs OpenFisca {of_version(python)}), "
          f"computation only, {args.repeat} runs each")
    print(f"{'entities':>9} | {'Fuhua best':>10} {'median':>8} | {'OpenFisca best':>14} {'median':>8} | "
          f"{'ratio (best)':>12} {'(median)':>9} | outputs")
    for n, fu, of, checksum in rows:
        fb, fm, ob, om = min(fu), statistics.median(fu), min(of), statistics.median(of)
        print(f"{n:>9,} | {fb * 1000:>8.2f}ms {fm * 1000:>6.2f}ms | {ob * 1000:>12.2f}ms {om * 1000:>6.2f}ms | "
              f"{ob / fb:>11.1f}x {om / fm:>8.1f}x | {'exactly equal' if ok else 'DIFFERENT'} "
              f"(total {checksum / 100:,.2f} yuan)")
    print("goal: Fuhua >= 10x faster at 16,000 carriers")
    print(f"machine load: {load_average()}")
    return 0 if ok else 1


def of_version(python: Path) -> str:
    probe = subprocess.run([str(python), "-c", "import importlib.metadata as m; print(m.version('openfisca-core'))"],
                           capture_output=True, text=True)
    return probe.stdout.strip() or "?"


if __name__ == "__main__":
    sys.exit(main())
