"""Test helpers of vouchers: the demo programmes of both cities with an open test batch, a voucher claimed and
an order placed in each city, on top of `fuhua.testing.world` and the marketplace's providers and products;
and the rows the generated scope tests read (SCOPE_RESOURCES, SCOPE_WEB_NAMES)."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from fuhua.core.system import SYSTEM
from fuhua.marketplace.models import ProgrammeCode
from fuhua.marketplace.testing import marketplace_world

from . import services
from .models import Batch, VoucherProgramme

SUZHOU, NANJING = "suzhou-demo-voucher", "nanjing-demo-voucher"


def evidence_file(name: str = "交付报告.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 delivery report", content_type="application/pdf")


def open_batch(programme: VoucherProgramme, number: int, *, vouchers: int = 10, opens_in: datetime.timedelta | None
               = None, days: int = 30) -> Batch:
    """A published test batch of `vouchers` vouchers at the pack's face value, open now (or from `opens_in`)."""
    now = timezone.now()
    opens = now + opens_in if opens_in is not None else now - datetime.timedelta(hours=1)
    face = services.terms(programme, timezone.localdate(opens)).face_value
    batch = services.add_batch(SYSTEM, programme, number=number, title=f"测试第{number}期", budget_fen=face * vouchers,
                               opens_at=opens, closes_at=opens + datetime.timedelta(days=days))
    return services.publish_batch(SYSTEM, batch)


def accept_programme(product, code: str) -> None:
    product.programmes.add(ProgrammeCode.objects.get(code=code))


def settled_order(firm_user, provider_user, bureau_user, batch, product, key: str):
    """A voucher claimed, spent, delivered with evidence, accepted, redeemed, approved and settled."""
    voucher = services.claim(firm_user, batch, key).voucher
    order = services.place_order(firm_user, voucher, product)
    services.confirm_order(provider_user, order)
    services.add_evidence(provider_user, order, "交付报告", evidence_file())
    services.deliver(provider_user, order, "已交付")
    order = services.accept(firm_user, order)
    redemption = services.apply_redemption(provider_user, order)
    services.review(bureau_user, [redemption], approve=True)
    [entry] = services.settle(bureau_user, [redemption], reference="测试拨付")
    voucher.refresh_from_db()
    order.refresh_from_db()
    redemption.refresh_from_db()
    return SimpleNamespace(voucher=voucher, order=order, redemption=redemption, entry=entry)


def voucher_world(world) -> SimpleNamespace:
    """Built once per world: both demo programmes with an open batch each; in each city a voucher taken all the
    way to settlement and sampled for audit (providers' steps by the system: the Nanjing provider has no
    account), and in Suzhou an order placed and waiting for the provider's confirmation."""
    cached = getattr(world, "_vouchers", None)
    if cached is not None:
        return cached
    m = marketplace_world(world)
    prog_a, prog_b = services.setup(SYSTEM, [SUZHOU, NANJING])
    accept_programme(m.product_a, SUZHOU)
    accept_programme(m.product_b, NANJING)
    batch_a, batch_b = open_batch(prog_a, 11), open_batch(prog_b, 11)
    a = settled_order(world.users.firm_a, world.users.provider, world.users.bureau_sz, batch_a, m.product_a, "world-a")
    b = settled_order(world.users.firm_b, SYSTEM, world.users.bureau_nj, batch_b, m.product_b, "world-b")
    sample_a = services.draw_sample(world.users.bureau_sz, prog_a, seed=1)
    sample_b = services.draw_sample(world.users.bureau_nj, prog_b, seed=2)
    held_a = services.claim(world.users.firm_a, batch_a, "world-a-2").voucher
    open_a = services.place_order(world.users.firm_a, held_a, m.product_a)
    out = SimpleNamespace(marketplace=m, prog_a=prog_a, prog_b=prog_b, batch_a=batch_a, batch_b=batch_b,
                          voucher_a=a.voucher, voucher_b=b.voucher, order_a=a.order, order_b=b.order,
                          redemption_a=a.redemption, redemption_b=b.redemption, entry_a=a.entry, entry_b=b.entry,
                          item_a=sample_a.items.get(), item_b=sample_b.items.get(), held_a=held_a, open_a=open_a)
    world._vouchers = out
    return out


def _v(world) -> SimpleNamespace:
    return voucher_world(world)


