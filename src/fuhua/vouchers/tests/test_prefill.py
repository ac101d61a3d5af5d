"""The annual statistics see the tenants' vouchers and the services bought with them (core.prefill)."""

from django.utils import timezone

from fuhua.core import prefill


def test_tenants_vouchers_and_services_per_carrier(vworld, v):
    year = timezone.localdate().year
    fields = ["vouchers.claimed", "vouchers.claimed_value", "vouchers.claiming_tenants", "vouchers.services",
              "vouchers.services_value", "vouchers.services_covered"]
    values = prefill.load(fields, [vworld.carrier_a.pk, vworld.carrier_b.pk], year)
    a, b = vworld.carrier_a.pk, vworld.carrier_b.pk
    # carrier A's tenant firm_a: two vouchers (one settled, one in an open order); carrier B's firm_b: one
    assert values["vouchers.claimed"] == {a: 2, b: 1}
    assert values["vouchers.claimed_value"] == {a: 2 * v.voucher_a.face_value_fen, b: v.voucher_b.face_value_fen}
    assert values["vouchers.claiming_tenants"] == {a: 1, b: 1}
    assert values["vouchers.services"] == {a: 1, b: 1}  # accepted deliveries (the open order is not)
    assert values["vouchers.services_value"] == {a: v.order_a.price_fen, b: v.order_b.price_fen}
    assert values["vouchers.services_covered"] == {a: v.order_a.covered_fen, b: v.order_b.covered_fen}
    assert prefill.load(["vouchers.claimed"], [a], year - 1) == {"vouchers.claimed": {}}
    assert prefill.source_of("vouchers.claimed").counted
