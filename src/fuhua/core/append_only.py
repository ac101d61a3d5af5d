"""Append-only tables, protected by the database itself (PostgreSQL and SQLite), not only by Django.

A model is made append-only by declaring it on its class::

    class Payout(FuhuaModel):
        append_only = True

    class ObjectChange(models.Model):
        append_only = True
        append_only_prunable_by = "time"   # retention pruning may delete rows older than the floor

After every `migrate` (post_migrate) core installs triggers on each registered table:

- PostgreSQL: BEFORE UPDATE OR DELETE (per row) and BEFORE TRUNCATE (per statement) triggers that raise.
- SQLite: BEFORE UPDATE and BEFORE DELETE triggers that RAISE(ABORT). The DELETE trigger's condition
  calls SQL functions (`fuhua_append_only_wiping()`, `fuhua_append_only_prune_before()`) that Fuhua
  registers on each of its own connections; any other client (the sqlite3 shell, a script) does not
  have them, so its DELETE fails too.

Two narrow exceptions, both opened only by code in this module for the duration of a block:

- `pruning(cutoff)`: a DELETE of a row of a `prunable_by` table whose timestamp is older than `cutoff`,
  and only if `cutoff` itself is at least AUDIT_MIN_RETENTION_DAYS (six months, MLPS 2.0) in the past
  by the database's clock. On PostgreSQL the cutoff is a transaction-local setting (`SET LOCAL
  fuhua.prune_before`), so even a client that sets it by hand cannot delete anything younger than the
  floor, which is compiled into the trigger.
- `wiping()`: TRUNCATE (PostgreSQL) or DELETE (SQLite) of whole tables by `flush`, which empties the
  whole database on an administrator's explicit request (and between transactional tests). UPDATE is
  never allowed.
"""

from __future__ import annotations

import contextlib
import datetime
from contextvars import ContextVar

from django.apps import apps
from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone

_prune_before: ContextVar[datetime.datetime | None] = ContextVar("fuhua_prune_before", default=None)
_wiping: ContextVar[bool] = ContextVar("fuhua_wiping", default=False)


def append_only_models() -> list[tuple[type, str | None]]:
    """(model, the datetime field pruning may use or None) for each model declaring `append_only = True`."""
    return [(model, getattr(model, "append_only_prunable_by", None)) for model in apps.get_models()
            if getattr(model, "append_only", False) is True]


def _floor_days() -> int:
    return int(settings.AUDIT_MIN_RETENTION_DAYS)


# --- the escape hatches ---------------------------------------------------------------------------------

@contextlib.contextmanager
def pruning(cutoff: datetime.datetime, using: str = "default"):
    """Inside the block, rows of prunable tables older than `cutoff` may be deleted (one transaction)."""
    connection = connections[using]
    with transaction.atomic(using=using):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('fuhua.prune_before', %s, true)", [cutoff.isoformat()])
        token = _prune_before.set(cutoff)
        try:
            yield
        finally:
            _prune_before.reset(token)


@contextlib.contextmanager
def wiping(using: str = "default"):
    """Let `flush` empty append-only tables (whole-table TRUNCATE/DELETE), never update them."""
    connection = connections[using]
    token = _wiping.set(True)
    try:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('fuhua.wipe', 'on', false)")
        yield
    finally:
        _wiping.reset(token)
        if connection.vendor == "postgresql" and connection.connection is not None:
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('fuhua.wipe', 'off', false)")


# --- SQLite ---------------------------------------------------------------------------------------------

def _sqlite_wiping() -> int:
    return int(_wiping.get())


def _sqlite_prune_before() -> str | None:
    """The open pruning cutoff as SQLite stores datetimes (UTC, 'YYYY-MM-DD HH:MM:SS[.ffffff]'), or None
    when no pruning is open or its cutoff is younger than the floor (the trigger then refuses)."""
    cutoff = _prune_before.get()
    if cutoff is None or cutoff > timezone.now() - datetime.timedelta(days=_floor_days()):
        return None
    return str(timezone.make_naive(cutoff, datetime.UTC))