SCOPE_RESOURCES = {
    "voucher-programmes": (lambda w: [_v(w).prog_a, _v(w).prog_b], {}),
    "voucher-batches": (lambda w: [_v(w).batch_a, _v(w).batch_b], {}),
    "vouchers": (lambda w: [_v(w).voucher_a, _v(w).voucher_b], {}),
    "voucher-orders": (lambda w: [_v(w).order_a, _v(w).order_b, _v(w).open_a], {}),
    "voucher-redemptions": (lambda w: [_v(w).redemption_a, _v(w).redemption_b], {}),
    "voucher-ledger": (lambda w: [_v(w).entry_a, _v(w).entry_b], {}),
    "voucher-audit-items": (lambda w: [_v(w).item_a, _v(w).item_b], {}),
}
SCOPE_WEB_NAMES = {
    "vouchers:voucherprogramme": "voucher-programmes",
    "vouchers:programme": "voucher-programmes",
    "vouchers:batch": "voucher-batches",
    "vouchers:voucher": "vouchers",
    "vouchers:order": "voucher-orders",
    "vouchers:redemption": "voucher-redemptions",
    "vouchers:settlemententry": "voucher-ledger",
    "vouchers:entry": "voucher-ledger",
    "vouchers:audititem": "voucher-audit-items",
}


def audit_factories() -> dict[str, tuple]:
    """label → (create(world) of a new, unreferenced instance, a change), for core/tests/test_audit.py.
    Slots, eligibility checks and the settlement ledger are not audited row by row (core.audit.NOT_AUDITED)."""
    from decimal import Decimal

    from .models import AuditItem, AuditSample, DeliveryEvidence, Order, Redemption, Slot, Voucher

    def programme(w):
        return VoucherProgramme.objects.create(code="audit-test", title="审计测试创新券", issuer="苏州市科学技术局",
                                               region=w.regions.sz, pack_version=datetime.date(2026, 1, 1))

    def batch(w):
        now = timezone.now()
        return Batch.objects.create(programme=_v(w).prog_a, number=90, title="审计测试期", budget_fen=1_000_000,
                                    face_value_fen=100_000, opens_at=now, closes_at=now + datetime.timedelta(days=9))

    def voucher(w):
        # Written directly (the claim service acts as the firm; the audit test checks its own actor).
        b = _v(w).batch_b
        slot = Slot.objects.create(batch=b, face_value_fen=b.face_value_fen)
        return Voucher.objects.create(slot=slot, batch=b, firm=w.firm_b, face_value_fen=b.face_value_fen,
                                      claimed_at=timezone.now(), valid_until=datetime.date(2027, 6, 30))

    def order(w):
        v, product = voucher(w), _v(w).marketplace.product_b
        return Order.objects.create(voucher=v, firm=w.firm_b, product=product, provider=product.provider,
                                    category_code="audit", product_name=product.name, price_fen=100, covered_fen=100,
                                    firm_pays_fen=0, placed_at=timezone.now(), confirm_by=datetime.date(2027, 1, 5))

    def sample(w):
        return AuditSample.objects.create(programme=_v(w).prog_a, seed=99, rate_percent=Decimal("5.00"),
                                          population_size=0, drawn_on=datetime.date(2026, 6, 1))

    return {
        "vouchers.voucherprogramme": (programme, {"title": "审计测试创新券（修订）"}),
        "vouchers.batch": (batch, {"title": "审计测试期（修订）"}),
        "vouchers.voucher": (voucher, {"valid_until": datetime.date(2027, 12, 31)}),
        "vouchers.order": (order, {"note": "请尽快安排"}),
        "vouchers.deliveryevidence": (
            lambda w: DeliveryEvidence.objects.create(order=_v(w).open_a, title="交付报告", file=evidence_file()),
            {"title": "交付报告（终版）"}),
        "vouchers.redemption": (
            lambda w: Redemption.objects.create(order=_v(w).open_a, provider=_v(w).open_a.provider, amount_fen=100,
                                                applied_at=timezone.now()),
            {"amount_fen": 200}),
        "vouchers.auditsample": (sample, {"seed": 100}),
        "vouchers.audititem": (lambda w: AuditItem.objects.create(sample=sample(w), redemption=_v(w).redemption_a),
                               {"finding": "票据与服务内容不符"}),
    }
