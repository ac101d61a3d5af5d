"""What policies add to the registry's carrier page (core.extensions): the carrier's entitlements."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from fuhua.core.extensions import register_sections
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


def register() -> None:
    register_sections("registry.carrier", carrier_sections, key="policies.entitlements", order=50)
