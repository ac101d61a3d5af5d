"""Safe tabular exports (CSV and Excel) used by every export in the project.

A spreadsheet program treats a cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
as a formula (OWASP "CSV Injection"); a carrier named ``=HYPERLINK(...)`` would become a live link in the
finance officer's Excel. Every text cell therefore goes through :func:`safe_cell`, which prefixes such text with
a single quote, and workbooks are opened with ``strings_to_formulas=False`` and ``strings_to_urls=False`` so
xlsxwriter writes text as text. Numbers, dates and booleans stay what they are.

Files that go out and come back (import templates) are read through :func:`unescape_cell`, which removes the
quote this module added, so a round trip keeps the original text.

Every export that leaves the product (list exports, the ledger, evaluation results, statistics workbooks,
their API and CLI forms) calls :func:`announce_export` after building its file. Core keeps no security
log; the `export_made` signal is how accounts (a layer above) records each export as a security event
with the user and client address (MLPS 2.0: exports are audited).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

import xlsxwriter
from django.dispatch import Signal
from django.http import HttpResponse
from django.utils.http import content_disposition_header

# OWASP's list, plus the full-width forms that Excel and WPS also accept as formula starts in Chinese input.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = {"csv": CSV_CONTENT_TYPE, "xlsx": XLSX_CONTENT_TYPE}

# Options for every xlsxwriter workbook that holds user-supplied text.
SAFE_WORKBOOK_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}

# Sent once per export with request (None in a command), user (None: the request's) and detail
# {"what", "filters", "rows", "format"}; accounts connects the security log to it in its ready().
export_made = Signal()

_NOT_FILTERS = {"export", "page", "per_page"}


def announce_export(request, what: str, rows: int, *, filters=None, fmt: str = "xlsx", user=None) -> None:
    """Tell the security log that `rows` rows of `what` left the product, chosen by `filters`.

    `filters`: a dict, or None for the request's query parameters (without export/paging keys)."""
    if filters is None:
        query = getattr(request, "GET", None) or {}
        filters = {key: query.getlist(key) if len(query.getlist(key)) > 1 else query[key]
                   for key in query if key not in _NOT_FILTERS}
    export_made.send(sender=None, request=request, user=user,
                     detail={"what": str(what), "filters": filters, "rows": int(rows), "format": fmt})


def safe_cell(value):
    """The value as it may go into a spreadsheet cell: text that could start a formula gets a leading quote.

    ``None`` becomes the empty string; numbers (not bool-as-text), dates and booleans are returned unchanged;
    any other object is turned into text first.
    """
    if value is None:
        return ""
    if isinstance(value, bool | int | float | Decimal | dt.date | dt.datetime | dt.time):
        return value
    text = value if isinstance(value, str) else str(value)
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def unescape_cell(value):
    """Undo :func:`safe_cell` on text read back from an exported file (``'=x`` → ``=x``); other values pass."""
    if isinstance(value, str) and len(value) > 1 and value[0] == "'" and value[1:].startswith(FORMULA_TRIGGERS):
        return value[1:]
    return value


def safe_row(values: Iterable) -> list:
    return [safe_cell(v) for v in values]


def csv_bytes(headers: Sequence, rows: Iterable[Sequence]) -> bytes:
    """UTF-8 CSV with a byte-order mark (so Excel opens Chinese text correctly), every cell made safe."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(safe_row(headers))
    for row in rows:
        writer.writerow(safe_row(row))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def safe_workbook(target, **options) -> xlsxwriter.Workbook:
    """An xlsxwriter workbook that writes text as text (no formulas, no links, no numbers from text)."""
    return xlsxwriter.Workbook(target, {**SAFE_WORKBOOK_OPTIONS, **options})


def write_safe_row(sheet, row: int, col: int, values: Iterable, cell_format=None) -> None:
    """``sheet.write_row`` with every value made safe; dates are written as ISO text, not serial numbers."""
    cleaned = []
    for value in values:
        value = safe_cell(value)
        if isinstance(value, dt.date | dt.datetime | dt.time):
            value = value.isoformat()
        elif isinstance(value, Decimal):
            value = float(value)
        cleaned.append(value)
    sheet.write_row(row, col, cleaned, cell_format)


def xlsx_bytes(headers: Sequence, rows: Iterable[Sequence], sheet_name: str = "Sheet1") -> bytes:
    """One-sheet workbook: a bold frozen header row, then the rows, every text cell made safe."""
    buffer = io.BytesIO()
    book = safe_workbook(buffer, in_memory=True)
    sheet = book.add_worksheet(_sheet_title(sheet_name))
    bold = book.add_format({"bold": True})
    write_safe_row(sheet, 0, 0, headers, bold)
    count = 0
    for count, row in enumerate(rows, start=1):
        write_safe_row(sheet, count, 0, row)
    sheet.freeze_panes(1, 0)
    if headers:
        sheet.autofilter(0, 0, count, len(headers) - 1)
    book.close()
    return buffer.getvalue()


def _sheet_title(name: str) -> str:
    # Excel's rules: at most 31 characters, none of []:*?/\ and not starting or ending with a quote.
    cleaned = "".join("_" if ch in "[]:*?/\\" else ch for ch in str(name)).strip("'")[:31]
    return cleaned or "Sheet1"


def export_response(filename: str, headers: Sequence, rows: Iterable[Sequence], fmt: str = "xlsx") -> HttpResponse:
    """A download of the rows as ``csv`` or ``xlsx``; ``filename`` is given without its extension."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; expected one of {sorted(FORMATS)}")
    body = csv_bytes(headers, rows) if fmt == "csv" else xlsx_bytes(headers, rows)
    response = HttpResponse(body, content_type=FORMATS[fmt])
    response["Content-Disposition"] = content_disposition_header(True, f"{filename}.{fmt}")
    response["X-Content-Type-Options"] = "nosniff"
    return response
