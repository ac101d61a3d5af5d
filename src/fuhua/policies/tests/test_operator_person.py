"""Carrier operators and persons as beneficiaries, through the whole chain like firms and teams: the population
(the registry's loaders), reach before publishing and its what-if, publication (entitlements and notices), "which
policies fit me", confirmation with bank rules, the budget queue, payment through the ledger, reversal, the
ledger export — and the refusals (another operator's or another firm's founders' entitlements, a firm paying a
founder's grant into its own account, founders outside a firm's reach)."""

import datetime
import io

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from fuhua.policies import services
from fuhua.policies.models import Budget, Entitlement, Notification, Payout, Policy
from fuhua.policies.services.ledger import export_xlsx
from fuhua.registry.models import Carrier, Founder, Organisation, Recognition
from fuhua.testing import api_client as api
from fuhua.testing import web_client

D = datetime.date
AS_OF = D(2025, 12, 31)
OPERATORS, PERSONS = "suzhou-2021-brand-operators", "jiangsu-2021-phd-founders"


def _ledger_rows(xlsx: bytes) -> list:
    return CalamineWorkbook.from_filelike(io.BytesIO(xlsx)).get_sheet_by_name("ledger").to_python()[1:]


def bank(name: str) -> dict:
    return {"account_name": name, "bank_name": "中国工商银行", "branch": "中国工商银行苏州工业园区支行",
            "account_number": "6222021102000012345"}


@pytest.fixture
def operators(world):
    """op_a (苏州工业园区) runs carrier_a, nationally recognised: 50,000 yuan. A second Suzhou operator runs a
    carrier with a municipal recognition only: one condition away. op_b is registered in Nanjing: outside."""
    services.sync_policies()
    op_c = Organisation.objects.create(name="苏州创客工场运营管理有限公司", credit_code=_code(world), kind="enterprise",
                                       region=world.regions.sz)
    carrier_c = Carrier.objects.create(name="苏州创客工场众创空间", operator=op_c, region=world.regions.sz,
                                       kind="maker_space", established=D(2018, 1, 1), incubation_area_m2=2000,
                                       tenant_area_m2=1500, workstations=120)
    Recognition.objects.create(carrier=carrier_c, level="municipal", kind="filing", carrier_kind="maker_space",
                               authority="苏州市科学技术局", document_number="苏科〔2020〕1号",
                               granted_on=D(2020, 5, 1))
    world.op_c = op_c
    return world


def _code(world) -> str:
    from fuhua.testing import credit_code

    return credit_code(world.regions.sz.code)


@pytest.fixture
def founders(world):
    """陈博士 (doctorate, returned from abroad) founded firm_a (Suzhou, 2023, a tenant of carrier_a): 150,000 +
    50,000 yuan; 刘创 (master) founded firm_b (Nanjing): close; 王博士 (doctorate) leads team_b, hosted by carrier_b
    (Nanjing): paid through the host carrier, whose operator confirms."""
    services.sync_policies()
    world.founder_a = Founder.objects.create(name="陈博士", firm=world.firm_a, education="doctorate",
                                             overseas_returnee=True)
    world.founder_b = Founder.objects.create(name="刘创", firm=world.firm_b, education="master")
    world.founder_t = Founder.objects.create(name="王博士", team=world.team_b, education="doctorate")
    return world


