"""What vouchers add to other apps' pages (core.extensions): on a firm's page its vouchers; on a carrier's
page its tenants' vouchers; on a provider's page its voucher orders. Each only for those who may see them."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from fuhua.core.extensions import register_sections
from fuhua.core.scoping import check
from fuhua.core.views import generic as g

from .models import Order, Voucher

OPEN_TENANCY = ("admitted", "incubating")
SHOWN = 50  # rows in a section; the full list is one click away (filtered)


def _voucher_columns(with_firm: bool) -> list:
    return [
        g.Column("id", _("voucher"), link=True), *([g.Column("firm", _("firm"))] if with_firm else []),
        g.Column("batch__programme", _("programme")), g.Column("face_value_fen", _("face value (fen)")),
        g.Column("status", _("status")), g.Column("valid_until", _("valid until")),
    ]


def firm_sections(user, firm) -> list:
    if not check(user, "view", Voucher):
        return []
    vouchers = (Voucher.objects.restrict(user).filter(firm=firm).select_related("batch__programme")
                .order_by("-claimed_at", "-pk"))[:SHOWN]
    return [g.Section(_("Innovation vouchers"), _voucher_columns(False), list(vouchers))]


def carrier_sections(user, carrier) -> list:
    if not check(user, "view", Voucher):
        return []
    vouchers = (Voucher.objects.restrict(user).filter(firm__incubations__carrier=carrier,
                                                      firm__incubations__status__in=OPEN_TENANCY)
                .select_related("batch__programme", "firm").distinct().order_by("-claimed_at", "-pk"))[:SHOWN]
    return [g.Section(_("Tenants' innovation vouchers"), _voucher_columns(True), list(vouchers))]


def provider_sections(user, provider) -> list:
    if not check(user, "view", Order):
        return []
    orders = (Order.objects.restrict(user).filter(provider=provider).select_related("firm")
              .order_by("-placed_at", "-pk"))[:SHOWN]
    return [g.Section(_("Voucher orders"), [
        g.Column("product_name", _("service"), link=True), g.Column("firm", _("firm")),
        g.Column("covered_fen", _("covered by the voucher (fen)")), g.Column("status", _("status")),
        g.Column("placed_at", _("placed at")),
    ], list(orders))]


def register() -> None:
    register_sections("registry.firm", firm_sections, key="vouchers.firm", order=60)
    register_sections("registry.carrier", carrier_sections, key="vouchers.carrier", order=60)
    register_sections("marketplace.provider", provider_sections, key="vouchers.provider", order=60)
