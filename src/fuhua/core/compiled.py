"""Compiled SQL of the API's scoped queries, kept for as long as the caller's grants are.

Building a scoped queryset and compiling it costs more than running it: for a carrier's detail, Django
spends most of the request turning `restrict(user) → select_related → filter(pk=…)` into SQL, although
for the same grants the SQL is always the same and only the values change. So the kit compiles a query
once with stand-in values, keeps the SQL, and afterwards only runs it with the request's values.

Where it is kept: `core.scoping.scope_memo(user)`, a dict that lives exactly as long as the user's
memoised grants (the API token cache gives each entry one and drops it on any change to a token, user,
role grant or lockout). The SQL is a pure function of the model, the query's shape and the grants, so it
can never be more out of date than the grants themselves. A request without such a memo (a browser
session) builds its queries as before; so does a query whose stand-in cannot be found exactly once in
the compiled parameters.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Sequence

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models.query import ModelIterable, ValuesIterable, get_related_populators
from ninja.responses import NinjaJSONEncoder

# Stand-ins for the values a compiled query is run with: unusual, but within every integer range.
INT_MARK = -987_654_321
STR_MARK = "\x00fuhua-compiled\x00"


class Marks:
    """Where the stand-in values sit in a compiled query's parameters."""

    def __init__(self, params: Sequence, marks: Sequence):
        self.params = list(params)
        self.slots = []
        for mark in marks:
            where = [i for i, p in enumerate(self.params) if p == mark and type(p) is type(mark)]
            if len(where) != 1:
                raise LookupError(mark)
            self.slots.append(where[0])

    def fill(self, values: Sequence) -> list:
        params = list(self.params)
        for slot, value in zip(self.slots, values, strict=True):
            params[slot] = value
        return params


# Backends whose SQL takes "LIMIT %s OFFSET %s" after a compiled SELECT (the project runs on these two).
PAGED_VENDORS = ("sqlite", "postgresql")


class Compiled:
    """A queryset compiled once with stand-in values; `fetch` runs it with real ones.

    Model querysets (select_related included) give instances as ModelIterable builds them; `.values()`
    querysets give dicts as ValuesIterable does. A queryset that cannot match anything (an empty scope)
    gives nothing without a query, like Django. `paged`: compiled without a slice, so that `fetch` can
    add the page's LIMIT and OFFSET as parameters."""

    def __init__(self, queryset, marks: Sequence = (), *, paged: bool = False, as_text: Sequence[str] = ()):
        self.db = queryset.db
        if paged and connections[self.db].vendor not in PAGED_VENDORS:
            raise LookupError("paging")
        if queryset._known_related_objects or queryset._prefetch_related_lookups:
            raise LookupError("not a plain query")  # prefetches are the caller's, after the rows
        query = queryset.query
        compiler = query.get_compiler(using=self.db)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            self.marks = None
            return
        if compiler.has_composite_fields(fields := [s[0] for s in compiler.select[0 : compiler.col_count]]):
            raise LookupError("composite fields")
        self.marks = Marks(params, marks)
        self.compiler, self.converters = compiler, compiler.get_converters(fields)
        self.values = queryset._iterable_class is ValuesIterable
        if self.values:
            self.names = list(query.selected) if query.selected else [
                *query.extra_select, *query.values_select, *query.annotation_select]
            for name in as_text:
                i = self.names.index(name)
                self.converters[i] = ([as_json_text(fields[i], self.converters.get(i, ([], None))[0])], fields[i])
                sql = read_as_text(sql, compiler, fields[i], name)
        elif queryset._iterable_class is ModelIterable and not compiler.annotation_col_map:
            klass_info, select = compiler.klass_info, compiler.select
            self.model = klass_info["model"]
            self.start, self.end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
            self.init_list = [f[0].target.attname for f in select[self.start : self.end]]
            self.populators = get_related_populators(klass_info, select, self.db)
        else:
            raise LookupError("neither instances nor values")
        self.sql = f"{sql} LIMIT %s OFFSET %s" if paged else sql

    def fetch(self, values: Sequence = (), page: tuple[int, int] | None = None) -> list:
        """The rows for these stand-in values (and, if paged, page = (limit, offset))."""
        if self.marks is None:
            return []
        params = self.marks.fill(values) + ([*page] if page is not None else [])
        with connections[self.db].cursor() as cursor:
            cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        if self.converters:
            rows = self.compiler.apply_converters(rows, self.converters)
        if self.values:
            names = self.names
            indexes = range(len(names))
            return [{names[i]: row[i] for i in indexes} for row in rows]
        objects = []
        for row in rows:
            obj = self.model.from_db(self.db, self.init_list, row[self.start : self.end])
            for populator in self.populators:
                populator.populate(row, obj)
            objects.append(obj)
        return objects


