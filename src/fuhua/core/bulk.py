"""Fast bulk inserts for imports, the audit of bulk writes and demo data: hundreds of thousands of rows.

Django's bulk_create spends ~40 µs a row preparing values field by field. Rows given here are already
clean Python values (validated by the caller), so they go to the database directly: COPY on
PostgreSQL; on SQLite a few hundred rows per INSERT statement (one statement per row costs the sqlite3
module about twice as much for the same rows). No signals fire: callers audit with audit.record_bulk.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from itertools import chain, islice

from django.db import connection
from django.db.models.expressions import RawSQL
from django.utils import timezone

BATCH = 10_000
STAMPS = ("created_at", "updated_at")


def insert_rows(model, fields: list[str], rows: Iterable[tuple]) -> int:
    """INSERT rows of `fields` (attnames) into the model's table; every other column but the key gets
    its default (created_at/updated_at: now). Returns how many rows were written."""
    meta, ops = model._meta, connection.ops
    given = [meta.get_field(name) for name in fields]
    rest = [f for f in meta.concrete_fields if f not in given and not f.primary_key]
    now = timezone.now()
    extra = tuple(ops.adapt_datetimefield_value(now) if f.attname in STAMPS
                  else f.get_db_prep_save(f.get_default(), connection) for f in rest)
    adapters = {"DateField": ops.adapt_datefield_value, "DateTimeField": ops.adapt_datetimefield_value}
    dates = [(i, adapters[f.get_internal_type()]) for i, f in enumerate(given) if f.get_internal_type() in adapters]
    table = ops.quote_name(meta.db_table)
    names = ", ".join(ops.quote_name(f.column) for f in [*given, *rest])

    def prepared():
        for row in rows:
            if dates:
                row = list(row)
                for i, adapt in dates:
                    row[i] = adapt(row[i])
            yield (*row, *extra)

    count = 0
    with connection.cursor() as cursor:
        # Rows are materialised a batch at a time *before* writing: building a row may query the
        # database (a model's __str__ following a relation), which would deadlock inside a COPY.
        for batch in _batches(prepared(), BATCH):
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in batch:
                        copy.write_row(row)
            else:
                _sqlite_insert(cursor, table, names, len(given) + len(rest), batch)
            count += len(batch)
    return count


def _sqlite_insert(cursor, table: str, names: str, width: int, rows: list[tuple]) -> None:
    """Rows as multi-row INSERTs within SQLite's limit of parameters a statement; the rest one by one."""
    connection.ensure_connection()
    limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    per_statement = max(1, min(200, limit // width))
    one = f"({', '.join(['%s'] * width)})"
    whole = len(rows) - len(rows) % per_statement
    if whole:
        sql = f"INSERT INTO {table} ({names}) VALUES {', '.join([one] * per_statement)}"  # noqa: S608
        for start in range(0, whole, per_statement):
            cursor.execute(sql, list(chain.from_iterable(rows[start : start + per_statement])))
    if whole < len(rows):
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES {one}", rows[whole:])  # noqa: S608


def _batches(rows: Iterable[tuple], size: int):
    rows = iter(rows)
    while batch := list(islice(rows, size)):  # no per-row Python step: the demo writes ~700,000 rows
        yield batch


def among_pks(queryset, ids: Iterable[int]):
    """The rows of `queryset` whose primary key is one of `ids`, however many: the ids go as one parameter (a JSON
    array on SQLite, an array on PostgreSQL), where `pk__in` would pass one variable per id and fail past
    SQLite's limit (32,766) — e.g. a whole country's tenants flagged by the rules."""
    ids = sorted({int(i) for i in ids})
    if len(ids) <= 1000:
        return queryset.filter(pk__in=ids)
    if connection.vendor == "postgresql":
        return queryset.filter(pk__in=RawSQL("SELECT unnest(%s::bigint[])", [ids]))
    return queryset.filter(pk__in=RawSQL("SELECT value FROM json_each(%s)", [json.dumps(ids)]))
