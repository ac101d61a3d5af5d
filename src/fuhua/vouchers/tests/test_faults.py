"""Bad input and faults, each a test: every refusal names its reason, and nothing is half-written."""

import datetime
import itertools

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from fuhua import testing
from fuhua.core.exceptions import Conflict
from fuhua.core.models import ObjectChange
from fuhua.core.system import SYSTEM
from fuhua.incubation.models import Incubation
from fuhua.marketplace import services as marketplace
from fuhua.marketplace.testing import product as make_product
from fuhua.vouchers import services
from fuhua.vouchers.models import (
    LedgerError,
    Order,
    OrderStatus,
    Redemption,
    SettlementEntry,
    Slot,
    Voucher,
    VoucherStatus,
)
from fuhua.vouchers.services import claims
from fuhua.vouchers.testing import SUZHOU, accept_programme, evidence_file, open_batch

DAY = datetime.timedelta(days=1)
BATCH_NUMBERS = itertools.count(30)


def _firm_user(w, name, **fields):
    """A Suzhou firm (micro, incubating at carrier_a unless told otherwise) and its account."""
    incubating = fields.pop("incubating", True)
    f = testing.firm(name, w.regions.sip, **fields)
    if incubating:
        Incubation.objects.create(firm=f, carrier=w.carrier_a, status="incubating",
                                  entered_on=datetime.date(2025, 1, 1))
    return f, testing.make_user(f"u{f.pk}", "firm", firm=f)


def _state():
    return (Voucher.objects.count(), Slot.objects.filter(taken=True).count(), Order.objects.count(),
            Redemption.objects.count(), SettlementEntry.objects.count())


# --- claims ------------------------------------------------------------------------------------------


def test_claim_before_opening_is_not_open(vworld, v):
    batch = open_batch(v.prog_a, 21, opens_in=DAY)
    result = services.claim(vworld.users.firm_a, batch, "early")
    assert (result.code, result.voucher) == (claims.NOT_OPEN, None)
    assert "opens at" in result.reason or "开放" in result.reason
    assert not Voucher.objects.filter(batch=batch).exists()


def test_claim_after_closing_is_closed(vworld, v):
    batch = open_batch(v.prog_a, 22, days=1)
    result = services.claim(vworld.users.firm_a, batch, "late", now=batch.closes_at + DAY)
    assert result.code == claims.CLOSED


def test_claim_after_sell_out(vworld, v):
    batch = open_batch(v.prog_a, 23, vouchers=1)
    _, other = _firm_user(vworld, "苏州后到科技有限公司")
    assert services.claim(vworld.users.firm_a, batch, "first").ok
    before = _state()
    result = services.claim(other, batch, "second")
    assert result.code == claims.SOLD_OUT
    assert _state() == before


def test_claim_over_the_held_limit_names_the_limit_and_its_source(vworld, v):
    batch = open_batch(v.prog_a, 24)
    f, user = _firm_user(vworld, "苏州持券科技有限公司")
    codes = [services.claim(user, batch, f"k{i}").code for i in range(4)]
    assert codes == ["claimed", "claimed", "claimed", "limit_reached"]  # 3 × 10,000 = the 30,000 held at once
    result = services.claim(user, batch, "k9")
    assert "30,000.00" in result.reason and "苏州市科技创新券实施办法" in result.reason
    assert Voucher.objects.filter(firm=f).count() == 3


def test_claim_over_the_yearly_limit(vworld, v):
    batch = open_batch(v.prog_a, 25)
    f, user = _firm_user(vworld, "苏州年度科技有限公司")
    for i in range(3):
        services.claim(user, batch, f"y{i}")
    for voucher in Voucher.objects.filter(firm=f)[:2]:  # two lapse: held drops to 10,000, the year stays at 30,000
        services.lapse(SYSTEM, voucher, on=voucher.valid_until + DAY)
    assert [services.claim(user, batch, f"y{i}").code for i in range(3, 6)] == ["claimed", "claimed", "limit_reached"]


