"""What policies add to the registry's pages (core.extensions): the carrier's entitlements; on the firm and
carrier pages, the link to "which policies fit" and the firm's own entitlements."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from fuhua.core.extensions import Panel, register_panel, register_sections
from fuhua.core.scoping import check
from fuhua.core.views import generic as g

from .models import Entitlement


def carrier_sections(user, carrier) -> list:
    if not check(user, "view", Entitlement):
        return []
    entitlements = (Entitlement.objects.restrict(user).filter(carrier=carrier).select_related("policy")
                    .order_by("-period", "policy__code", "item", "pk"))
    return [g.Section(_("Entitlements"), [
        g.Column("policy", _("policy")), g.Column("item", _("item")), g.Column("period", _("period")),
        g.Column("amount_fen", _("amount")), g.Column("status", _("status"), link=True),
    ], list(entitlements))]


def firm_sections(user, firm) -> list:
    if not check(user, "view", Entitlement):
        return []
    entitlements = (Entitlement.objects.restrict(user).filter(firm=firm).select_related("policy")
                    .order_by("-period", "policy__code", "item", "pk"))
    return [g.Section(_("Entitlements"), [
        g.Column("policy", _("policy")), g.Column("item", _("item")), g.Column("period", _("period")),
        g.Column("amount_fen", _("amount")), g.Column("status", _("status"), link=True),
    ], list(entitlements))]


def _fit_link(name: str):
    def context(request, obj):
        return {"fit_url": reverse(name, kwargs={"pk": obj.pk})}
    return context


def register() -> None:
    register_sections("registry.carrier", carrier_sections, key="policies.entitlements", order=50)
    register_sections("registry.firm", firm_sections, key="policies.firm_entitlements", order=50)
    register_panel("registry.firm", Panel("policies.fit", "policies/_fit_link.html", _fit_link("policies:firm_fit"),
                                          order=40))
    register_panel("registry.carrier", Panel("policies.fit", "policies/_fit_link.html",
                                             _fit_link("policies:carrier_fit"), order=40))
