"""Demo vouchers: the illustrative Suzhou programme (packs/suzhou-demo-voucher.yaml) with its first batch open
and claims at every stage, dated relative to the demo's `today`: held (some expiring soon), ordered, confirmed,
delivered, disputed, accepted, redemption applied, rejected and approved, settled, lapsed, and an audit sample
of the settled ones with a finding clawed back, one passed and the rest to check.

The demo accounts land on work: `firm` holds a voucher expiring within two weeks and a delivery to accept
(and may still claim one more), `provider` has orders to confirm and to deliver and a rejected redemption,
`bureau_sz` has redemptions to review and to settle and sampled redemptions to audit. Every step goes through
`vouchers.services` as the platform (the system actor), each on its simulated day.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from fuhua.accounts.models import RoleGrant
from fuhua.core.context import acting_as
from fuhua.core.demo import DemoRun
from fuhua.core.system import SYSTEM
from fuhua.marketplace import services as marketplace
from fuhua.marketplace.models import Product, ProgrammeCode
from fuhua.registry.models import Firm

from . import services
from .models import Batch, BatchStatus, Redemption, VoucherProgramme
from .services.common import pack_of
from .services.eligibility import evaluate, firms_in_region

PROGRAMME = "suzhou-demo-voucher"

# (stage, days before today the voucher was claimed): the demo's story, one voucher each, every stage among the
# first twelve (a region with few eligible firms still shows them all). Recent enough where a
# deadline must still be ahead today (an order is confirmed within 5 days, a delivery accepted within 10), or
# the daily expiry run at the end would cancel the order or deem the delivery accepted.
STORY = [
    ("lapsed", 130), ("settled", 125), ("approved", 70), ("rejected", 62), ("redeeming", 58), ("accepted", 45),
    ("disputed", 40), ("confirmed", 24), ("delivered", 16), ("placed", 5), ("held", 82), ("held", 2),
    ("settled", 118), ("settled", 112), ("settled", 104), ("settled", 97), ("settled", 90), ("approved", 66),
    ("redeeming", 52), ("confirmed", 20), ("delivered", 12), ("placed", 3), ("held", 78), ("held", 11),
]
# The demo firm's own vouchers (it may still claim one more: 30,000 held at once under the pack).
FIRM_STORY = [("lapsed", 131), ("settled", 100), ("held", 80), ("delivered", 14)]
# Of the provider account's orders: one to confirm, one to deliver, one redemption rejected.
PROVIDER_STAGES = {"placed", "confirmed", "rejected"}
STEPS = ("placed", "confirmed", "delivered", "disputed", "accepted", "redeeming", "rejected", "approved", "settled")


@dataclass
class Stage:
    firm: object
    stage: str
    days_ago: int


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def _evidence(n: int) -> SimpleUploadedFile:
    return SimpleUploadedFile(f"交付报告-{n}.pdf", b"%PDF-1.4\n% demo delivery report\n",
                              content_type="application/pdf")


def _batch(programme: VoucherProgramme, today: datetime.date) -> Batch:
    """The first batch, published; if the demo's today falls outside its window, a demo batch that covers the
    story (opened 150 days before today, closing in a year)."""
    start = _at(today - datetime.timedelta(days=150))
    batch = (Batch.objects.filter(programme=programme, opens_at__lte=start, closes_at__gt=_at(today, 18))
             .order_by("number").first())
    if batch is None:
        number = (Batch.objects.filter(programme=programme).order_by("-number").values_list("number", flat=True)
                  .first() or 0) + 1
        face = services.terms(programme, start.date()).face_value
        batch = services.add_batch(SYSTEM, programme, number=number, title=f"第{number}期（演示）",
                                   budget_fen=face * 500, opens_at=start, closes_at=_at(today + datetime.timedelta(
                                       days=365)))
    if batch.status == BatchStatus.DRAFT:
        batch = services.publish_batch(SYSTEM, batch)
    return batch


def _accepting_products(programme: VoucherProgramme) -> list[Product]:
    """Published Suzhou products of the categories the voucher pays for, made to accept the programme (as their
    providers would, through the marketplace's services)."""
    code = ProgrammeCode.objects.get(code=programme.code)
    categories = services.terms(programme).eligible_categories
    products = list(Product.objects.filter(Product.public_q(), category__code__in=categories,
                                           provider__organisation__region__code__startswith=programme.region_id[:4])
                    .select_related("provider__organisation", "category").order_by("price_fen", "pk"))
    for product in products:
        if not product.programmes.filter(pk=code.pk).exists():
            marketplace.update_product(SYSTEM, product, {"programmes": [*product.programmes.all(), code]})
    return [p for p in products if marketplace.is_orderable(p)]


def _demo_account(username: str, role: str):
    grant = RoleGrant.objects.filter(user__username=username, role=role).select_related("firm", "organisation").first()
    return grant


def _eligible_firms(programme: VoucherProgramme, today: datetime.date, exclude: set[int], wanted: int) -> list:
    """Firms of the programme's region eligible today (the pack's rules), in id order."""
    ids = list(firms_in_region(programme.region_id).exclude(pk__in=exclude).order_by("pk")
               .values_list("pk", flat=True)[:wanted * 8])
    verdicts = evaluate(pack_of(programme), ids, today)
    chosen = [pk for pk in ids if verdicts.get(pk, (False, ""))[0]][:wanted]
    return list(Firm.objects.filter(pk__in=chosen).order_by("pk"))


def _walk(voucher, stage: str, product: Product, day: datetime.date, n: int) -> Redemption | None:
    """Take the voucher's order from placement to `stage`, each step on its simulated day."""
    order = services.place_order(SYSTEM, voucher, product, note="演示订单", on=day + datetime.timedelta(days=1))
    if stage == "placed":
        return None
    order = services.confirm_order(SYSTEM, order, on=day + datetime.timedelta(days=3))
    if stage == "confirmed":
        return None
    services.add_evidence(SYSTEM, order, "服务交付报告", _evidence(n))
    order = services.deliver(SYSTEM, order, "已按约定完成服务并提交报告。", on=day + datetime.timedelta(days=8))
    if stage == "delivered":
        return None
    if stage == "disputed":
        services.dispute(SYSTEM, order, "报告缺少检测原始数据，请补充。", on=day + datetime.timedelta(days=10))
        return None
    # Deemed accepted by the platform the day after the firm's deadline (the demo's firms have no accounts).
    order = services.accept(SYSTEM, order, on=order.accept_by + datetime.timedelta(days=1))
    if stage == "accepted":
        return None
    applied_on = order.accept_by + datetime.timedelta(days=3)
    redemption = services.apply_redemption(SYSTEM, order, on=applied_on)
    if stage == "redeeming":
        return redemption
    if stage == "rejected":
        services.review(SYSTEM, [redemption], approve=False, note="发票抬头与企业名称不一致，请更正后重新申请。")
        return redemption
    services.review(SYSTEM, [redemption], approve=True, note="材料齐全")
    if stage == "approved":
        return redemption
    services.settle(SYSTEM, [redemption], reference=f"SZKJ-{day:%Y%m}-{n:03d}",
                    on=applied_on + datetime.timedelta(days=12))
    return redemption


def load_vouchers(run: DemoRun) -> None:
    today = run.today
    with acting_as(None, source="demo"):
        [programme] = services.setup(SYSTEM, [PROGRAMME])
        batch = _batch(programme, today)
        products = _accepting_products(programme)
        if not products:
            run.note("vouchers: no published product accepts the demo programme; no claims made")
            return
        firm_grant = _demo_account("firm", "firm")
        provider_grant = _demo_account("provider", "service_provider")
        own = [p for p in products if provider_grant and p.provider.organisation_id == provider_grant.organisation_id]
        others = [p for p in products if p not in own] or products
        demo_firm = firm_grant.firm if firm_grant else None
        stages = []
        if demo_firm is not None and services.eligibility(programme, demo_firm, today).eligible:
            stages += [Stage(demo_firm, stage, days) for stage, days in FIRM_STORY]
        firms = _eligible_firms(programme, today, {demo_firm.pk} if demo_firm else set(), len(STORY))
        stages += [Stage(firm, stage, days) for firm, (stage, days) in zip(firms, STORY, strict=False)]
        run.begin(len(stages) + 2)
        made, lapsed, refused = 0, 0, 0
        settled: list[Redemption] = []
        for n, s in enumerate(sorted(stages, key=lambda s: -s.days_ago), start=1):
            day = today - datetime.timedelta(days=s.days_ago)
            result = services.claim(SYSTEM, batch, f"demo-{s.firm.pk}-{s.days_ago}", firm=s.firm, now=_at(day))
            run.advance()
            if not result.ok:
                refused += 1
                continue
            made += 1
            if s.stage in ("held", "lapsed"):
                continue
            pool = own if (s.stage in PROVIDER_STAGES and own) else others
            redemption = _walk(result.voucher, s.stage, pool[n % len(pool)], day, n)
            if s.stage == "settled" and redemption is not None:
                settled.append(redemption)
        lapsed = services.expire(SYSTEM, on=today, batch=batch).lapsed
        run.advance()
        audited = _audit(programme, today) if settled else 0
        run.advance()
    run.note(f"vouchers: {programme.title}: {made} vouchers claimed ({refused} refused), {len(settled)} settled, "
             f"{lapsed} lapsed, {audited} sampled for audit")


def _audit(programme: VoucherProgramme, today: datetime.date) -> int:
    """A reproducible sample (seed 2026) of the settled redemptions: one finding clawed back, one passed."""
    sample = services.draw_sample(SYSTEM, programme, seed=2026, rate_percent=50, on=today - datetime.timedelta(days=7))
    items = list(sample.items.order_by("pk"))
    if items:
        paid = services.net_paid(items[0].redemption)
        services.record_finding(SYSTEM, items[0], "服务报告与合同约定内容不符，部分费用不予认定。", paid // 5,
                                on=today - datetime.timedelta(days=3))
    if len(items) > 1:
        services.pass_item(SYSTEM, items[1], "抽查合同、发票与交付报告一致。")
    return len(items)
