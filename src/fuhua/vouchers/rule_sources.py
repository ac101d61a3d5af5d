"""Vouchers for the rules: per firm, what it claimed and bought with innovation vouchers in the calendar year of
the evaluation day (up to that day); per carrier, the same summed over its current tenants (incubation
admitted or incubating). Declared in `fuhua.rules.entities` (firm and carrier); registered from
VouchersConfig.ready(). Each column is one grouped query over all the ids asked for."""

from __future__ import annotations

import datetime

import numpy as np
from django.db.models import Count, Sum
from django.utils import timezone

from fuhua.incubation.models import Incubation
from fuhua.rules.adapter import register_attribute_source
from fuhua.rules.adapter.columns import among

from .models import Order, OrderStatus, Voucher

SERVED = (OrderStatus.ACCEPTED, OrderStatus.REDEEMING, OrderStatus.REDEEMED, OrderStatus.SETTLED)
CURRENT_TENANCY = ("admitted", "incubating")
FIRM_COLUMNS = ("vouchers_claimed_this_year", "voucher_value_claimed_fen", "voucher_services",
                "voucher_services_value_fen")
CARRIER_COLUMNS = ("tenant_vouchers_claimed_this_year", "tenant_voucher_value_claimed_fen", "tenant_voucher_services",
                   "tenant_voucher_services_value_fen")
FIRM_SOURCES = {
    "firm.vouchers_claimed_this_year": "vouchers: the firm's vouchers claimed from 1 January to the day",
    "firm.voucher_value_claimed_fen": "vouchers: their face value",
    "firm.voucher_services": "voucher orders the firm accepted (delivered services) from 1 January to the day",
    "firm.voucher_services_value_fen": "voucher orders: the part the voucher covered",
}
CARRIER_SOURCES = {
    "carrier.tenant_vouchers_claimed_this_year": "vouchers claimed this year by the carrier's current tenants",
    "carrier.tenant_voucher_value_claimed_fen": "their face value",
    "carrier.tenant_voucher_services": "voucher orders the current tenants accepted this year",
    "carrier.tenant_voucher_services_value_fen": "the part the vouchers covered",
}


def _window(as_of: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    start = timezone.make_aware(datetime.datetime(as_of.year, 1, 1))
    return start, timezone.make_aware(datetime.datetime.combine(as_of + datetime.timedelta(days=1), datetime.time()))


def firm_figures(firm_ids: list[int], as_of: datetime.date) -> dict[int, tuple[int, int, int, int]]:
    """firm id → (vouchers claimed, their value, services accepted, what the vouchers covered) this year."""
    start, end = _window(as_of)
    wanted = set(firm_ids)
    out: dict[int, list[int]] = {}
    # `among`: the ids listed, or for a whole country's firms their range (SQLite caps a statement's variables);
    # rows outside the ids asked for are dropped below.
    claimed = (Voucher.objects.filter(among("firm_id", firm_ids), claimed_at__gte=start, claimed_at__lt=end)
               .values("firm_id").annotate(n=Count("pk"), v=Sum("face_value_fen")).order_by())
    for row in claimed:
        out.setdefault(row["firm_id"], [0, 0, 0, 0])[0:2] = [row["n"], int(row["v"] or 0)]
    served = (Order.objects.filter(among("firm_id", firm_ids), status__in=SERVED, accepted_at__gte=start,
                                   accepted_at__lt=end)
              .values("firm_id").annotate(n=Count("pk"), v=Sum("covered_fen")).order_by())
    for row in served:
        out.setdefault(row["firm_id"], [0, 0, 0, 0])[2:4] = [row["n"], int(row["v"] or 0)]
    return {k: tuple(v) for k, v in out.items() if k in wanted}


def _arrays(ids: np.ndarray, figures: dict[int, tuple], names: tuple[str, ...]) -> dict[str, np.ndarray]:
    rows = [figures.get(int(i), (0, 0, 0, 0)) for i in ids]
    return {name: np.array([r[n] for r in rows], np.int64) for n, name in enumerate(names)}


def firm_vouchers(ids: np.ndarray, as_of: datetime.date, columns: dict) -> dict[str, np.ndarray]:
    return _arrays(ids, firm_figures([int(i) for i in ids], as_of), FIRM_COLUMNS)


def carrier_vouchers(ids: np.ndarray, as_of: datetime.date, columns: dict) -> dict[str, np.ndarray]:
    wanted = {int(i) for i in ids}
    tenancy = [(c, f) for c, f in Incubation.objects.filter(among("carrier_id", wanted), status__in=CURRENT_TENANCY,
                                                            firm_id__isnull=False).values_list("carrier_id", "firm_id")
               if c in wanted]
    per_firm = firm_figures(sorted({f for _, f in tenancy}), as_of)
    sums: dict[int, list[int]] = {}
    for carrier_id, firm_id in tenancy:
        total = sums.setdefault(carrier_id, [0, 0, 0, 0])
        for n, value in enumerate(per_firm.get(firm_id, (0, 0, 0, 0))):
            total[n] += value
    return _arrays(ids, {k: tuple(v) for k, v in sums.items()}, CARRIER_COLUMNS)


def register() -> None:
    register_attribute_source("firm", FIRM_COLUMNS, firm_vouchers, sources=FIRM_SOURCES)
    register_attribute_source("carrier", CARRIER_COLUMNS, carrier_vouchers, sources=CARRIER_SOURCES)
