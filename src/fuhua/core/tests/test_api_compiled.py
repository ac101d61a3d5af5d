"""Compiled scoped queries (core.compiled) and the page count: with a bearer token, the API answers exactly what
it answers to the same user's browser session (which builds every query afresh), in fewer queries, and a change
of the grants changes the compiled scope at the next request."""

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fuhua.accounts.models import RoleGrant
from fuhua.accounts.roles import Role
from fuhua.core.api_crud import render_json
from fuhua.core.scoping import scope_memo
from fuhua.registry.api import RESOURCES
from fuhua.registry.models import Carrier, Firm
from fuhua.testing import api_client, firm, web_client

USERS = ("admin", "bureau_sz", "operator_a", "association", "firm_a", "investor_a", "nobody")


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    return response, [q["sql"] for q in captured.captured_queries]


@pytest.mark.django_db
def test_token_answers_are_the_sessions_answers(world):
    """Every registry list (filtered, searched, sorted, paged) and detail, as users of every kind of scope."""
    admin = api_client(world.users.admin)
    keys = {prefix: [item["code" if prefix == "regions" else "id"]
                     for item in admin.get(f"/api/v1/{prefix}?limit=200").json()["items"]][:4] for prefix in RESOURCES}
    for name in USERS:
        user = getattr(world.users, name)
        token, session = api_client(user), web_client(user)
        for prefix, resource in RESOURCES.items():
            urls = [f"/api/v1/{prefix}?limit=2", f"/api/v1/{prefix}?limit=2&offset=1", f"/api/v1/{prefix}?limit=200",
                    f"/api/v1/{prefix}?limit=2&ordering=-{resource.ordering[0]}", f"/api/v1/{prefix}?q=苏州"]
            if prefix in ("firms", "carriers", "teams", "mentors", "organisations"):
                urls.append(f"/api/v1/{prefix}?region=320500")
            for url in urls:
                expected, answered = session.get(url), token.get(url)
                assert (answered.status_code, answered.json()) == (expected.status_code, expected.json()), (name, url)
            listing = session.get(f"/api/v1/{prefix}?limit=200")
            listed = {item["code" if prefix == "regions" else "id"] for item in listing.json().get("items", [])}
            for key in keys[prefix]:
                url = f"/api/v1/{prefix}/{key}"
                expected, answered = session.get(url), token.get(url)
                assert (answered.status_code, answered.json()) == (expected.status_code, expected.json()), (name, url)
                status = 403 if listing.status_code == 403 else 200 if key in listed else 404
                assert answered.status_code == status, (name, url)


