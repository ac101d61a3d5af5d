"""F8: a missing optional column leaves values untouched; CSV encodings detected (UTF-8 with or without BOM,
GB18030) and anything else refused by name; bulk updates and report imports audit every figure with
before and after."""

import csv
import io

import pytest
from django.contrib.contenttypes.models import ContentType

from fuhua.core.models import ObjectChange
from fuhua.core.system import SYSTEM
from fuhua.registry.models import Firm
from fuhua.statistics.definitions import form_for_year
from fuhua.statistics.exchange.firms import import_firms
from fuhua.statistics.exchange.reading import FileProblem, open_table
from fuhua.statistics.exchange.reports import import_reports
from fuhua.statistics.models import ReportStatus, ReportValue
from fuhua.statistics.testing import complete_values, report

from .workbooks import report_header, report_row

pytestmark = pytest.mark.django_db
NO_SIZE = ["统一社会信用代码", "企业名称", "成立日期", "行业领域", "注册地区划代码"]


def firm_csv(firm, name=None, encoding="utf-8-sig", header=NO_SIZE) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerow([firm.credit_code, name or firm.name, firm.founded.isoformat(), firm.get_industry_field_display(),
                     firm.region_id][:len(header)])
    return out.getvalue().encode(encoding)


def test_a_firm_file_without_the_size_column_leaves_sizes_alone(world):
    firm = world.firm_a
    firm.size_class = "medium"
    firm.save()
    dry = import_firms(firm_csv(firm), "firms.csv", SYSTEM, dry_run=True)
    assert dry.ok and dry.unchanged == 1 and dry.updated == 0, dry.errors
    done = import_firms(firm_csv(firm, name="苏州改名传感科技有限公司"), "firms.csv", SYSTEM)
    assert done.ok and done.updated == 1 and done.written, done.errors
    firm.refresh_from_db()
    assert firm.size_class == "medium" and firm.name == "苏州改名传感科技有限公司"
    entry = ObjectChange.objects.filter(content_type=ContentType.objects.get_for_model(Firm), object_id=str(firm.pk),
                                        action="update").latest("pk")
    assert entry.before["name"] == "苏州微纳传感科技有限公司" and entry.after["name"] == "苏州改名传感科技有限公司"
    assert entry.before["size_class"] == entry.after["size_class"] == "medium"


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_utf8_with_and_without_bom_and_gb18030_are_read(world, encoding):
    result = import_firms(firm_csv(world.firm_a, encoding=encoding), "firms.csv", SYSTEM, dry_run=True)
    assert result.ok and result.unchanged == 1, result.errors


def test_latin1_is_refused_by_name():
    data = "Société,Müller,café\nélan,Zoë,naïve\n".encode("latin-1")
    with pytest.raises(FileProblem) as err:
        open_table(data, "latin.csv")
    assert str(err.value).startswith("latin.csv is not in UTF-8 or GB18030 (it looks like cp125")
    assert "CSV UTF-8 (comma delimited)" in str(err.value)


def test_an_undecidable_file_is_refused():
    with pytest.raises(FileProblem) as err:
        open_table(bytes(range(128, 256)) * 3, "noise.csv")
    assert str(err.value).startswith("The encoding of noise.csv cannot be told (neither UTF-8 nor GB18030)")


def test_bytes_that_break_the_encoding_later_in_the_file_are_refused(world):
    good = firm_csv(world.firm_a, encoding="utf-8")
    filler = b",,,,\n" * 15_000  # blank rows, past the 64 KB the detection looks at
    data = good + filler + b"\xff\xfe broken\n"
    result = import_firms(data, "late.csv", SYSTEM)
    assert not result.ok and not result.written
    assert any("late.csv is not valid UTF-8 after row" in e.message for e in result.errors), result.errors


def test_report_import_audits_every_figure_with_before_and_after(world):
    year = 2024
    values = complete_values(form_for_year(year))
    draft = report(world.carrier_a, year=year, status=ReportStatus.DRAFT, values=values)
    changed = {**values, "tenants": values["tenants"] + 5}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(report_header(year))
    writer.writerow(report_row(year, world.carrier_a, changed))
    writer.writerow(report_row(year, world.carrier_b, values))
    result = import_reports(out.getvalue().encode(), "r.csv", year, SYSTEM)
    assert result.ok and result.updated == 1 and result.created == 1, result.errors
    value_type = ContentType.objects.get_for_model(ReportValue)
    tenants = ReportValue.objects.get(report=draft, code="tenants")
    entry = ObjectChange.objects.get(content_type=value_type, object_id=str(tenants.pk), action="update")
    assert entry.before["value"] == values["tenants"] and entry.after["value"] == values["tenants"] + 5
    assert entry.after["origin"] == "imported"
    new_report = world.carrier_b.annual_reports.get(year=year)
    created = ObjectChange.objects.filter(content_type=value_type, action="create",
                                          object_id__in=[str(pk) for pk in new_report.values.values_list("pk",
                                                                                                         flat=True)])
    assert created.count() == new_report.values.count() > 0
