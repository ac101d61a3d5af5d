"""The same flows through the API, the command line and the pages; what-if never touches real data."""

import datetime
import io
import json

import pytest
from click.testing import CliRunner
from django.test import Client
from django.urls import reverse
from python_calamine import CalamineWorkbook

from fuhua.core.models import ObjectChange
from fuhua.policies import cli, services
from fuhua.policies.models import Entitlement, Notification, Payout, Policy
from fuhua.policies.testing import suzhou
from fuhua.testing import api_client as api

D = datetime.date
AS_OF = "2025-06-30"


@pytest.fixture
def sz(world):
    services.sync_policies()
    return suzhou(world)


@pytest.mark.django_db
def test_api_run_confirm_pay_and_ledger(world, sz):
    policy = Policy.objects.get(code="suzhou-2020-carriers")
    bureau, operator = api(world.users.bureau_sz), api(world.users.operator_a)
    computed = bureau.get(f"/api/v1/policies/{policy.pk}/entitlements", {"as_of": AS_OF}).json()
    assert computed["total_fen"] == 140_000_000 and len(computed["entitlements"]) == 4
    assert operator.post(f"/api/v1/policies/{policy.pk}/runs", {"as_of": AS_OF},
                         content_type="application/json").status_code == 403
    run = bureau.post(f"/api/v1/policies/{policy.pk}/runs", {"as_of": AS_OF}, content_type="application/json")
    assert run.status_code == 201 and run.json()["created"] == 4
    mine = operator.get("/api/v1/entitlements", {"policy": "suzhou-2020-carriers"}).json()
    assert mine["count"] == 4 and all(item["citations"] for item in mine["items"])
    first = mine["items"][0]["id"]
    missing = operator.post(f"/api/v1/entitlements/{first}/confirmation", {}, content_type="application/json")
    assert missing.status_code == 422
    done = operator.post(f"/api/v1/entitlements/{first}/confirmation",
                         {"account_name": "苏州纳米科技发展有限公司", "bank_name": "中国银行",
                          "account_number": "6222021102003456"},
                         content_type="application/json")
    assert done.status_code == 200 and done.json()["status"] == "confirmed"
    paid = bureau.post(f"/api/v1/policies/{policy.pk}/payouts", {"year": 2025}, content_type="application/json")
    assert paid.json()["paid"] == 1
    payout = Payout.objects.get()
    assert operator.get(f"/api/v1/payouts/{payout.pk}").status_code == 200
    assert api(world.users.operator_b).get(f"/api/v1/payouts/{payout.pk}").status_code == 404
    reversal = bureau.post(f"/api/v1/payouts/{payout.pk}/reversal", {"reason": "重复"},
                           content_type="application/json")
    assert reversal.status_code == 201 and reversal.json()["amount_fen"] == -payout.amount_fen
    ledger = bureau.get(f"/api/v1/policies/{policy.pk}/ledger").json()
    assert ledger["reconciles"] and ledger["total_fen"] == 0


@pytest.mark.django_db
def test_simulation_reports_cost_regions_and_gainers_without_writing(world, sz):
    policy = Policy.objects.get(code="suzhou-2020-carriers")
    client = api(world.users.bureau_sz)
    before = (ObjectChange.objects.count(), Entitlement.objects.count(), Payout.objects.count())
    response = client.get(f"/api/v1/policies/{policy.pk}/simulation", {
        "as_of": AS_OF, "set": [
            "incubator_operating_max=800000",
            "incubator_construction={municipal: 50000000, provincial: 40000000, national: 45000000}"]})
    out = response.json()
    assert response.status_code == 200, out
    assert (out["baseline_fen"], out["simulated_fen"]) == (140_000_000, 185_000_000)
    assert (out["gainers"], out["losers"]) == (2, 0)
    assert {r["region"]: r["simulated_fen"] for r in out["by_region"]} == {
        "320500": 60_000_000, "320571": 80_000_000, "320585": 45_000_000}
    assert (ObjectChange.objects.count(), Entitlement.objects.count(), Payout.objects.count()) == before
    refused = client.get(f"/api/v1/policies/{policy.pk}/simulation",
                                             {"as_of": AS_OF, "set": ["construction_cap=100000"]})
    assert refused.status_code == 422 and "below the fixed amount" in refused.json()["message"] + json.dumps(
        refused.json()["errors"], ensure_ascii=False)


