"""The read replica (core/db_router.py) with two real SQLite databases: a process started with DATABASE_URL and
DATABASE_REPLICA_URL, the replica a copy of the primary taken at one moment (what streaming replication gives,
lagging): reads opt in to the replica, writes and migrations stay on the primary."""

import json
import os
import subprocess
import sys
import textwrap

import pytest
from django.db import router

from fuhua.core import db_router

SCRIPT = textwrap.dedent('''
    import json, os, sqlite3
    import django
    django.setup()
    from django.core.management import call_command
    from django.db import connections, router
    from django.utils import timezone
    from fuhua.core.db_router import replica_reads
    from fuhua.steering import aggregates
    from fuhua.steering.models import Aggregate

    primary, replica = os.environ["PRIMARY_FILE"], os.environ["REPLICA_FILE"]
    out = {"aliases": sorted(connections.settings)}

    # Migrations on the replica apply nothing (they are recorded, nothing is created). The registry's and those
    # it depends on (auth, contenttypes, accounts …) stand for all: the router decides by database, not by app,
    # and they include data migrations (the regions). The whole project's took this test from 2 s to ~18 s
    # (Django's state rendering).
    call_command("migrate", "registry", database="replica", verbosity=0, skip_checks=True)
    with sqlite3.connect(replica) as db:
        out["replica_tables_after_migrate"] = sorted(
            r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                     "AND name NOT LIKE 'sqlite_%'"))
    connections["replica"].close()

    # The primary has the table and one row; the replica is then a copy (replicated up to here).
    with connections["default"].schema_editor() as editor:
        editor.create_model(Aggregate)
    Aggregate.objects.create(region_code="NATION", metric="carriers", year=2025, value=1.0, computed_at=timezone.now())
    connections.close_all()
    with sqlite3.connect(primary) as source, sqlite3.connect(replica) as target:
        source.backup(target)  # a consistent copy, the write-ahead log included
    # The primary moves on: the replica lags by one row.
    Aggregate.objects.create(region_code="NATION", metric="carriers", year=2024, value=2.0, computed_at=timezone.now())

    out["default_reads"] = Aggregate.objects.count()
    with replica_reads() as alias:
        out["block_alias"] = alias
        out["block_reads"] = Aggregate.objects.count()
        out["block_read_db"] = router.db_for_read(Aggregate)
        out["block_write_db"] = router.db_for_write(Aggregate)
        row = Aggregate.objects.get(year=2025)
        out["row_read_from"] = row._state.db
        row.value = 5.0
        row.save()  # a write in the block, of an object read from the replica: the primary
        Aggregate.objects.create(region_code="NATION", metric="carriers", year=2023, value=3.0,
                                 computed_at=timezone.now())
        out["locking_read_db"] = Aggregate.objects.select_for_update().db
    out["after_block_reads"] = Aggregate.objects.count()
    out["dashboard_read"] = aggregates.read("NATION")["carriers"]
    with sqlite3.connect(primary) as db:
        out["primary_rows"] = db.execute("SELECT year, value FROM steering_aggregate ORDER BY year").fetchall()
    with sqlite3.connect(replica) as db:
        out["replica_rows"] = db.execute("SELECT year, value FROM steering_aggregate ORDER BY year").fetchall()
    print(json.dumps(out))
''')


def test_reads_opt_in_to_the_replica_writes_and_migrations_stay_on_the_primary(tmp_path):
    primary, replica = tmp_path / "primary.sqlite3", tmp_path / "replica.sqlite3"
    env = {**os.environ, "FUHUA_HOME": str(tmp_path), "DJANGO_SETTINGS_MODULE": "fuhua.settings",
           "DATABASE_URL": f"sqlite:///{primary}", "DATABASE_REPLICA_URL": f"sqlite:///{replica}",
           "PRIMARY_FILE": str(primary), "REPLICA_FILE": str(replica)}
    done = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])

    assert out["aliases"] == ["default", "replica"]
    assert out["replica_tables_after_migrate"] == ["django_migrations"]
    assert out["default_reads"] == 2  # outside a block: the primary, up to date
    assert out["block_alias"] == "replica" and out["block_reads"] == 1  # inside: the replica, one row behind
    assert (out["block_read_db"], out["block_write_db"]) == ("replica", "default")
    assert out["row_read_from"] == "replica"
    assert out["locking_read_db"] == "default"  # select_for_update reads the primary
    assert out["after_block_reads"] == 3
    assert out["dashboard_read"] == {"2025": 1.0}  # the dashboards' aggregates: the replica (JSON keys)
    assert out["primary_rows"] == [[2023, 3.0], [2024, 2.0], [2025, 5.0]]  # every write went to the primary
    assert out["replica_rows"] == [[2025, 1.0]]  # and none to the replica


@pytest.mark.skipif(bool(os.environ.get("DATABASE_REPLICA_URL")), reason="DATABASE_REPLICA_URL is set")
def test_without_a_replica_every_read_and_write_is_the_primary():
    from fuhua.steering.models import Aggregate

    with db_router.replica_reads() as alias:
        assert alias == "default" and db_router.reading_from_replica() is False
        assert (router.db_for_read(Aggregate), router.db_for_write(Aggregate)) == ("default", "default")
    assert router.allow_migrate("default", "steering", model_name="aggregate") is True
    assert router.allow_migrate("replica", "steering", model_name="aggregate") is False