def test_ineligible_firm_is_refused_with_the_rule_and_its_citation(vworld, v):
    _f, user = _firm_user(vworld, "苏州中型制造有限公司", size_class="medium")
    before = _state()
    result = services.claim(user, v.batch_a, "mid")
    assert result.code == claims.NOT_ELIGIBLE
    assert "须为小型或微型企业" in result.reason
    assert "苏州市科技创新券实施办法（演示用，示意）" in result.reason and "第二条（示意）" in result.reason
    assert _state() == before


def test_firm_without_tenancy_is_refused_naming_that_check(vworld, v):
    _, user = _firm_user(vworld, "苏州毕业科技有限公司", incubating=False)
    result = services.claim(user, v.batch_a, "grad")
    assert result.code == claims.NOT_ELIGIBLE and "须为孵化载体的在孵企业" in result.reason


def test_a_firm_of_another_city_cannot_see_or_claim(vworld, v):
    with pytest.raises(PermissionDenied):
        services.claim(vworld.users.firm_b, v.batch_a, "other-city")


def test_the_same_key_twice_claims_once(vworld, v):
    batch = open_batch(v.prog_a, 26)
    _, user = _firm_user(vworld, "苏州重试科技有限公司")
    first = services.claim(user, batch, "retry-1")
    changes = ObjectChange.objects.count()
    again = services.claim(user, batch, "retry-1")
    assert first.ok and again.ok and again.replay and again.voucher.pk == first.voucher.pk
    assert Voucher.objects.filter(idempotency_key="retry-1").count() == 1
    assert ObjectChange.objects.count() == changes
    other_batch = open_batch(v.prog_a, 27)
    with pytest.raises(Conflict):
        services.claim(user, other_batch, "retry-1")


def test_malformed_key_and_a_user_without_a_firm(vworld, v):
    with pytest.raises(ValidationError) as exc:
        services.claim(vworld.users.firm_a, v.batch_a, "有 空格")
    assert "idempotency_key" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        services.claim(vworld.users.provider, v.batch_a, "p1")


# --- orders ------------------------------------------------------------------------------------------


def _held(vworld, v, name):
    batch = open_batch(v.prog_a, next(BATCH_NUMBERS))
    _f, user = _firm_user(vworld, name)
    return services.claim(user, batch, "o1").voucher, user


def test_order_for_a_category_the_programme_excludes(vworld, v):
    voucher, user = _held(vworld, v, "苏州人事需求科技有限公司")
    hr = make_product(v.marketplace.provider_a, "人才招聘服务", code="hr")
    accept_programme(hr, SUZHOU)
    before = _state()
    with pytest.raises(ValidationError) as exc:
        services.place_order(user, voucher, hr)
    assert "product" in exc.value.message_dict and "第四条（示意）" in exc.value.message_dict["product"][0]
    assert _state() == before
    voucher.refresh_from_db()
    assert voucher.status == VoucherStatus.HELD


def test_copay_rule_and_the_price_frozen_at_order_time(vworld, v):
    t = services.terms(v.prog_a)
    assert services.copay(t, 600_000, 1_000_000)[:2] == (600_000, 0)
    assert services.copay(t, 1_000_000, 2_000_000)[:2] == (1_000_000, 0)
    assert services.copay(t, 1_600_001, 2_000_000)[:2] == (1_300_001, 300_000)  # 10,000 + 50 % of 6,000.01
    assert services.copay(t, 3_000_000, 1_000_000)[:2] == (1_000_000, 2_000_000)  # capped at the face value
    voucher, user = _held(vworld, v, "苏州改价科技有限公司")
    order = services.place_order(user, voucher, v.marketplace.product_a)
    price, covered = order.price_fen, order.covered_fen
    marketplace.update_product(SYSTEM, v.marketplace.product_a, {"price_fen": 5_000_000})
    order.refresh_from_db()
    assert (order.price_fen, order.covered_fen) == (price, covered)
    services.confirm_order(SYSTEM, order)
    services.add_evidence(SYSTEM, order, "报告", evidence_file())
    services.deliver(SYSTEM, order)
    order = services.accept(user, order)
    with pytest.raises(ValidationError) as exc:  # claiming the new price's share is refused
        services.apply_redemption(SYSTEM, order, covered + 1)
    assert "amount_fen" in exc.value.message_dict
    assert not Redemption.objects.filter(order=order).exists()


