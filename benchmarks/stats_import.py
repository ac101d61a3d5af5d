"""Workbook imports at scale: 500,000 firms and 16,000 annual reports, validated, on SQLite or PostgreSQL.

    .venv/bin/python benchmarks/stats_import.py                      # SQLite in a temporary FUHUA_HOME
    .venv/bin/python benchmarks/stats_import.py --postgres           # a throwaway database, created and dropped
    .venv/bin/python benchmarks/stats_import.py --million            # also a 1,000,000-row bad file

Goals: 500,000 firms from XLSX with validation ≤ 60 s; 16,000 annual reports ≤ 10 s (each on both databases).
Input workbooks are generated first with xlsxwriter (constant_memory) and not timed. Each import runs in
its own subprocess, so its peak RSS (ru_maxrss) is its own; the Python heap peak is reported too
(tracemalloc on the 1M-row run only: it slows Python down).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GOALS = {"firms": 60.0, "reports": 10.0}
N_FIRMS, N_REPORTS, N_BAD = 500_000, 16_000, 1_000_000
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"


def _django(home: str, database_url: str | None):
    os.environ["FUHUA_HOME"] = home
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fuhua.settings")
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    import django

    django.setup()


# --- input files -----------------------------------------------------------------------------------


def firms_workbook(path: Path, n: int, bad: bool = False) -> None:
    import xlsxwriter

    from fuhua.core.validators import credit_code_check_char
    from fuhua.statistics.exchange.firms import COLUMNS, SHEET

    rng = random.Random(4)
    cities = ["320571", "320505", "320102", "320111", "320214", "320412", "320612", "321012"]
    fields = ["人工智能", "电子信息", "生物医药", "先进制造", "新材料", "集成电路", "新能源与节能", "科技服务"]
    sizes = ["微型", "小型", "中型"]
    words = ["微纳", "智算", "云润", "星湖", "紫金", "天合", "恒瑞", "博众", "汇川", "科沃", "睿创", "芯动"]
    trades = ["传感", "软件", "医疗", "材料", "能源", "机器人", "数据", "光电", "检测", "装备"]
    dates = [lambda d: d, lambda d: d.isoformat(), lambda d: f"{d.year}/{d.month}/{d.day}",
             lambda d: f"{d.year}年{d.month}月{d.day}日", lambda d: f"{d.year}.{d.month}.{d.day}"]
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
    ws = book.add_worksheet(SHEET)
    ws.write_row(0, 0, [c.header for c in COLUMNS])
    base = datetime.date(2010, 1, 1)
    for i in range(n):
        city = cities[i % len(cities)]
        body = f"91{city}{i:09d}"
        code = body + credit_code_check_char(body) if not bad else body + "I"
        founded = base + datetime.timedelta(days=rng.randrange(5000))
        value = dates[i % 5](founded)
        row = [code, f"苏州{rng.choice(words)}{rng.choice(trades)}{i}科技有限公司", None, rng.choice(fields),
               rng.choice(sizes), city if not bad else "000000"]
        ws.write_row(i + 1, 0, row)
        if isinstance(value, datetime.date):
            ws.write_datetime(i + 1, 2, datetime.datetime.combine(value, datetime.time()), date_fmt)
        else:
            ws.write_string(i + 1, 2, value)
    book.close()


def carriers(n: int) -> list:
    """n carriers (bulk-created once) under one operator, for the reports benchmark."""
    from fuhua.registry.models import Carrier, Organisation
    from fuhua.testing import credit_code

    if Carrier.objects.count() >= n:
        return list(Carrier.objects.select_related("operator").order_by("pk")[:n])
    op = Organisation.objects.create(name="基准运营有限公司", credit_code=credit_code("320500"), kind="enterprise",
                                     region_id="320500")
    Carrier.objects.bulk_create([
        Carrier(name=f"基准孵化器{i}", kind="incubator", operator=op, region_id="320571",
                established=datetime.date(2015, 1, 1), incubation_area_m2=12000, tenant_area_m2=9500, search="")
        for i in range(n)], batch_size=2000)
    return list(Carrier.objects.select_related("operator").order_by("pk")[:n])


def reports_workbook(path: Path, year: int, rows) -> None:
    import xlsxwriter

    from fuhua.statistics.definitions import form_for_year
    from fuhua.statistics.exchange.reports import INFO, sheet_name
    from fuhua.statistics.testing import complete_values

    form = form_for_year(year)
    values = complete_values(form)
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = book.add_worksheet(sheet_name(year))
    ws.write_row(0, 0, [c.header for c in INFO] + [f.header for f in form.fields.values()])
    for r, carrier in enumerate(rows, 1):
        ws.write_row(r, 0, [carrier.pk, carrier.operator.credit_code, carrier.name]
                     + [form.fields[c].to_display(values[c]) for c in form.fields])
    book.close()


# --- phases (each in its own process) ----------------------------------------------------------------


def phase(name: str, home: str, database_url: str | None, path: str) -> dict:
    _django(home, database_url)
    from django.core.management import call_command

    call_command("migrate", "--no-input", "-v", "0")
    out: dict = {"phase": name}
    if name == "prepare":
        started = time.perf_counter()
        firms_workbook(Path(path) / "firms.xlsx", N_FIRMS)
        out["firms_file_s"] = time.perf_counter() - started
        rows = carriers(N_REPORTS)
        reports_workbook(Path(path) / "reports.xlsx", 2024, rows)
        out["sizes_mib"] = {p.name: round(p.stat().st_size / 2**20, 1) for p in Path(path).glob("*.xlsx")}
        return out
    if name == "prepare-bad":
        firms_workbook(Path(path) / "bad.xlsx", N_BAD, bad=True)
        return out
    from fuhua.core.system import SYSTEM
    from fuhua.registry.models import Firm
    from fuhua.statistics.exchange.firms import import_firms
    from fuhua.statistics.exchange.reports import import_reports
    from fuhua.statistics.models import ReportValue

    started, cpu = time.perf_counter(), time.process_time()
    if name in ("firms", "firms-again"):
        result = import_firms(str(Path(path) / "firms.xlsx"), "firms.xlsx", SYSTEM)
        out["firms_in_db"] = Firm.objects.count()
    elif name == "reports":
        result = import_reports(str(Path(path) / "reports.xlsx"), "reports.xlsx", 2024, SYSTEM)
        out["values_in_db"] = ReportValue.objects.count()
    else:  # bad
        import tracemalloc

        tracemalloc.start()
        result = import_firms(str(Path(path) / "bad.xlsx"), "bad.xlsx", SYSTEM, max_errors=1000)
        out["python_peak_mib"] = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
        tracemalloc.stop()
    out.update(seconds=round(time.perf_counter() - started, 2), cpu=round(time.process_time() - cpu, 2),
               load=round(os.getloadavg()[0], 1), rows=result.rows, created=result.created,
               updated=result.updated, unchanged=result.unchanged, errors=result.error_count,
               errors_listed=len(result.errors), ok=result.ok,
               peak_rss_mib=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))
    return out


def run_phase(name: str, home: str, database_url: str | None, path: str) -> dict:
    cmd = [sys.executable, __file__, "--phase", name, "--home", home, "--path", path]
    if database_url:
        cmd += ["--database-url", database_url]
    done = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _pg(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(sql)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", action="store_true", help="run on a throwaway PostgreSQL database")
    parser.add_argument("--million", action="store_true", help="also a 1,000,000-row file of bad rows")
    parser.add_argument("--phase"), parser.add_argument("--home"), parser.add_argument("--path")
    parser.add_argument("--database-url")
    args = parser.parse_args()
    if args.phase:
        print(json.dumps(phase(args.phase, args.home, args.database_url, args.path)))
        return 0
    home, files = tempfile.mkdtemp(prefix="fuhua-bench-"), tempfile.mkdtemp(prefix="fuhua-bench-files-")
    database_url, db_name = None, None
    if args.postgres:
        db_name = f"fuhua_bench_{os.getpid()}"
        _pg(f'CREATE DATABASE "{db_name}"')
        database_url = f"postgres://postgres@127.0.0.1:5432/{db_name}"
    ok = True
    try:
        engine = "PostgreSQL" if args.postgres else "SQLite"
        prepared = run_phase("prepare", home, database_url, files)
        print(f"[{engine}] input: firms workbook written in {prepared['firms_file_s']:.1f} s; {prepared['sizes_mib']}")
        for name, goal in (("firms", GOALS["firms"]), ("firms-again", None), ("reports", GOALS["reports"])):
            r = run_phase(name, home, database_url, files)
            verdict = "" if goal is None else f" (goal ≤ {goal:.0f} s: {'met' if r['seconds'] <= goal else 'MISSED'})"
            ok &= r["ok"] and (goal is None or r["seconds"] <= goal)
            print(f"[{engine}] {name}: {r['rows']:,} rows in {r['seconds']:.1f} s{verdict} (CPU {r['cpu']:.1f} s, "
                  f"load {r['load']}); created {r['created']:,}, updated {r['updated']:,}, "
                  f"unchanged {r['unchanged']:,}, errors {r['errors']:,}; peak RSS {r['peak_rss_mib']} MiB", flush=True)
        if args.million:
            run_phase("prepare-bad", home, database_url, files)
            r = run_phase("bad", home, database_url, files)
            print(f"[{engine}] 1,000,000 bad rows: {r['seconds']:.1f} s (CPU {r['cpu']:.1f} s), "
                  f"{r['errors']:,} errors counted, "
                  f"{r['errors_listed']:,} listed, nothing written; peak RSS {r['peak_rss_mib']} MiB, "
                  f"Python heap peak {r['python_peak_mib']} MiB", flush=True)
    finally:
        if db_name:
            _pg(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
        import shutil

        shutil.rmtree(home, ignore_errors=True)
        shutil.rmtree(files, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
