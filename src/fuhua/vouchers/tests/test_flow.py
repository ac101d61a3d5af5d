"""The whole path of one voucher, claim to settlement, and the budget reconciling at every step."""

from fuhua.core.system import SYSTEM
from fuhua.vouchers import services
from fuhua.vouchers.models import OrderStatus, RedemptionStatus, VoucherStatus


def test_claim_to_settlement_reconciles(vworld, v):
    order, voucher = v.order_a, v.voucher_a
    assert order.status == OrderStatus.SETTLED
    assert voucher.status == VoucherStatus.SETTLED
    assert v.redemption_a.status == RedemptionStatus.SETTLED
    assert v.entry_a.amount_fen == order.covered_fen == voucher.settled_fen
    assert voucher.returned_fen == voucher.face_value_fen - order.covered_fen
    row = services.batch_budget(v.batch_a)
    assert row["reconciles"], row
    assert row["budget"] == 10 * v.batch_a.face_value_fen
    assert row["settled"] == row["paid"] == row["paid_net"] == order.covered_fen
    assert row["held"] == 0
    assert row["ordered"] == v.held_a.face_value_fen  # the open order
    services.rate_order(vworld.users.firm_a, order, 5, "很好")
    assert services.expire(SYSTEM).lapsed == 0
