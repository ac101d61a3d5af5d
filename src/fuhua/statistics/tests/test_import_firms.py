"""Bulk import of firms and the bad input every spreadsheet eventually brings: each case ends with a
clear error naming where, nothing written, no crash, bounded memory."""

import datetime
import tracemalloc

import pytest

from fuhua.core.models import ObjectChange
from fuhua.core.system import SYSTEM
from fuhua.registry.models import Firm
from fuhua.statistics.exchange.annotate import write_error_workbook
from fuhua.statistics.exchange.firms import SHEET, import_firms, write_firm_template
from fuhua.testing import credit_code

from .workbooks import xlsx

pytestmark = pytest.mark.django_db
HEADER = ["统一社会信用代码", "企业名称", "成立日期", "行业领域", "企业规模", "注册地区划代码"]


def firm_rows(n, region="320571"):
    return [[credit_code(region), f"苏州测试{i}号科技有限公司", "2024-03-01", "人工智能", "小型", region]
            for i in range(n)]


def book(tmp_path, rows, name="firms.xlsx", **kw):
    return xlsx(tmp_path / name, [HEADER, *rows], sheet=SHEET, **kw)


def test_template_round_trip(world, tmp_path):
    out = tmp_path / "t.xlsx"
    write_firm_template(str(out), [world.firm_a, world.firm_b])
    result = import_firms(str(out), "t.xlsx", SYSTEM)
    assert result.ok and result.unchanged == 2, result.errors


def test_dates_in_every_spelling_and_idempotence(world, tmp_path):
    rows = firm_rows(5)
    for row, date in zip(rows, ["2024-03-01", "2024/3/1", "2024.3.1", "2024年3月1日", 45352], strict=True):
        row[2] = date
    rows[0][3] = "ai"  # codes work as well as Chinese labels
    rows[1][4] = None  # size defaults to micro
    path = book(tmp_path, rows)
    result = import_firms(path, "firms.xlsx", SYSTEM)
    assert result.ok and result.created == 5, result.errors
    assert set(Firm.objects.filter(name__startswith="苏州测试").values_list("founded", flat=True)) == {
        datetime.date(2024, 3, 1)}
    firm = Firm.objects.get(credit_code=rows[0][0])
    assert "suzhouceshi" in firm.search and firm.industry_field == "ai"
    assert ObjectChange.objects.filter(content_type__model="firm", object_id=str(firm.pk), action="create").exists()
    counts = Firm.objects.count(), ObjectChange.objects.count()
    again = import_firms(path, "firms.xlsx", SYSTEM)
    assert again.ok and again.unchanged == 5 and (Firm.objects.count(), ObjectChange.objects.count()) == counts
    rows[0][1] = "苏州改名科技有限公司"
    changed = import_firms(book(tmp_path, rows, "changed.xlsx"), "changed.xlsx", SYSTEM)
    assert changed.updated == 1 and Firm.objects.get(credit_code=rows[0][0]).name == "苏州改名科技有限公司"


def test_full_width_input_and_blank_rows(world, tmp_path):
    row = firm_rows(1)[0]
    row[0] = row[0].translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789ABCDEFGHJKLMNPQRTUWXY"})
    row[5] = "３２０５７１"
    result = import_firms(book(tmp_path, [row, [None] * 6, firm_rows(1)[0]]), "firms.xlsx", SYSTEM)
    assert result.ok and result.created == 2 and result.blank_rows == 1, result.errors


def test_bad_rows_name_their_cells_and_write_nothing(world, tmp_path):
    rows = firm_rows(6)
    rows[0][0] = rows[0][0][:-1] + ("0" if rows[0][0][-1] != "0" else "1")  # wrong check character
    rows[1][0] = rows[2][0]  # duplicate within the file
    rows[3][2] = "2024-02-30"
    rows[4][5] = "999999"
    rows[5][3] = "养殖业"
    before = Firm.objects.count(), ObjectChange.objects.count()
    result = import_firms(book(tmp_path, rows), "firms.xlsx", SYSTEM)
    assert (Firm.objects.count(), ObjectChange.objects.count()) == before
    where = {(e.row, e.column) for e in result.errors}
    assert {(2, "A"), (4, "A"), (5, "C"), (6, "F"), (7, "D")} <= where, result.errors
    assert any("GB 32100" in e.message for e in result.errors)
    assert any("already in row 3" in e.message for e in result.errors)
    out = tmp_path / "errors.xlsx"
    write_error_workbook(str(tmp_path / "firms.xlsx"), "firms.xlsx", result.errors, str(out))
    assert out.stat().st_size > 0


