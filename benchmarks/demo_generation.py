"""Demo generation time: `fuhua demo --scale province --no-serve` on an empty FUHUA_HOME, migrations included.

    .venv/bin/python benchmarks/demo_generation.py [--national] [--keep] [--today YYYY-MM-DD] [--profile FILE]

Goal: province ≤ 30 s of CPU (user + system of the command: on a shared, loaded machine the wall time says
more about the neighbours than about the loader, so both are printed). With --national, also the national
scale (16,000 carriers, 500,000 tenants): its time, the SQLite file size and the peak memory of the process
(the loader streams group by group). With --profile, the province load runs under cProfile in this process
and the 25 most expensive functions are printed (`python -m pstats FILE` for more).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent
GOAL_CPU_SECONDS = {"province": 30}


def run(scale: str, keep: bool, today: str | None) -> dict:
    home = Path(tempfile.mkdtemp(prefix=f"fuhua-demo-{scale}-"))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([BIN / "fuhua", "demo", "--scale", scale, "--no-serve", *(["--today", today] if today else [])],
                   check=True, stdout=subprocess.DEVNULL, env={**os.environ, "FUHUA_HOME": str(home)})
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = usage.ru_utime - before.ru_utime + usage.ru_stime - before.ru_stime
    peak_mib = usage.ru_maxrss / 1024  # largest child so far
    db = home / "fuhua.sqlite3"
    with sqlite3.connect(db) as conn:  # fold the write-ahead log in, so the file size is the database's
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        carriers, firms = (conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                           for t in ("registry_carrier", "registry_firm"))
    size_mib = db.stat().st_size / 2**20
    if not keep:
        shutil.rmtree(home)
    return {"scale": scale, "seconds": seconds, "cpu": cpu, "size_mib": size_mib, "peak_mib": peak_mib,
            "carriers": carriers, "firms": firms, "home": home}


def profile(path: str, today: str | None) -> None:
    """The province load under cProfile, in this process, on an empty temporary database."""
    import cProfile
    import datetime
    import pstats

    home = Path(tempfile.mkdtemp(prefix="fuhua-demo-profile-"))
    os.environ.update(FUHUA_HOME=str(home), DJANGO_SETTINGS_MODULE="fuhua.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from fuhua.demo.loader import load_demo

    call_command("migrate", "--no-input", "-v", "0")
    day = datetime.date.fromisoformat(today) if today else None
    profiler = cProfile.Profile()
    profiler.runcall(load_demo, "province", today=day)
    profiler.dump_stats(path)
    pstats.Stats(path).sort_stats("cumulative").print_stats(25)
    shutil.rmtree(home)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--national", action="store_true", help="also time the national scale (minutes)")
    parser.add_argument("--keep", action="store_true", help="keep the generated FUHUA_HOME directories")
    parser.add_argument("--today", help="the demo's today (YYYY-MM-DD; default: today)")
    parser.add_argument("--profile", metavar="FILE", help="profile the province load instead (cProfile stats)")
    args = parser.parse_args()
    if args.profile:
        profile(args.profile, args.today)
        return 0
    ok = True
    for scale in ["province"] + (["national"] if args.national else []):
        r = run(scale, args.keep, args.today)
        goal = GOAL_CPU_SECONDS.get(scale)
        verdict = "" if goal is None else (f" (goal ≤ {goal} s CPU: {'met' if r['cpu'] <= goal else 'MISSED'})")
        ok &= goal is None or r["cpu"] <= goal
        print(f"demo {scale}: CPU {r['cpu']:.1f} s (user + system), wall {r['seconds']:.1f} s{verdict}, "
              f"{r['carriers']:,} carriers, {r['firms']:,} firms, "
              f"SQLite {r['size_mib']:.0f} MiB, peak RSS {r['peak_mib']:.0f} MiB"
              + (f", kept in {r['home']}" if args.keep else ""), flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