@pytest.mark.django_db
def test_cli_entitlements_and_simulate(world, sz, tmp_path):
    runner = CliRunner()
    as_sz = ["--user", world.users.bureau_sz.username]
    out = runner.invoke(cli.entitlements, ["--policy", "taicang-2021-carriers", "--as-of", AS_OF, "--json", *as_sz])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["total_fen"] == 200_000_000 and data["entitlements"][0]["citations"]
    text = runner.invoke(cli.entitlements, ["--policy", "suzhou-2020-carriers", "--as-of", AS_OF, *as_sz])
    assert "4 entitlement(s)" in text.output and "1,400,000.00" in text.output
    # Scoped like the web: Nanjing's bureau sees none of Suzhou's carriers, nor their amounts.
    elsewhere = runner.invoke(cli.entitlements, ["--policy", "suzhou-2020-carriers", "--as-of", AS_OF,
                                                 "--user", world.users.bureau_nj.username])
    assert elsewhere.exit_code == 0 and "0 entitlement(s)" in elsewhere.output, elsewhere.output
    assert "1,400,000.00" not in elsewhere.output
    assert runner.invoke(cli.entitlements, ["--policy", "suzhou-2020-carriers"]).exit_code == 2  # --user required
    sim = runner.invoke(cli.policy, ["simulate", "--policy", "taicang-2021-carriers", "--as-of", AS_OF,
                                     "--set", "award_incubator_like={national: 300000000, provincial: 100000000}",
                                     "--set", "award_max=3000000", "--json", *as_sz])
    assert sim.exit_code == 0, sim.output
    assert json.loads(sim.output)["simulated_fen"] == 300_000_000
    bad = runner.invoke(cli.policy, ["simulate", "--policy", "taicang-2021-carriers", "--set", "award_max=1",
                                     *as_sz])
    assert bad.exit_code != 0 and "below the fixed amount" in bad.output
    unknown = runner.invoke(cli.entitlements, ["--policy", "nope", "--as-of", AS_OF, *as_sz])
    assert unknown.exit_code != 0 and "unknown policy" in unknown.output
    ledger = tmp_path / "ledger.xlsx"
    exported = runner.invoke(cli.policy, ["export", "--out", str(ledger), *as_sz])
    assert exported.exit_code == 0 and "(0 ledger rows)" in exported.output and ledger.stat().st_size > 0


@pytest.mark.django_db
def test_pages_dashboard_notification_confirm_and_export(world, sz):
    services.run_entitlements(world.users.bureau_sz, "suzhou-2020-carriers", D(2025, 6, 30))
    operator = Client()
    operator.force_login(world.users.operator_a)
    dashboard = operator.get(reverse("dashboard")).content.decode()
    assert 'data-card="notifications"' in dashboard
    e = Entitlement.objects.get(carrier=sz.maker)
    page = operator.get(reverse("policies:entitlement_detail", kwargs={"pk": e.pk})).content.decode()
    assert "一、1" in page and "account_number" in page
    response = operator.post(reverse("policies:entitlement_confirm", kwargs={"pk": e.pk}), {
        "account_name": "苏州纳米科技发展有限公司", "bank_name": "中国银行", "account_number": "6222021102003456"})
    assert response.status_code == 302
    e.refresh_from_db()
    assert e.status == "confirmed"
    note = Notification.objects.filter(organisation=world.op_a).first()
    operator.post(reverse("policies:notification_read", kwargs={"pk": note.pk}))
    note.refresh_from_db()
    assert note.read_at is not None
    bureau = Client()
    bureau.force_login(world.users.bureau_sz)
    policy = Policy.objects.get(code="suzhou-2020-carriers")
    detail = bureau.get(reverse("policies:policy_detail", kwargs={"pk": policy.pk}),
                        {"as_of": "2025-06-30", "settings": "incubator_operating_max=800000"})
    assert detail.status_code == 200 and "data-simulation-total" in detail.content.decode()
    bureau.post(reverse("policies:policy_pay", kwargs={"pk": policy.pk}), {"year": 2025})
    assert Payout.objects.count() == 1
    xlsx = bureau.get(reverse("policies:payout_export"))
    book = CalamineWorkbook.from_filelike(io.BytesIO(xlsx.content))
    rows = book.get_sheet_by_name("ledger").to_python()
    assert rows[1][2] == "suzhou-2020-carriers" and rows[1][11] == 200_000.0
    totals = book.get_sheet_by_name("totals").to_python()
    assert totals[-1][0] == "reconciles"
    for name in ("policies:policy_list", "policies:entitlement_list", "policies:payout_list",
                 "policies:application_list", "policies:call_list"):
        assert bureau.get(reverse(name)).status_code == 200, name
