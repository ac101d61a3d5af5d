"""Firm-level policies end to end: which policies fit a firm (computed from the packs' conditions), publication
with its reach, the push on a firm's data change, confirmation with bank rules, payment through the ledger,
feedback after payment — and the refusals (another firm's entitlement, bad bank details, unknown beneficiary
kinds, out-of-scope firms)."""

import datetime
import json

import pytest
from click.testing import CliRunner
from django.urls import reverse

from fuhua.policies import cli, packs, services
from fuhua.policies.models import Entitlement, FitNotice, Notification, Payout, Policy
from fuhua.policies.services.push import firm_changed
from fuhua.policies.testing import firm_bank, high_tech
from fuhua.registry.models import FirmYearFigures, Investment, StartupTeam
from fuhua.testing import api_client as api
from fuhua.testing import web_client

D = datetime.date
AS_OF = D(2025, 12, 31)
HIGH_TECH, SRDI, FINANCING = "suzhou-2022-high-tech-reward", "suzhou-2022-srdi-reward", "suzhou-2022-first-financing"


@pytest.fixture
def firms(world):
    """firm_a (苏州工业园区, a tenant of carrier_a) newly recognised 高新技术企业 in 2025; the Suzhou high-tech and
    专精特新 rewards published as of 2025-12-31 (the first-financing reward not yet)."""
    services.sync_policies()
    high_tech(world.firm_a, D(2025, 6, 1))
    for code in (HIGH_TECH, SRDI):
        services.publish(world.users.bureau_sz, code, AS_OF)
    return world


@pytest.mark.django_db
def test_which_policies_fit_a_firm_entitled_close_and_with_citations(firms):
    w = firms
    fits = {f.policy.code: f for f in services.firm_fits(w.users.firm_a, w.firm_a.pk, AS_OF)}
    assert sorted(fits) == [HIGH_TECH, SRDI]  # published and covering Suzhou only (not Jiangning, not unpublished)
    entitled = fits[HIGH_TECH]
    assert (entitled.status, entitled.amount_fen) == ("entitled", 20_000_000)
    assert "科技服务业主体培育" in entitled.explanations[0]["text"]
    assert entitled.explanations[0]["citations"][0]["article"] == "科技服务业主体培育"
    assert [e.status for e in entitled.entitlements] == ["proposed"]  # saved by the publication
    close = fits[SRDI]
    assert close.status == "close"
    assert [m.label for m in close.missing] == ["本年度首次认定为专精特新中小企业"]
    assert close.missing[0].citations[0]["document"] == "苏府〔2022〕91号"
    # the bureau of the firm's city sees the same; another city's bureau gets a 404
    bureau = {f.policy.code: f.status for f in services.firm_fits(w.users.bureau_sz, w.firm_a.pk, AS_OF)}
    assert bureau == {HIGH_TECH: "entitled", SRDI: "close"}
    assert api(w.users.bureau_nj).get(f"/api/v1/firm-fits/{w.firm_a.pk}").status_code == 404
    assert api(w.users.firm_b).get(f"/api/v1/firm-fits/{w.firm_a.pk}").status_code == 404
    # the close firm was told what it misses, once
    assert FitNotice.objects.filter(firm=w.firm_a, fit="close").count() == 1
    assert Notification.objects.filter(firm=w.firm_a, message__contains="专精特新").count() == 1


