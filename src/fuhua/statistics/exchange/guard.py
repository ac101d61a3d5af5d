"""Look at an uploaded workbook before anything reads it, and refuse what would hurt the server.

python-calamine holds a sheet as one dense rectangle from its first to its last cell (about 32 bytes a
cell): a 1.7 KB file with a cell at XFD1048576 asks for 549 GB, a 16 MB zip bomb for hundreds of MB.
So, before calamine opens a workbook:

1. the zip's directory: members, total uncompressed size and each member's compression ratio;
2. every member is decompressed as a stream (nothing kept) up to its declared size and its CRC checked,
   so a member that lies about its size is caught here and not in the Rust reader;
3. the sheet's XML is parsed as a stream with defusedxml (no entities, no DTDs): the declared
   ``<dimension ref=...>``, the rectangle the cells really cover and their count are checked against
   the cell budget, and formula cells are collected on the way.

Only then does calamine read it, within the budget. Every refusal is a FileProblem that says what is
wrong and what to do; the limits are settings (see settings.py).
"""

from __future__ import annotations

import re
import zipfile
import zlib
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import PurePosixPath

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring, iterparse
from django.conf import settings
from django.utils.translation import gettext as _

MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d{1,7})$")
# A cell tag that says where it is (r="B2"), with or without a namespace prefix.
_CELL_REF = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c\s[^>]*?(?<=\s)r=[\"']\$?([A-Za-z]{1,3})\$?([0-9]{1,7})[\"']")
_CELL_REF_FIRST = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"')
_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s/>]")
RATIO_FLOOR = 1 << 20  # members smaller than this decompressed are not ratio-checked (tiny XML compresses well)
MAX_MEMBERS = 10_000


def upload_cap(kind: str) -> int:
    """The largest file (bytes) an upload endpoint accepts: "reports" or "firms"."""
    if kind == "firms":
        return getattr(settings, "FUHUA_FIRM_UPLOAD_MAX_BYTES", 100 * 2**20)
    return getattr(settings, "FUHUA_UPLOAD_MAX_BYTES", 20 * 2**20)


@dataclass(frozen=True)
class Limits:
    max_uncompressed: int
    max_ratio: int
    max_cells: int
    max_columns: int
    max_rows: int

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            max_uncompressed=getattr(settings, "FUHUA_UPLOAD_MAX_UNCOMPRESSED_BYTES", 400 * 2**20),
            max_ratio=getattr(settings, "FUHUA_UPLOAD_MAX_RATIO", 100),
            max_cells=getattr(settings, "FUHUA_UPLOAD_MAX_CELLS", 8_000_000),
            max_columns=getattr(settings, "FUHUA_UPLOAD_MAX_COLUMNS", 200),
            max_rows=getattr(settings, "FUHUA_UPLOAD_MAX_ROWS", 1_048_576),
        )


@dataclass
class SheetScan:
    path: str
    cells: int = 0
    first_row: int = 0
    last_row: int = 0
    first_col: int = 0
    last_col: int = 0
    formulas: list[tuple[int, int]] = field(default_factory=list)  # (1-based row, 0-based column), capped


class WorkbookRefused(ValueError):
    """Raised with a message for the person who uploaded the file (reading.py turns it into a FileProblem)."""


def column_index(letters: str) -> int:
    """A → 1, XFD → 16384."""
    index = 0
    for ch in letters.upper():
        index = index * 26 + ord(ch) - 64
    return index


def parse_ref(ref: str) -> tuple[int, int] | None:
    """'B12' → (12, 2) (1-based row and column); None if it is not a cell reference."""
    match = _REF.match(ref.strip())
    if match is None:
        return None
    return int(match.group(2)), column_index(match.group(1))


