"""No GET response holds an object outside the caller's reach, generated from the OpenAPI schema.

Every GET operation is called by every user (on an object of the path's kind the user may view, or the
list); every carrier, firm, team and organisation the JSON names — by id (`carrier_id`, `firm: 12`,
`operator: {"id": …}`) or, for carriers, by name — must be one the user may view, or one that an object
the user may view points to (a firm user's incubation names its carrier). Computed endpoints
(simulation, entitlements, comparisons, scorecards, readiness) are covered with the plain resources.
"""

import pytest
from django.apps import apps
from django.conf import settings

from fuhua.core.scoping import RestrictedQuerySet
from fuhua.core.tests.test_scope_matrix import (
    NOT_RESOURCES,
    PATH_VALUES,
    RESOURCES,
    api_operations,
    module_world,
    resource_of,
    token_clients,
    users,
)
from fuhua.registry.models import Carrier, Firm, Organisation, StartupTeam

__all__ = ["module_world"]

# JSON keys that name an object of these kinds.
KEYS = {"carrier": Carrier, "carrier_id": Carrier, "carriers": Carrier, "carrier_ids": Carrier,
        "firm": Firm, "firm_id": Firm, "firms": Firm, "team": StartupTeam, "team_id": StartupTeam,
        "operator": Organisation, "operator_id": Organisation, "institution": Organisation,
        "organisation": Organisation, "association": Organisation}
WATCHED = set(KEYS.values())
PLURAL = {"carriers", "carrier_ids", "firms"}  # a list of them; a number under these keys is a count

GET_OPERATIONS = [(m, p) for m, p in api_operations() if m == "GET" and resource_of(p) not in NOT_RESOURCES]


@pytest.fixture
def world(module_world, db):
    return module_world


def scoped_models():
    return [m for m in apps.get_models()
            if hasattr(m, "scope") and isinstance(m._default_manager.get_queryset(), RestrictedQuerySet)]


def reach(user) -> dict:
    """kind → ids the user may view or sees as the target of a reference from something it may view."""
    cached = getattr(user, "_scope_reach", None)
    if cached is not None:
        return cached
    out = {kind: set(kind._default_manager.restrict(user, "view").values_list("pk", flat=True)) for kind in WATCHED}
    for model in scoped_models():
        visible = model._default_manager.restrict(user, "view")
        for field in model._meta.get_fields():
            if (field.many_to_one or field.many_to_many) and not field.auto_created \
                    and field.related_model in WATCHED:
                ids = visible.exclude(**{f"{field.name}__isnull": True}).values_list(field.name, flat=True)
                out[field.related_model] |= set(ids)
    out["carrier names"] = set(Carrier.objects.filter(pk__in=out[Carrier]).values_list("name", flat=True))
    user._scope_reach = out
    return out


def named(body, found=None, key=None) -> list[tuple[str, object]]:
    """(key, value) of every watched key in the JSON, with ids and carrier names unpacked."""
    found = [] if found is None else found
    if isinstance(body, dict):
        for k, v in body.items():
            if k in KEYS and (isinstance(v, list) or k not in PLURAL):
                values = v if isinstance(v, list) else [v]
                for value in values:
                    if isinstance(value, dict):
                        value = value.get("id")
                    if value is not None and not isinstance(value, bool):
                        found.append((k, value))
            named(v, found, k)
    elif isinstance(body, list):
        for item in body:
            named(item, found, key)
    return found


def leaks(user, body) -> list:
    allowed = reach(user)
    out = []
    for key, value in named(body):
        if isinstance(value, int):
            if value not in allowed[KEYS[key]]:
                out.append((key, value))
        elif isinstance(value, str) and KEYS[key] is Carrier and value not in allowed["carrier names"]:
            out.append((key, value))
    return out


def url_for(path: str, user, world) -> str | None:
    url = path
    for name, value in PATH_VALUES.items():
        url = url.replace("{" + name + "}", value)
    if "{id}" in url:
        row = RESOURCES.get(resource_of(path))
        if row is None:
            return None
        objects = row.objects(world)
        mine = [o for o in objects if (o.user_id == user.pk if row.owned else
                                       type(o)._default_manager.restrict(user, "view").filter(pk=o.pk).exists())]
        if not mine:
            return None
        url = url.replace("{id}", str(mine[0].pk))
    return url


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path"), GET_OPERATIONS, ids=[p for _, p in GET_OPERATIONS])
def test_no_response_names_an_object_out_of_reach(world, method, path):
    clients = token_clients(world)
    checked = 0
    for name, user in users(world).items():
        url = url_for(path, user, world)
        if url is None:
            continue
        response = clients[name].get(url, {"limit": settings.API_PAGE_SIZE_MAX})
        if response.status_code != 200 or not response.get("Content-Type", "").startswith("application/json"):
            continue
        found = leaks(user, response.json())
        assert not found, (name, url, found)
        checked += 1
    if not checked:
        pytest.skip(f"{path}: no user got a JSON answer")
