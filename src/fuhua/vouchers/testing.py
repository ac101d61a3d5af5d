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
