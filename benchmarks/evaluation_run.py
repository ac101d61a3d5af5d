"""Evaluation: score 16,000 carriers × 30 indicators, then a full run with persistence on SQLite.

    .venv/bin/python benchmarks/evaluation_run.py [--carriers 16000] [--repeat 11] [--skip-db]
    .venv/bin/python benchmarks/evaluation_run.py --demo DIR   # the demo's grade distribution

1. Computation: a 30-indicator scheme (generated here: ratios and counts over the annual-statistics
   fields, every normalisation method, bonus items, vetoes, quotas) over synthetic inputs; best and
   median of N `compute.score` calls (rules engine + normalisation + integer scoring + grades + ranks).
   Goal: <= 100 ms.
2. Full run: a fresh SQLite database (migrated, not timed) with 16,000 carriers and their accepted
   annual reports (about half a million figures, written with raw SQL, not timed); then one run through
   the workflow, timed: gather the figures, write the checksummed snapshot, score, write 16,000 results
   (audited in bulk) and 480,000 indicator scores. Goal: <= 5 s.
3. With --demo DIR: the published 2024 Jiangsu evaluation of the demo in DIR next to the published
   distributions (national: 科技部火炬中心公布的国家级科技企业孵化器评价结果（2017、2020、2021年度）;
   Jiangsu 2020: the results published by 江苏省科技厅).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

RATIOS = [("staff_professional", "staff_total"), ("tenants_with_ip", "tenants"),
          ("tenant_rd_fen", "tenant_revenue_fen"), ("firms_financed", "tenants"),
          ("income_service_fen", "income_total_fen"), ("income_rent_fen", "income_total_fen"),
          ("fresh_graduates_hired", "tenant_employees"), ("patents_applied", "tenants"), ("patents_granted", "tenants"),
          ("tenant_employees", "tenants"), ("mentors", "tenants"), ("graduates_year", "tenants"),
          ("teams_registered", "teams_entered"), ("tenants", "tenant_area_m2"), ("events", "staff_total")]
COUNTS = ["events", "graduates_year", "fund_use_cases", "incubation_cases", "patents_granted", "mentors",
          "teams_entered", "workstations", "graduates_cumulative", "staff_fulltime", "firms_financed",
          "tenant_employees", "patents_applied", "teams_registered", "tenants"]
METHODS = ["{method: percentile}", "{method: minmax}", "{method: median_ratio, at: 2}",
           "{method: linear, floor: 0, target: %s}",
           "{method: bands, bands: [{min: %s, score: 50}, {min: %s, score: 100}]}"]


def bench_scheme_text() -> str:
    rules, indicators = [], []
    specs = [(f"r{i}_{a}", f"{a} / {b}") for i, (a, b) in enumerate(RATIOS)] + [(f"c{i}_{c}", c) for i, c in
                                                                                  enumerate(COUNTS)]
    for k, (name, expr) in enumerate(specs):
        rules.append(f"  {name}: {{label_zh: 指标{k}, unit: number, expression: '{expr}'}}")
        method = METHODS[k % len(METHODS)]
        if "linear" in method:
            method = method % (1 if name.startswith("r") else 20)
        elif "bands" in method:
            method = method % ((0.2, 0.5) if name.startswith("r") else (5, 20))
        weight = 3.8 if k < 2 else 3.3
        group = ("service", "performance", "sustainability")[k % 3]
        indicators.append(f"    {name}:\n      group: {group}\n      normalise: {method}\n"
                          f"      weights: {{all: {weight}}}\n      assumed: true")
    return "\n".join([
        "id: bench-30", "title: 30-indicator benchmark scheme", "document: {name: benchmark}",
        "effective_from: 2020-01-01", "entity: carrier", "parameters: {}", "rules:",
        "  everyone: {expression: 'tenants >= 0'}",
        "  veto_tiny: {label_zh: 在孵企业过少, expression: tenants < 5}",
        "  bonus_cases: {label_zh: 案例, expression: incubation_cases}", *rules,
        "evaluation:", "  kinds: [incubator, maker_space, accelerator, university_park]", "  min_completeness: 90",
        "  categories:", "    all: {rule: everyone, label_zh: 全部}",
        "  groups:", "    service: {label_zh: 服务能力}", "    performance: {label_zh: 孵化绩效}",
        "    sustainability: {label_zh: 可持续发展}", "  indicators:", *indicators,
        "  bonus: {cap: 5, items: {bonus_cases: {points: 0.5, cap: 3}}}", "  vetoes: {veto_tiny: {}}",
        "  grading: {thresholds: {A: 60, B: 45, C: 30}, quotas: {A: 15}}", ""])


def _setup(home: str) -> None:
    os.environ["FUHUA_HOME"] = home
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fuhua.settings")
    import django

    django.setup()


def _scheme_dir() -> Path:
    from fuhua.evaluation import scheme as scheme_module

    directory = Path(tempfile.mkdtemp(prefix="fuhua-schemes-"))
    for path in scheme_module.SCHEMES_DIR.glob("*.yaml"):
        (directory / path.name).write_text(path.read_text("utf-8"), "utf-8")
    (directory / "bench-30.yaml").write_text(bench_scheme_text(), "utf-8")
    scheme_module.SCHEMES_DIR = directory
    scheme_module.all_schemes.cache_clear()
    return directory


def bench_compute(n: int, repeat: int) -> dict:
    from fuhua.evaluation import compute
    from fuhua.evaluation.scheme import get_scheme
    from fuhua.evaluation.synthetic import synthetic_inputs

    scheme = get_scheme("bench-30", 2024)
    inputs = synthetic_inputs(scheme, n, missing_share=0.001)
    times, cpu, out = [], [], None
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        out = compute.score(scheme, inputs, 2024)
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    graded = int((~out.incomplete).sum())
    return {"carriers": n, "indicators": len(scheme.indicators), "best_ms": round(min(times) * 1000, 1),
            "median_ms": round(statistics.median(times) * 1000, 1),
            "cpu_median_ms": round(statistics.median(cpu) * 1000, 1), "graded": graded,
            "grades": {g: int((out.grade == g).sum()) for g in "ABCD"}}


def _populate(n: int, scheme) -> tuple:
    """16,000 carriers and their accepted 2024 reports, written fast (setup, not timed)."""
    import datetime

    import numpy as np
    from django.db import connection, transaction

    from fuhua.evaluation.synthetic import synthetic_inputs
    from fuhua.registry.models import Carrier, Organisation, Region
    from fuhua.statistics.models import AnnualReport, ReportValue
    from fuhua.testing import credit_code

    inputs = synthetic_inputs(scheme, n)
    region = Region.objects.get(code="320000")
    with transaction.atomic():
        op = Organisation.objects.create(name="基准测试运营公司", credit_code=credit_code("320000"),
                                         kind="enterprise", region=region)
        kinds = inputs.columns["kind"]
        carriers = Carrier.objects.bulk_create([
            Carrier(name=f"基准载体{i:05d}", kind=kinds[i], operator=op, region=region,
                    established=datetime.date(2015, 1, 1), incubation_area_m2=10000, tenant_area_m2=8000)
            for i in range(n)], batch_size=2000)
        ids = [c.pk for c in carriers]
        reports = AnnualReport.objects.bulk_create([
            AnnualReport(carrier_id=pk, year=2024, form_code="torch-2023", status="accepted") for pk in ids],
            batch_size=2000)
        table = ReportValue._meta.db_table
        now = datetime.datetime.now(datetime.UTC).isoformat()
        rows = []
        for code in scheme.stats_codes():
            column = inputs.columns[code]
            rows += [(r.pk, code, int(column[i]), "entered", now, now) for i, r in enumerate(reports)]
        with connection.cursor() as cursor:
            sql = f"INSERT INTO {table} (report_id, code, value, origin, created_at, updated_at) "
            cursor.executemany(sql + "VALUES (%s, %s, %s, %s, %s, %s)", rows)
    return region, np.array(ids), len(rows)


def bench_full_run(n: int) -> dict:
    from django.core.management import call_command

    from fuhua.evaluation import services
    from fuhua.evaluation.models import IndicatorScore
    from fuhua.evaluation.scheme import get_scheme
    from fuhua.testing import make_user

    call_command("migrate", "--no-input", "-v", "0")
    scheme = get_scheme("bench-30", 2024)
    started = time.perf_counter()
    region, _ids, figures = _populate(n, scheme)
    setup = time.perf_counter() - started
    admin = make_user("bench_admin", "admin")
    run = services.create_run(admin, "bench-30", 2024, region)
    started, started_cpu = time.perf_counter(), time.process_time()
    services.transition(admin, run, "compute")
    seconds, cpu = time.perf_counter() - started, time.process_time() - started_cpu
    started = time.perf_counter()
    problems = services.reproduce(run)
    reproduce = time.perf_counter() - started
    return {"carriers": n, "figures": figures, "setup_s": round(setup, 1), "full_run_s": round(seconds, 2),
            "full_run_cpu_s": round(cpu, 2),
            "indicator_scores": IndicatorScore.objects.filter(result__run=run).count(),
            "reproduce_s": round(reproduce, 2), "reproduced_exactly": not problems,
            "distribution": services.distribution(run)["grades"]}


def demo_distribution(home: str) -> None:
    _setup(home)
    from fuhua.evaluation import services
    from fuhua.evaluation.chart import REFERENCES, shares
    from fuhua.evaluation.models import EvaluationRun

    run = EvaluationRun.objects.filter(scheme="js-incubator-2024", period=2024).order_by("-pk").first()
    if run is None:
        sys.exit(f"no 2024 evaluation in {home}; run `FUHUA_HOME={home} fuhua demo --no-serve` first")
    dist = services.distribution(run)
    rows = {f"demo Jiangsu 2024 ({run.scheme})": tuple(dist["grades"][g] for g in "ABCD"), **REFERENCES}
    print(f"{'':40} {'n':>6} {'A':>7} {'B':>7} {'C':>7} {'D':>7}")
    for name, counts in rows.items():
        pct = shares(counts)
        print(f"{name:40} {sum(counts):>6} " + " ".join(f"{p:6.1f}%" for p in pct))
    print(f"demo: {dist['vetoed']} vetoed (local 2024 veto rules), {dist['incomplete']} incomplete")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--carriers", type=int, default=16_000)
    parser.add_argument("--repeat", type=int, default=11)
    parser.add_argument("--skip-db", action="store_true")
    parser.add_argument("--demo", default=None, help="FUHUA_HOME of a demo: print its grade distribution")
    args = parser.parse_args()
    if args.demo:
        demo_distribution(args.demo)
        return
    home = tempfile.mkdtemp(prefix="fuhua-bench-eval-")
    _setup(home)
    _scheme_dir()
    print("computation:", bench_compute(args.carriers, args.repeat))
    if not args.skip_db:
        print("full run (SQLite):", bench_full_run(args.carriers))
    print(f"load average: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
