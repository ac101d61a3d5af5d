"""Template context for every page: the navigation the user's roles may use, and who they are."""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from .scoping import check


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str
    model: str | None = None  # "app_label.model_name": shown only if the user may view it
    key: str = ""  # stable id for tests and CSS


# Later apps append their entries with `register_nav(NavItem(...))` from their AppConfig.ready().
NAV_ITEMS: list[NavItem] = [
    NavItem("dashboard", _("Dashboard"), key="dashboard"),
    NavItem("registry:carrier_list", _("Carriers"), "registry.carrier", key="carriers"),
    NavItem("registry:recognition_list", _("Recognitions"), "registry.recognition", key="recognitions"),
    NavItem("registry:firm_list", _("Firms"), "registry.firm", key="firms"),
    NavItem("incubation:incubation_list", _("Incubations"), "incubation.incubation", key="incubations"),
    NavItem("registry:organisation_list", _("Organisations"), "registry.organisation", key="organisations"),
    NavItem("registry:mentorprofile_list", _("Mentors"), "registry.mentorprofile", key="mentors"),
    NavItem("registry:investorprofile_list", _("Investors"), "registry.investorprofile", key="investors"),
    NavItem("search", _("Search"), key="search"),
]


def register_nav(item: NavItem, before: str | None = "search") -> None:
    keys = [i.key for i in NAV_ITEMS]
    NAV_ITEMS.insert(keys.index(before) if before in keys else len(NAV_ITEMS), item)


def _visible(user, item: NavItem) -> bool:
    return item.model is None or bool(check(user, "view", apps.get_model(item.model)))


def _scope_label(grant) -> str:
    target = grant.region or grant.organisation or grant.firm or grant.mentor or grant.investor
    return str(target) if target else ""


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from fuhua.accounts.roles import Role, grants_of

    path = request.path
    items = []
    for item in NAV_ITEMS:
        if not _visible(user, item):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:  # an app that is not installed or has no page yet
            continue
        current = path == url if url == "/" else path.startswith(url)
        items.append({"url": url, "label": item.label, "key": item.key, "current": current})
    if user.is_superuser:
        grants = [{"role": Role.ADMIN.label, "scope": ""}]
    else:
        grants = [{"role": g.get_role_display(), "scope": _scope_label(g)} for g in grants_of(user)]
    return {"nav_items": items, "user_grants": grants}
