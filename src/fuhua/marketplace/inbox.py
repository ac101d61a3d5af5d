"""The marketplace's inbox items: the bureau's providers and products to review and qualifications running
out; a provider's rejected products and its own qualifications running out. One COUNT each on a scoped
queryset; registered from MarketplaceConfig.ready()."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy

from fuhua.accounts.roles import Role
from fuhua.core.inbox import register_inbox_item

from .models import Product, ProductStatus, Provider, ProviderStatus
from .services import expiring_qualifications


def _providers(user, status) -> int:
    return Provider.objects.restrict(user, "change").filter(status=status).count()


def _products(user, status) -> int:
    return Product.objects.restrict(user, "change").filter(status=status).count()


def register() -> None:
    register_inbox_item(
        "marketplace.providers_applied", gettext_lazy("service providers applying to be listed"), {Role.BUREAU},
        count=lambda user, today: _providers(user, ProviderStatus.APPLIED),
        url=lambda user, today: f"{reverse('marketplace:provider_list')}?status={ProviderStatus.APPLIED}", order=70)
    register_inbox_item(
        "marketplace.products_pending", gettext_lazy("service products awaiting approval"), {Role.BUREAU},
        count=lambda user, today: _products(user, ProductStatus.PENDING),
        url=lambda user, today: f"{reverse('marketplace:product_list')}?status={ProductStatus.PENDING}", order=71)
    register_inbox_item(
        "marketplace.qualifications_expiring",
        gettext_lazy("provider qualifications expired or expiring within 30 days"),
        {Role.BUREAU, Role.SERVICE_PROVIDER},
        count=lambda user, today: expiring_qualifications(user, on=today).count(),
        url=lambda user, today: f"{reverse('marketplace:qualification_list')}?expiring=soon", order=72)
    register_inbox_item(
        "marketplace.products_rejected", gettext_lazy("your service products returned by the bureau"),
        {Role.SERVICE_PROVIDER},
        count=lambda user, today: _products(user, ProductStatus.REJECTED),
        url=lambda user, today: f"{reverse('marketplace:product_list')}?status={ProductStatus.REJECTED}", order=70)
