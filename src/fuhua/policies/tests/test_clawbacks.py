"""Clawbacks for every beneficiary kind beyond carriers: what the pack's `clawback.when` variables say ends the basis
of a payout (a designation revoked or void, a firm leaving the region within the stated period, a team that never
registered a firm, an operator's recognitions revoked, a founder's qualification void). A proposal per paid
entitlement, through the entitlement workflow, notified to the beneficiary, recovered as a negative ledger entry
that the export shows — once; and the loader's refusals."""

import datetime
import io

import pytest
from python_calamine import CalamineWorkbook

from fuhua.incubation.models import Incubation
from fuhua.policies import packs, services
from fuhua.policies.models import Entitlement, Notification, Payout
from fuhua.policies.services.ledger import export_xlsx, recover
from fuhua.policies.testing import firm_bank, high_tech
from fuhua.registry.models import Firm, FirmDesignation, Founder, Recognition, StartupTeam
from fuhua.testing import api_client as api

D = datetime.date
AS_OF = D(2025, 12, 31)
LATER = D(2026, 6, 30)
HIGH_TECH, TEAMS = "suzhou-2022-high-tech-reward", "jiangsu-2021-student-teams"
OPERATORS, PERSONS = "suzhou-2021-brand-operators", "jiangsu-2021-phd-founders"


def bank(name: str) -> dict:
    return {"account_name": name, "bank_name": "中国工商银行", "branch": "中国工商银行苏州工业园区支行",
            "account_number": "6222021102000012345"}


PAID_ON = D(2026, 1, 10)


def _paid(user, bureau, code, holder_name, *, paid_on=PAID_ON, **holder) -> Entitlement:
    """Publish, confirm the entitlement of `holder` as `user`, pay it; returns it (paid)."""
    services.publish(bureau, code, AS_OF)
    e = Entitlement.objects.get(policy__code=code, **holder)
    services.confirm(user, e, bank(holder_name) if not holder.get("firm") else firm_bank(holder["firm"]))
    services.pay(bureau, code, 2025, paid_on=paid_on, entitlement_ids=[e.pk])
    e.refresh_from_db()
    assert e.status == "paid"
    return e


def _ledger_rows(xlsx: bytes) -> list:
    return CalamineWorkbook.from_filelike(io.BytesIO(xlsx)).get_sheet_by_name("ledger").to_python()[1:]


@pytest.fixture
def paid_firm(world):
    services.sync_policies()
    world.designation = high_tech(world.firm_a, D(2025, 6, 1))
    world.paid = _paid(world.users.firm_a, world.users.bureau_sz, HIGH_TECH, "", firm=world.firm_a)
    return world


@pytest.mark.django_db
def test_firm_designation_revoked_is_clawed_back_notified_recovered_and_exported(paid_firm):
    w = paid_firm
    run = services.run_entitlements(w.users.bureau_sz, HIGH_TECH, LATER)
    assert not Entitlement.objects.filter(status="clawback").exists() and run.changed == 0  # still valid: nothing
    # the certificate revoked in March 2026 (the registry ends it early)
    FirmDesignation.objects.filter(pk=w.designation.pk).update(expires_on=D(2026, 3, 1))
    run = services.run_entitlements(w.users.bureau_sz, HIGH_TECH, LATER)
    claw = Entitlement.objects.get(status="clawback")
    assert (claw.beneficiary, claw.firm_id, claw.carrier_id, claw.amount_fen, claw.reverses_id, claw.key) == (
        "firm", w.firm_a.pk, None, -20_000_000, w.paid.pk, "high_tech_reward:clawback")
    assert "高新技术企业资格在有效期内被撤销或认定无效" in claw.explanation and run.changed == 1
    assert claw.citations[0]["article"] == "科技服务业主体培育" and claw.citations[0]["verified"] is False
    note = Notification.objects.get(entitlement=claw)
    assert (note.firm_id, note.organisation_id) == (w.firm_a.pk, None) and "200,000.00" in note.message
    # the firm sees its clawback; another firm does not; only the policy's bureau records the recovery
    assert api(w.users.firm_a).get(f"/api/v1/entitlements/{claw.pk}").status_code == 200
    assert api(w.users.firm_b).get(f"/api/v1/entitlements/{claw.pk}").status_code == 404
    assert api(w.users.bureau_nj).post(f"/api/v1/entitlements/{claw.pk}/recovery", {"reason": "追回"},
                                       content_type="application/json").status_code == 404
    entry = recover(w.users.bureau_sz, claw)
    assert (entry.kind, entry.amount_fen, entry.firm_id, entry.region_code) == (
        "recovery", -20_000_000, w.firm_a.pk, w.firm_a.region_id)
    claw.refresh_from_db()
    assert claw.status == "recovered"
    assert sum(Payout.objects.filter(firm=w.firm_a).values_list("amount_fen", flat=True)) == 0
    rows = _ledger_rows(export_xlsx(Payout.objects.filter(policy__code=HIGH_TECH)))
    assert [(r[4], r[7], r[11]) for r in rows] == [(w.firm_a.name, "payment", 200000.0),
                                                    (w.firm_a.name, "recovery", -200000.0)]
    # once: a re-run proposes nothing more and pays nothing again
    run = services.run_entitlements(w.users.bureau_sz, HIGH_TECH, LATER)
    assert (run.created, run.changed) == (0, 0)
    assert Entitlement.objects.filter(key__endswith=":clawback").count() == 1


