"""Scope matrix, generated from the route lists: every API operation and every web page that takes
an object id is called by every role on objects outside that role's reach, and must refuse (403/404)
without changing anything. A new endpoint is covered without anyone remembering to add a test; a new
*kind* of object fails here until it is added to RESOURCES (or the web names to WEB_NAMES).

The oracle for "outside" is `core.scoping.check`; test_scoping.py checks the scoping itself, and
`test_the_oracle_matches_the_brief` pins the cases everyone agrees on. Writes through relations, the
writable fields per role and the ids in every GET response are generated in test_scope_writes.py and
test_scope_reads.py, on the same world.

The world (with every app's objects and a token per user) is built once per module, in a transaction
that is rolled back at the end; each test runs in a savepoint of it, rolled back after the test.
"""

import importlib
import importlib.util
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from fuhua.accounts.models import ApiToken
from fuhua.accounts.services import tokens_visible_to
from fuhua.api import api
from fuhua.core.audit import snapshot
from fuhua.core.models import ObjectChange
from fuhua.core.scoping import check
from fuhua.evaluation.testing import scope_objects as evaluation_objects
from fuhua.policies.testing import scope_objects
from fuhua.registry.models import AssociationMembership, FirmDesignation
from fuhua.registry.testing import expert_world, founder_world
from fuhua.statistics.testing import scope_objects as statistics_objects
from fuhua.testing import rules_facts


@dataclass(frozen=True)
class Row:
    objects: Callable  # world -> the world's objects of this kind, from both cities
    change: dict = field(default_factory=dict)  # a valid change, so that a leaked write would show
    owned: bool = False  # in reach = one's own (tokens), whatever the role


RESOURCES = {
    "regions": Row(lambda w: [w.regions.sz, w.regions.nj, w.regions.sip]),
    "organisations": Row(lambda w: [w.op_a, w.op_b, w.assoc, w.provider, w.fund], {"legal_representative": "张三"}),
    "carriers": Row(lambda w: [w.carrier_a, w.carrier_b], {"address": "新地址1号"}),
    "recognitions": Row(lambda w: [w.rec_a, w.rec_b], {"authority": "某某厅"}),
    "firms": Row(lambda w: [w.firm_a, w.firm_b], {"size_class": "small"}),
    "designations": Row(lambda w: list(FirmDesignation.objects.order_by("pk")), {"certificate_number": "GR1"}),
    "teams": Row(lambda w: [w.team_b], {"leader": "李四"}),
    "mentors": Row(lambda w: [w.mentor_a, w.mentor_b], {"title": "教授"}),
    "investors": Row(lambda w: [w.investor_a, w.investor_b], {"position": "合伙人"}),
    "incubations": Row(lambda w: [w.inc_a, w.inc_b, w.inc_team], {"applied_on": "2023-12-01"}),
    "memberships": Row(lambda w: list(AssociationMembership.objects.all()), {"joined_on": "2018-01-01"}),
    "tokens": Row(lambda w: list(ApiToken.objects.order_by("pk")), owned=True),
    "policies": Row(lambda w: scope_objects(w).policies),
    "evaluation-runs": Row(lambda w: [evaluation_objects(w).run_sz, evaluation_objects(w).run_nj]),
    "evaluation-results": Row(lambda w: [evaluation_objects(w).result_a, evaluation_objects(w).result_b]),
    "appeals": Row(lambda w: [evaluation_objects(w).appeal_a, evaluation_objects(w).appeal_b]),
    "expert-assignments": Row(lambda w: [evaluation_objects(w).assignment_a, evaluation_objects(w).assignment_b]),
    "entitlements": Row(lambda w: scope_objects(w).entitlements),
    "payouts": Row(lambda w: scope_objects(w).payouts),
    "calls": Row(lambda w: scope_objects(w).calls, {"title": "新申报通知"}),
    "applications": Row(lambda w: scope_objects(w).applications),
    "notifications": Row(lambda w: scope_objects(w).notifications),
    # The facts the rules read (issue #3): one of each in both cities.
    "investments": Row(lambda w: rules_facts(w).investments, {"amount_fen": 123_400}),
    "annual-figures": Row(lambda w: rules_facts(w).figures, {"employees": 42}),
    "ip-rights": Row(lambda w: rules_facts(w).ip, {"number": "ZL202499999999"}),
    "seed-funds": Row(lambda w: rules_facts(w).seed_funds, {"name": "改名资金"}),
    "staffing": Row(lambda w: rules_facts(w).staffing, {"staff_total": 11}),
    "reports": Row(lambda w: statistics_objects(w).reports, {"values": {"events": 30}}),
    "experts": Row(lambda w: [expert_world(w).expert_a, expert_world(w).expert_b], {"title": "研究员"}),
    "expert-draws": Row(lambda w: [expert_world(w).draw_a, expert_world(w).draw_b]),
    "founders": Row(lambda w: [founder_world(w).founder_a, founder_world(w).founder_b], {"student": True}),
}
NOT_RESOURCES = {"me": "the signed-in user's own account",
                 "users": "account administration, scoped by accounts.services (accounts/tests/test_admin.py)",
                 "grants": "role grants, scoped by accounts.services (accounts/tests/test_admin.py)",
                 "stats": "statistics overview and workbook uploads: aggregates, scoped inside"}