_ENCODER = NinjaJSONEncoder()


def json_default(o):
    """NinjaJSONEncoder.default, with its two commonest cases first (DjangoJSONEncoder's own code)."""
    kind = type(o)
    if kind is datetime.datetime:
        r = o.isoformat()
        if o.microsecond:
            r = r[:23] + r[26:]
        return r.removesuffix("+00:00") + "Z" if r.endswith("+00:00") else r
    if kind is datetime.date:
        return o.isoformat()
    return _ENCODER.default(o)


# How SQLite hands back a datetime Django stored (naive UTC, str() of the value) and a date.
_SQLITE_DATETIME = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:\.(\d{6}))?")
_SQLITE_DATE = re.compile(r"\d{4}-\d\d-\d\d")


def as_json_text(expression, converters: list):
    """A converter giving a date or datetime column as the text the API's JSON writes for it
    (DjangoJSONEncoder: `2026-12-02`, `2026-12-02T07:36:12.345Z`), without the datetime in between:
    SQLite's text is rewritten directly; any other value goes through Django's converters and the
    encoder (core.api_crud.render_json gives strings as they are)."""
    kind = expression.output_field.get_internal_type()

    def convert(value, expression, connection):
        if value is None:
            return None
        if isinstance(value, str):
            if kind == "DateTimeField" and (match := _SQLITE_DATETIME.fullmatch(value)):
                fraction = match.group(1)
                millis = f".{fraction[:3]}" if fraction and fraction != "000000" else ""
                return f"{value[:10]}T{value[11:19]}{millis}Z"
            if kind == "DateField" and _SQLITE_DATE.fullmatch(value):
                return value
        for converter in converters:
            value = converter(value, expression, connection)
        return None if value is None else json_default(value)

    return convert


def read_as_text(sql: str, compiler, expression, name: str) -> str:
    """On SQLite, the select list's `<column> AS "<name>"` read as CAST(<column> AS TEXT): a column read as
    an expression has no declared type, so the driver hands back the stored text instead of parsing it into
    a date or datetime (Django's PARSE_DECLTYPES converters) that `as_json_text` would only turn back into
    text. Elsewhere, or where the fragment is not found exactly once, the SQL is left as it is (the
    converters then take the parsed value)."""
    connection = compiler.connection
    if connection.vendor != "sqlite":
        return sql
    column, params = compiler.compile(expression)
    fragment = f"{column} AS {connection.ops.quote_name(name)}"
    select_list = sql.split(" FROM ", 1)[0]
    if params or "%s" in column or select_list.count(fragment) != 1:
        return sql
    return sql.replace(fragment, f"CAST({column} AS TEXT) AS {connection.ops.quote_name(name)}", 1)


class CompiledCount:
    """SELECT COUNT(*) over a queryset's rows, compiled once."""

    def __init__(self, queryset, marks: Sequence = ()):
        self.db = queryset.db
        try:
            sql, params = queryset.order_by().values("pk").query.get_compiler(using=self.db).as_sql()
        except EmptyResultSet:
            self.marks = None
            return
        self.sql = f"SELECT COUNT(*) FROM ({sql}) fuhua_counted"  # noqa: S608 (Django-compiled, values as params)
        self.marks = Marks(params, marks)

    def fetch(self, values: Sequence = ()) -> int:
        if self.marks is None:
            return 0
        with connections[self.db].cursor() as cursor:
            cursor.execute(self.sql, self.marks.fill(values))
            return cursor.fetchone()[0]


# A memo holds at most this many compiled queries (each page of filters and sort keys is one); beyond it,
# it starts again empty (a client walking through many filter combinations in one token's burst).
MEMO_SIZE = 512


def memoised(memo: dict | None, key, build: Callable[[], object]):
    """The compiled query under `key` in `memo` (built on first use); None when there is no memo or the
    query cannot be compiled with stand-ins (the caller then builds it as usual)."""
    if memo is None:
        return None
    try:
        return memo[key]
    except KeyError:
        pass
    try:
        compiled = build()
    except LookupError:
        compiled = None
    if len(memo) >= MEMO_SIZE:
        memo.clear()
    memo[key] = compiled
    return compiled
