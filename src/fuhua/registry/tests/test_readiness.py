"""Adapter vs a hand-built population, the new models' validation, readiness (service, command, page, API)."""

import datetime
import json

import numpy as np
import pytest
from click.testing import CliRunner
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from fuhua import testing
from fuhua.accounts.models import ApiToken
from fuhua.incubation.models import Incubation
from fuhua.registry.cli import readiness as readiness_command
from fuhua.registry.models import (
    CarrierStaffing,
    FirmYearFigures,
    IntellectualProperty,
    Investment,
    MentorProfile,
    SeedFund,
)
from fuhua.registry.readiness import carrier_readiness, region_readiness
from fuhua.rules import Population, evaluate_population
from fuhua.rules.adapter import load_population
from fuhua.rules.adapter.packs import pack_on

pytestmark = pytest.mark.django_db
D = datetime.date
AS_OF = D(2025, 6, 30)
ASSUME = {"stats_years_consecutive": 3}  # what-if: the world has no accepted annual reports


def eligible_incubator(world):
    """carrier_a made to meet every cn-most-2018 criterion on AS_OF (with statistics assumed).

    51 tenants (with the world's firm_a), 6 financed, 25 with valid IP, 6 mentors (with the world's), 20 graduates.
    """
    c = world.carrier_a
    c.incubation_area_m2, c.tenant_area_m2 = 15000, 12000
    c.save()
    SeedFund.objects.create(carrier=c, name="种子资金", size_fen=600_000_000, established_on=D(2018, 1, 1))
    CarrierStaffing.objects.create(carrier=c, year=2025, staff_total=6, staff_professional=6, staff_fulltime=6)
    for i in range(5):
        MentorProfile.objects.create(name=f"导师{i}", industry_field="ai", region=world.regions.sz).carriers.add(c)
    for i in range(50):
        firm = testing.firm(f"在孵{i}科技有限公司", world.regions.sip, founded=D(2019, 3, 1))
        Incubation.objects.create(firm=firm, carrier=c, status="incubating", entered_on=D(2020, 1, 1))
        if i < 6:
            Investment.objects.create(firm=firm, date=D(2021, 3, 1), amount_fen=100_000_000, round="angel",
                                      investor_name="天使", from_carrier_fund=i < 3, carrier=c if i < 3 else None)
        if i < 25:
            IntellectualProperty.objects.create(firm=firm, kind="utility", number=f"ZL20202{i:07d}",
                                                applied_on=D(2020, 5, 1), granted_on=D(2020, 12, 1))
    for i in range(20):
        firm = testing.firm(f"毕业{i}科技有限公司", world.regions.sip, founded=D(2016, 3, 1))
        Incubation.objects.create(firm=firm, carrier=c, status="graduated", entered_on=D(2017, 1, 1),
                                  left_on=D(2020, 1, 1))
    return c


def test_adapter_matches_a_hand_built_population(world):
    c = eligible_incubator(world)
    loaded = load_population(AS_OF, carriers=type(c).objects.filter(pk=c.pk))
    assert loaded.as_of == AS_OF and isinstance(loaded.seconds, float) and loaded.seconds > 0
    tenants = list(Incubation.objects.filter(carrier=c).order_by("pk"))
    firms = {i.firm for i in tenants}
    financed = {i.firm_id for i in tenants if i.firm.investments.exists()}
    with_ip = {i.firm_id for i in tenants if i.firm.ip_rights.exists()}
    hand = Population.from_records({
        "carrier": [{"id": c.pk, "kind": "incubator", "established": c.established, "incubation_area_m2": 15000.0,
                     "tenant_area_m2": 12000.0, "workstations": 300, "workstation_public_area_m2": 12000.0,
                     "independent_legal_entity": True, "seed_fund_fen": 600_000_000, "fund_use_cases": 3,
                     "staff_total": 6, "staff_professional": 6, "staff_fulltime": 6, "mentors": 6,
                     "graduates_cumulative": 20}],
        "firm": [{"id": f.pk, "founded": f.founded, "industry_field": "ai", "ip_valid": int(f.pk in with_ip),
                  "patents_applied": int(f.pk in with_ip),
                  "vc_investment_cumulative_fen": 100_000_000 if f.pk in financed else 0} for f in firms],
        "incubation": [{"id": i.pk, "carrier_id": c.pk, "firm_id": i.firm_id, "entered": i.entered_on,
                        "left": i.left_on, "status": i.status, "financed": i.firm_id in financed,
                        "own_fund_equity": i.firm_id in financed and i.firm.investments.first().from_carrier_fund}
                       for i in tenants],
    })
    pack = pack_on("cn-most-2018", AS_OF).pack
    names = ["area_ok", "funding_ok", "staff_ok", "ip_ok", "tenants_ok", "graduates_ok", "tenant_count",
             "tenants_financed", "tenants_with_valid_ip"]
    ours = evaluate_population(pack, loaded.population, AS_OF, names)
    theirs = evaluate_population(pack, hand, AS_OF, names)
    row_ours = loaded.population["carrier"].row_of(c.pk)
    for rule in names:
        assert ours[rule][row_ours] == theirs[rule][0], rule
    for kind in ("carrier", "firm", "incubation"):
        order_ours = np.argsort(loaded.population[kind].ids)
        order_theirs = np.argsort(hand[kind].ids)
        assert (loaded.population[kind].ids[order_ours] == hand[kind].ids[order_theirs]).all()


