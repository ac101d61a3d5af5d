"""Annual reports from workbooks: template, export, import (atomic, dry run, idempotent), errors named
by sheet, row and column, the annotated error workbook, CSV, scope."""

import pytest
from python_calamine import CalamineWorkbook

from fuhua.core.models import ObjectChange
from fuhua.core.system import SYSTEM
from fuhua.statistics import services
from fuhua.statistics.definitions import form_for_year
from fuhua.statistics.exchange.annotate import write_error_workbook
from fuhua.statistics.exchange.reports import import_reports, sheet_name, write_workbook
from fuhua.statistics.models import AnnualReport, ReportStatus, ReportValue
from fuhua.statistics.testing import complete_values, report
from fuhua.statistics.views.common import carriers_for, export_rows

from .workbooks import report_book, report_header, report_row, xlsx

pytestmark = pytest.mark.django_db
YEAR = 2024


def rows_of(path, sheet=None):
    book = CalamineWorkbook.from_path(str(path))
    return book.get_sheet_by_name(sheet or book.sheet_names[0]).to_python()


def good_book(tmp_path, world, name="good.xlsx", **overrides):
    values = complete_values(form_for_year(YEAR), **overrides)
    return report_book(tmp_path / name, YEAR, [report_row(YEAR, world.carrier_a, values),
                                                report_row(YEAR, world.carrier_b, values)])


def test_template_has_one_row_per_carrier_in_scope(world, tmp_path):
    out = tmp_path / "t.xlsx"
    assert write_workbook(str(out), YEAR, carriers_for(world.users.bureau_sz)) == 1
    rows = rows_of(out, sheet_name(YEAR))
    assert rows[0][:3] == ["载体ID", "运营机构统一社会信用代码", "载体名称"]
    assert "孵化场地面积（平方米）" in rows[0] and "载体总收入（千元）" in rows[0]
    assert rows[1][0] == world.carrier_a.pk and rows[1][2] == "苏州纳米城孵化器"
    assert "填报说明" in CalamineWorkbook.from_path(str(out)).sheet_names


def test_import_dry_run_then_for_real_then_again(world, tmp_path):
    path = good_book(tmp_path, world)
    before = AnnualReport.objects.count(), ObjectChange.objects.count()
    dry = import_reports(path, "good.xlsx", YEAR, SYSTEM, dry_run=True)
    assert dry.ok and dry.created == 2 and not dry.written
    assert (AnnualReport.objects.count(), ObjectChange.objects.count()) == before
    done = import_reports(path, "good.xlsx", YEAR, SYSTEM)
    assert done.ok and done.written and done.created == 2, done.errors
    r = AnnualReport.objects.get(carrier=world.carrier_a, year=YEAR)
    assert services.values_of(r)["income_total_fen"] == 8_000_000_00 and r.status == ReportStatus.DRAFT
    assert ObjectChange.objects.filter(content_type__model="annualreport", action="create").count() == 2
    counts = AnnualReport.objects.count(), ReportValue.objects.count(), ObjectChange.objects.count()
    again = import_reports(path, "good.xlsx", YEAR, SYSTEM)
    assert again.ok and again.unchanged == 2 and again.created == again.updated == 0
    assert (AnnualReport.objects.count(), ReportValue.objects.count(), ObjectChange.objects.count()) == counts


def test_import_updates_a_draft_and_refuses_a_locked_report(world, tmp_path):
    import_reports(good_book(tmp_path, world), "good.xlsx", YEAR, SYSTEM)
    changed = good_book(tmp_path, world, "changed.xlsx", events=30)
    result = import_reports(changed, "changed.xlsx", YEAR, SYSTEM)
    assert result.ok and result.updated == 2
    AnnualReport.objects.filter(carrier=world.carrier_b).update(status=ReportStatus.ACCEPTED)
    locked = import_reports(good_book(tmp_path, world, "again.xlsx", events=31), "again.xlsx", YEAR, SYSTEM)
    assert not locked.ok and "locked" in str(locked.errors[0]) and locked.errors[0].row == 3
    assert services.values_of(AnnualReport.objects.get(carrier=world.carrier_a))["events"] == 30  # all or nothing


