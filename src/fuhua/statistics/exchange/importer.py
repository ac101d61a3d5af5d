"""The import pipeline shared by report and firm workbooks.

Rows stream from the file in chunks: each chunk is parsed cell by cell, then checked against the
database (scope, duplicates, locks) and written, all inside one transaction that is rolled back
at the end if any error was found or for a dry run. So an import is all or nothing, memory stays
bounded by the chunk (and a set of keys for duplicates), and every error is counted even past
the cap on how many are listed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from . import cells
from .reading import FileProblem, Table, open_table

DEFAULT_MAX_ERRORS = 1000
HEADER_SEARCH_ROWS = 20


@dataclass(frozen=True)
class CellError:
    sheet: str
    row: int  # 1-based, as Excel shows it
    column: str  # letter, "" for the whole row
    header: str
    value: str
    message: str
    level: str = "error"

    def __str__(self):
        where = f"{self.sheet}!{self.column}{self.row}" if self.column else f"{self.sheet} row {self.row}"
        head = f" [{self.header}]" if self.header else ""
        value = f" '{self.value}'" if self.value != "" else ""
        return f"{where}{head}{value}: {self.message}"

    def as_dict(self) -> dict:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "header": self.header,
                "value": self.value, "message": self.message, "level": self.level}


@dataclass
class ImportResult:
    filename: str
    dry_run: bool
    sheet: str = ""
    rows: int = 0  # data rows read (blank rows not counted)
    blank_rows: int = 0
    skipped: int = 0  # rows that name a record but carry no figures (a template row left empty)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    error_count: int = 0
    errors: list[CellError] = field(default_factory=list)  # the first `max_errors`
    warnings: list[CellError] = field(default_factory=list)
    written: bool = False
    rows_written: int = 0  # chunked imports: rows already committed when an error stopped the rest

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def as_dict(self) -> dict:
        return {"ok": self.ok, "dry_run": self.dry_run, "written": self.written, "filename": self.filename,
                "sheet": self.sheet, "rows": self.rows, "created": self.created, "updated": self.updated,
                "unchanged": self.unchanged, "error_count": self.error_count,
                "errors": [e.as_dict() for e in self.errors], "warnings": [w.as_dict() for w in self.warnings],
                "summary": self.summary()}

    def summary(self) -> str:
        verb = _("would be") if self.dry_run or not self.ok else _("were")
        head = _("%(rows)s rows read: %(created)s %(verb)s created, %(updated)s updated, %(unchanged)s unchanged") % {
            "rows": f"{self.rows:,}", "created": f"{self.created:,}", "verb": verb, "updated": f"{self.updated:,}",
            "unchanged": f"{self.unchanged:,}"}
        if self.skipped:
            head += "; " + _("%(n)s rows without figures skipped") % {"n": f"{self.skipped:,}"}
        if self.error_count and self.rows_written:
            head += "; " + _("%(n)s errors; the first %(written)s rows were written, the rest not: fix the errors "
                             "and import the file again to complete it") % {
                "n": f"{self.error_count:,}", "written": f"{self.rows_written:,}"}
        elif self.error_count:
            head += "; " + _("%(n)s errors, nothing was written") % {"n": f"{self.error_count:,}"}
        elif self.dry_run:
            head += "; " + _("dry run, nothing was written")
        return head


class ErrorLog:
    def __init__(self, result: ImportResult, sheet: str, max_errors: int):
        self.result, self.sheet, self.max = result, sheet, max_errors
        self.rows_with_errors: set[int] = set()

    def add(self, row: int, col: int | None, header: str, value, message: str) -> None:
        self.result.error_count += 1
        self.rows_with_errors.add(row)
        if len(self.result.errors) < self.max:
            self.result.errors.append(CellError(self.sheet, row, "" if col is None else cells.column_letter(col),
                                                header, cells.text(value)[:100], str(message)))

    def warn(self, row: int, col: int | None, header: str, value, message: str) -> None:
        if len(self.result.warnings) < self.max:
            self.result.warnings.append(CellError(self.sheet, row, "" if col is None else cells.column_letter(col),
                                                  header, cells.text(value)[:100], str(message), "warning"))


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # as the template writes it
    aliases: tuple[str, ...] = ()
    required: bool = True
    ignored: bool = False  # informational columns of an export (status, version) are read past


def map_headers(row: list, columns: list[Column], log: ErrorLog, row_number: int) -> dict[str, int]:
    from ..definitions import normalise_header

    index = {}
    for col in columns:
        for name in (col.header, col.key, *col.aliases):
            index[normalise_header(name)] = col
    found: dict[str, int] = {}
    for i, cell in enumerate(row):
        if cells.is_blank(cell):
            continue
        col = index.get(normalise_header(cells.text(cell)))
        if col is None:
            log.add(row_number, i, cells.text(cell), cell, _("unknown column; use the template's headers"))
        elif col.key in found:
            log.add(row_number, i, col.header, cell, _("this column appears twice"))
        elif not col.ignored:
            found[col.key] = i
    for col in columns:
        if col.required and not col.ignored and col.key not in found:
            log.add(row_number, None, col.header, "", _("missing column %(header)s") % {"header": col.header})
    return found


class _Rollback(Exception):
    pass


@dataclass
class Importer:
    """What an import kind supplies: its columns, a row parser and a chunk handler."""

    columns: list[Column]
    # (row number, cells, column map, log) -> a parsed record or None (errors already logged)
    parse_row: Callable
    # (records, log, result, write: bool) -> None; plans (and, with write, writes) one chunk
    handle_chunk: Callable
    sheet: str | None = None
    chunk_size: int = 5000


def run(importer: Importer, source, filename: str, *, dry_run: bool = False, max_errors: int = DEFAULT_MAX_ERRORS,
        progress: Callable | None = None, chunked: bool = False) -> ImportResult:
    """Read, check and (unless a dry run) write the file: all or nothing.

    A dry run opens no transaction (it writes nothing), so it never holds the database's write lock.
    `chunked` (background imports of large files): the whole file is checked first without writing; only
    if it is clean is it read again and written with one transaction per chunk, so SQLite's other writers
    wait for one chunk, not for the whole import. `progress(rows)`, or `progress(rows, phase)` with
    phase "checking"/"writing" when chunked, is called after each chunk."""
    if chunked and not dry_run:
        checked = _run_once(importer, source, filename, True, max_errors,
                            (lambda n: progress(n, "checking")) if progress else None, "none")
        if not checked.ok:
            checked.dry_run = False
            return checked
        return _run_once(importer, source, filename, False, max_errors,
                         (lambda n: progress(n, "writing")) if progress else None, "chunk")
    return _run_once(importer, source, filename, dry_run, max_errors, progress, "none" if dry_run else "whole")


def _run_once(importer, source, filename, dry_run, max_errors, progress, transactions: str) -> ImportResult:
    result = ImportResult(filename=filename, dry_run=dry_run)
    try:
        table = open_table(source, filename, importer.sheet)
    except FileProblem as exc:
        result.error_count = 1
        result.errors.append(CellError(filename, 0, "", "", "", str(exc)))
        return result
    result.sheet = table.sheet
    log = ErrorLog(result, table.sheet, max_errors)
    for row, col, message in table.problems:
        log.add(row, col, "", "", message)
    try:
        if transactions == "whole":
            with transaction.atomic():
                _stream(importer, table, log, result, dry_run, progress)
                if not result.ok:
                    raise _Rollback
        else:
            _stream(importer, table, log, result, dry_run, progress, per_chunk=transactions == "chunk")
        result.written = not dry_run and result.ok
    except _Rollback:
        result.written = False
    except FileProblem as exc:
        log.add(0, None, "", "", str(exc))
    return result


def _stream(importer, table: Table, log: ErrorLog, result: ImportResult, dry_run: bool, progress,
            per_chunk: bool = False) -> None:
    header_row, mapping = None, None
    chunk: list = []

    def handle(records):
        write = not dry_run and result.ok
        if per_chunk and write:
            with transaction.atomic():
                importer.handle_chunk(records, log, result, write)
            if result.ok:
                result.rows_written = result.rows
        else:
            importer.handle_chunk(records, log, result, write)

    for number, row in table.rows:
        if mapping is None:
            if all(cells.is_blank(c) for c in row):
                if number > HEADER_SEARCH_ROWS:
                    break
                continue
            header_row, mapping = number, map_headers(row, importer.columns, log, number)
            if not result.ok:  # without the right columns the rows cannot be read
                return
            continue
        if all(cells.is_blank(c) for c in row):
            result.blank_rows += 1
            continue
        result.rows += 1
        record = importer.parse_row(number, row, mapping, log)
        if record is not None:
            chunk.append(record)
        if len(chunk) >= importer.chunk_size:
            handle(chunk)
            chunk = []
            if progress:
                progress(result.rows)
    if header_row is None:
        raise FileProblem(_("No header row found in sheet %(sheet)s; the sheet is empty.") % {"sheet": table.sheet})
    if chunk:
        handle(chunk)
    if progress:
        progress(result.rows)


def cell_at(row: list, index: int | None):
    return row[index] if index is not None and index < len(row) else None
