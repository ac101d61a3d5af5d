"""The small demo for tests, loaded once per test process and day, then replayed.

Loading the small demo runs every app's demo step through its services (workflows, audit, policy runs): about
40 s of CPU. A dozen tests need it (the demo's own tests, the link crawl, the inbox walk, the browser flows),
most of them only as a starting point. `small_demo(today)` loads it for real the first time in a process and
records what the load changed, table by table (rows inserted, updated, deleted, found by primary key); the
next call on a database in the same state as before that load replays those changes as plain SQL in one
transaction, which takes a second. The replay writes exactly the rows the real load wrote, so a test sees the
same database either way; the tests of the loader itself (`demo/tests/test_demo.py`) still load for real.

Replaying needs the database to be exactly where the recorded load started: the same rows, ids included, in
every table that held rows (a fresh test database with its reference data), every other table empty. Anything
else — rows left by an earlier test, content types recreated with other ids after a flush — and it loads for
real again (and records that load).

Under pytest-xdist the recording is shared by the workers of one run (a pickle named after the run's id in the
temporary directory): the first worker to load the demo for a day records it, the others replay it from the
file, so a run of N workers loads each day's demo once, not N times. The start fingerprint is checked the same
way, so a worker whose database started elsewhere loads for real.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import os
import pickle
import tempfile
import time
from pathlib import Path

from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone

from fuhua.registry.models import Carrier

from .loader import load_demo

SKIP = {"django_migrations", "sqlite_sequence", "django_session"}

# (vendor, day) → (summary, {table: (columns, pk index, inserted, updated, deleted pks)}, fingerprint before)
_RECORDED: dict[tuple[str, datetime.date], tuple[str, dict, dict]] = {}


def _tables(cursor) -> list[str]:
    return sorted(t for t in connection.introspection.table_names(cursor) if t not in SKIP)


def _dump(cursor, only=None) -> dict[str, tuple[list[str], int, dict]]:
    quote = connection.ops.quote_name
    out = {}
    for table in (only if only is not None else _tables(cursor)):
        pk = connection.introspection.get_primary_key_column(cursor, table)
        cursor.execute(f"SELECT * FROM {quote(table)}")  # noqa: S608 - table names from the introspection
        columns = [c[0] for c in cursor.description]
        at = columns.index(pk) if pk in columns else None
        rows = cursor.fetchall()
        out[table] = (columns, at, {(row[at] if at is not None else row): row for row in rows})
    return out


def _changes(before: dict, after: dict) -> dict:
    changes = {}
    for table, (columns, at, rows) in after.items():
        old = before.get(table, (columns, at, {}))[2]
        inserted = [row for key, row in rows.items() if key not in old]
        updated = [row for key, row in rows.items() if key in old and old[key] != row]
        deleted = [key for key in old if key not in rows]
        if inserted or updated or deleted:
            if at is None and (updated or deleted):
                raise ValueError(f"{table} has no primary key: the demo's changes to it cannot be replayed")
            changes[table] = (columns, at, inserted, updated, deleted)
    return changes


def _stable(row) -> tuple:
    """A row without its timestamps: reference data loaded again after a flush is the same data."""
    return tuple(None if isinstance(value, datetime.datetime) else value for value in row)


def _fingerprint(dump: dict) -> dict[str, str]:
    """Every table's rows (timestamps aside), hashed; an empty table: "". The state a load started from."""
    return {table: hashlib.sha256(repr(sorted(map(_stable, rows.values()), key=repr)).encode()).hexdigest()
            if rows else "" for table, (_, _, rows) in dump.items()}