def test_errors_name_sheet_row_column_and_value(world, tmp_path):
    values = complete_values(form_for_year(YEAR))
    row_a = report_row(YEAR, world.carrier_a, values)
    header = report_header(YEAR)
    col = header.index("在孵企业数（家）")
    row_a[col] = "约60"
    row_b = report_row(YEAR, world.carrier_b, {**values, "staff_professional": 99})
    row_c = report_row(YEAR, world.carrier_a, values)  # the same carrier again
    path = report_book(tmp_path / "bad.xlsx", YEAR, [row_a, row_b, row_c])
    result = import_reports(path, "bad.xlsx", YEAR, SYSTEM, max_errors=50)
    assert not result.ok and not result.written and AnnualReport.objects.count() == 0
    text = [str(e) for e in result.errors]
    cell = f"年度统计2024!{chr(65 + col)}2 [在孵企业数（家）] '约60': not a number"
    assert cell in text, text
    assert any(e.startswith("年度统计2024!") and "Professional staff cannot exceed" in e for e in text), text
    assert any("already in row 2" in e and e.startswith("年度统计2024!A4") for e in text)
    out = tmp_path / "errors.xlsx"
    write_error_workbook(path, "bad.xlsx", result.errors, str(out))
    annotated = rows_of(out)
    assert annotated[1][col] == "约60" and "not a number" in annotated[1][-1]
    assert annotated[0][:len(header)] == header


@pytest.mark.parametrize(("change", "message"), [
    (lambda h: ["未知列", *h[1:]], "unknown column"),
    (lambda h: [c for c in h if c != "载体总收入（千元）"], "missing column 载体总收入（千元）"),
    (lambda h: [*h, h[5]], "appears twice"),
])
def test_wrong_headers(world, tmp_path, change, message):
    header = change(report_header(YEAR))
    path = xlsx(tmp_path / "h.xlsx", [header, [world.carrier_a.pk]], sheet=sheet_name(YEAR))
    result = import_reports(path, "h.xlsx", YEAR, SYSTEM)
    assert not result.ok and any(message in str(e) for e in result.errors), result.errors
    assert result.errors[0].row == 1


def test_scope_of_a_named_user(world, tmp_path):
    path = good_book(tmp_path, world)
    result = import_reports(path, "good.xlsx", YEAR, world.users.bureau_nj)
    assert not result.ok and result.errors[0].row == 2 and "outside your scope" in result.errors[0].message
    assert import_reports(path, "good.xlsx", YEAR, world.users.association).error_count == 2
    assert AnnualReport.objects.count() == 0


def test_wrong_credit_code_catches_shifted_rows(world, tmp_path):
    values = complete_values(form_for_year(YEAR))
    row = report_row(YEAR, world.carrier_a, values)
    row[1] = world.carrier_b.operator.credit_code
    result = import_reports(report_book(tmp_path / "s.xlsx", YEAR, [row]), "s.xlsx", YEAR, SYSTEM)
    assert not result.ok and result.errors[0].column == "B"


def test_people_typing_numbers(world, tmp_path):
    values = complete_values(form_for_year(YEAR))
    row = report_row(YEAR, world.carrier_a, values)
    header = report_header(YEAR)
    row[header.index("在孵企业数（家）")] = "６０"
    row[header.index("在孵企业从业人员（人）")] = "9,00"  # a stray separator still reads as 900
    row[header.index("载体总收入（千元）")] = "8,000"
    other = report_row(YEAR, world.carrier_b, values)
    path = report_book(tmp_path / "typed.xlsx", YEAR, [row, [], [None, " ", None], other])  # and blank rows
    result = import_reports(path, "typed.xlsx", YEAR, SYSTEM)
    assert result.ok, result.errors
    assert result.blank_rows == 2 and result.created == 2
    got = services.values_of(AnnualReport.objects.get(carrier=world.carrier_a))
    assert (got["tenants"], got["tenant_employees"], got["income_total_fen"]) == (60, 900, 8_000_000_00)


def test_csv_in_gb18030(world, tmp_path):
    import csv

    values = complete_values(form_for_year(YEAR))
    path = tmp_path / "r.csv"
    with open(path, "w", encoding="gb18030", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(report_header(YEAR))
        writer.writerow(report_row(YEAR, world.carrier_a, values))
    result = import_reports(str(path), "r.csv", YEAR, SYSTEM)
    assert result.ok and result.created == 1, result.errors


def test_export_round_trip(world, tmp_path):
    r = report(world.carrier_a, status=ReportStatus.ACCEPTED)
    carriers = list(carriers_for(SYSTEM))
    out = tmp_path / "export.xlsx"
    write_workbook(str(out), YEAR, carriers, export_rows(carriers, YEAR))
    rows = rows_of(out, sheet_name(YEAR))
    mine = next(row for row in rows if row[0] == world.carrier_a.pk)
    assert rows[0][-2:] == ["状态", "版本"] and mine[-1] == 1 and mine[-2] == "accepted"
    result = import_reports(str(out), "export.xlsx", YEAR, SYSTEM)
    assert result.ok and result.unchanged == 1, result.errors  # identical accepted figures: nothing to do
    assert services.values_of(r)["tenants"] == 60
