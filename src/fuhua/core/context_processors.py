"""Template context for every page: the navigation the user's roles may use, and who they are."""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.translation import gettext_lazy as _

from .permissions import policy
from .scoping import check


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str
    model: str | None = None  # "app_label.model_name": shown only if the user may view it
    key: str = ""  # stable id for tests and CSS
    group: str = ""  # a key of NAV_GROUPS; by default the group of the URL's app (see _group_of)


# The navigation's groups, in order; items of the same group share one menu in the top bar.
NAV_GROUPS: dict[str, str] = {
    "registry": _("Registry"),
    "incubation": _("Incubation services"),
    "stats": _("Statistics & evaluation"),
    "funding": _("Policies & funding"),
    "system": _("System"),
}
# The group of each app's pages, so that an app's register_nav() need not name one.
_APP_GROUPS = {"registry": "registry", "incubation": "incubation", "statistics": "stats", "evaluation": "stats",
               "policies": "funding", "vouchers": "funding", "accounts": "system", "core": "system"}


def _group_of(item: NavItem) -> str:
    if item.group:
        return item.group
    namespace = item.url_name.split(":")[0] if ":" in item.url_name else ""
    return _APP_GROUPS.get(namespace, "")


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


# The items each combination of roles may see. Whether a role may view a model at all depends on the role alone
# (the permission matrix, core.permissions), so every user with the same roles sees the same items: computed once
# per combination and process rather than a permission check per item on every page, error pages included.
_VISIBLE: dict[tuple, tuple[NavItem, ...]] = {}


def _visible_items(user) -> tuple[NavItem, ...]:
    key = (user.is_superuser, frozenset(g.role for g in policy().grants_of(user)), len(NAV_ITEMS))
    items = _VISIBLE.get(key)
    if items is None:
        items = _VISIBLE[key] = tuple(item for item in NAV_ITEMS if _visible(user, item))
    return items


def _scope_label(grant) -> str:
    target = grant.region or grant.organisation or grant.firm or grant.mentor or grant.investor
    return str(target) if target else ""


# The navigation's URLs, reversed once per URL configuration and script prefix (every page shows the bar).
_URLS: dict[tuple, str | None] = {}


def _url(url_name: str) -> str | None:
    key = (url_name, get_urlconf(), get_script_prefix())
    if key not in _URLS:
        try:
            _URLS[key] = reverse(url_name)
        except NoReverseMatch:  # an app that is not installed or has no page yet
            _URLS[key] = None
    return _URLS[key]


@receiver(setting_changed)
def _forget_urls(setting, **kwargs):
    if setting in ("ROOT_URLCONF", "INSTALLED_APPS"):
        _URLS.clear()
    _VISIBLE.clear()  # a test that changes settings may change what a role sees


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    grants_of = policy().grants_of

    path = request.path
    items = []
    for item in _visible_items(user):
        url = _url(item.url_name)
        if url is None:
            continue
        current = path == url if url == "/" else path.startswith(url)
        items.append({"url": url, "label": item.label, "key": item.key, "current": current, "group": _group_of(item)})
    if user.is_superuser:
        grants = [{"role": policy().admin_label, "scope": ""}]
    else:
        grants = [{"role": g.get_role_display(), "scope": _scope_label(g)} for g in grants_of(user)]
    return {"nav_items": items, "nav_entries": _grouped(items), "user_grants": grants}


def _grouped(items: list[dict]) -> list[dict]:
    """The top bar: ungrouped items as links, each group with two or more items as one menu (in the
    order of NAV_GROUPS, after the dashboard), a group with one item as that item's link."""
    by_group: dict[str, list[dict]] = {}
    for item in items:
        by_group.setdefault(item["group"], []).append(item)
    entries = [{"item": i} for i in by_group.pop("", []) if i["key"] != "search"]
    for key, label in NAV_GROUPS.items():
        members = by_group.pop(key, [])
        if len(members) == 1:
            entries.append({"item": members[0]})
        elif members:
            entries.append({"label": label, "key": key, "members": members,
                            "current": any(m["current"] for m in members)})
    entries += [{"item": i} for i in items if i["key"] == "search"]
    return entries