def check_zip(zf: zipfile.ZipFile, name: str, limits: Limits) -> None:
    members = zf.infolist()
    if len(members) > MAX_MEMBERS:
        raise WorkbookRefused(_("%(name)s holds %(n)s files inside; a workbook has a few dozen.") % {
            "name": name, "n": f"{len(members):,}"})
    total = 0
    for info in members:
        total += info.file_size
        if info.file_size > RATIO_FLOOR and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise WorkbookRefused(_(
                "%(name)s is compressed %(ratio)s to 1 (%(member)s), more than any real workbook (at most "
                "%(max)s to 1); it looks like a zip bomb and was not opened.") % {
                "name": name, "ratio": f"{info.file_size // max(info.compress_size, 1):,}",
                "member": info.filename[:80], "max": limits.max_ratio})
    if total > limits.max_uncompressed:
        raise WorkbookRefused(_(
            "%(name)s would unpack to %(size)s MB, more than the %(max)s MB allowed; split it into smaller "
            "files.") % {"name": name, "size": f"{total / 2**20:,.0f}",
                         "max": f"{limits.max_uncompressed / 2**20:,.0f}"})
    for info in members:  # decompress as a stream, nothing kept: sizes and CRCs must hold
        try:
            with zf.open(info) as fh:
                while fh.read(1 << 20):
                    pass
        except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, NotImplementedError, EOFError, OSError,
                ValueError, RuntimeError) as exc:
            raise WorkbookRefused(_("%(name)s is damaged (%(member)s: %(error)s); save it again from Excel.") % {
                "name": name, "member": info.filename[:80], "error": type(exc).__name__}) from None


def sheet_path(zf: zipfile.ZipFile, sheet: str | None) -> tuple[str, str] | None:
    """(sheet name, its XML member) of the named sheet, else the first; None if not an .xlsx layout."""
    try:
        book = fromstring(zf.read("xl/workbook.xml"))
        rels = fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    except KeyError:
        return None
    except (ParseError, DefusedXmlException, ValueError) as exc:
        raise WorkbookRefused(_("the workbook's structure cannot be read (%(error)s)") % {
            "error": type(exc).__name__}) from None
    sheets = [(s.get("name"), s.get(REL_ID)) for s in book.iter(f"{MAIN_NS}sheet")]
    if not sheets:
        return None
    name, rel_id = next(((n, r) for n, r in sheets if n == sheet), sheets[0])
    for rel in rels:
        if rel.get("Id") == rel_id:
            target = rel.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
            return name, path
    return None


def scan_sheet(zf: zipfile.ZipFile, path: str, sheet: str, limits: Limits) -> SheetScan:
    """The sheet's declared dimension, the rectangle its cells really cover, their count and its formulas.

    The head of the sheet (up to its data) is parsed with defusedxml: a DTD or entity is refused and the
    declared dimension is checked. The cells are then measured by a byte scan of the stream (an XML
    parse of a million rows costs a minute in Python; the scan a second). A sheet whose cells do not all
    say where they are (``<c r="B2">``), or that holds formulas, is parsed in full with defusedxml.
    """
    _check_head(zf, path, sheet, limits)
    scan = SheetScan(path)
    tail = b""
    cache: dict[bytes, int] = {}
    positional = has_formula = False
    with zf.open(path) as member:
        while True:
            chunk = member.read(256 << 10)  # bounded: a chunk's references at a time
            data = tail + chunk
            if chunk:  # keep an unfinished tag for the next chunk
                cut = data.rfind(b"<")
                data, tail = data[:cut], data[cut:]
            if len(tail) > 1 << 20:
                raise WorkbookRefused(_("the sheet %(sheet)s is not valid XML (a tag longer than 1 MB)") % {
                    "sheet": sheet})
            # Every cell tag must say where it is (a prefixed <x:c> also lands in the full parse). Excel and
            # most writers put r first: the fast pattern; anything else: the general one.
            refs = _CELL_REF_FIRST.findall(data)
            tags = data.count(b"<c")  # one pass; other tags starting with <c (<cols>, <cfRule>) need the exact count
            if len(refs) != tags:
                tags = data.count(b"<c ") + data.count(b"<c>") + data.count(b"<c/")
            if len(refs) != tags:
                refs = _CELL_REF.findall(data)
            if len(refs) != tags:
                positional = True
                break
            if refs:
                _count_refs(scan, refs, cache, sheet, limits)
            has_formula = has_formula or b"<f>" in data or b"<f " in data or b"<f/" in data or (
                b":f" in data and _FORMULA_TAG.search(data) is not None)
            if not chunk:
                break
    if positional or has_formula:
        full = _parse_sheet(zf, path, sheet, limits)
        if positional:
            return full
        scan.formulas = full.formulas
    return scan


