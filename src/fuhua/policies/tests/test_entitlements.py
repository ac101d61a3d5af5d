"""免申即享 runs, confirmations, payments, the budget queue, clawbacks and the append-only ledger."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from fuhua.policies import services
from fuhua.policies.compute import compute
from fuhua.policies.models import Budget, Entitlement, EntitlementStatus, LedgerError, Notification, Payout
from fuhua.policies.services.ledger import ledger_totals, recover
from fuhua.policies.testing import recognise, suzhou

D = datetime.date
AS_OF = D(2025, 6, 30)
BANK = {"account_name": "苏州纳米科技发展有限公司", "bank_name": "中国银行苏州工业园区支行",
        "account_number": "6222021102003456789"}
SZ2020 = "suzhou-2020-carriers"


def amounts(code=SZ2020, day=AS_OF):
    return {(e.carrier_id, e.key): e.amount_fen for e in Entitlement.objects.filter(policy__code=code)
            if e.status != EntitlementStatus.CANCELLED and e.as_of <= day}


def confirm_all(world, code=SZ2020):
    for e in Entitlement.objects.filter(policy__code=code, status__in=["proposed", "queued"]):
        services.confirm(world.users.operator_a, e, BANK)


@pytest.fixture
def sz(world):
    services.sync_policies()
    return suzhou(world)


@pytest.mark.django_db
def test_a_run_computes_everyones_entitlements_with_the_articles_and_notifies(world, sz):
    run = services.run_entitlements(world.users.bureau_sz, SZ2020, AS_OF)
    assert amounts() == {
        (world.carrier_a.pk, "incubator_operating:2025"): 50_000_000,  # B for 2024, 二、2
        (sz.maker.pk, "maker_space_construction:municipal"): 20_000_000,  # 一、1
        (sz.incubator.pk, "incubator_construction:provincial"): 25_000_000,  # 二、1
        (sz.taicang.pk, "incubator_construction:national"): 45_000_000,
    }
    assert (run.created, run.total_fen) == (4, 140_000_000)
    e = Entitlement.objects.get(carrier=sz.incubator)
    assert any(c["article"] == "二、1" and "25万元" in c["text"] for c in e.citations)
    assert "二、1" in e.explanation and e.trace["rule"] == "incubator_construction_fen"
    notes = Notification.objects.filter(organisation=world.op_a)
    assert notes.count() == 4 and all(n.entitlement_id for n in notes)


@pytest.mark.django_db
def test_rerunning_creates_nothing_new_and_nothing_is_paid_twice(world, sz):
    services.run_entitlements(world.users.bureau_sz, SZ2020, AS_OF)
    counts = (Entitlement.objects.count(), Notification.objects.count())
    again = services.run_entitlements(world.users.bureau_sz, SZ2020, AS_OF)
    assert (again.created, again.changed) == (0, 0)
    assert (Entitlement.objects.count(), Notification.objects.count()) == counts
    confirm_all(world)
    first = services.pay(world.users.bureau_sz, SZ2020, 2025)
    assert first.total_fen == 140_000_000 and len(first.paid) == 4
    assert services.pay(world.users.bureau_sz, SZ2020, 2025).paid == []
    after = services.run_entitlements(world.users.bureau_sz, SZ2020, AS_OF)
    assert (after.created, after.changed) == (0, 0)
    assert services.pay(world.users.bureau_sz, SZ2020, 2025).paid == []
    payout = Payout.objects.first()
    with pytest.raises(IntegrityError), transaction.atomic():  # the database refuses a second payment of a key
        Payout.objects.create(policy=payout.policy, carrier=payout.carrier, key=payout.key, group=payout.group,
                              period=2025, budget_year=2025, region_code="320571", amount_fen=1, paid_on=AS_OF)


@pytest.mark.django_db
def test_the_ledger_is_append_only_and_corrections_are_reversing_entries(world, sz):
    services.run_entitlements(world.users.bureau_sz, SZ2020, AS_OF)
    confirm_all(world)
    services.pay(world.users.bureau_sz, SZ2020, 2025)
    payout = Payout.objects.get(carrier=sz.maker)
    payout.amount_fen = 1
    with pytest.raises(LedgerError):
        payout.save()
    with pytest.raises(LedgerError):
        payout.delete()
    with pytest.raises(LedgerError):
        Payout.objects.filter(pk=payout.pk).update(amount_fen=1)
    with pytest.raises(LedgerError):
        Payout.objects.all().delete()
    payout.refresh_from_db()
    reversal = services.reverse(world.users.bureau_sz, payout, "账户有误，退回重付")
    assert reversal.amount_fen == -20_000_000 and reversal.reverses == payout
    e = payout.entitlement
    e.refresh_from_db()
    assert e.status == EntitlementStatus.CONFIRMED
    again = services.pay(world.users.bureau_sz, SZ2020, 2025, entitlement_ids=[e.pk])
    assert [p.key for p in again.paid] == ["maker_space_construction:municipal#2"]
    totals = ledger_totals(Payout.objects.all())
    assert totals["reconciles"] and totals["total_fen"] == 140_000_000


@pytest.mark.django_db
def test_operators_confirm_only_their_own_entitlements(world, sz):
    services.run_entitlements(world.users.bureau_sz, SZ2020, AS_OF)
    e = Entitlement.objects.get(carrier=sz.maker)
    with pytest.raises(PermissionDenied):
        services.confirm(world.users.operator_b, e, BANK)
    with pytest.raises(PermissionDenied):
        services.run_entitlements(world.users.operator_a, SZ2020, AS_OF)
    with pytest.raises(PermissionDenied):
        services.run_entitlements(world.users.bureau_nj, SZ2020, AS_OF)
    services.confirm(world.users.operator_a, e, BANK)
    e.refresh_from_db()
    assert e.status == EntitlementStatus.CONFIRMED and e.confirmation.account_number.endswith("6789")


@pytest.mark.django_db
def test_over_budget_entitlements_queue_by_earliest_recognition_and_are_never_overpaid(world, sz):
    Budget.objects.filter(policy__code=SZ2020, year=2025).update(amount_fen=70_000_000)
    run = services.run_entitlements(world.users.bureau_sz, SZ2020, AS_OF)
    queue = list(Entitlement.objects.filter(policy__code=SZ2020).order_by("queue_position"))
    # carrier_a (recognised 2019) fits; the incubator (2023) does not, so it and everyone after it wait.
    assert [(e.carrier_id, e.status) for e in queue] == [
        (world.carrier_a.pk, "proposed"), (sz.incubator.pk, "queued"), (sz.taicang.pk, "queued"),
        (sz.maker.pk, "queued")]
    assert run.queued_fen == 90_000_000
    confirm_all(world)
    paid = services.pay(world.users.bureau_sz, SZ2020, 2025)
    assert paid.total_fen == 50_000_000 and paid.remaining_fen == 20_000_000
    assert ledger_totals(Payout.objects.all())["total_fen"] <= 70_000_000
    Budget.objects.filter(policy__code=SZ2020, year=2025).update(amount_fen=200_000_000)
    services.run_entitlements(world.users.bureau_sz, SZ2020, AS_OF)  # re-queues: the waiting ones are released
    assert services.pay(world.users.bureau_sz, SZ2020, 2025).total_fen == 90_000_000


@pytest.mark.django_db
def test_a_recognition_revoked_after_payment_gets_a_clawback_proposal(world, sz):
    services.run_entitlements(world.users.bureau_sz, SZ2020, AS_OF)
    confirm_all(world)
    services.pay(world.users.bureau_sz, SZ2020, 2025)
    rec = sz.taicang.recognitions.get()
    rec.revoked_on, rec.revoked_reason = D(2025, 8, 1), "弄虚作假"
    rec.save()
    unpaid = recognise(sz.maker, "provincial", D(2025, 7, 1))  # a new level, then revoked before payment
    services.run_entitlements(world.users.bureau_sz, SZ2020, D(2025, 7, 31))
    unpaid.revoked_on, unpaid.revoked_reason = D(2025, 8, 15), "撤销"
    unpaid.save()
    run = services.run_entitlements(world.users.bureau_sz, SZ2020, D(2025, 9, 30))
    claw = Entitlement.objects.get(status=EntitlementStatus.CLAWBACK)
    assert (claw.carrier, claw.amount_fen) == (sz.taicang, -45_000_000)
    assert claw.key == "incubator_construction:national:clawback"
    assert "弄虚作假" in claw.explanation and run.changed >= 1
    recovery = recover(world.users.bureau_sz, claw)
    assert recovery.amount_fen == -45_000_000
    assert sum(Payout.objects.filter(carrier=sz.taicang).values_list("amount_fen", flat=True)) == 0
    # Re-running proposes no second clawback.
    services.run_entitlements(world.users.bureau_sz, SZ2020, D(2025, 9, 30))
    assert Entitlement.objects.filter(key__endswith=":clawback").count() == 1


@pytest.mark.django_db
def test_differential_subsidy_pays_the_next_level_within_the_cumulative_cap(world, sz):
    services.run_entitlements(world.users.bureau_sz, SZ2020, AS_OF)
    confirm_all(world)
    services.pay(world.users.bureau_sz, SZ2020, 2025)
    recognise(sz.incubator, "national", D(2026, 3, 1))
    result = compute(SZ2020, D(2026, 6, 30))
    dues = {d.key: d.amount_fen for d in result.dues if d.carrier_id == sz.incubator.pk}
    assert dues == {"incubator_construction:national": 45_000_000}  # 250k paid + 450k ≤ 1,000,000
    top_up = compute(SZ2020, D(2026, 6, 30), overrides={"differential_mode": "top_up"})
    assert {d.key: d.amount_fen for d in top_up.dues if d.carrier_id == sz.incubator.pk} == {
        "incubator_construction:national": 20_000_000}  # 450k − 250k already paid


@pytest.mark.django_db
def test_suzhou_2022_pays_the_higher_of_it_and_the_2020_subsidies(world, sz):
    result = compute("suzhou-2022-action-plan", AS_OF)
    dues = {(d.carrier_id, d.key): d.amount_fen for d in result.dues}
    assert dues == {
        (sz.maker.pk, "first_recognition:municipal"): 80_000_000,  # 1,000,000 − 200,000 under 2020 一、1
        (sz.taicang.pk, "first_recognition:national"): 55_000_000,  # 1,000,000 − 450,000 under 2020 二、1
        (world.carrier_a.pk, "operating:2025"): 50_000_000,  # B: 1,000,000 − 500,000 under 2020 二、2
    }
    stacked = compute("suzhou-2022-action-plan", AS_OF, overrides={"stack_with_2020": True})
    assert sum(d.amount_fen for d in stacked.dues) == 300_000_000


@pytest.mark.django_db
def test_taicang_awards_by_level(world, sz):
    result = compute("taicang-2021-carriers", AS_OF)
    assert [(d.carrier_id, d.key, d.amount_fen) for d in result.dues] == [
        (sz.taicang.pk, "recognition_award:national", 200_000_000)]
    why = result.explain(result.dues[0])
    assert "太政发〔2021〕26号" in why["text"] and any("200万元" in c["text"] for c in why["citations"])
