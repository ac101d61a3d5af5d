"""What incubation adds to the registry's pages (core.extensions): on a carrier's page the tenants, the
graduations the rules propose and the records past their time limit; on a firm's page its journey across
carriers and the rule checks of its open records."""

from __future__ import annotations

from django.db.models import F
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from fuhua.core.extensions import Panel, register_panel, register_sections
from fuhua.core.scoping import check
from fuhua.core.views import generic as g

from . import lifecycle
from .models import Incubation, IncubationStatus

OPEN = (IncubationStatus.APPLIED, IncubationStatus.ADMITTED, IncubationStatus.INCUBATING)


def carrier_panel(request, carrier):
    user = request.user
    if not check(user, "view", Incubation):
        return None
    here = type(carrier).objects.filter(pk=carrier.pk)
    return {
        # Rule-driven lists: tenants meeting a graduation condition (one click to graduate) and overdue ones.
        "proposals": lifecycle.graduation_proposals(user, carriers=here),
        "overdue": lifecycle.overdue(user, carriers=here)[0],
        "can_graduate": bool(check(user, "change", Incubation)),
        "can_register": bool(check(user, "add", Incubation) and check(user, "change", carrier)),
        "tenant_count": Incubation.objects.restrict(user).filter(carrier=carrier).count(),
        "tenants_url": reverse("incubation:carrier_tenants", args=[carrier.pk]),
    }


LATEST_TENANTS = 10  # the carrier page shows the latest entries; the full list is paginated on its own page


def carrier_sections(user, carrier) -> list:
    if not check(user, "view", Incubation):
        return []
    tenants = (Incubation.objects.restrict(user).filter(carrier=carrier)
               .select_related("firm", "team").order_by(F("entered_on").desc(nulls_first=True), "-pk"))
    # New tenants come in as applications (登记入孵申请); the record form stays for corrections.
    add = reverse("incubation:incubation_register") + f"?carrier={carrier.pk}"
    return [g.Section(_("Latest tenants"), [
        g.Column("tenant", _("tenant")), g.Column("status", _("status"), link=True),
        g.Column("entered_on", _("entered on")), g.Column("left_on", _("left on")),
    ], list(tenants[:LATEST_TENANTS]), add if check(user, "add", Incubation) else None)]


def _chain(user, firm):
    """The incubation chain (孵化链条): maker space → incubator → accelerator → park, by entry."""
    return (Incubation.objects.restrict(user).filter(firm=firm).select_related("carrier")
            .order_by(F("entered_on").asc(nulls_last=True), F("applied_on").asc(nulls_last=True), "pk"))


def firm_panel(request, firm):
    if not check(request.user, "view", Incubation):
        return None
    chain = list(_chain(request.user, firm))
    return {"journey": chain,
            "firm_checks": [{"incubation": i, "checks": lifecycle.checks(i)} for i in chain if i.status in OPEN]}


def firm_sections(user, firm) -> list:
    if not check(user, "view", Incubation):
        return []
    return [g.Section(_("Incubation chain"), [
        g.Column("carrier", _("carrier")), g.Column("carrier__kind", _("carrier kind")),
        g.Column("status", _("status"), link=True), g.Column("entered_on", _("entered on")),
        g.Column("left_on", _("left on")), g.Column("leave_reason", _("reason")),
    ], list(_chain(user, firm)))]


def register() -> None:
    register_panel("registry.carrier", Panel("incubation", "incubation/_carrier_panel.html", carrier_panel))
    register_sections("registry.carrier", carrier_sections, key="incubation.tenants", order=20)
    register_panel("registry.firm", Panel("incubation", "incubation/_firm_panel.html", firm_panel))
    register_sections("registry.firm", firm_sections, key="incubation.chain", order=20)