# --- carrier operators ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_operator_reach_publication_fit_and_notification(operators):
    w = operators
    policy = Policy.objects.get(code=OPERATORS)
    reach = api(w.users.bureau_sz).get(f"/api/v1/policies/{policy.pk}/reach", {"as_of": "2025-12-31"}).json()
    assert (reach["beneficiary"], reach["population"], reach["entitled"], reach["total_fen"], reach["close"]) == (
        "operator", 2, 1, 5_000_000, 1)
    assert reach["close_by_condition"] == [{"label": "运营的载体中至少一家获省级及以上认定", "count": 1}]
    assert reach["top"][0]["firm"] == w.op_a.name and reach["top"][0]["url"] == reverse(
        "policies:operator_fit", args=[w.op_a.pk])
    # what-if on the real population: 80,000 per carrier
    assert services.reach(w.users.bureau_sz, OPERATORS, AS_OF, {"per_carrier": 80000})["total_fen"] == 8_000_000
    done = services.publish(w.users.bureau_sz, OPERATORS, AS_OF)
    assert (done["entitlements"], done["total_fen"]) == (1, 5_000_000)
    e = Entitlement.objects.get(policy=policy)
    assert (e.beneficiary, e.operator_id, e.carrier_id, e.key) == ("operator", w.op_a.pk, None,
                                                                   "brand_operator_reward:2025")
    note = Notification.objects.get(entitlement=e)
    assert (note.organisation_id, note.firm_id) == (w.op_a.pk, None)
    # which policies fit me: the operator itself; the close operator is told what it misses
    fits = {f.policy.code: f for f in services.operator_fits(w.users.operator_a, w.op_a.pk, AS_OF)}
    assert (fits[OPERATORS].status, fits[OPERATORS].amount_fen) == ("entitled", 5_000_000)
    assert fits[OPERATORS].explanations[0]["text"].startswith("运营机构运营省级及以上载体 1 家")
    assert [x.pk for x in fits[OPERATORS].entitlements] == [e.pk]
    close = services.operator_fits(w.users.bureau_sz, w.op_c.pk, AS_OF)[0]
    assert (close.status, [m.label for m in close.missing]) == ("close", ["运营的载体中至少一家获省级及以上认定"])
    response = api(w.users.operator_a).get(f"/api/v1/operator-fits/{w.op_a.pk}")
    assert response.status_code == 200 and response.json()["fits"][0]["status"] == "entitled"
    assert api(w.users.operator_b).get(f"/api/v1/operator-fits/{w.op_a.pk}").status_code == 404
    # /policies/fit/ takes an operator to its organisation's page
    client = web_client(w.users.operator_a)
    assert client.get(reverse("policies:my_fit"))["Location"] == reverse("policies:operator_fit", args=[w.op_a.pk])
    page = client.get(reverse("policies:operator_fit", args=[w.op_a.pk]))
    assert page.status_code == 200 and "苏州市品牌化连锁运营机构奖励" in page.content.decode()


@pytest.mark.django_db
def test_operator_confirms_is_paid_reversed_and_exported_and_no_other_operator_sees_it(operators):
    w = operators
    services.publish(w.users.bureau_sz, OPERATORS, AS_OF)
    e = Entitlement.objects.get(policy__code=OPERATORS)
    url = f"/api/v1/entitlements/{e.pk}/confirmation"
    assert api(w.users.operator_b).get(f"/api/v1/entitlements/{e.pk}").status_code == 404
    assert api(w.users.operator_b).post(url, bank(w.op_b.name), content_type="application/json").status_code == 404
    assert api(w.users.firm_a).post(url, bank(w.op_a.name), content_type="application/json").status_code == 404
    response = api(w.users.operator_a).post(url, bank("苏州纳米城孵化器"), content_type="application/json")
    assert response.status_code == 422 and [x["field"] for x in response.json()["errors"]] == ["account_name"]
    assert api(w.users.operator_a).post(url, bank(w.op_a.name), content_type="application/json").status_code == 200
    paid = services.pay(w.users.bureau_sz, OPERATORS, 2025, paid_on=D(2026, 1, 10))
    assert [(p.operator_id, p.amount_fen, p.region_code) for p in paid.paid] == [(w.op_a.pk, 5_000_000,
                                                                                  w.op_a.region_id)]
    assert api(w.users.operator_a).get("/api/v1/payouts", {"policy": OPERATORS}).json()["count"] == 1
    assert api(w.users.operator_b).get("/api/v1/payouts", {"policy": OPERATORS}).json()["count"] == 0
    # a correction: the reversing entry makes the entitlement payable again; re-paid under a numbered key
    services.reverse(w.users.bureau_sz, paid.paid[0], "账户信息有误")
    e.refresh_from_db()
    assert e.status == "confirmed"
    again = services.pay(w.users.bureau_sz, OPERATORS, 2025, paid_on=D(2026, 1, 20))
    assert [p.key for p in again.paid] == ["brand_operator_reward:2025#2"]
    rows = Payout.objects.filter(policy__code=OPERATORS)
    assert sorted(rows.values_list("amount_fen", flat=True)) == [-5_000_000, 5_000_000, 5_000_000]
    ledger = _ledger_rows(export_xlsx(rows))
    assert {row[4] for row in ledger} == {w.op_a.name}
    # a re-run changes nothing (idempotent, paid stays paid)
    run = services.run_entitlements(w.users.bureau_sz, OPERATORS, AS_OF)
    assert (run.created, run.changed) == (0, 0)


@pytest.mark.django_db
def test_operator_entitlements_wait_in_the_budget_queue(operators):
    w = operators
    policy = Policy.objects.get(code=OPERATORS)
    Budget.objects.filter(policy=policy, year=2025).update(amount_fen=1_000_000)  # 10,000 yuan: too little
    services.publish(w.users.bureau_sz, OPERATORS, AS_OF)
    e = Entitlement.objects.get(policy=policy)
    assert (e.status, e.queue_position) == ("queued", 1)
    # told twice: what is due (confirm the account), then that it waits in the queue (position 1)
    assert Notification.objects.filter(organisation=w.op_a, entitlement=e).count() == 2


