"""Open an uploaded workbook or CSV as a stream of rows, refusing what cannot be read with a
message that says where: an empty file, a non-Excel file renamed .xlsx, merged cells, formulas, and
files built to exhaust the server (zip bombs, a cell at XFD1048576: see guard.py, which measures a
workbook before it is read).

python-calamine reads .xlsx (the sheet's cells are held by its Rust reader, within guard.py's cell
budget; rows reach Python one at a time); CSV is read line by line, UTF-8 or GB18030 (what Excel saves
in China).
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath

import charset_normalizer
from django.utils.translation import gettext as _
from python_calamine import CalamineError, CalamineWorkbook

from . import guard
from .cells import column_letter

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # .xls


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
    if head.startswith(OLE_MAGIC):
        # An .xls cannot be measured before reading (its sheet would be read whole, up to 16 million cells).
        raise FileProblem(_("%(name)s is an old Excel 97-2003 file (.xls); save it as an Excel workbook (.xlsx) "
                            "and upload it again.") % {"name": filename})
    if head.startswith(ZIP_MAGIC):
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
    scan = _inspect(source, filename, sheet)
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
    problems += [(row, col, _("a formula (%(ref)s); paste the values instead") % {"ref": _ref(row - 1, col)})
                 for row, col in scan.formulas]
    start_row, start_col = ws.start or (0, 0)
    return Table(name, _numbered(ws.iter_rows(), start_row + 1, start_col), problems)


def _inspect(source, filename: str, sheet: str | None) -> guard.SheetScan:
    """The guard's checks (zip, sizes, the sheet's real extent) before calamine reads anything."""
    limits = guard.Limits.from_settings()
    try:
        if isinstance(source, bytes | bytearray):
            zf = zipfile.ZipFile(io.BytesIO(source))
        else:
            if hasattr(source, "seek"):
                source.seek(0)
            zf = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        # NotImplementedError: a damaged header names a compression method zipfile does not know.
        raise FileProblem(_("%(name)s cannot be read as a workbook (%(error)s).") % {
            "name": filename, "error": type(exc).__name__}) from None
    try:
        with zf:
            guard.check_zip(zf, filename, limits)
            found = guard.sheet_path(zf, sheet)
            if found is None:
                raise FileProblem(_("%(name)s is not an Excel workbook (.xlsx) (an OpenDocument or other zip "
                                    "file?); save it from Excel or WPS as .xlsx and upload it again.") % {
                    "name": filename})
            name, path = found
            return guard.scan_sheet(zf, path, name, limits)
    except guard.WorkbookRefused as exc:
        raise FileProblem(str(exc)) from None
    finally:
        if hasattr(source, "seek"):
            source.seek(0)


def _numbered(rows, first: int, pad: int):
    # calamine's rows begin at the sheet's first used cell; put them back where Excel shows them.
    for number, row in enumerate(rows, first):
        yield number, ([""] * pad + row) if pad else row


def _ref(row0: int, col0: int) -> str:
    return f"{column_letter(col0)}{row0 + 1}"


def _csv(source, filename: str) -> Table:
    if isinstance(source, bytes | bytearray):
        binary = io.BytesIO(source)
    elif hasattr(source, "read"):
        binary = getattr(source, "file", source)  # an uploaded file: its underlying binary file
        binary.seek(0)
    else:
        binary = open(source, "rb")  # noqa: SIM115 - closed when the rows are exhausted
    head = binary.read(SAMPLE_BYTES)
    binary.seek(0)
    encoding = detect_encoding(head, filename)
    stream = io.TextIOWrapper(binary, encoding=encoding, errors="strict", newline="")
    return Table(PurePosixPath(filename).stem or "csv", _decoded_rows(csv.reader(stream), filename, encoding),
                 kind="csv")


SAMPLE_BYTES = 1 << 16
GB_FAMILY = {"gb18030", "gbk", "gb2312", "cp936", "hz"}  # GB18030 reads them all
ENCODING_NAMES = {"utf-8-sig": "UTF-8", "gb18030": "GB18030"}


def detect_encoding(head: bytes, filename: str) -> str:
    """UTF-8 (with or without BOM) or GB18030, decided from the first 64 KB; anything else is refused.

    UTF-8 is checked strictly first (text that decodes as UTF-8 almost never is anything else); other
    bytes go to charset-normalizer, and only a GB family answer is accepted, and only if the sample
    really decodes as GB18030. A Latin-1 or Big5 file is refused by name rather than read as mojibake.
    """
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if _decodes(head, "utf-8"):
        return "utf-8-sig"
    best = charset_normalizer.from_bytes(head).best()
    found = best.encoding if best is not None else None
    if found in GB_FAMILY and _decodes(head, "gb18030"):
        return "gb18030"
    advice = _("save it from Excel as \"CSV UTF-8 (comma delimited)\" and upload it again")
    if found is None:
        raise FileProblem(_("The encoding of %(name)s cannot be told (neither UTF-8 nor GB18030); %(advice)s.") % {
            "name": filename, "advice": advice})
    raise FileProblem(_("%(name)s is not in UTF-8 or GB18030 (it looks like %(encoding)s); %(advice)s.") % {
        "name": filename, "encoding": found, "advice": advice})


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        codecs.getincrementaldecoder(encoding)().decode(data, final=False)  # the sample may end mid-character
    except UnicodeDecodeError:
        return False
    return True


def _decoded_rows(reader, filename: str, encoding: str):
    number = 0
    try:
        for number, row in enumerate(reader, 1):
            yield number, row
    except UnicodeDecodeError:
        raise FileProblem(_("%(name)s is not valid %(encoding)s after row %(row)s; %(advice)s.") % {
            "name": filename, "encoding": ENCODING_NAMES.get(encoding, encoding), "row": number,
            "advice": _("save it from Excel as \"CSV UTF-8 (comma delimited)\" and upload it again")}) from None
    except csv.Error as exc:
        raise FileProblem(_("%(name)s is not a readable CSV file after row %(row)s (%(error)s).") % {
            "name": filename, "row": number, "error": exc}) from None
