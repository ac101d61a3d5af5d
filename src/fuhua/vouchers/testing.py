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


def voucher_world(world) -> SimpleNamespace:
    """Built once per world: both demo programmes, an open batch in each, each city's firm holding a voucher
    with an order placed with its city's provider, and the Suzhou order delivered with evidence."""
    cached = getattr(world, "_vouchers", None)
    if cached is not None:
        return cached
    m = marketplace_world(world)
    prog_a, prog_b = services.setup(SYSTEM, [SUZHOU, NANJING])
    accept_programme(m.product_a, SUZHOU)
    accept_programme(m.product_b, NANJING)
    batch_a, batch_b = open_batch(prog_a, 11), open_batch(prog_b, 11)
    voucher_a = services.claim(world.users.firm_a, batch_a, "world-a").voucher
    voucher_b = services.claim(world.users.firm_b, batch_b, "world-b").voucher
    order_a = services.place_order(world.users.firm_a, voucher_a, m.product_a)
    order_b = services.place_order(world.users.firm_b, voucher_b, m.product_b)
    services.confirm_order(SYSTEM, order_a)
    evidence_a = services.add_evidence(SYSTEM, order_a, "专利受理通知书", evidence_file())
    order_a = services.deliver(SYSTEM, order_a, "已提交申请")
    spare_a = services.claim(world.users.firm_a, batch_a, "world-a-2").voucher
    out = SimpleNamespace(marketplace=m, prog_a=prog_a, prog_b=prog_b, batch_a=batch_a, batch_b=batch_b,
                          voucher_a=voucher_a, voucher_b=voucher_b, order_a=order_a, order_b=order_b,
                          evidence_a=evidence_a, spare_a=spare_a)
    world._vouchers = out
    return out


def _v(world) -> SimpleNamespace:
    return voucher_world(world)


SCOPE_RESOURCES = {
    "voucher-programmes": (lambda w: [_v(w).prog_a, _v(w).prog_b], {}),
    "voucher-batches": (lambda w: [_v(w).batch_a, _v(w).batch_b], {}),
    "vouchers": (lambda w: [_v(w).voucher_a, _v(w).voucher_b], {}),
    "voucher-orders": (lambda w: [_v(w).order_a, _v(w).order_b], {}),
}
SCOPE_WEB_NAMES = {
    "vouchers:voucherprogramme": "voucher-programmes",
    "vouchers:programme": "voucher-programmes",
    "vouchers:batch": "voucher-batches",
    "vouchers:voucher": "vouchers",
    "vouchers:order": "voucher-orders",
}