@pytest.mark.django_db
def test_firm_confirms_with_bank_rules_is_paid_through_the_ledger_and_rates(firms):
    w = firms
    e = Entitlement.objects.get(firm=w.firm_a, policy__code=HIGH_TECH)
    firm, other = api(w.users.firm_a), api(w.users.firm_b)
    url = f"/api/v1/entitlements/{e.pk}/confirmation"
    assert other.post(url, firm_bank(w.firm_a), content_type="application/json").status_code == 404
    bad = {**firm_bank(w.firm_a), "account_number": "62-22", "bank_name": "微信钱包", "branch": "园区",
           "account_name": "别的公司"}
    response = firm.post(url, bad, content_type="application/json")
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"account_number", "bank_name", "branch", "account_name"}, response.json()
    assert firm.post(url, firm_bank(w.firm_a), content_type="application/json").status_code == 200
    paid = services.pay(w.users.bureau_sz, HIGH_TECH, 2025, paid_on=D(2026, 1, 10))
    assert [p.firm_id for p in paid.paid] == [w.firm_a.pk] and paid.total_fen == 20_000_000
    payout = Payout.objects.get(entitlement=e)
    assert (payout.region_code, payout.carrier_id) == (w.firm_a.region_id, None)
    assert api(w.users.firm_a).get("/api/v1/payouts").json()["count"] == 1
    # feedback after payment, once; the bureau reads the result per policy
    feedback = {"rating": 5, "paid_on_time": True, "no_paperwork": True, "comment": "无需申报，很方便"}
    assert firm.post(f"/api/v1/entitlements/{e.pk}/feedback", feedback,
                     content_type="application/json").status_code == 201
    assert firm.post(f"/api/v1/entitlements/{e.pk}/feedback", feedback,
                     content_type="application/json").status_code == 409
    policy = Policy.objects.get(code=HIGH_TECH)
    summary = api(w.users.bureau_sz).get(f"/api/v1/policies/{policy.pk}/feedback").json()
    assert (summary["answers"], summary["mean_rating"], summary["paid_on_time_share"]) == (1, 5.0, 1.0)


@pytest.mark.django_db
def test_feedback_before_payment_is_refused(firms):
    e = Entitlement.objects.get(firm=firms.firm_a, policy__code=HIGH_TECH)
    response = api(firms.users.firm_a).post(f"/api/v1/entitlements/{e.pk}/feedback", {"rating": 4},
                                            content_type="application/json")
    assert response.status_code == 409


@pytest.mark.django_db
def test_reach_before_publishing_then_push_on_an_investment(firms):
    w = firms
    policy = Policy.objects.get(code=FINANCING)
    reach = api(w.users.bureau_sz).get(f"/api/v1/policies/{policy.pk}/reach", {"as_of": "2025-12-31"}).json()
    assert (reach["published_on"], reach["entitled"], reach["total_fen"], reach["close"]) == (None, 0, 0, 1)
    assert reach["close_by_condition"][0]["label"].startswith("本年度获得首次股权融资")
    assert services.firm_fits(w.users.firm_a, w.firm_a.pk, AS_OF)[0].policy.code == HIGH_TECH  # unpublished unseen
    # what-if on the real population: a lower threshold does not change who is one condition away
    lower = services.reach(w.users.bureau_sz, FINANCING, AS_OF, {"min_round": 100000})
    assert lower["close"] == 1
    done = services.publish(w.users.bureau_sz, FINANCING, AS_OF)
    assert (done["entitlements"], done["close"]) == (0, 1)
    assert api(w.users.bureau_sz).post(f"/api/v1/policies/{policy.pk}/publication", {},
                                       content_type="application/json").status_code == 409
    # the firm's first financing arrives: the push computes its reward and notifies it
    Investment.objects.create(firm=w.firm_a, date=D(2025, 9, 1), amount_fen=300_000_000, round="angel",
                              investor_name="苏州元禾")
    assert firm_changed(w.firm_a.pk, AS_OF)["entitlements"] == 1
    e = Entitlement.objects.get(firm=w.firm_a, policy__code=FINANCING)
    assert e.amount_fen == 15_000_000 and Notification.objects.filter(entitlement=e).count() == 1
    assert firm_changed(w.firm_a.pk, AS_OF) == {"entitlements": 0, "close": 0}  # idempotent: nothing twice


