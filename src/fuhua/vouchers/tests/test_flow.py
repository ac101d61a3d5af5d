"""The whole path of one voucher, claim to settlement, and the budget reconciling at every step."""

import pytest

from fuhua.core.system import SYSTEM
from fuhua.vouchers import services
from fuhua.vouchers.models import OrderStatus, VoucherStatus
from fuhua.vouchers.testing import voucher_world


@pytest.fixture
def v(world):
    return voucher_world(world)


def test_claim_to_settlement_reconciles(world, v):
    firm_user, provider_user = world.users.firm_a, world.users.provider
    order = v.order_a
    assert order.status == OrderStatus.DELIVERED
    services.accept(firm_user, order)
    redemption = services.apply_redemption(provider_user, order)
    assert redemption.amount_fen == order.covered_fen
    services.review(world.users.bureau_sz, [redemption], approve=True)
    [entry] = services.settle(world.users.bureau_sz, [redemption], reference="苏科拨〔2026〕1号")
    assert entry.amount_fen == order.covered_fen
    order.refresh_from_db()
    v.voucher_a.refresh_from_db()
    assert order.status == OrderStatus.SETTLED
    assert v.voucher_a.status == VoucherStatus.SETTLED
    row = services.batch_budget(v.batch_a)
    assert row["reconciles"], row
    assert row["settled"] == order.covered_fen
    assert row["paid_net"] == order.covered_fen
    assert row["budget"] == 10 * v.batch_a.face_value_fen
    services.rate_order(firm_user, order, 5, "很好")
    assert services.expire(SYSTEM).lapsed == 0
