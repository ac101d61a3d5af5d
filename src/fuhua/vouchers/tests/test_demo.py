"""The demo step: on a small region (the test world with a dozen eligible Suzhou tenants and the demo accounts
`firm` and `provider`), claims at every stage, dated relative to the run's today, the budget reconciling, an
audit sample with a finding clawed back, and work waiting in the demo accounts' inboxes."""

import datetime
import math

from django.utils import timezone

from fuhua.accounts.roles import Role
from fuhua.core.demo import DemoRun
from fuhua.core.inbox import inbox
from fuhua.incubation.models import Incubation, IncubationStatus
from fuhua.testing import firm, make_user
from fuhua.vouchers import services
from fuhua.vouchers.demo import FIRM_STORY, load_vouchers
from fuhua.vouchers.models import (
    AuditItemStatus,
    Batch,
    EntryKind,
    Order,
    OrderStatus,
    RedemptionStatus,
    SettlementEntry,
    Voucher,
    VoucherStatus,
)


def _tenant(world, n: int):
    f = firm(f"苏州演示{n:02d}科技有限公司", world.regions.sip, size_class="small")
    Incubation.objects.create(firm=f, carrier=world.carrier_a, status=IncubationStatus.INCUBATING,
                              entered_on=datetime.date(2025, 1, 1))
    return f


def test_the_demo_step_shows_every_stage(vworld, v):
    today = timezone.localdate()
    tenants = [_tenant(vworld, n) for n in range(12)]
    demo_firm = make_user("firm", Role.FIRM, firm=tenants[0])
    run = DemoRun(scale="small", today=today)
    load_vouchers(run)
    assert run.notes and "refused" in run.notes[-1]

    batch = Batch.objects.get(programme=v.prog_a, number=1)
    vouchers = Voucher.objects.filter(batch=batch)
    orders = Order.objects.filter(voucher__batch=batch)
    assert {s for s in vouchers.values_list("status", flat=True)} == set(VoucherStatus.values)
    reached = set(orders.values_list("status", flat=True))
    assert {OrderStatus.PLACED, OrderStatus.CONFIRMED, OrderStatus.DELIVERED, OrderStatus.DISPUTED,
            OrderStatus.ACCEPTED, OrderStatus.REDEEMING, OrderStatus.REDEEMED, OrderStatus.SETTLED} <= reached
    statuses = set(orders.values_list("redemptions__status", flat=True)) - {None}
    assert statuses == set(RedemptionStatus.values)
    # Dated relative to today: claims over the last months, none in the future; held ones still valid.
    claimed = sorted(timezone.localdate(t) for t in vouchers.values_list("claimed_at", flat=True))
    assert claimed[0] == today - datetime.timedelta(days=131) and claimed[-1] <= today
    assert not vouchers.filter(status=VoucherStatus.HELD, valid_until__lt=today).exists()
    # Every fen accounted for; the audit sample found one problem and clawed it back.
    row = services.batch_budget(batch)
    assert row["reconciles"], row
    clawback = SettlementEntry.objects.get(batch=batch, kind=EntryKind.CLAWBACK)
    assert clawback.amount_fen < 0
    sample = batch.programme.audit_samples.get(seed=2026)
    items = list(sample.items.order_by("pk").values_list("status", flat=True))
    assert len(items) == math.ceil(sample.population_size / 2)  # the demo draws half of the settled ones
    assert items[0] == AuditItemStatus.FINDING and items[1:2] in ([], [AuditItemStatus.PASSED])

    # The demo firm: its own story, a voucher expiring soon, a delivery to accept, and room for one more claim.
    own = dict(Voucher.objects.filter(firm=tenants[0]).values_list("claimed_at", "status"))
    assert sorted(own.values()) == sorted(
        {"lapsed": VoucherStatus.LAPSED, "settled": VoucherStatus.SETTLED, "held": VoucherStatus.HELD,
         "delivered": VoucherStatus.IN_USE}[stage] for stage, _ in FIRM_STORY)
    work = {e.key: e.count for e in inbox(demo_firm, {Role.FIRM}, today)}
    assert work["vouchers.expiring"] == 1 and work["vouchers.accept"] == 1
    assert services.claim(demo_firm, batch, "after-the-demo").ok
    provider = {e.key: e.count for e in inbox(vworld.users.provider, {Role.SERVICE_PROVIDER}, today)}
    assert provider["vouchers.confirm"] >= 1 and provider["vouchers.rejected"] == 1
    bureau = {e.key: e.count for e in inbox(vworld.users.bureau_sz, {Role.BUREAU}, today)}
    assert bureau["vouchers.review"] >= 1 and bureau["vouchers.settle"] >= 1 and bureau["vouchers.audit"] >= 1