def test_delivery_without_evidence_is_refused(vworld, v):
    voucher, user = _held(vworld, v, "苏州无凭证科技有限公司")
    order = services.place_order(user, voucher, v.marketplace.product_a)
    services.confirm_order(vworld.users.provider, order)
    with pytest.raises(ValidationError) as exc:
        services.deliver(vworld.users.provider, order)
    assert "evidence" in exc.value.message_dict
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    with pytest.raises(ValidationError):
        services.add_evidence(vworld.users.provider, order, "脚本", _file("run.exe"))
    with pytest.raises(PermissionDenied):  # the firm cannot deliver its own order
        services.add_evidence(user, order, "自证", evidence_file())


def _file(name):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, b"MZ", content_type="application/octet-stream")


def _accepted(vworld, v, name):
    voucher, user = _held(vworld, v, name)
    order = services.place_order(user, voucher, v.marketplace.product_a)
    services.confirm_order(vworld.users.provider, order)
    services.add_evidence(vworld.users.provider, order, "报告", evidence_file())
    services.deliver(vworld.users.provider, order)
    return services.accept(user, order), user


def test_redemption_over_the_value_or_after_the_window(vworld, v):
    order, _ = _accepted(vworld, v, "苏州兑现科技有限公司")
    provider = vworld.users.provider
    with pytest.raises(ValidationError) as exc:
        services.apply_redemption(provider, order, order.covered_fen + 1)
    assert "amount_fen" in exc.value.message_dict
    late = timezone.localdate(order.accepted_at) + datetime.timedelta(days=91)
    with pytest.raises(Conflict) as exc:
        services.apply_redemption(provider, order, on=late)
    assert "90" in exc.value.messages[0]
    assert not Redemption.objects.filter(order=order).exists()
    redemption = services.apply_redemption(provider, order, on=late - DAY)
    with pytest.raises(Conflict):  # a second application of the same order
        services.apply_redemption(provider, order)
    assert redemption.amount_fen == order.covered_fen


def test_a_suspended_providers_orders_are_on_hold(vworld, v):
    voucher, user = _held(vworld, v, "苏州暂停科技有限公司")
    order = services.place_order(user, voucher, v.marketplace.product_a)
    marketplace.transition_provider(SYSTEM, v.marketplace.provider_a, "suspend", reason="资质核查")
    try:
        with pytest.raises(Conflict) as exc:
            services.confirm_order(vworld.users.provider, order)
        assert "苏州知识产权服务有限公司" in exc.value.messages[0]
        other, user2 = _held(vworld, v, "苏州暂停二科技有限公司")
        with pytest.raises(ValidationError) as exc:  # its products leave the catalogue: no new order
            services.place_order(user2, other, v.marketplace.product_a)
        assert "product" in exc.value.message_dict
        cancelled = services.cancel_order(user, order, "服务机构被暂停")
        assert cancelled.status == OrderStatus.CANCELLED
        voucher.refresh_from_db()
        assert voucher.status == VoucherStatus.HELD  # the voucher is free for another provider
    finally:
        marketplace.transition_provider(SYSTEM, v.marketplace.provider_a, "reinstate", reason="核查完毕")


def test_an_expired_voucher_cannot_be_used(vworld, v):
    voucher, user = _held(vworld, v, "苏州过期科技有限公司")
    before = _state()
    with pytest.raises(Conflict) as exc:
        services.place_order(user, voucher, v.marketplace.product_a, on=voucher.valid_until + DAY)
    assert voucher.valid_until.isoformat() in exc.value.messages[0]
    assert _state() == before


def test_confirm_and_dispute_deadlines(vworld, v):
    voucher, user = _held(vworld, v, "苏州期限科技有限公司")
    order = services.place_order(user, voucher, v.marketplace.product_a)
    with pytest.raises(Conflict):
        services.confirm_order(vworld.users.provider, order, on=order.confirm_by + DAY)
    result = services.expire(SYSTEM, on=order.confirm_by + DAY)
    order.refresh_from_db()
    voucher.refresh_from_db()
    assert result.cancelled >= 1 and order.status == OrderStatus.CANCELLED and voucher.status == VoucherStatus.HELD


# --- expiry, settlement, audits -------------------------------------------------------------------


