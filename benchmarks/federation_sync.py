"""One network at province scale: the province demo's registry pulled by the nation over HTTP from scratch,
then an incremental sync of 1,000 changes.

    .venv/bin/python benchmarks/federation_sync.py [--dir DIR] [--changes 1000]

Two real instances, each its own FUHUA_HOME (SQLite) and process: Jiangsu (`fuhua demo --scale province`,
~2,200 carriers and their operators and recognitions, ~77,000 tenant firms) serving with `fuhua serve`,
and the nation, a fresh database. Timed, as wall time of the command a person runs:

1. `fuhua network sync` at the nation from position 0: the province builds the full package (export), sends
   it over HTTP (transfer), the nation verifies and imports it (goal ≤ 60 s);
2. `--changes` firms changed one by one at the province (audited saves), then `fuhua network sync` at the
   nation: export of the changes, transfer, import (goal ≤ 5 s).

Both times include the sync command's own start (Django setup, ~1-2 s). The load average is printed, since
the machine is shared.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

from fuhua.federation.network_demo import Node, enroll, free_port, stop


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(node: Node, *args: str) -> tuple[float, str]:
    """Wall time of the command, and in the output the CPU time its process used (verify and import: the
    machine is shared, so CPU time is the figure that does not depend on the load)."""
    started, cpu = time.monotonic(), _children_cpu()
    done = node.run(*args, timeout=3600)
    seconds = time.monotonic() - started
    return seconds, f"(CPU of the sync process {_children_cpu() - cpu:.1f} s) " + (done.stdout + done.stderr).strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", type=Path, default=None, help="keep the two instances here (default: temporary)")
    parser.add_argument("--changes", type=int, default=1000)
    args = parser.parse_args()
    base = (args.dir or Path(tempfile.mkdtemp(prefix="fuhua-federation-bench-"))).resolve()
    nation = Node("CN", "全国", None, base / "nation", free_port())
    province = Node("320000", "江苏省", "320000", base / "jiangsu", free_port(), parent=nation)
    for node in (province, nation):
        shutil.rmtree(node.home, ignore_errors=True)
        node.home.mkdir(parents=True)
    started = time.monotonic()
    province.run("demo", "--scale", "province", "--no-serve", timeout=3600)
    nation.run("manage", "migrate", "-v", "0", timeout=600)
    print(f"setup: province demo and an empty nation in {time.monotonic() - started:.1f} s ({base})")
    enroll([province, nation])
    counts = province.python("import json; from fuhua.registry.models import Carrier, Firm, Organisation, "
                             "Recognition; print(json.dumps([m.objects.count() for m in "
                             "(Organisation, Firm, Carrier, Recognition)]))")
    print(f"province: {counts[0]} organisations, {counts[1]} firms, {counts[2]} carriers, {counts[3]} recognitions")
    province.serve()
    try:
        province.wait_until_serving()
        load = os.getloadavg()[0]
        seconds, output = timed(nation, "network", "sync")
        size = sum(f.stat().st_size for f in (nation.home / "fuhua.sqlite3",) if f.exists())
        print(f"full sync (export + HTTP + import): {seconds:.1f} s  [goal 60 s, load {load:.1f}]  {output}")
        print(f"  nation database {size / 1e6:.0f} MB")

        province.python(
            "import json\nfrom fuhua.registry.models import Firm\n"
            f"for firm in Firm.objects.order_by('pk')[:{args.changes}]:\n"
            "    firm.size_class = 'small' if firm.size_class != 'small' else 'micro'\n"
            "    firm.save()\nprint('null')")
        load = os.getloadavg()[0]
        seconds, output = timed(nation, "network", "sync")
        print(f"incremental sync of {args.changes} changes: {seconds:.1f} s  [goal 5 s, load {load:.1f}]  {output}")
    finally:
        stop([province])
    if args.dir is None:
        shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
