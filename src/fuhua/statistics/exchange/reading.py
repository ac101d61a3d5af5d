"""Open an uploaded workbook or CSV as a stream of rows, refusing what cannot be read with a
message that says where: an empty file, a non-Excel file renamed .xlsx, merged cells, formulas.

python-calamine reads .xlsx/.xls/.ods (the sheet's cells are held by its Rust reader; rows reach
Python one at a time); CSV is read line by line, UTF-8 or GB18030 (what Excel saves in China).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from xml.etree import ElementTree

from django.utils.translation import gettext as _
from python_calamine import CalamineError, CalamineWorkbook

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # .xls
_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[ >/]")
_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


class FileProblem(ValueError):
    """The file as a whole cannot be imported; nothing was written."""


@dataclass
class Table:
    sheet: str
    rows: Iterator[tuple[int, list]]  # (1-based row number, cell values from column A)
    problems: list[tuple[int, int, str]] = field(default_factory=list)  # (row, col, message), 1-based row
    kind: str = "xlsx"


def open_table(source, filename: str, sheet: str | None = None) -> Table:
    """`source`: a path, bytes or a binary file object; `filename` decides CSV versus workbook."""
    data = source if isinstance(source, bytes | bytearray) else None
    head = (data[:8] if data is not None else _head(source))
    if not head:
        raise FileProblem(_("The file %(name)s is empty.") % {"name": filename})
    lower = filename.lower()
    if head.startswith(ZIP_MAGIC) or head.startswith(OLE_MAGIC):
        return _workbook(source, filename, sheet)
    if lower.endswith((".csv", ".txt")):
        return _csv(source, filename)
    raise FileProblem(_("%(name)s is not an Excel workbook (.xlsx) or a CSV file; was it renamed? Save it from "
                        "Excel as .xlsx and upload it again.") % {"name": filename})


def _head(source) -> bytes:
    if hasattr(source, "read"):
        if hasattr(source, "seek"):
            source.seek(0)
        head = source.read(8)
        source.seek(0)
        return head
    with open(source, "rb") as fh:
        return fh.read(8)


def _workbook(source, filename: str, sheet: str | None) -> Table:
    try:
        if isinstance(source, bytes | bytearray):
            book = CalamineWorkbook.from_filelike(io.BytesIO(source))
        elif hasattr(source, "read"):
            source.seek(0)
            book = CalamineWorkbook.from_filelike(source)
        else:
            book = CalamineWorkbook.from_path(str(source))
    except (CalamineError, OSError, ValueError) as exc:
        raise FileProblem(_("%(name)s cannot be read as a workbook (%(error)s).") % {
            "name": filename, "error": type(exc).__name__}) from None
    names = book.sheet_names
    if not names:
        raise FileProblem(_("%(name)s has no sheets.") % {"name": filename})
    name = sheet if sheet in names else names[0]
    try:
        ws = book.get_sheet_by_name(name)
    except Exception as exc:  # calamine raises several error types on corrupt sheets
        raise FileProblem(_("The sheet %(sheet)s of %(name)s cannot be read (%(error)s).") % {
            "sheet": name, "name": filename, "error": type(exc).__name__}) from None
    problems = []
    for (r1, c1), (r2, c2) in ws.merged_cell_ranges or []:
        problems.append((r1 + 1, c1, _("merged cells (%(range)s); unmerge them and fill in every cell") % {
            "range": f"{_ref(r1, c1)}:{_ref(r2, c2)}"}))
    if not (isinstance(source, bytes | bytearray) and source[:4] == OLE_MAGIC):
        problems += _formula_cells(source, name)
    start_row, start_col = ws.start or (0, 0)
    return Table(name, _numbered(ws.iter_rows(), start_row + 1, start_col), problems)


def _numbered(rows, first: int, pad: int):
    # calamine's rows begin at the sheet's first used cell; put them back where Excel shows them.
    for number, row in enumerate(rows, first):
        yield number, ([""] * pad + row) if pad else row


def _ref(row0: int, col0: int) -> str:
    from .cells import column_letter

    return f"{column_letter(col0)}{row0 + 1}"


def _sheet_path(zf: zipfile.ZipFile, sheet: str) -> str | None:
    try:
        # ElementTree resolves no external entities and expat >= 2.4.1 caps entity expansion.
        book = ElementTree.fromstring(zf.read("xl/workbook.xml"))  # noqa: S314
        rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))  # noqa: S314
    except (KeyError, ElementTree.ParseError):
        return None
    rel_id = next((s.get(_REL) for s in book.iterfind("m:sheets/m:sheet", _NS) if s.get("name") == sheet), None)
    for rel in rels:
        if rel.get("Id") == rel_id:
            target = rel.get("Target", "")
            return target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
    return None


def _formula_cells(source, sheet: str, limit: int = 1000) -> list[tuple[int, int, str]]:
    """Cells holding formulas: a quick byte scan first, the cell references only if there are any."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes | bytearray) else source)
    except zipfile.BadZipFile:
        return []
    with zf:
        path = _sheet_path(zf, sheet)
        if path is None or path not in zf.namelist():
            return []
        with zf.open(path) as fh:
            tail, found = b"", False
            while chunk := fh.read(1 << 20):
                if _FORMULA_TAG.search(tail + chunk):
                    found = True
                    break
                tail = chunk[-8:]
        if not found:
            return []
        from .cells import column_letter

        out = []
        with zf.open(path) as fh:
            for _event, elem in ElementTree.iterparse(fh):  # noqa: S314 (see _sheet_path)
                if elem.tag.endswith("}c"):
                    if elem.find("m:f", _NS) is not None and len(out) < limit:
                        ref = elem.get("r", "")
                        col_letters = "".join(ch for ch in ref if ch.isalpha())
                        row = int("".join(ch for ch in ref if ch.isdigit()) or 0)
                        col = 0
                        for ch in col_letters:
                            col = col * 26 + ord(ch) - 64
                        out.append((row, col - 1, _("a formula (%(ref)s); paste the values instead") % {
                            "ref": f"{column_letter(col - 1)}{row}"}))
                    elem.clear()
        return out


def _csv(source, filename: str) -> Table:
    if isinstance(source, bytes | bytearray):
        binary = io.BytesIO(source)
    elif hasattr(source, "read"):
        binary = getattr(source, "file", source)  # an uploaded file: its underlying binary file
        binary.seek(0)
    else:
        binary = open(source, "rb")  # noqa: SIM115 - closed when the rows are exhausted
    head = binary.read(1 << 16)
    binary.seek(0)
    encoding = "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        encoding = "gb18030"
    stream = io.TextIOWrapper(binary, encoding=encoding, errors="replace", newline="")
    return Table(PurePosixPath(filename).stem or "csv", enumerate(csv.reader(stream), 1), kind="csv")