def test_existing_code_outside_scope_is_refused(world, tmp_path):
    row = [world.firm_b.credit_code, "南京改名科技有限公司", "2023-03-01", "电子信息", "微型", "320102"]
    result = import_firms(book(tmp_path, [row]), "firms.xlsx", world.users.bureau_sz)
    assert not result.ok and "outside" in result.errors[0].message
    new_in_nanjing = firm_rows(1, "320102")
    assert not import_firms(book(tmp_path, new_in_nanjing, "nj.xlsx"), "nj.xlsx", world.users.bureau_sz).ok
    assert import_firms(book(tmp_path, new_in_nanjing, "nj.xlsx"), "nj.xlsx", world.users.bureau_nj).ok
    assert not import_firms(book(tmp_path, firm_rows(1), "op.xlsx"), "op.xlsx", world.users.operator_a).ok


@pytest.mark.parametrize(("make", "expected"), [
    (lambda p: book(p, firm_rows(2), merge="A2:B2"), "merged cells (A2:B2)"),
    (lambda p: book(p, firm_rows(2), formula="F3"), "a formula (F3)"),
    (lambda p: xlsx(p / "f.xlsx", [["公司名", *HEADER[1:]], *firm_rows(1)], sheet=SHEET), "unknown column"),
    (lambda p: xlsx(p / "f.xlsx", [HEADER[1:], *firm_rows(1)], sheet=SHEET), "missing column 统一社会信用代码"),
    (lambda p: xlsx(p / "f.xlsx", [], sheet=SHEET), "No header row"),
])
def test_bad_workbooks(world, tmp_path, make, expected):
    path = make(tmp_path)
    result = import_firms(path, "f.xlsx", SYSTEM)
    assert not result.ok and any(expected in str(e) for e in result.errors), result.errors
    assert Firm.objects.count() == 2


def test_text_in_a_date_cell(world, tmp_path):
    rows = firm_rows(1)
    rows[0][2] = "去年三月"
    result = import_firms(book(tmp_path, rows), "f.xlsx", SYSTEM)
    assert str(result.errors[0]) == "企业名录!C2 [成立日期] '去年三月': not a date; write it as 2024-03-01"


@pytest.mark.parametrize(("content", "name", "expected"), [
    (b"", "empty.xlsx", "is empty"),
    (b"%PDF-1.4 not a workbook at all", "report.xlsx", "not an Excel workbook"),
    (b"PK\x03\x04 broken zip", "broken.xlsx", "cannot be read as a workbook"),
    ("统一社会信用代码,企业名称\n".encode(), "firms.csv", "missing column 成立日期"),
])
def test_files_that_are_not_what_they_claim(world, tmp_path, content, name, expected):
    path = tmp_path / name
    path.write_bytes(content)
    result = import_firms(str(path), name, SYSTEM)
    assert not result.ok and expected in str(result.errors[0]), result.errors
    assert import_firms(content, name, SYSTEM).error_count >= 1  # the same from bytes (uploads)


def _bad_rows_book(path, n):
    code = credit_code("320571")
    rows = ([f"{code[:8]}{i:09d}"[:17] + "X", f"企业{i}", 45352, "人工智能", "小型", "000000"] for i in range(n))
    return xlsx(path, [HEADER, *rows], sheet=SHEET, constant_memory=True)


def test_many_rows_are_streamed_and_every_error_counted(world, tmp_path):
    """20,000 rows, each with two bad cells: every error counted past the cap of 100 listed, nothing written.
    (Speed is measured by benchmarks/stats_import.py: the 500,000-row success path and 1,000,000 bad rows.)"""
    n = 20_000
    path = _bad_rows_book(tmp_path / "big.xlsx", n)
    result = import_firms(path, "big.xlsx", SYSTEM, max_errors=100)
    assert result.rows == n and len(result.errors) == 100 and result.error_count >= n
    assert Firm.objects.count() == 2


def test_python_memory_does_not_grow_with_the_rows(world, tmp_path):
    peaks = []
    for n in (2_000, 8_000):
        path = _bad_rows_book(tmp_path / f"m{n}.xlsx", n)
        tracemalloc.start()
        import_firms(path, "m.xlsx", SYSTEM, max_errors=100)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    assert peaks[1] < peaks[0] * 2, [p / 2**20 for p in peaks]  # 4× the rows, not 4× the memory