def _check_head(zf: zipfile.ZipFile, path: str, sheet: str, limits: Limits) -> None:
    """Parse up to the sheet's data with defusedxml: refuses DTDs and entities, checks the dimension."""
    try:
        with zf.open(path) as member:
            for _event, elem in iterparse(member, events=("start",), forbid_dtd=True):
                if elem.tag == f"{MAIN_NS}dimension":
                    _check_dimension(elem.get("ref") or "", sheet, limits)
                elif elem.tag == f"{MAIN_NS}sheetData":
                    return
    except KeyError:
        raise WorkbookRefused(_("the sheet %(sheet)s is missing from the file") % {"sheet": sheet}) from None
    except (ParseError, DefusedXmlException) as exc:
        raise WorkbookRefused(_("the sheet %(sheet)s is not valid XML (%(error)s); save it again from Excel.") % {
            "sheet": sheet, "error": type(exc).__name__}) from None


def _count_refs(scan: SheetScan, refs: list[tuple[bytes, bytes]], cache: dict, sheet: str, limits: Limits) -> None:
    from .cells import column_letter

    cols = set(map(itemgetter(0), refs))
    rows = set(map(itemgetter(1), refs))
    col_numbers = [cache.get(c) or cache.setdefault(c, column_index(c.decode())) for c in cols]
    row_numbers = [int(r) for r in rows]
    low_row, high_row, low_col, high_col = min(row_numbers), max(row_numbers), min(col_numbers), max(col_numbers)
    if scan.cells == 0:
        scan.first_row, scan.last_row, scan.first_col, scan.last_col = low_row, high_row, low_col, high_col
    else:
        scan.first_row, scan.last_row = min(scan.first_row, low_row), max(scan.last_row, high_row)
        scan.first_col, scan.last_col = min(scan.first_col, low_col), max(scan.last_col, high_col)
    scan.cells += len(refs)
    if scan.last_col > limits.max_columns:
        _too_big(sheet, _("a cell in column %(col)s") % {"col": column_letter(scan.last_col - 1)}, limits)
    if scan.last_row > limits.max_rows:
        _too_big(sheet, _("row %(n)s") % {"n": f"{scan.last_row:,}"}, limits)
    area = (scan.last_row - scan.first_row + 1) * (scan.last_col - scan.first_col + 1)
    if area > limits.max_cells:
        _too_big(sheet, _("cells from %(first)s to %(last)s") % {
            "first": f"{column_letter(scan.first_col - 1)}{scan.first_row}",
            "last": f"{column_letter(scan.last_col - 1)}{scan.last_row}"}, limits)