PATH_VALUES = {"name": "exit"}  # path parameters other than the object id
POST_BODY = {"reason": "scope test"}  # object POSTs are workflow transitions
ACTION_OF_METHOD = {"GET": "view", "PATCH": "change", "PUT": "change", "POST": "change", "DELETE": "delete"}

# Web pages are named <app>:<model>_<action>; the model part as the web UI spells it → RESOURCES key.
WEB_NAMES = {
    "registry:region": "regions",
    "registry:organisation": "organisations",
    "registry:carrier": "carriers",
    "registry:recognition": "recognitions",
    "registry:firm": "firms",
    "registry:designation": "designations",
    "registry:firmdesignation": "designations",
    "registry:team": "teams",
    "registry:startupteam": "teams",
    "registry:mentor": "mentors",
    "registry:mentorprofile": "mentors",
    "registry:investor": "investors",
    "registry:investorprofile": "investors",
    "registry:membership": "memberships",
    "registry:associationmembership": "memberships",
    "incubation:incubation": "incubations",
    "incubation:carrier": "carriers",  # a carrier's tenant list (incubation:carrier_tenants)
    "policies:policy": "policies",
    "evaluation:evaluationrun": "evaluation-runs",
    "evaluation:evaluationresult": "evaluation-results",
    "evaluation:appeal": "appeals",
    "evaluation:expertassignment": "expert-assignments",
    "policies:entitlement": "entitlements",
    "policies:payout": "payouts",
    "policies:call": "calls",
    "policies:application": "applications",
    "policies:notification": "notifications",
    "registry:investment": "investments",
    "registry:firmyearfigures": "annual-figures",
    "registry:intellectualproperty": "ip-rights",
    "registry:seedfund": "seed-funds",
    "registry:carrierstaffing": "staffing",
    "statistics:annualreport": "reports",
    "registry:expertprofile": "experts",
    "registry:expertdraw": "expert-draws",
    "registry:founder": "founders",
}
# The service and regional apps declare their own rows in their `testing.py`, so that a new app touches no
# shared file: SCOPE_RESOURCES = {api prefix: (objects(world) -> list, change dict)} and
# SCOPE_WEB_NAMES = {"<app>:<model>": api prefix}. Their objects come from both cities, like the rows above.
for _app in ("marketplace", "vouchers", "desk", "steering", "federation", "policies", "mentoring", "dealflow",
             "events", "demands"):
    if importlib.util.find_spec(f"fuhua.{_app}.testing") is None:
        continue
    _testing = importlib.import_module(f"fuhua.{_app}.testing")
    for _key, (_objects, _change) in getattr(_testing, "SCOPE_RESOURCES", {}).items():
        assert _key not in RESOURCES, f"{_app}: {_key} is already a resource"
        RESOURCES[_key] = Row(_objects, _change)
    WEB_NAMES.update(getattr(_testing, "SCOPE_WEB_NAMES", {}))
    NOT_RESOURCES.update(getattr(_testing, "SCOPE_NOT_RESOURCES", {}))
