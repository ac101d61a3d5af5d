"""Audit-trail pruning at 1,000,000 expired entries: time and peak memory, old approach beside the new.

- old: what Fuhua did before (NetBox #4354): audit handlers connected for all senders, so
  `ObjectChange.objects.filter(time__lt=cutoff).delete()` cannot fast-delete: Django's collector loads
  every expired row as an object, sends pre/post_delete for each, then deletes by primary-key lists.
  (Run inside core.append_only.wiping(), since the trail is now append-only in the database.)
- batched: `core.audit.prune_audit_trail` today: handlers per audited model, and DELETE ... WHERE id IN
  (SELECT id ... LIMIT batch) statements, each in its own transaction, through the pruning exception
  of the append-only triggers.

Each approach runs in a fresh process on a fresh copy of the same rows; peak RSS is that process's
ru_maxrss (Django loaded included; "before" is the figure just before pruning starts).

    .venv/bin/python benchmarks/audit_prune.py [--rows 1000000] [--batch 5000] [--home DIR]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fuhua_bench .venv/bin/python benchmarks/audit_prune.py
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent
APPROACHES = ("old", "batched")


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def _fill(rows: int) -> None:
    """Insert `rows` audit entries 400 days old, generated inside the database (no Python objects)."""
    import datetime

    from django.contrib.contenttypes.models import ContentType
    from django.db import connection
    from django.utils import timezone

    from fuhua.core.models import ObjectChange
    from fuhua.registry.models import Carrier

    pg = connection.vendor == "postgresql"
    old = timezone.now() - datetime.timedelta(days=400)
    values = {
        "time": "%s", "username": "'bench'", "request_id": "''", "source": "'bench'", "action": "'update'",
        "content_type_id": str(ContentType.objects.get_for_model(Carrier).pk),
        "object_id": "i::text" if pg else "CAST(i AS TEXT)", "object_repr": "'object ' || i", "reason": "''",
        "before": """'{"name": "苏州纳米城", "status": "operating"}'""",
        "after": """'{"name": "苏州纳米城（二期）", "status": "operating"}'""",
    }
    columns = [f.column for f in ObjectChange._meta.concrete_fields if f.column != "id"]
    select = ", ".join(values.get(column, "NULL") for column in columns)
    names = ", ".join(f'"{column}"' for column in columns)
    if pg:
        sql = f"INSERT INTO core_objectchange ({names}) SELECT {select} FROM generate_series(1, %s) AS i"
        params = [old, rows]
    else:
        sql = (f"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %s) "
               f"INSERT INTO core_objectchange ({names}) SELECT {select} FROM n")
        params = [rows, old]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _old_prune() -> int:
    from django.conf import settings
    from django.db.models.signals import post_delete, pre_delete
    from django.utils import timezone

    from fuhua.core import audit
    from fuhua.core.append_only import wiping
    from fuhua.core.models import ObjectChange

    pre_delete.connect(audit._pre_delete, dispatch_uid="bench_old_pre_delete")  # for all senders, as before
    post_delete.connect(audit._post_delete, dispatch_uid="bench_old_post_delete")
    import datetime

    cutoff = timezone.now() - datetime.timedelta(days=settings.AUDIT_RETENTION_DAYS)
    with wiping():
        deleted, _ = ObjectChange.objects.filter(time__lt=cutoff).delete()
    return deleted


def child(approach: str, rows: int, batch: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fuhua.settings")
    import django

    django.setup()
    from fuhua.core.audit import prune_audit_trail
    from fuhua.core.models import ObjectChange

    _fill(rows)
    before = _rss_mb()
    started = time.perf_counter()
    deleted = _old_prune() if approach == "old" else prune_audit_trail(batch_size=batch)
    seconds = time.perf_counter() - started
    left = ObjectChange.objects.filter(username="bench").count()
    print(json.dumps({"approach": approach, "deleted": deleted, "left": left, "seconds": round(seconds, 1),
                      "rss_before_mb": round(before), "rss_peak_mb": round(_rss_mb())}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=5_000)
    parser.add_argument("--home", type=Path, default=None, help="FUHUA_HOME for the SQLite database (temporary)")
    parser.add_argument("--child", choices=APPROACHES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.rows, args.batch)
        return
    home = args.home or Path(tempfile.mkdtemp(prefix="fuhua-bench-prune-"))
    env = {**os.environ, "FUHUA_HOME": str(home), "DJANGO_SETTINGS_MODULE": "fuhua.settings"}
    vendor = "PostgreSQL" if env.get("DATABASE_URL", "").startswith("postgres") else "SQLite"
    print(f"{vendor}, {args.rows:,} expired audit entries, batch {args.batch:,} (home {home})", flush=True)
    results = []
    for approach in APPROACHES:
        subprocess.run([BIN / "fuhua", "manage", "flush", "--no-input"], env=env, check=False,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        subprocess.run([BIN / "fuhua", "manage", "migrate", "--no-input", "-v", "0"], env=env, check=True,
                       stderr=subprocess.DEVNULL)
        out = subprocess.run([sys.executable, __file__, "--child", approach, "--rows", str(args.rows),
                              "--batch", str(args.batch)], env=env, check=True, capture_output=True, text=True)
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
        print(f"  {approach:<8} {results[-1]}", flush=True)
    print(f"\n{'approach':<10}{'deleted':>12}{'left':>8}{'seconds':>10}{'RSS before MB':>15}{'peak RSS MB':>13}")
    for r in results:
        print(f"{r['approach']:<10}{r['deleted']:>12,}{r['left']:>8}{r['seconds']:>10}{r['rss_before_mb']:>15}"
              f"{r['rss_peak_mb']:>13}")


if __name__ == "__main__":
    main()