@pytest.mark.django_db
def test_a_void_designation_and_a_firm_leaving_the_region_claw_back_but_a_natural_expiry_does_not(paid_firm):
    w = paid_firm
    # the firm moves to Nanjing and leaves its Suzhou carrier: no longer in the policy's population, still clawed back
    Firm.objects.filter(pk=w.firm_a.pk).update(region=w.regions.xw)
    Incubation.objects.filter(pk=w.inc_a.pk).update(left_on=D(2026, 3, 1))
    services.run_entitlements(w.users.bureau_sz, HIGH_TECH, LATER)
    claw = Entitlement.objects.get(status="clawback")
    assert "奖励拨付后五年内迁离苏州市" in claw.explanation and claw.amount_fen == -20_000_000
    from fuhua.policies.firm_compute import clawback_reasons

    reasons = clawback_reasons(packs.get(HIGH_TECH), LATER, [w.firm_a.pk])
    assert reasons[w.firm_a.pk]["award"].conditions == ["奖励拨付后五年内迁离苏州市"]  # the designation is valid


@pytest.mark.django_db
def test_a_designation_found_void_is_clawed_back_and_a_term_run_out_is_not(world):
    services.sync_policies()
    designation = high_tech(world.firm_a, D(2025, 6, 1))
    _paid(world.users.firm_a, world.users.bureau_sz, HIGH_TECH, "", firm=world.firm_a)
    # a natural expiry after the three-year term (read as of a day past it) is no ground
    from fuhua.policies.firm_compute import clawback_reasons

    assert clawback_reasons(packs.get(HIGH_TECH), D(2028, 12, 31), [world.firm_a.pk]) == {}
    FirmDesignation.objects.filter(pk=designation.pk).delete()  # found void: removed from the register
    reasons = clawback_reasons(packs.get(HIGH_TECH), LATER, [world.firm_a.pk])
    assert reasons[world.firm_a.pk]["award"].conditions == ["高新技术企业资格在有效期内被撤销或认定无效"]


@pytest.mark.django_db
def test_a_team_that_never_registers_a_firm_is_clawed_back_through_its_host(world):
    services.sync_policies()
    StartupTeam.objects.filter(pk=world.team_b.pk).update(student_founded=True)
    e = _paid(world.users.operator_b, world.users.bureau_js, TEAMS, world.team_b.name, team=world.team_b,
              paid_on=D(2024, 6, 1))
    services.run_entitlements(world.users.bureau_js, TEAMS, D(2025, 12, 31))  # 19 months: still time to register
    assert not Entitlement.objects.filter(status="clawback").exists()
    services.run_entitlements(world.users.bureau_js, TEAMS, LATER)  # 24 months, no firm
    claw = Entitlement.objects.get(status="clawback")
    assert (claw.team_id, claw.carrier_id, claw.amount_fen, claw.reverses_id) == (
        world.team_b.pk, world.carrier_b.pk, -5_000_000, e.pk)
    assert "资助拨付后两年内未注册企业" in claw.explanation
    note = Notification.objects.get(entitlement=claw)
    assert note.organisation_id == world.op_b.pk  # the host carrier's operator
    assert api(world.users.operator_a).get(f"/api/v1/entitlements/{claw.pk}").status_code == 404
    assert api(world.users.operator_b).get(f"/api/v1/entitlements/{claw.pk}").status_code == 200