ACTION_OF_PAGE = {"edit": "change", "update": "change", "delete": "delete", "transition": "change",
                  "comment": "change", "amend": "change"}


# --- enumerating the routes ------------------------------------------------------------------------


def api_operations() -> list[tuple[str, str]]:
    paths = api.get_openapi_schema(path_prefix="/api/v1")["paths"]
    return sorted((method.upper(), path) for path, ops in paths.items() for method in ops)


def resource_of(path: str) -> str:
    return path.removeprefix("/api/v1/").split("/")[0]


def _walk(patterns, namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, ":".join(n for n in (namespace, p.namespace) if n))
        elif isinstance(p, URLPattern) and p.name:
            yield (f"{namespace}:{p.name}" if namespace else p.name), p


def web_object_pages() -> list[str]:
    """URL names of every page that takes a `pk`, outside the API."""
    return sorted(
        name for name, p in _walk(get_resolver().url_patterns)
        if "pk" in p.pattern.regex.groupindex and not name.startswith(("api:", "accounts:"))
    )  # account pages (users, grants, tokens) are scoped by accounts.services: accounts/tests/test_admin.py


def takes_post(name: str) -> bool:
    """Does the page's view answer POST itself? A class-based view without `post` leaves POST to Django's 405,
    after the same role check as GET (core.views.generic.ScopedMixin.dispatch): the matrix sends such a page one
    POST (refused, nothing changed), not one per user and object."""
    callback = next(p.callback for n, p in _walk(get_resolver().url_patterns) if n == name)
    view_class = getattr(callback, "view_class", None)
    return view_class is None or hasattr(view_class, "post")


def web_row(name: str) -> tuple[str, str]:
    """(RESOURCES key, action word) of a page name such as registry:carrier_edit."""
    for prefix in sorted(WEB_NAMES, key=len, reverse=True):
        if name.startswith(prefix + "_"):
            return WEB_NAMES[prefix], name[len(prefix) + 1:]
    pytest.fail(f"The page {name!r} takes a pk but its model is not in WEB_NAMES: add it (and to RESOURCES).")


def row_for(resource: str) -> Row:
    if resource not in RESOURCES:
        pytest.fail(f"The API resource {resource!r} has no row in RESOURCES: say which world objects it has.")
    return RESOURCES[resource]


API_OPERATIONS = api_operations()
OBJECT_OPERATIONS = [(m, p) for m, p in API_OPERATIONS if "{id}" in p and resource_of(p) not in NOT_RESOURCES]
LIST_OPERATIONS = [(m, p) for m, p in API_OPERATIONS if m == "GET" and "{" not in p
                   and resource_of(p) not in NOT_RESOURCES]
WEB_PAGES = web_object_pages()


# --- the world, once per module ------------------------------------------------------------------


def users(world) -> dict:
    return dict(vars(world.users))


def token_clients(world) -> dict[str, Client]:
    """One API client per user, with a token issued once per world."""
    clients = getattr(world, "_clients", None)
    if clients is None:
        clients = {name: Client(headers={"Authorization": f"Bearer {ApiToken.issue(user, name)[1]}"})
                   for name, user in users(world).items()}
        world._clients = clients
    return clients


def page_clients(world) -> dict[str, Client]:
    """One browser client per user, signed in once per world (its session row is part of the world)."""
    clients = getattr(world, "_page_clients", None)
    if clients is None:
        clients = {}
        for name, user in users(world).items():
            clients[name] = Client()
            clients[name].force_login(user)
        world._page_clients = clients
    return clients


@pytest.fixture(scope="module")
def module_world(django_db_setup, django_db_blocker):
    """The world and every app's objects in it, built once for the module inside a transaction that is
    rolled back when the module is done (each test's own `db` savepoint is rolled back after it)."""
    from fuhua.testing import world as build

    hashers = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=hashers):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            w = build()
            for row in RESOURCES.values():
                row.objects(w)  # every app's objects, created (and cached on the world) now
            token_clients(w)
            page_clients(w)
            yield w
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def world(module_world, db):
    return module_world


