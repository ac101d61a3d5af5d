"""The registry's items of the dashboard's inbox: for a mentor, an investor or a service provider, the
profile that carriers and firms find them by (kept current by its owner). Registered from
RegistryConfig.ready(); one COUNT each on a restricted queryset, the link to the profile itself."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from fuhua.accounts.roles import Role
from fuhua.core.inbox import register_inbox_item
from fuhua.core.views.generic import object_url

from .models import InvestorProfile, MentorProfile, Organisation


def _own(model, role: str, key: str, label, order: int, **lookups) -> None:
    def count(user, today) -> int:
        return model.objects.restrict(user).filter(**lookups).count()

    def url(user, today) -> str:
        return object_url(model.objects.restrict(user).filter(**lookups).order_by("pk").first())

    register_inbox_item(key, label, {role}, count=count, url=url, order=order)


def register() -> None:
    _own(MentorProfile, Role.MENTOR, "registry.mentor", gettext_lazy("your mentor profile: keep it current"), 90)
    _own(InvestorProfile, Role.INVESTOR, "registry.investor", gettext_lazy("your investor profile: keep it current"),
         90)
    _own(Organisation, Role.SERVICE_PROVIDER, "registry.provider",
         gettext_lazy("your organisation's profile: keep it current"), 90, kind="service_provider")
