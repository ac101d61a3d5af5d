"""What the marketplace adds to the registry's organisation page (core.extensions): a service provider's
listing — its status and catalogue — or, for its own staff, the way to apply."""

from __future__ import annotations

from django.urls import reverse

from fuhua.core.extensions import Panel, register_panel
from fuhua.core.scoping import check
from fuhua.registry.choices import OrganisationKind

from .models import Product, Provider


def organisation_panel(request, organisation):
    user = request.user
    if organisation.kind != OrganisationKind.SERVICE_PROVIDER or not check(user, "view", Provider):
        return None
    listing = Provider.objects.restrict(user, "view").filter(organisation=organisation).first()
    if listing is None:
        may_apply = bool(check(user, "add", Provider) and check(user, "change", organisation))
        return {"listing": None, "apply_url": reverse("marketplace:provider_create") if may_apply else None}
    products = Product.objects.restrict(user, "view").filter(provider=listing)
    return {"listing": listing, "offered": products.filter(Product.public_q()).count(), "apply_url": None}


def register() -> None:
    register_panel("registry.organisation", Panel("marketplace.listing", "marketplace/_organisation_panel.html",
                                                  organisation_panel))