@pytest.mark.django_db
class TestQueries:
    def test_a_detail_is_one_query_and_its_prefetch(self, world):
        client = api_client(world.users.bureau_sz)
        client.get(f"/api/v1/carriers/{world.carrier_a.pk}")  # the token and its compiled queries are remembered
        response, sql = queries(client, f"/api/v1/carriers/{world.carrier_a.pk}")
        assert response.status_code == 200 and len(sql) == 1 and "registry_carrier" in sql[0], sql
        response, sql = queries(client, f"/api/v1/firms/{world.firm_a.pk}")  # compiled at its first use
        assert response.json()["designations"] == ["tech_sme"]
        assert len(sql) == 2 and "registry_firmdesignation" in sql[1], sql
        response, sql = queries(client, f"/api/v1/carriers/{world.carrier_b.pk}")  # outside Suzhou
        assert response.status_code == 404 and len(sql) == 1, sql

    def test_a_full_page_is_counted_a_short_one_not(self, world):
        for n in range(4):
            firm(f"苏州计数{n}科技有限公司", world.regions.sip)
        client = api_client(world.users.bureau_sz)
        url = "/api/v1/firms?region=320500&industry_field=ai"
        client.get(url)
        # full page: the rows, their designations, the count
        response, sql = queries(client, f"{url}&limit=2")
        assert response.json()["count"] == 5 and len(response.json()["items"]) == 2
        assert len(sql) == 3 and sql[2].startswith("SELECT COUNT(*)"), sql
        # the last, short page tells the count itself
        response, sql = queries(client, f"{url}&limit=2&offset=4")
        assert (response.json()["count"], len(response.json()["items"]), len(sql)) == (5, 1, 2), sql
        # past the end: nothing to tell it, so counted (and no designations to look up)
        response, sql = queries(client, f"{url}&limit=2&offset=10")
        assert (response.json()["count"], response.json()["items"], len(sql)) == (5, [], 2), sql
        # a page of model instances (no list rows): the same rule
        response, sql = queries(client, "/api/v1/carriers?limit=50")
        assert (response.json()["count"], len(sql)) == (1, 1), sql

    def test_the_filters_search_and_sort_are_part_of_the_compiled_query(self, world):
        firm("苏州甲乙科技有限公司", world.regions.sip, industry_field="biomedicine")
        client = api_client(world.users.bureau_js)
        names = lambda url: [item["name"] for item in client.get(url).json()["items"]]  # noqa: E731
        assert names("/api/v1/firms?industry_field=biomedicine") == ["苏州甲乙科技有限公司"]
        assert names("/api/v1/firms?industry_field=ai") == ["苏州微纳传感科技有限公司"]
        assert names("/api/v1/firms?region=320100") == ["南京智算云科技有限公司"]
        assert names("/api/v1/firms?q=甲乙") == ["苏州甲乙科技有限公司"]
        assert names("/api/v1/firms?ordering=-created_at&limit=1") == ["苏州甲乙科技有限公司"]
        assert names("/api/v1/firms?ordering=created_at&limit=1") == ["苏州微纳传感科技有限公司"]
        assert client.get("/api/v1/firms?region=999999").status_code == 422  # still validated
        assert client.get("/api/v1/firms?ordering=bogus").status_code == 422

    def test_today_is_part_of_a_list_query(self, world, monkeypatch):
        client = api_client(world.users.bureau_js)
        url = "/api/v1/firms?designation=tech_sme"
        assert client.get(url).json()["count"] == 2
        memo = scope_memo(client.get(url).wsgi_request.auth_user)
        keys = {key for key in memo if key[0] == "list"}
        tomorrow = timezone.localdate() + datetime.timedelta(days=1)
        monkeypatch.setattr(timezone, "localdate", lambda *a, **k: tomorrow)
        client.get(url)
        assert len({key for key in memo if key[0] == "list"} - keys) == 1


@pytest.mark.django_db
class TestGrants:
    def test_a_changed_grant_changes_the_compiled_scope_at_the_next_request(self, world):
        user = world.users.bureau_sz
        client = api_client(user)
        assert client.get(f"/api/v1/carriers/{world.carrier_a.pk}").status_code == 200
        assert [c["id"] for c in client.get("/api/v1/carriers").json()["items"]] == [world.carrier_a.pk]
        grant = RoleGrant.objects.get(user=user, role=Role.BUREAU)
        grant.region = world.regions.nj
        grant.save()
        assert client.get(f"/api/v1/carriers/{world.carrier_a.pk}").status_code == 404
        assert client.get(f"/api/v1/carriers/{world.carrier_b.pk}").status_code == 200
        assert [c["id"] for c in client.get("/api/v1/carriers").json()["items"]] == [world.carrier_b.pk]

    def test_each_token_entry_has_its_own_memo(self, world):
        sz, nj = api_client(world.users.bureau_sz), api_client(world.users.bureau_nj)
        assert sz.get("/api/v1/carriers").json()["items"][0]["id"] == world.carrier_a.pk
        assert nj.get("/api/v1/carriers").json()["items"][0]["id"] == world.carrier_b.pk
        users = [c.get("/api/v1/carriers").wsgi_request.auth_user for c in (sz, nj)]
        assert scope_memo(users[0]) is not scope_memo(users[1])

    def test_a_session_keeps_no_memo(self, world):
        response = web_client(world.users.bureau_sz).get("/api/v1/carriers")
        assert response.status_code == 200 and scope_memo(response.wsgi_request.auth_user) is None


def test_json_is_written_as_django_writes_it():
    moment = datetime.datetime(2026, 12, 2, 7, 36, 12, 345678, tzinfo=datetime.UTC)
    data = {"day": datetime.date(2026, 12, 2), "at": moment, "whole": moment.replace(microsecond=0), "名": "孵化",
            1: [None, True, 1.5], "big": 2**70}
    assert json.loads(render_json(data)) == {
        "day": "2026-12-02", "at": "2026-12-02T07:36:12.345Z", "whole": "2026-12-02T07:36:12Z", "名": "孵化",
        "1": [None, True, 1.5], "big": 2**70}
    assert "孵化".encode() in render_json({"x": "孵化"})