def _same_start(cursor, fingerprint: dict[str, str]) -> bool:
    """The database is where the recorded load started: the tables that held rows hold the same rows (ids
    included: rows recreated after a flush with other ids are another start), the others are empty."""
    quote = connection.ops.quote_name
    if set(_tables(cursor)) != set(fingerprint):
        return False
    for table, digest in fingerprint.items():
        if digest:
            continue
        cursor.execute(f"SELECT 1 FROM {quote(table)} LIMIT 1")  # noqa: S608 - table names from the introspection
        if cursor.fetchone() is not None:
            return False
    held = {table: None for table, digest in fingerprint.items() if digest}
    now = _fingerprint(_dump(cursor, held))
    return all(now[table] == fingerprint[table] for table in held)


def _replay(changes: dict) -> None:
    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        # Foreign keys are checked at commit (Django creates them deferrable on both databases): table order
        # does not matter.
        for table, (columns, at, inserted, updated, deleted) in changes.items():
            names = ", ".join(quote(c) for c in columns)
            marks = ", ".join(["%s"] * len(columns))
            pk = quote(columns[at]) if at is not None else None
            if deleted:
                cursor.executemany(f"DELETE FROM {quote(table)} WHERE {pk} = %s", [[k] for k in deleted])  # noqa: S608
            if updated:
                sets = ", ".join(f"{quote(c)} = %s" for i, c in enumerate(columns) if i != at)
                cursor.executemany(f"UPDATE {quote(table)} SET {sets} WHERE {pk} = %s",  # noqa: S608
                                   [[v for i, v in enumerate(row) if i != at] + [row[at]] for row in updated])
            if inserted:
                cursor.executemany(f"INSERT INTO {quote(table)} ({names}) VALUES ({marks})", inserted)  # noqa: S608
        if connection.vendor == "postgresql":  # the next id after the replayed ones
            from django.apps import apps

            for sql in connection.ops.sequence_reset_sql(no_style(), apps.get_models(include_auto_created=True)):
                cursor.execute(sql)


def _shared_file(key: tuple[str, datetime.date]) -> Path | None:
    """Where the workers of this xdist run share the recording of `key`; None outside xdist."""
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    if not run:
        return None
    return Path(tempfile.gettempdir()) / "fuhua-small-demo" / f"{run}-{key[0]}-{key[1].isoformat()}.pickle"


def _read_shared(key) -> tuple[str, dict, dict] | None:
    path = _shared_file(key)
    if path is None or not path.exists():
        return None
    with path.open("rb") as handle:
        return pickle.load(handle)  # noqa: S301 - written by this test run's own workers, in its own file


def _write_shared(key, recorded) -> None:
    path = _shared_file(key)
    if path is None:
        return
    path.parent.mkdir(exist_ok=True)
    for old in path.parent.glob("*.pickle"):  # earlier runs' recordings (a day old)
        with contextlib.suppress(FileNotFoundError):  # another worker removed it first
            if time.time() - old.stat().st_mtime > 86400:
                old.unlink()
    partial = path.with_suffix(f".{os.getpid()}.part")
    try:
        with partial.open("wb") as handle:
            pickle.dump(recorded, handle, protocol=pickle.HIGHEST_PROTOCOL)
    except (TypeError, pickle.PicklingError):  # a value the driver returned that pickle cannot write: no sharing
        partial.unlink(missing_ok=True)
        return
    partial.replace(path)  # atomic: another worker reads the whole recording or none


def small_demo(today: datetime.date | None = None) -> str:
    """The small demo as of `today` (default the local date) in the test database; its load summary."""
    today = today or timezone.localdate()
    key = (connection.vendor, today)
    recorded = _RECORDED.get(key) or _read_shared(key)
    if recorded is not None and not Carrier.objects.exists():
        summary, changes, fingerprint = recorded
        with connection.cursor() as cursor:
            same_start = _same_start(cursor, fingerprint)
        if same_start:
            _replay(changes)
            return summary
    with connection.cursor() as cursor:
        before = _dump(cursor)
    summary = load_demo("small", today=today)
    with connection.cursor() as cursor:
        changes = _changes(before, _dump(cursor))
    _RECORDED[key] = (summary, changes, _fingerprint(before))
    _write_shared(key, _RECORDED[key])
    return summary