# --- helpers ---------------------------------------------------------------------------------------


def state(obj):
    fresh = type(obj)._base_manager.filter(pk=obj.pk).first()
    return snapshot(fresh) if fresh is not None else None


def states(objects) -> tuple:
    """Every object's state and the audit trail's length: taken once before a test's refused calls and once
    after them (a refused call that changed anything leaves the difference; none undoes another's change)."""
    return tuple(state(o) for o in objects), ObjectChange.objects.count()


def expected_refusal(user, action, obj, row) -> int | None:
    """None when the user may do it; otherwise the status the API must answer."""
    if row.owned:  # one's own, or an account's one administers (accounts.services.tokens_visible_to)
        return None if tokens_visible_to(user).filter(pk=obj.pk).exists() else 404
    if check(user, action, obj):
        return None
    if not check(user, action, type(obj)):
        return 403  # the role lacks the action on this model altogether
    return 403 if check(user, "view", obj) else 404  # in sight but not in reach / out of sight


def fill(path: str, obj) -> str:
    url = path.replace("{id}", str(obj.pk))
    for name, value in PATH_VALUES.items():
        url = url.replace("{" + name + "}", value)
    assert "{" not in url, f"{path}: add its path parameter to PATH_VALUES"
    return url


def call(client, method: str, url: str, body: dict | None = None):
    if method in ("GET", "DELETE"):
        return client.generic(method, url)
    return client.generic(method, url, data=json.dumps(body or {}), content_type="application/json")


# --- the API -------------------------------------------------------------------------------------


def test_every_api_resource_has_a_row():
    missing = {resource_of(p) for _, p in API_OPERATIONS} - set(RESOURCES) - set(NOT_RESOURCES)
    assert not missing, f"add these API resources to RESOURCES: {sorted(missing)}"


# Actions whose authority lies on another object than the one in the path: (action, that object).
AUTHORITY_OF = {
    "/api/v1/entitlements/{id}/recovery": lambda entitlement: ("change", entitlement.policy),
}


@pytest.mark.matrix
@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path"), OBJECT_OPERATIONS, ids=[f"{m} {p}" for m, p in OBJECT_OPERATIONS])
def test_object_operations_refuse_what_is_out_of_reach(world, method, path):
    row = row_for(resource_of(path))
    clients = token_clients(world)
    objects = row.objects(world)
    action = ACTION_OF_METHOD[method]
    body = row.change if method in ("PATCH", "PUT") else POST_BODY
    refused = []
    authority = AUTHORITY_OF.get(path)
    before = states(objects)
    for name, user in users(world).items():
        for obj in objects:
            expected = expected_refusal(user, action, obj, row)
            if authority is not None:  # found by "view", decided on another object (the policy's bureau)
                expected = expected_refusal(user, "view", obj, row) or expected_refusal(user, *authority(obj), row)
            if expected is None:
                if method == "GET":  # reads in reach succeed; writes in reach are tested elsewhere
                    response = call(clients[name], method, fill(path, obj))
                    assert response.status_code == 200, (name, obj, response.content)
                continue
            response = call(clients[name], method, fill(path, obj), body)
            assert response.status_code == expected, (name, str(obj), response.content)
            refused.append((name, str(obj)))
    assert refused, f"{method} {path}: no user was out of reach of any object; extend the world"
    assert states(objects) == before, refused


@pytest.mark.matrix
@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path"), LIST_OPERATIONS, ids=[f"{m} {p}" for m, p in LIST_OPERATIONS])
def test_lists_hold_only_what_is_in_reach(world, method, path):
    row = row_for(resource_of(path))
    clients = token_clients(world)
    objects = row.objects(world)
    model = type(objects[0])
    for name, user in users(world).items():
        response = clients[name].get(path, {"limit": settings.API_PAGE_SIZE_MAX})
        if row.owned:
            expected = {o.pk for o in model.objects.filter(user=user)}
        elif not check(user, "view", model):
            assert response.status_code == 403, (name, response.content)
            continue
        else:
            expected = set(model._default_manager.restrict(user, "view").values_list("pk", flat=True))
        assert response.status_code == 200, (name, response.content)
        body = response.json()
        items = body["items"] if isinstance(body, dict) else body
        got = {item.get("id", item.get("code")) for item in items}
        assert got <= expected, (name, got - expected)
        assert (body["count"] if isinstance(body, dict) else len(got)) == len(expected), name