@pytest.mark.django_db
def test_counts_are_exact_for_every_page(world):
    for n in range(5):
        firm(f"苏州分页{n}科技有限公司", world.regions.sip)
    client = api_client(world.users.admin)
    total = Firm.objects.count()
    for limit in (1, 2, 3, total, total + 1):
        for offset in range(total + 2):
            page = client.get(f"/api/v1/firms?limit={limit}&offset={offset}").json()
            assert page["count"] == total and len(page["items"]) == max(0, min(limit, total - offset)), (limit, offset)
    assert Carrier.objects.count() == client.get("/api/v1/carriers?limit=1&offset=99").json()["count"]


@pytest.mark.django_db
def test_a_carrier_with_an_administering_region_is_still_one_query(world):
    Carrier.objects.filter(pk=world.carrier_a.pk).update(administering_region=world.regions.sz)
    client = api_client(world.users.bureau_sz)
    client.get(f"/api/v1/carriers/{world.carrier_a.pk}")
    response, sql = queries(client, f"/api/v1/carriers/{world.carrier_a.pk}")
    assert response.json()["administering_region"] == {"code": "320500", "name": "苏州市", "level": "prefecture"}
    assert len(sql) == 1, sql
    response, sql = queries(client, "/api/v1/carriers?limit=10")
    assert response.json()["items"][0]["administering_region"]["code"] == "320500" and len(sql) == 1, sql


def test_dates_read_as_json_text_are_what_the_encoder_writes():
    from types import SimpleNamespace

    from django.db import models

    from fuhua.core.compiled import as_json_text

    def column(field):
        return SimpleNamespace(output_field=field)

    def parse(value, expression, connection):  # stands in for Django's converter of a value it must parse
        return datetime.datetime.fromisoformat(value)

    at = as_json_text(column(models.DateTimeField()), [parse])
    day = as_json_text(column(models.DateField()), [])
    moment = datetime.datetime(2026, 12, 2, 7, 36, 12, 345678, tzinfo=datetime.UTC)
    for text in ("2026-12-02 07:36:12.345678", "2026-12-02T07:36:12.345678", "2026-12-02 07:36:12.345678+00:00"):
        assert at(text, None, None) == render_json(moment).decode().strip('"') == "2026-12-02T07:36:12.345Z"
    assert at("2026-12-02 07:36:12", None, None) == "2026-12-02T07:36:12Z"
    assert at("2026-12-02 07:36:12.000000", None, None) == "2026-12-02T07:36:12Z"
    assert at("2026-12-02 07:36:12.000123", None, None) == "2026-12-02T07:36:12.000Z"
    assert at("2026-12-02 15:36:12.5+08:00", None, None) == "2026-12-02T15:36:12.500+08:00"  # by the encoder
    native = as_json_text(column(models.DateTimeField()), [])  # PostgreSQL: the driver gives datetimes
    assert native(moment, None, None) == "2026-12-02T07:36:12.345Z"
    assert day("2026-12-02", None, None) == "2026-12-02" and day(datetime.date(2026, 12, 2), None, None) == "2026-12-02"
    assert at(None, None, None) is None and day(None, None, None) is None


@pytest.mark.django_db
def test_list_dates_are_read_as_stored_text_on_sqlite(world):
    """SQLite: the firm page's date and datetime columns are selected as CAST(… AS TEXT), so the driver hands
    back the stored text (no parsing into datetimes and back); the answer is the browser session's."""
    response, sql = queries(api_client(world.users.bureau_sz), "/api/v1/firms?limit=50")
    rows_sql = next(s for s in sql if '"registry_firm"."name" AS "name"' in s)
    cast = [c for c in RESOURCES["firms"].list_rows.as_text if f'AS TEXT) AS "{c}"' in rows_sql]
    assert cast == (list(RESOURCES["firms"].list_rows.as_text) if connection.vendor == "sqlite" else [])
    session = web_client(world.users.bureau_sz).get("/api/v1/firms?limit=50")
    assert response.json() == session.json() and response.json()["items"][0]["created_at"].endswith("Z")