def _parse_sheet(zf: zipfile.ZipFile, path: str, sheet: str, limits: Limits, formula_limit: int = 1000) -> SheetScan:
    """The full parse: every cell's place (also where ``r`` is left out) and up to `formula_limit` formulas."""
    scan = SheetScan(path)
    try:
        member = zf.open(path)
    except KeyError:
        raise WorkbookRefused(_("the sheet %(sheet)s is missing from the file") % {"sheet": sheet}) from None
    row_tag, cell_tag, dim_tag = f"{MAIN_NS}row", f"{MAIN_NS}c", f"{MAIN_NS}dimension"
    value_tags = {f"{MAIN_NS}v", f"{MAIN_NS}is", f"{MAIN_NS}f"}
    formula_tag = f"{MAIN_NS}f"
    row_number, col_number = 0, 0
    sheet_data_tag, sheet_data = f"{MAIN_NS}sheetData", None
    try:
        with member:
            for event, elem in iterparse(member, events=("start", "end"), forbid_dtd=True):
                tag = elem.tag
                if event == "start":
                    if tag == sheet_data_tag:
                        sheet_data = elem
                    elif tag == row_tag:
                        r = elem.get("r")
                        row_number = int(r) if r and r.isdigit() else row_number + 1
                        col_number = 0
                        if row_number > limits.max_rows:
                            _too_big(sheet, _("row %(n)s") % {"n": f"{row_number:,}"}, limits)
                    continue
                if tag == cell_tag:
                    ref = parse_ref(elem.get("r") or "")
                    col_number = ref[1] if ref else col_number + 1
                    if any(child.tag in value_tags for child in elem):
                        _count_cell(scan, row_number, col_number, sheet, limits)
                        if len(scan.formulas) < formula_limit and elem.find(formula_tag) is not None:
                            scan.formulas.append((row_number, col_number - 1))
                    elem.clear()
                elif tag == row_tag and sheet_data is not None:
                    sheet_data.clear()  # drop the finished row: memory stays that of one row
                elif tag == dim_tag:
                    _check_dimension(elem.get("ref") or "", sheet, limits)
    except (ParseError, DefusedXmlException) as exc:
        raise WorkbookRefused(_("the sheet %(sheet)s is not valid XML (%(error)s); save it again from Excel.") % {
            "sheet": sheet, "error": type(exc).__name__}) from None
    return scan


def _count_cell(scan: SheetScan, row: int, col: int, sheet: str, limits: Limits) -> None:
    from .cells import column_letter

    if col > limits.max_columns:
        _too_big(sheet, _("a cell in column %(col)s") % {"col": column_letter(col - 1)}, limits)
    scan.cells += 1
    if scan.cells == 1:
        scan.first_row = scan.last_row = row
        scan.first_col = scan.last_col = col
    else:
        scan.first_row, scan.last_row = min(scan.first_row, row), max(scan.last_row, row)
        scan.first_col, scan.last_col = min(scan.first_col, col), max(scan.last_col, col)
    area = (scan.last_row - scan.first_row + 1) * (scan.last_col - scan.first_col + 1)
    if area > limits.max_cells:
        _too_big(sheet, _("cells from %(first)s to %(last)s") % {
            "first": f"{column_letter(scan.first_col - 1)}{scan.first_row}",
            "last": f"{column_letter(scan.last_col - 1)}{scan.last_row}"}, limits)


def _check_dimension(ref: str, sheet: str, limits: Limits) -> None:
    corners = [parse_ref(part) for part in ref.split(":")] if ref else []
    if not corners or any(c is None for c in corners):
        return  # no usable dimension: the cells themselves are counted
    (r1, c1), (r2, c2) = corners[0], corners[-1]
    rows, cols = abs(r2 - r1) + 1, abs(c2 - c1) + 1
    if max(c1, c2) > limits.max_columns or max(r1, r2) > limits.max_rows or rows * cols > limits.max_cells:
        _too_big(sheet, _("a declared size of %(ref)s") % {"ref": ref}, limits)


def _too_big(sheet: str, what: str, limits: Limits):
    raise WorkbookRefused(_(
        "The sheet %(sheet)s is too large to import (%(what)s); at most %(cols)s columns and %(cells)s cells "
        "are read. Delete what lies outside the table (select the empty rows and columns after it, delete, "
        "save) or split the file.") % {
        "sheet": sheet, "what": what, "cols": limits.max_columns, "cells": f"{limits.max_cells:,}"})