def register_sqlite_function(sender, connection, **kwargs) -> None:
    """connection_created: give each of Fuhua's SQLite connections the functions the triggers call.

    Constant within a statement (they read state set before it), so SQLite may evaluate them once."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("fuhua_append_only_wiping", 0, _sqlite_wiping, deterministic=True)
        connection.connection.create_function("fuhua_append_only_prune_before", 0, _sqlite_prune_before,
                                              deterministic=True)


def _sqlite_sql(table: str, column: str | None) -> list[str]:
    # NULL-safe: with no pruning open the comparison is NULL, coalesced to "not allowed".
    prune = f' AND coalesce(OLD."{column}" < fuhua_append_only_prune_before(), 0) = 0' if column else ""
    return [
        f'DROP TRIGGER IF EXISTS "{table}_append_only_update"',
        f'DROP TRIGGER IF EXISTS "{table}_append_only_delete"',
        f'CREATE TRIGGER "{table}_append_only_update" BEFORE UPDATE ON "{table}" '
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: UPDATE refused'); END",
        f'CREATE TRIGGER "{table}_append_only_delete" BEFORE DELETE ON "{table}" '
        f"WHEN fuhua_append_only_wiping() = 0{prune} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: DELETE refused'); END",
    ]


# --- PostgreSQL -----------------------------------------------------------------------------------------

def _postgresql_sql(table: str, column: str | None) -> list[str]:
    function = f"{table}_append_only"
    prune = ""
    if column:
        prune = f"""
  IF TG_OP = 'DELETE' THEN
    cutoff := NULLIF(current_setting('fuhua.prune_before', true), '')::timestamptz;
    IF cutoff IS NOT NULL AND cutoff <= now() - interval '{_floor_days()} days' AND OLD."{column}" < cutoff THEN
      RETURN OLD;
    END IF;
  END IF;"""
    return [
        f"""CREATE OR REPLACE FUNCTION "{function}"() RETURNS trigger AS $$
DECLARE
  cutoff timestamptz;
BEGIN
  IF TG_OP IN ('DELETE', 'TRUNCATE') AND current_setting('fuhua.wipe', true) = 'on' THEN
    RETURN OLD;
  END IF;{prune}
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql""",
        f'DROP TRIGGER IF EXISTS "{table}_append_only_row" ON "{table}"',
        f'DROP TRIGGER IF EXISTS "{table}_append_only_truncate" ON "{table}"',
        f'CREATE TRIGGER "{table}_append_only_row" BEFORE UPDATE OR DELETE ON "{table}" '
        f'FOR EACH ROW EXECUTE FUNCTION "{function}"()',
        f'CREATE TRIGGER "{table}_append_only_truncate" BEFORE TRUNCATE ON "{table}" '
        f'FOR EACH STATEMENT EXECUTE FUNCTION "{function}"()',
    ]


def install_triggers(sender=None, using: str = "default", **kwargs) -> None:
    """post_migrate: (re)install the triggers of the registered models of the app just migrated."""
    connection = connections[using]
    if connection.vendor not in ("postgresql", "sqlite"):
        return
    tables = set(connection.introspection.table_names())
    for model, field_name in append_only_models():
        if sender is not None and model._meta.app_label != sender.label:
            continue
        table = model._meta.db_table
        if table not in tables:
            continue
        column = model._meta.get_field(field_name).column if field_name else None
        statements = (_postgresql_sql if connection.vendor == "postgresql" else _sqlite_sql)(table, column)
        with transaction.atomic(using=using), connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


def installed_triggers(using: str = "default") -> dict[str, list[str]]:
    """Table -> names of the append-only triggers present in the database (for checks and tests)."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT event_object_table, trigger_name FROM information_schema.triggers "
                           "WHERE trigger_name LIKE %s", ["%append_only%"])
            rows = cursor.fetchall()
            cursor.execute("SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                           "WHERE t.tgname LIKE %s AND t.tgname LIKE %s", ["%append_only%", "%truncate"])
            rows += cursor.fetchall()  # information_schema does not list TRUNCATE triggers
        else:
            cursor.execute("SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
                           ["%append_only%"])
            rows = cursor.fetchall()
    found: dict[str, list[str]] = {}
    for table, name in rows:
        if name not in found.setdefault(table, []):
            found[table].append(name)
    return {table: sorted(names) for table, names in found.items()}
