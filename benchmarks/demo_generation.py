"""Demo generation time: `fuhua demo --scale province --no-serve` on an empty FUHUA_HOME, migrations included.

    .venv/bin/python benchmarks/demo_generation.py [--national] [--keep]

Goal: province ≤ 60 s. With --national, also the national scale (16,000 carriers, 500,000 tenants): its
time, the SQLite file size and the peak memory of the process (the loader streams group by group).
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
GOAL_SECONDS = {"province": 60}


def run(scale: str, keep: bool) -> dict:
    home = Path(tempfile.mkdtemp(prefix=f"fuhua-demo-{scale}-"))
    started = time.perf_counter()
    subprocess.run([BIN / "fuhua", "demo", "--scale", scale, "--no-serve"], check=True, stdout=subprocess.DEVNULL,
                   env={**os.environ, "FUHUA_HOME": str(home)})
    seconds = time.perf_counter() - started
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # largest child so far
    db = home / "fuhua.sqlite3"
    with sqlite3.connect(db) as conn:  # fold the write-ahead log in, so the file size is the database's
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        carriers, firms = (conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                           for t in ("registry_carrier", "registry_firm"))
    size_mib = db.stat().st_size / 2**20
    if not keep:
        shutil.rmtree(home)
    return {"scale": scale, "seconds": seconds, "size_mib": size_mib, "peak_mib": peak_mib, "carriers": carriers,
            "firms": firms, "home": home}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--national", action="store_true", help="also time the national scale (minutes)")
    parser.add_argument("--keep", action="store_true", help="keep the generated FUHUA_HOME directories")
    args = parser.parse_args()
    ok = True
    for scale in ["province"] + (["national"] if args.national else []):
        r = run(scale, args.keep)
        goal = GOAL_SECONDS.get(scale)
        verdict = "" if goal is None else (f" (goal ≤ {goal} s: {'met' if r['seconds'] <= goal else 'MISSED'})")
        ok &= goal is None or r["seconds"] <= goal
        print(f"demo {scale}: {r['seconds']:.1f} s{verdict}, {r['carriers']:,} carriers, {r['firms']:,} firms, "
              f"SQLite {r['size_mib']:.0f} MiB, peak RSS {r['peak_mib']:.0f} MiB"
              + (f", kept in {r['home']}" if args.keep else ""), flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