@pytest.mark.matrix
@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path"), API_OPERATIONS, ids=[f"{m} {p}" for m, p in API_OPERATIONS])
def test_anonymous_gets_401(world, method, path):
    ApiToken.issue(world.users.admin, "a token to aim at")
    row = RESOURCES.get(resource_of(path))
    obj = row.objects(world)[0] if row and "{id}" in path else None
    url = fill(path, obj) if obj is not None else path
    before = ObjectChange.objects.count()
    response = call(Client(), method, url, (row.change if row else {}) if method == "PATCH" else POST_BODY)
    assert response.status_code == 401, response.content
    assert ObjectChange.objects.count() == before


# Cases everyone agrees on, so that a scoping bug cannot make the generated tests pass vacuously. Unlike the
# generated tests (marked `matrix`: they test that every view asks core.scoping, which does not depend on the
# database, and CI runs them once, on SQLite), these run on both databases: they pin the oracle itself.
OUT_OF_REACH = [
    ("bureau_nj", "carrier_a"), ("bureau_sz", "carrier_b"), ("operator_b", "firm_a"), ("firm_b", "firm_a"),
    ("operator_a", "inc_b"), ("firm_a", "inc_team"), ("association", "carrier_b"), ("mentor_a", "mentor_b"),
    ("investor_a", "investor_b"), ("operator_b", "rec_a"), ("provider", "op_a"), ("expert", "firm_a"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("username", "attr"), OUT_OF_REACH)
def test_the_oracle_matches_the_brief(world, username, attr):
    user, obj = getattr(world.users, username), getattr(world, attr)
    assert not check(user, "view", obj)
    resource, row = next((k, row) for k, row in RESOURCES.items() if not row.owned and obj in row.objects(world))
    response = token_clients(world)[username].get(f"/api/v1/{resource}/{obj.pk}")
    assert response.status_code == expected_refusal(user, "view", obj, row)


# --- the web pages -------------------------------------------------------------------------------


@pytest.mark.matrix
@pytest.mark.django_db
@pytest.mark.parametrize("name", WEB_PAGES)
def test_pages_refuse_what_is_out_of_reach(world, name):
    resource, action_word = web_row(name)
    row = RESOURCES[resource]
    action = ACTION_OF_PAGE.get(action_word, "view")
    form = {**row.change, **POST_BODY, "transition": PATH_VALUES["name"]}
    refused = []
    objects = row.objects(world)
    before = states(objects)
    every_post = takes_post(name)
    for username, user in users(world).items():
        client = page_clients(world)[username]
        for obj in objects:
            if check(user, action, obj):
                continue
            url = reverse(name, kwargs={"pk": obj.pk})
            for method in ("GET", "POST") if every_post or not refused else ("GET",):
                response = client.get(url) if method == "GET" else client.post(url, form)
                allowed = {403, 404, 405} if method == "POST" else {403, 404}
                assert response.status_code in allowed, (username, method, url, response.status_code)
                refused.append((username, method, url))
    assert refused
    assert states(objects) == before, refused


@pytest.mark.matrix
@pytest.mark.django_db
@pytest.mark.parametrize("name", WEB_PAGES)
def test_pages_send_anonymous_users_to_sign_in(world, name):
    resource, _ = web_row(name)
    obj = RESOURCES[resource].objects(world)[0]
    response = Client().get(reverse(name, kwargs={"pk": obj.pk}))
    assert response.status_code == 302
    assert re.match(rf"^{reverse(settings.LOGIN_URL)}\?next=", response["Location"]), response["Location"]