# --- persons (founders under a talent programme) --------------------------------------------------------


@pytest.mark.django_db
def test_person_reach_publication_and_fit_for_the_founders_firm(founders):
    w = founders
    policy = Policy.objects.get(code=PERSONS)
    reach = services.reach(w.users.bureau_js, PERSONS, AS_OF)
    assert (reach["beneficiary"], reach["population"], reach["entitled"], reach["total_fen"]) == (
        "person", 3, 2, 35_000_000)
    assert {r["firm"] for r in reach["top"]} == {"陈博士", "王博士"}
    # a bureau of Suzhou sees the totals, and rows of its own region only
    assert [r["firm"] for r in services.reach(w.users.bureau_sz, PERSONS, AS_OF)["top"]] == ["陈博士"]
    done = services.publish(w.users.bureau_js, PERSONS, AS_OF)
    assert (done["entitlements"], done["total_fen"]) == (3, 35_000_000)
    mine = Entitlement.objects.filter(policy=policy, person=w.founder_a).order_by("key")
    assert [(e.key, e.amount_fen, e.carrier_id) for e in mine] == [("phd_founder_grant", 15_000_000, None),
                                                                   ("returnee_founder_grant", 5_000_000, None)]
    # the founder's firm is notified; a team founder's grant goes through the team's host carrier and its operator
    assert Notification.objects.filter(firm=w.firm_a, entitlement__person=w.founder_a).count() == 2
    team = Entitlement.objects.get(policy=policy, person=w.founder_t)
    assert team.carrier_id == w.carrier_b.pk
    assert Notification.objects.get(entitlement=team).organisation_id == w.op_b.pk
    # which policies fit me: the firm sees its founders' person policies, with the founder named
    fits = [f for f in services.firm_fits(w.users.firm_a, w.firm_a.pk, AS_OF) if f.policy.code == PERSONS]
    assert [(f.holder, f.status, f.amount_fen) for f in fits] == [("陈博士", "entitled", 20_000_000)]
    assert sorted(x.pk for x in fits[0].entitlements) == sorted(e.pk for e in mine)
    other = [f for f in services.firm_fits(w.users.firm_b, w.firm_b.pk, AS_OF) if f.policy.code == PERSONS]
    assert [(f.holder, f.status) for f in other] == [("刘创", "close")]
    assert other[0].missing[0].label in ("具有博士学位", "海外留学归国")
    body = api(w.users.firm_a).get(f"/api/v1/firm-fits/{w.firm_a.pk}").json()
    assert [f["holder"] for f in body["fits"] if f["policy"] == PERSONS] == ["陈博士"]
    page = web_client(w.users.firm_a).get(reverse("policies:firm_fit", args=[w.firm_a.pk])).content.decode()
    assert "陈博士" in page and "江苏省双创博士及留学归国创业人才资助" in page


@pytest.mark.django_db
def test_person_grant_confirmed_by_the_firm_into_the_founders_account_and_paid(founders):
    w = founders
    services.publish(w.users.bureau_js, PERSONS, AS_OF)
    e = Entitlement.objects.get(person=w.founder_a, key="phd_founder_grant")
    url = f"/api/v1/entitlements/{e.pk}/confirmation"
    # another firm never reaches a founder's entitlement, nor the operator of the firm's carrier
    assert api(w.users.firm_b).get(f"/api/v1/entitlements/{e.pk}").status_code == 404
    assert api(w.users.firm_b).post(url, bank("陈博士"), content_type="application/json").status_code == 404
    assert api(w.users.operator_a).get(f"/api/v1/entitlements/{e.pk}").status_code == 404
    # paid into the person's own account, not the firm's
    response = api(w.users.firm_a).post(url, bank(w.firm_a.name), content_type="application/json")
    assert response.status_code == 422 and [x["field"] for x in response.json()["errors"]] == ["account_name"]
    assert api(w.users.firm_a).post(url, bank("陈博士"), content_type="application/json").status_code == 200
    paid = services.pay(w.users.bureau_js, PERSONS, 2025, paid_on=D(2026, 1, 10))
    assert [(p.person_id, p.amount_fen, p.region_code) for p in paid.paid] == [(w.founder_a.pk, 15_000_000,
                                                                                w.firm_a.region_id)]
    assert api(w.users.firm_a).get("/api/v1/payouts", {"policy": PERSONS}).json()["count"] == 1
    assert api(w.users.firm_b).get("/api/v1/payouts", {"policy": PERSONS}).json()["count"] == 0
    services.reverse(w.users.bureau_js, paid.paid[0], "重复拨付更正")
    assert Entitlement.objects.get(pk=e.pk).status == "confirmed"
    ledger = _ledger_rows(export_xlsx(Payout.objects.filter(policy__code=PERSONS)))
    assert [row[4] for row in ledger] == ["陈博士", "陈博士"]
    # paid once ever: a re-run after the re-payment owes nothing more
    services.pay(w.users.bureau_js, PERSONS, 2025, paid_on=D(2026, 1, 20))
    run = services.run_entitlements(w.users.bureau_js, PERSONS, AS_OF)
    assert (run.created, run.changed) == (0, 0)