def test_teams_are_stand_in_firms(world):
    loaded = load_population(AS_OF, carriers=type(world.carrier_b).objects.filter(pk=world.carrier_b.pk))
    assert -world.team_b.pk in loaded.population["firm"].ids.tolist()


@translation.override("en")  # the data source label is asserted in its English source text
def test_readiness_of_a_carrier_that_passes(world):
    c = eligible_incubator(world)
    result = carrier_readiness(c, "cn-most-2018", AS_OF, ASSUME)
    assert result["eligible"] and result["failed"] == []
    funding = next(r for r in result["criteria"] if r["rule"] == "funding_ok")
    seed = next(x for x in funding["comparisons"] if x["value_expr"] == "seed_fund_fen")
    assert (seed["value"], seed["threshold"]) == (600_000_000, 500_000_000)
    assert "第九条第3项" in funding["citation"]
    history = next(r for r in result["criteria"] if r["rule"] == "operating_history_ok")
    stats = next(d for d in history["data"] if d["attribute"] == "stats_years_consecutive")
    assert stats == {"attribute": "stats_years_consecutive", "label": "consecutive years of statistics", "value": 3,
                     "available": True, "source": "accepted annual reports, consecutive years up to last year",
                     "assumed": True}


def test_readiness_of_a_carrier_that_fails_on_a_named_criterion(world):
    c = eligible_incubator(world)
    SeedFund.objects.filter(carrier=c).update(size_fen=499_999_999)
    result = carrier_readiness(c, "cn-most-2018", AS_OF, ASSUME)
    assert not result["eligible"] and result["failed"] == ["funding_ok"]
    # Without the assumption the missing statistics fail the first criterion, and the output says why.
    plain = carrier_readiness(c, "cn-most-2018", AS_OF)
    assert "operating_history_ok" in plain["failed"] and "carrier.stats_years_consecutive" not in plain
    assert "stats_years_consecutive" not in plain["not_collected"]


def test_accepted_annual_reports_count_as_consecutive_statistics(world):
    """Without any assumption: two accepted reports (2023, 2024) meet the statistics criterion as of 2025."""
    from fuhua.statistics.models import AnnualReport, ReportStatus

    c = eligible_incubator(world)
    for year in (2023, 2024):
        AnnualReport.objects.create(carrier=c, year=year, form_code="torch-2023", status=ReportStatus.ACCEPTED)
    AnnualReport.objects.create(carrier=c, year=2022, form_code="torch-2023", status=ReportStatus.RETURNED)
    result = carrier_readiness(c, "cn-most-2018", AS_OF)
    assert result["eligible"], result["failed"]
    used = {d["attribute"]: d["value"] for r in result["criteria"] for d in r["data"]}
    assert used["stats_years_consecutive"] == 2  # the returned 2022 report does not count


def test_hardship_lowers_the_seed_fund_threshold(world):
    c = eligible_incubator(world)
    world.regions.sip.is_hardship = True
    world.regions.sip.save()
    SeedFund.objects.filter(carrier=c).update(size_fen=400_000_000)
    result = carrier_readiness(c, "cn-most-2018", AS_OF, ASSUME)
    funding = next(r for r in result["criteria"] if r["rule"] == "funding_ok")
    assert funding["passed"] and funding["comparisons"][0]["threshold"] == 400_000_000


def test_region_readiness_is_scoped_and_vectorised(world):
    eligible_incubator(world)
    sz = region_readiness(type(world.carrier_a).objects.restrict(world.users.bureau_sz), "cn-most-2018", AS_OF)
    assert sz["judged"] == 1 and sz["closest"][0]["failed"] == ["operating_history_ok"]
    nj = region_readiness(type(world.carrier_a).objects.restrict(world.users.bureau_nj), "cn-most-2018", AS_OF)
    assert nj["judged"] == 0  # carrier_b is a maker space; carrier_a is outside Nanjing


def test_readiness_command_exit_code_and_json(world):
    c = eligible_incubator(world)
    runner = CliRunner()
    as_sz = ["--user", world.users.bureau_sz.username]
    args = [str(c.pk), "--pack", "cn-most-2018", "--as-of", "2025-06-30", "--json", *as_sz]
    ok = runner.invoke(readiness_command, [*args, "--assume", "stats_years_consecutive=3"])
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.output)["eligible"] is True
    failing = runner.invoke(readiness_command, [c.name, "--pack", "cn-most-2018", "--as-of", "2025-06-30", *as_sz])
    assert failing.exit_code == 1 and "operating_history_ok" in failing.output
    assert runner.invoke(readiness_command, ["没有这个载体", *as_sz]).exit_code == 2
    assert runner.invoke(readiness_command, [str(c.pk), "--pack", "no-such-pack", *as_sz]).exit_code == 2
    # Scoped: Nanjing's bureau cannot see a Suzhou carrier, so it is not found.
    hidden = runner.invoke(readiness_command, [*args[:-2], "--user", world.users.bureau_nj.username])
    assert hidden.exit_code == 2 and "No carrier" in hidden.output