@pytest.mark.django_db
def test_rd_reward_near_miss_names_the_gap_and_team_grant_goes_through_the_host(world):
    from fuhua.registry.models import Region

    services.sync_policies()
    jiangning = Region.objects.get_or_create(code="320115", defaults={"name": "江宁区", "level": "county",
                                                                        "parent": world.regions.nj})[0]
    world.firm_b.region = jiangning
    world.firm_b.save()
    high_tech(world.firm_b, D(2023, 3, 1))
    FirmYearFigures.objects.create(firm=world.firm_b, year=2024, rd_spend_fen=15_000_000)
    services.publish(world.users.bureau_nj, "jiangning-2020-rd-reward", AS_OF)
    fit = services.firm_fits(world.users.firm_b, world.firm_b.pk, AS_OF)[0]
    assert fit.status == "close"
    assert [(m.label, m.gap_fen) for m in fit.missing] == [("上年研发投入不低于门槛（20万元）", 5_000_000)]
    # a student team incubated in Nanjing: its grant is confirmed by the host carrier's operator
    StartupTeam.objects.filter(pk=world.team_b.pk).update(student_founded=True)
    run = services.run_entitlements(world.users.bureau_js, "jiangsu-2021-student-teams", AS_OF)
    grant = Entitlement.objects.get(policy__code="jiangsu-2021-student-teams")
    assert (run.created, grant.team_id, grant.carrier_id, grant.amount_fen) == (
        1, world.team_b.pk, world.carrier_b.pk, 5_000_000)
    assert services.may_confirm(world.users.operator_b, grant) and not services.may_confirm(world.users.operator_a,
                                                                                            grant)


@pytest.mark.django_db
def test_pages_and_cli(firms):
    w = firms
    page = web_client(w.users.firm_a).get(reverse("policies:my_fit"), {"as_of": "2025-12-31"})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-fit="entitled"' in html and 'data-fit="close"' in html and "科技服务业主体培育" in html
    other_city = web_client(w.users.bureau_nj).get(reverse("policies:firm_fit", kwargs={"pk": w.firm_a.pk}))
    assert other_city.status_code == 404
    policy = Policy.objects.get(code=FINANCING)
    reach = web_client(w.users.bureau_sz).get(reverse("policies:policy_reach", kwargs={"pk": policy.pk}),
                                              {"as_of": "2025-12-31", "settings": ""})
    assert reach.status_code == 200 and 'data-reach="close">1<' in reach.content.decode()
    out = CliRunner().invoke(cli.policy, ["fit", "--firm", str(w.firm_a.pk), "--as-of", "2025-12-31", "--json",
                                          "--user", "firm_a"])
    assert out.exit_code == 0, out.output
    assert [f["status"] for f in json.loads(out.output)] == ["entitled", "close"]
    out = CliRunner().invoke(cli.policy, ["reach", "--policy", FINANCING, "--as-of", "2025-12-31", "--user",
                                          "bureau_sz"])
    assert out.exit_code == 0 and "1 one condition away" in out.output, out.output


def test_a_pack_naming_an_unknown_beneficiary_kind_is_refused_with_file_and_line():
    text = (packs.PACKS_DIR / "jiangning-2020-rd-reward.yaml").read_text(encoding="utf-8")
    line = text.splitlines().index("  beneficiary: firm") + 1
    with pytest.raises(packs.PolicyError) as error:
        packs.load_policy_text(text.replace("  beneficiary: firm", "  beneficiary: founder"), "rd.yaml")
    assert str(error.value).startswith(f"rd.yaml:{line}: ")
    assert "unknown beneficiary kind 'founder'; known: carrier, firm, team" in str(error.value)
    wrong_entity = text.replace("  beneficiary: firm", "  beneficiary: team")
    with pytest.raises(packs.PolicyError, match=f"rd.yaml:{line}: .*pack's entity is 'firm'"):
        packs.load_policy_text(wrong_entity, "rd.yaml")
