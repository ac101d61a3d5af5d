"""Hostile workbooks (F6): a cell at XFD1048576, a cell at XFD2000, a declared dimension of the whole sheet,
a zip bomb, a workbook that unpacks too large. Each is refused with a message that says what is wrong,
before python-calamine allocates anything, and the reading process stays small."""

import io
import json
import os
import subprocess
import sys
import zipfile

import pytest
import xlsxwriter

from fuhua.statistics.exchange.reading import FileProblem, open_table

SHEET_XML = "xl/worksheets/sheet1.xml"


def tiny_xlsx(rows=(("企业名称", "数量"), ("苏州甲", 1)), formula=None) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("S")
    for r, row in enumerate(rows):
        sheet.write_row(r, 0, row)
    if formula:
        sheet.write_formula(formula, "=1+1", None, 2)
    book.close()
    return buffer.getvalue()


def edit_sheet(data: bytes, edit, compress=zipfile.ZIP_DEFLATED) -> bytes:
    """The same workbook with its sheet's XML passed through `edit` (str → str)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compress) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == SHEET_XML:
                content = edit(content.decode()).encode()
            target.writestr(item.filename, content, compress_type=compress)
    return out.getvalue()


def with_cell(ref: str, row: int) -> bytes:
    return edit_sheet(tiny_xlsx(), lambda xml: xml.replace(
        "</sheetData>", f'<row r="{row}"><c r="{ref}"><v>1</v></c></row></sheetData>'))


def refused(data: bytes, name="hostile.xlsx") -> str:
    with pytest.raises(FileProblem) as err:
        table = open_table(data, name)
        list(table.rows)
    return str(err.value)


def test_a_normal_workbook_still_reads():
    table = open_table(tiny_xlsx(), "ok.xlsx")
    assert list(table.rows) == [(1, ["企业名称", "数量"]), (2, ["苏州甲", 1.0])]


def test_one_cell_at_the_last_cell_of_a_sheet_is_refused():
    data = with_cell("XFD1048576", 1048576)
    assert len(data) < 8000
    message = refused(data)
    assert "too large to import" in message and "XFD" in message and "200 columns" in message


def test_one_cell_at_xfd2000_is_refused():
    message = refused(with_cell("XFD2000", 2000))
    assert "a cell in column XFD" in message


def test_cells_far_apart_within_the_columns_are_refused_by_the_cell_budget(settings):
    settings.FUHUA_UPLOAD_MAX_CELLS = 10_000
    message = refused(with_cell("CV5000", 5000))
    assert "cells from A1 to CV5000" in message and "10,000 cells" in message


def test_a_declared_dimension_of_the_whole_sheet_is_refused():
    data = edit_sheet(tiny_xlsx(), lambda xml: xml.replace('<dimension ref="A1:B2"/>',
                                                           '<dimension ref="A1:XFD1048576"/>'))
    assert "a declared size of A1:XFD1048576" in refused(data)


def test_a_zip_bomb_is_refused_before_it_is_unpacked():
    padding = " " * (40 * 2**20)  # 40 MB of XML whitespace compresses about 1000 to 1
    data = edit_sheet(tiny_xlsx(), lambda xml: xml.replace("<sheetData>", f"<sheetData>{padding}"))
    assert len(data) < 200_000
    message = refused(data)
    assert "looks like a zip bomb" in message and SHEET_XML in message


def test_a_workbook_that_unpacks_beyond_the_limit_is_refused(settings):
    settings.FUHUA_UPLOAD_MAX_UNCOMPRESSED_BYTES = 2000
    assert "would unpack to" in refused(tiny_xlsx())


def test_a_damaged_member_is_refused_before_calamine_sees_it():
    data = bytearray(tiny_xlsx())
    # Corrupt the compressed bytes of the sheet: the CRC no longer matches what unpacks.
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo(SHEET_XML)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + 5] ^= 0xFF
    assert "is damaged (xl/worksheets/sheet1.xml: error)" in refused(bytes(data))


def test_formulas_are_still_found_by_the_scan():
    table = open_table(tiny_xlsx(formula="C2"), "f.xlsx")
    assert [(row, col) for row, col, _ in table.problems] == [(2, 2)]
    assert "a formula (C2)" in table.problems[0][2]


def test_other_zips_and_old_xls_are_refused_with_advice():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", "<office:document-content/>")
    assert "not an Excel workbook (.xlsx)" in refused(out.getvalue(), "sheet.ods")
    assert "Excel 97-2003" in refused(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504, "old.xls")


_CHILD = """
import json, resource, sys
import django
django.setup()
from django.utils import translation
translation.activate('en')
from fuhua.statistics.exchange.reading import FileProblem, open_table
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    open_table(open(sys.argv[1], 'rb').read(), 'x.xlsx')
    outcome = 'read'
except FileProblem as exc:
    outcome = str(exc)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({'outcome': outcome, 'growth_mib': (after - before) / 1024}))
"""


def test_refusing_a_hostile_workbook_keeps_the_process_small(tmp_path):
    """Read without the guard, XFD2000 costs calamine 1.1 GB; refused, the process grows by less than 50 MB."""
    path = tmp_path / "xfd2000.xlsx"
    path.write_bytes(with_cell("XFD2000", 2000))
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "fuhua.settings", "FUHUA_HOME": str(tmp_path / "home")}
    done = subprocess.run([sys.executable, "-c", _CHILD, str(path)], capture_output=True, text=True, env=env,
                          timeout=120, check=True)
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert "too large to import" in report["outcome"]
    assert report["growth_mib"] < 50, report


def test_cells_that_do_not_say_where_they_are_are_placed_by_position():
    cells = "<c><v>1</v></c>" * 300  # refused at the 201st cell of the row, in column GS
    data = edit_sheet(tiny_xlsx(), lambda xml: xml.replace("</sheetData>", f"<row>{cells}</row></sheetData>"))
    assert "a cell in column GS" in refused(data)


def test_a_dtd_in_the_sheet_is_refused():
    data = edit_sheet(tiny_xlsx(), lambda xml: xml.replace(
        "<worksheet", '<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">]><worksheet', 1))
    assert "is not valid XML (DTDForbidden)" in refused(data)