def test_readiness_page_and_api_are_scoped(world):
    c = world.carrier_a
    page = reverse("registry:carrier_readiness", kwargs={"pk": c.pk})
    inside, outside = Client(), Client()
    inside.force_login(world.users.bureau_sz)
    outside.force_login(world.users.bureau_nj)
    response = inside.get(page, {"pack": "cn-most-2018", "as_of": "2025-06-30"})
    assert response.status_code == 200 and "第九条" in response.content.decode()
    assert outside.get(page).status_code == 404
    token = ApiToken.issue(world.users.bureau_nj, "t")[1]
    api = Client(headers={"Authorization": f"Bearer {token}"})
    assert api.get(f"/api/v1/carriers/{c.pk}/readiness").status_code == 404
    token = ApiToken.issue(world.users.bureau_sz, "t")[1]
    api = Client(headers={"Authorization": f"Bearer {token}"})
    body = api.get(f"/api/v1/carriers/{c.pk}/readiness", {"pack": "cn-most-2018", "as_of": "2025-06-30"}).json()
    assert body["pack"] == "cn-most-2018" and body["rule"] == "eligible_national"


def test_region_page_is_for_bureau_staff(world):
    url = reverse("registry:readiness_region")
    bureau, operator = Client(), Client()
    bureau.force_login(world.users.bureau_sz)
    operator.force_login(world.users.operator_a)
    assert bureau.get(url, {"pack": "cn-most-2018", "as_of": "2025-06-30"}).status_code == 200
    assert operator.get(url).status_code == 403


def test_detail_pages_show_the_checks(world):
    client = Client()
    client.force_login(world.users.bureau_sz)
    html = client.get(reverse("incubation:incubation_detail", kwargs={"pk": world.inc_a.pk})).content.decode()
    assert 'data-check="time_limit"' in html and "第九条" in html
    html = client.get(reverse("registry:firm_detail", kwargs={"pk": world.firm_a.pk})).content.decode()
    assert "journey-steps" in html and 'data-check="graduation"' in html
    html = client.get(reverse("registry:carrier_detail", kwargs={"pk": world.carrier_a.pk})).content.decode()
    assert "graduation-proposals" in html


@pytest.mark.parametrize(("model", "data", "field"), [
    (Investment, {"amount_fen": -1, "date": D(2024, 1, 1), "round": "angel", "investor_name": "x"}, "amount_fen"),
    (Investment, {"amount_fen": 1, "date": D(2099, 1, 1), "round": "angel", "investor_name": "x"}, "date"),
    (Investment, {"amount_fen": 1, "date": D(2024, 1, 1), "round": "angel", "investor_name": "x",
                  "from_carrier_fund": True}, "carrier"),
    (FirmYearFigures, {"year": 2024, "revenue_fen": -5}, "revenue_fen"),
    (IntellectualProperty, {"kind": "invention", "number": "1", "applied_on": D(2024, 1, 1),
                            "granted_on": D(2024, 6, 1), "lapsed_on": D(2024, 3, 1)}, "lapsed_on"),
    (IntellectualProperty, {"kind": "invention", "number": "1", "applied_on": D(2024, 1, 1),
                            "granted_on": D(2023, 6, 1)}, "granted_on"),
])
def test_firm_facts_validation_names_the_field(world, model, data, field):
    with pytest.raises(ValidationError) as exc:
        model(firm=world.firm_a, **data).full_clean()
    assert field in exc.value.message_dict


def test_staffing_professional_cannot_exceed_total(world):
    with pytest.raises(ValidationError) as exc:
        CarrierStaffing(carrier=world.carrier_a, year=2024, staff_total=3, staff_professional=4,
                        staff_fulltime=3).full_clean()
    assert "staff_professional" in exc.value.message_dict


@pytest.mark.parametrize("label", sorted(testing.RULES_FACT_FACTORIES))
def test_fact_factories_and_scope(world, label):
    obj = testing.RULES_FACT_FACTORIES[label].create(world)
    model = type(obj)
    assert model.objects.restrict(world.users.bureau_sz).filter(pk=obj.pk).exists()
    assert not model.objects.restrict(world.users.bureau_nj).filter(pk=obj.pk).exists()
    assert model.objects.restrict(world.users.operator_a, "change").filter(pk=obj.pk).exists()
    assert not model.objects.restrict(world.users.operator_b).filter(pk=obj.pk).exists()
