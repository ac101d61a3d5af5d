"""The rules adapter sees vouchers: per firm and per carrier's current tenants, this calendar year."""

from django.utils import timezone

from fuhua.registry.models import Carrier, Firm
from fuhua.rules.adapter import load_population


def _columns(population, kind: str) -> dict[int, dict]:
    table = population[kind]
    return {int(i): {name: int(values[n]) for name, values in table.columns.items() if "voucher" in name}
            for n, i in enumerate(table.ids)}


def test_population_carries_the_voucher_columns(vworld, v):
    a, b = vworld.firm_a, vworld.firm_b
    loaded = load_population(timezone.localdate(), firms=Firm.objects.filter(pk__in=[a.pk, b.pk]))
    firms = _columns(loaded.population, "firm")
    # firm_a: two vouchers (one settled through an accepted order, one in an open order); firm_b: one, accepted
    assert firms[a.pk] == {"vouchers_claimed_this_year": 2, "voucher_value_claimed_fen": 2 * v.voucher_a.face_value_fen,
                           "voucher_services": 1, "voucher_services_value_fen": v.order_a.covered_fen}
    assert firms[b.pk] == {"vouchers_claimed_this_year": 1, "voucher_value_claimed_fen": v.voucher_b.face_value_fen,
                           "voucher_services": 1, "voucher_services_value_fen": v.order_b.covered_fen}
    last_year = timezone.localdate().replace(month=1, day=1) - timezone.timedelta(days=1)
    earlier = _columns(load_population(last_year, firms=Firm.objects.filter(pk=a.pk)).population, "firm")
    assert set(earlier[a.pk].values()) == {0}


def test_carrier_sums_its_current_tenants(vworld, v):
    loaded = load_population(timezone.localdate(), carriers=Carrier.objects.filter(pk=vworld.carrier_a.pk))
    carriers = _columns(loaded.population, "carrier")
    assert carriers[vworld.carrier_a.pk] == {
        "tenant_vouchers_claimed_this_year": 2, "tenant_voucher_value_claimed_fen": 2 * v.voucher_a.face_value_fen,
        "tenant_voucher_services": 1, "tenant_voucher_services_value_fen": v.order_a.covered_fen}