@pytest.mark.django_db
def test_a_registered_team_keeps_its_grant(world):
    services.sync_policies()
    StartupTeam.objects.filter(pk=world.team_b.pk).update(student_founded=True)
    _paid(world.users.operator_b, world.users.bureau_js, TEAMS, world.team_b.name, team=world.team_b,
          paid_on=D(2024, 6, 1))
    StartupTeam.objects.filter(pk=world.team_b.pk).update(firm=world.firm_b)
    services.run_entitlements(world.users.bureau_js, TEAMS, LATER)
    assert not Entitlement.objects.filter(status="clawback").exists()


@pytest.mark.django_db
def test_an_operator_whose_recognition_is_revoked_later_in_the_year_returns_the_overpaid_part(world):
    services.sync_policies()
    e = _paid(world.users.operator_a, world.users.bureau_sz, OPERATORS, world.op_a.name, operator=world.op_a,
              paid_on=D(2025, 11, 1))
    assert e.amount_fen == 5_000_000
    Recognition.objects.filter(pk=world.rec_a.pk).update(revoked_on=D(2025, 12, 1), revoked_reason="复核不合格")
    services.run_entitlements(world.users.bureau_sz, OPERATORS, AS_OF)
    claw = Entitlement.objects.get(status="clawback")
    assert (claw.operator_id, claw.carrier_id, claw.amount_fen, claw.key) == (
        world.op_a.pk, None, -5_000_000, "brand_operator_reward:2025:clawback")
    assert Notification.objects.get(entitlement=claw).organisation_id == world.op_a.pk
    # the next year's run does not reach back into 2025's per-year money
    services.run_entitlements(world.users.bureau_sz, OPERATORS, LATER)
    assert Entitlement.objects.filter(status="clawback").count() == 1


@pytest.mark.django_db
def test_a_founders_doctorate_found_void_claws_back_that_grant_only(world):
    services.sync_policies()
    founder = Founder.objects.create(name="陈博士", firm=world.firm_a, education="doctorate", overseas_returnee=True)
    services.publish(world.users.bureau_js, PERSONS, AS_OF)
    for e in Entitlement.objects.filter(person=founder):
        services.confirm(world.users.firm_a, e, bank("陈博士"))
    services.pay(world.users.bureau_js, PERSONS, 2025, paid_on=D(2026, 1, 10))
    Founder.objects.filter(pk=founder.pk).update(education="master")
    services.run_entitlements(world.users.bureau_js, PERSONS, LATER)
    claw = Entitlement.objects.get(status="clawback")
    assert (claw.person_id, claw.group, claw.amount_fen) == (founder.pk, "phd", -15_000_000)
    assert "博士学位经核查不实" in claw.explanation
    assert Notification.objects.get(entitlement=claw).firm_id == world.firm_a.pk  # the founder's firm
    assert api(world.users.firm_b).get(f"/api/v1/entitlements/{claw.pk}").status_code == 404
    entry = recover(world.users.bureau_js, claw)
    assert (entry.person_id, entry.amount_fen) == (founder.pk, -15_000_000)


# --- the pack format's refusals ------------------------------------------------------------------------------


def _text(code: str) -> str:
    return (packs.PACKS_DIR / f"{code}.yaml").read_text(encoding="utf-8")


def test_a_firm_clawback_without_when_or_naming_a_non_bool_is_refused():
    text = _text(HIGH_TECH)
    without = text.replace("    when:\n      award: [designation_void, left_region]\n", "    groups: [award]\n")
    with pytest.raises(packs.PolicyError, match="when"):
        packs.load_policy_text(without, "x.yaml")
    with pytest.raises(packs.PolicyError, match="not a bool variable"):
        packs.load_policy_text(text.replace("award: [designation_void, left_region]",
                                            "award: [designation_void, paid_award_fen]"), "x.yaml")
    with pytest.raises(packs.PolicyError, match="unknown group"):
        packs.load_policy_text(text.replace("award: [designation_void, left_region]",
                                            "grant: [designation_void]"), "x.yaml")


def test_a_carrier_clawback_naming_when_is_refused():
    text = _text("suzhou-2020-carriers").replace("    percent: 100\n", "    percent: 100\n    when: {x: [y]}\n", 1)
    with pytest.raises(packs.PolicyError, match="carrier policy claws back on a revoked recognition"):
        packs.load_policy_text(text, "x.yaml")