@pytest.mark.django_db
def test_team_founders_grant_is_confirmed_by_the_host_operator(founders):
    w = founders
    services.publish(w.users.bureau_js, PERSONS, AS_OF)
    e = Entitlement.objects.get(person=w.founder_t)
    url = f"/api/v1/entitlements/{e.pk}/confirmation"
    assert api(w.users.operator_a).post(url, bank("王博士"), content_type="application/json").status_code == 404
    assert api(w.users.operator_b).post(url, bank("王博士"), content_type="application/json").status_code == 200


# --- the founders register: personal data, narrowly --------------------------------------------------------


@pytest.mark.django_db
def test_founders_are_kept_by_their_firm_and_the_region_bureau_only(founders):
    w = founders
    firm_a = api(w.users.firm_a)
    assert [f["name"] for f in firm_a.get("/api/v1/founders").json()["items"]] == ["陈博士"]
    assert firm_a.get(f"/api/v1/founders/{w.founder_b.pk}").status_code == 404
    created = firm_a.post("/api/v1/founders", {"name": "赵合伙", "firm": w.firm_a.pk, "role": "co_founder",
                                               "student": True}, content_type="application/json")
    assert created.status_code == 201 and created.json()["firm"]["id"] == w.firm_a.pk
    assert "id_number" not in created.json()  # no identity number is kept
    refused = firm_a.post("/api/v1/founders", {"name": "孙某", "firm": w.firm_b.pk},
                          content_type="application/json")
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "firm", refused.json()
    assert not Founder.objects.filter(name="孙某").exists()
    # operators do not see founders at all; the Nanjing bureau sees Nanjing's only
    assert api(w.users.operator_a).get("/api/v1/founders").status_code == 403
    names = {f["name"] for f in api(w.users.bureau_nj).get("/api/v1/founders").json()["items"]}
    assert names == {"刘创", "王博士"}
    bad = firm_a.post("/api/v1/founders", {"name": "钱某", "firm": w.firm_a.pk, "talent_title": "gusu_leading"},
                      content_type="application/json")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "title_granted_on"
    page = web_client(w.users.firm_a).get(reverse("registry:founder_list"))
    assert page.status_code == 200 and "陈博士" in page.content.decode() and "刘创" not in page.content.decode()


@pytest.mark.django_db
def test_a_new_founder_pushes_the_person_policies_for_that_firm_only(founders, django_capture_on_commit_callbacks):
    from fuhua.policies.services.push import firm_changed

    w = founders
    services.publish(w.users.bureau_js, PERSONS, AS_OF)
    before = Entitlement.objects.filter(policy__code=PERSONS).count()
    with django_capture_on_commit_callbacks(execute=True):  # the registry write triggers the push (triggers.py)
        created = api(w.users.firm_a).post("/api/v1/founders", {"name": "周博士", "firm": w.firm_a.pk,
                                                                "education": "doctorate"},
                                           content_type="application/json")
    assert created.status_code == 201
    new = Entitlement.objects.get(person_id=created.json()["id"])
    assert (new.key, new.amount_fen) == ("phd_founder_grant", 15_000_000)
    assert Entitlement.objects.filter(policy__code=PERSONS).count() == before + 1
    assert Notification.objects.filter(firm=w.firm_a, entitlement=new).count() == 1
    assert firm_changed(w.firm_a.pk, AS_OF) == {"entitlements": 0, "close": 0}  # nothing twice


def test_an_operator_pack_over_another_entity_is_refused_with_file_and_line():
    """Its rules read operator attributes a firm does not have: the engine refuses the file, naming the line."""
    from fuhua.policies import packs
    from fuhua.rules import PackError

    text = (packs.PACKS_DIR / f"{OPERATORS}.yaml").read_text(encoding="utf-8").replace("entity: operator",
                                                                                      "entity: firm")
    with pytest.raises(PackError) as error:
        packs.load_policy_text(text, "mixed.yaml")
    line = text.splitlines().index("    expression: carriers >= 1") + 1
    assert str(error.value).startswith(f"mixed.yaml:{line}: runs_carriers: unknown name 'carriers'")
