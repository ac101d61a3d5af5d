"""Vouchers' prefill source for the annual statistics (core.prefill): what the carrier's tenants did with
innovation vouchers in the year — vouchers claimed, their value, services bought with them and what the
vouchers paid for those services. A tenant is a firm in incubation at the carrier when it claimed (or, for a
service, when it accepted the delivery). Each field is one grouped query over many carriers. Registered
from VouchersConfig.ready()."""

from __future__ import annotations

import datetime

from django.db.models import Count, F, Q, Sum
from django.utils.translation import gettext_lazy as _

from fuhua.core.prefill import per_field, register_prefill_source

from .models import Order, OrderStatus, Voucher

SERVED = (OrderStatus.ACCEPTED, OrderStatus.REDEEMING, OrderStatus.REDEEMED, OrderStatus.SETTLED)
KEY = "firm__incubations__carrier_id"


def _grouped(qs, agg) -> dict[int, int]:
    return {row[KEY]: int(row["n"] or 0) for row in qs.values(KEY).annotate(n=agg).order_by()}


def _tenants_at(qs, ids, day_field: str):
    """Rows whose firm was in incubation at the carrier on the row's own date (`day_field`)."""
    if ids is not None:
        qs = qs.filter(**{f"{KEY}__in": ids})
    return qs.filter(Q(firm__incubations__left_on__isnull=True) | Q(firm__incubations__left_on__gte=F(day_field)),
                     firm__incubations__entered_on__lte=F(day_field), firm__incubations__firm__isnull=False)


def _claims(kind: str):
    def source(ids, year):
        start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        qs = Voucher.objects.filter(claimed_at__date__range=(start, end)).annotate(day=F("claimed_at__date"))
        qs = _tenants_at(qs, ids, "day")
        agg = {"count": Count("pk"), "value": Sum("face_value_fen"), "firms": Count("firm", distinct=True)}[kind]
        return _grouped(qs, agg)
    return source


def _services(kind: str):
    def source(ids, year):
        start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        qs = Order.objects.filter(status__in=SERVED, accepted_at__date__range=(start, end)).annotate(
            day=F("accepted_at__date"))
        qs = _tenants_at(qs, ids, "day")
        agg = {"count": Count("pk"), "covered": Sum("covered_fen"), "price": Sum("price_fen")}[kind]
        return _grouped(qs, agg)
    return source


FIELDS = {
    "vouchers.claimed": (_("innovation vouchers claimed by tenants during the year"), _claims("count")),
    "vouchers.claimed_value": (_("face value of the innovation vouchers tenants claimed during the year"),
                               _claims("value")),
    "vouchers.claiming_tenants": (_("tenants that claimed an innovation voucher during the year"), _claims("firms")),
    "vouchers.services": (_("services tenants bought with vouchers, accepted during the year"), _services("count")),
    "vouchers.services_value": (_("price of the services tenants bought with vouchers during the year"),
                                _services("price")),
    "vouchers.services_covered": (_("part of those services paid by vouchers"), _services("covered")),
}


def register() -> None:
    register_prefill_source("vouchers", _("innovation vouchers"), {f: text for f, (text, _fn) in FIELDS.items()},
                            per_field({f: fn for f, (_text, fn) in FIELDS.items()}), counted=True)