def test_lapse_returns_the_value_and_the_budget_reconciles(vworld, v):
    batch = open_batch(v.prog_a, 95, vouchers=2)
    _, user = _firm_user(vworld, "苏州失效科技有限公司")
    voucher = services.claim(user, batch, "lapse").voucher
    result = services.expire(SYSTEM, on=voucher.valid_until + DAY, batch=batch)
    assert (result.lapsed, result.returned_fen) == (1, voucher.face_value_fen)
    row = services.batch_budget(batch)
    assert row["reconciles"], row
    assert (row["lapsed"], row["reissued"], row["remaining"]) == (voucher.face_value_fen,) * 2 + (
        2 * voucher.face_value_fen,)
    assert Slot.objects.filter(batch=batch, reissue=True, taken=False).count() == 1


def test_ledger_is_append_only_reversal_and_audit_clawback(vworld, v):
    entry = v.entry_a
    with pytest.raises(LedgerError):
        entry.save()
    with pytest.raises(LedgerError):
        SettlementEntry.objects.filter(pk=entry.pk).update(amount_fen=1)
    reversal = services.reverse_entry(vworld.users.bureau_sz, entry, "重复拨付更正")
    assert reversal.amount_fen == -entry.amount_fen and reversal.reverses_id == entry.pk
    with pytest.raises(Conflict):
        services.reverse_entry(vworld.users.bureau_sz, entry, "again")
    item = v.item_a
    with pytest.raises(ValidationError):  # nothing left to claw back after the reversal
        services.record_finding(vworld.users.bureau_sz, item, "凭证不符", 1)
    row = services.batch_budget(v.batch_a)
    assert row["reconciles"] and row["reversed"] == entry.amount_fen and row["paid_net"] == 0


def test_audit_sample_is_reproducible_at_least_the_rate_and_claws_back(vworld, v):
    sample = v.item_b.sample
    assert services.redraw(sample) == sorted(sample.items.values_list("redemption_id", flat=True))
    assert float(sample.rate_percent) >= 5.0
    assert services.audits.sample_ids(list(range(1, 101)), 7, 0.05) == services.audits.sample_ids(
        list(range(100, 0, -1)), 7, 0.05)
    assert len(services.audits.sample_ids(list(range(1, 101)), 7, 0.05)) == 5
    assert len(services.audits.sample_ids(list(range(1, 22)), 7, 0.05)) == 2  # ceil(1.05)
    with pytest.raises(ValidationError):
        services.draw_sample(vworld.users.bureau_nj, v.prog_b, rate_percent=1)
    with pytest.raises(ValidationError):  # more than was paid
        services.record_finding(vworld.users.bureau_nj, v.item_b, "超额", v.entry_b.amount_fen + 1)
    item = services.record_finding(vworld.users.bureau_nj, v.item_b, "服务未实际提供", 10_000)
    assert item.status == "finding"
    claw = SettlementEntry.objects.get(key=f"audit:{item.pk}")
    assert claw.amount_fen == -10_000
    row = services.batch_budget(v.batch_b)
    assert row["reconciles"] and row["clawed_back"] == 10_000 and row["paid_net"] == v.entry_b.amount_fen - 10_000
    with pytest.raises(PermissionDenied):  # Suzhou's bureau cannot audit Nanjing's programme
        services.draw_sample(vworld.users.bureau_sz, v.prog_b)


def test_review_is_all_or_nothing_and_bureau_only(vworld, v):
    order1, _ = _accepted(vworld, v, "苏州审核一科技有限公司")
    order2, _ = _accepted(vworld, v, "苏州审核二科技有限公司")
    r1 = services.apply_redemption(vworld.users.provider, order1)
    r2 = services.apply_redemption(vworld.users.provider, order2)
    with pytest.raises(PermissionDenied):
        services.review(vworld.users.bureau_nj, [r1], approve=True)
    services.review(vworld.users.bureau_sz, [r2], approve=True)
    with pytest.raises(Conflict):  # r2 is no longer applied: nothing of the batch is written
        services.review(vworld.users.bureau_sz, [r1, r2], approve=True)
    r1.refresh_from_db()
    assert r1.status == "applied"
    with pytest.raises(ValidationError):  # a rejection needs a reason
        services.review(vworld.users.bureau_sz, [r1], approve=False)
