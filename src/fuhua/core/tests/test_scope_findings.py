"""One test per access-control finding of issue #9 (F1–F5, and F12's history part), each failing before
its fix: the generated tests in test_scope_writes.py / test_scope_reads.py cover the same ground for
every operation; these pin the cases as the attacker reported them."""

import datetime
import json

import pytest
from django.test import Client
from django.urls import reverse

from fuhua.accounts.models import ApiToken
from fuhua.accounts.roles import Role
from fuhua.core import services
from fuhua.core.models import ObjectChange
from fuhua.core.tests.test_scope_matrix import module_world, state, token_clients
from fuhua.evaluation.models import EvaluationResult, EvaluationRun, ExpertAssignment, RunStatus
from fuhua.incubation.lifecycle import OPEN_STATUSES
from fuhua.incubation.models import Incubation, IncubationStatus
from fuhua.registry.models import Carrier, Firm, FirmYearFigures
from fuhua.registry.models.firm import OPEN_TENANCY
from fuhua.testing import make_user

__all__ = ["module_world"]


@pytest.fixture
def world(module_world, db):
    return module_world


def send(client, method, url, body):
    return client.generic(method, url, data=json.dumps(body), content_type="application/json")


def fields(response) -> set:
    return {e["field"] for e in response.json()["errors"]}


# --- F1: attaching a firm outside one's scope to one's carrier ----------------------------------------


def test_f1_operator_cannot_attach_another_citys_firm(world):
    operator = token_clients(world)["operator_a"]
    count = Incubation.objects.count()
    response = send(operator, "POST", "/api/v1/incubations",
                    {"firm": world.firm_b.pk, "carrier": world.carrier_a.pk, "applied_on": "2025-01-02"})
    assert response.status_code == 422 and fields(response) == {"firm"}, response.content
    response = send(operator, "PATCH", f"/api/v1/incubations/{world.inc_a.pk}", {"firm": world.firm_b.pk})
    assert response.status_code == 422 and fields(response) == {"firm"}, response.content
    assert Incubation.objects.count() == count
    assert Incubation.objects.get(pk=world.inc_a.pk).firm_id == world.firm_a.pk
    assert operator.get(f"/api/v1/firms/{world.firm_b.pk}").status_code == 404


def test_f1_bureau_cannot_attach_another_citys_firm_but_registers_its_own(world):
    bureau = token_clients(world)["bureau_sz"]
    response = send(bureau, "POST", "/api/v1/incubations",
                    {"firm": world.firm_b.pk, "carrier": world.carrier_a.pk, "applied_on": "2025-01-02"})
    assert response.status_code == 422 and fields(response) == {"firm"}
    # the same message as for a firm that does not exist: nothing leaks
    missing = send(bureau, "POST", "/api/v1/incubations",
                   {"firm": 2**62, "carrier": world.carrier_a.pk, "applied_on": "2025-01-02"})
    assert missing.json()["errors"] == response.json()["errors"]
    # the legitimate flow: an operator registers an applicant it may see, or a new firm
    operator = token_clients(world)["operator_a"]
    response = send(operator, "POST", "/api/v1/incubations/applications",
                    {"carrier": world.carrier_a.pk, "new_firm": {
                        "name": "苏州新芯科技有限公司", "credit_code": _credit_code(), "founded": "2024-05-01",
                        "industry_field": "ai", "region": "320571"}})
    assert response.status_code == 201, response.content


def _credit_code():
    from fuhua.testing import credit_code

    return credit_code("320571")


# --- F2: fields a role may not write ----------------------------------------------------------------


@pytest.mark.parametrize(("username", "url", "body", "field"), [
    ("operator_a", "carriers/{carrier_a}", {"region": "320102"}, "region"),
    ("operator_a", "carriers/{carrier_a}", {"status": "closed"}, "status"),
    ("operator_a", "organisations/{op_a}", {"region": "320102"}, "region"),
    ("operator_a", "organisations/{op_a}", {"kind": "government"}, "kind"),
    ("firm_a", "firms/{firm_a}", {"region": "320102"}, "region"),
    ("mentor_a", "mentors/{mentor_a}", {"carriers": ["{carrier_b}"]}, "carriers"),
    ("investor_a", "investors/{investor_a}", {"institution": "{op_b}"}, "institution"),
])
def test_f2_protected_fields(world, username, url, body, field):
    def fill(value):
        if isinstance(value, list):
            return [fill(v) for v in value]
        return getattr(world, value[1:-1]).pk if isinstance(value, str) and value.startswith("{") else value

    obj = getattr(world, url.split("{")[1][:-1])
    before = (state(obj), ObjectChange.objects.count())
    response = send(token_clients(world)[username], "PATCH", f"/api/v1/{url.split('/')[0]}/{obj.pk}",
                    {k: fill(v) for k, v in body.items()})
    assert response.status_code == 422 and field in fields(response), response.content
    assert (state(obj), ObjectChange.objects.count()) == before
    if field == "region" and username == "operator_a":  # the city's bureau keeps its carrier
        assert token_clients(world)["bureau_sz"].get(f"/api/v1/carriers/{world.carrier_a.pk}").status_code == 200


def test_f2_status_is_not_written_through_generic_crud_even_by_the_bureau(world):
    before = (state(world.carrier_a), ObjectChange.objects.count())
    response = send(token_clients(world)["bureau_sz"], "PATCH", f"/api/v1/carriers/{world.carrier_a.pk}",
                    {"status": "closed"})
    assert response.status_code == 422 and fields(response) == {"status"}, response.content
    assert (state(world.carrier_a), ObjectChange.objects.count()) == before


# --- F3: computed entitlements show only the caller's carriers ----------------------------------------


SIMULATED = ["incubator_operating_max=800000",
             "incubator_construction={municipal: 50000000, provincial: 40000000, national: 45000000}"]


@pytest.mark.parametrize("endpoint", ["entitlements", "simulation"])
def test_f3_computed_entitlements_are_scoped(world, endpoint):
    from fuhua.policies.services.sync import sync_policies
    from fuhua.policies.testing import suzhou

    suzhou(world)
    policy = sync_policies()["suzhou-2020-carriers"]
    url = f"/api/v1/policies/{policy.pk}/{endpoint}"

    def carriers(username):
        response = token_clients(world)[username].get(url, {"as_of": "2025-06-30", "set": SIMULATED})
        assert response.status_code == 200, response.content
        body = response.json()
        return {row["carrier_id"] for row in body.get("entitlements", body.get("changes", []))}

    everyone = carriers("admin")
    assert len(everyone) >= 2  # Suzhou carriers, all run by op_a
    assert carriers("operator_a") == everyone
    assert carriers("firm_a") == carriers("operator_b") == carriers("bureau_nj") == set()


def test_f3_the_policy_page_simulation_is_scoped(world):
    from fuhua.policies.services.sync import sync_policies
    from fuhua.policies.testing import suzhou

    suzhou(world)
    policy = sync_policies()["suzhou-2020-carriers"]
    changed = token_clients(world)["admin"].get(f"/api/v1/policies/{policy.pk}/simulation",
                                                {"as_of": "2025-06-30", "set": SIMULATED}).json()["changes"]
    names = {row["carrier"] for row in changed}
    assert names
    url = reverse("policies:policy_detail", kwargs={"pk": policy.pk})
    pages = {}
    for user in (world.users.bureau_sz, world.users.firm_a):
        client = Client()
        client.force_login(user)
        page = client.get(url, {"as_of": "2025-06-30", "settings": "\n".join(SIMULATED)})
        assert page.status_code == 200
        pages[user.username] = page.content.decode()
    assert all(name in pages["bureau_sz"] for name in names)
    assert not any(name in pages["firm_a"] for name in names)


# --- F4: an expert sees only the results it reviews in a run's comparison -----------------------------


def test_f4_comparison_shows_an_expert_only_its_results(world):
    js = world.regions.js
    scheme = {"scheme": "js-incubator-2024", "scheme_version": datetime.date(2024, 1, 1), "region": js}
    previous = EvaluationRun.objects.create(period=2023, status=RunStatus.PUBLISHED, **scheme)
    run = EvaluationRun.objects.create(period=2024, status=RunStatus.COMPUTED, previous=previous, **scheme)
    for carrier, old, new in ((world.carrier_a, "B", "A"), (world.carrier_b, "D", "A")):
        EvaluationResult.objects.create(run=previous, carrier=carrier, grade=old)
        EvaluationResult.objects.create(run=run, carrier=carrier, grade=new)
    expert = make_user("expert_f4", Role.EXPERT)
    ExpertAssignment.objects.create(run=run, result=run.results.get(carrier=world.carrier_a), expert=expert)
    client = Client(headers={"Authorization": f"Bearer {ApiToken.issue(expert, 't')[1]}"})
    body = client.get(f"/api/v1/evaluation-runs/{run.pk}/comparison").json()
    assert [m["carrier"] for m in body["movers"]] == [world.carrier_a.name]
    assert sum(row["count"] for row in body["matrix"]) == 1
    page = Client()
    page.force_login(expert)
    html = page.get(reverse("evaluation:evaluationrun_detail", kwargs={"pk": run.pk})).content.decode()
    assert world.carrier_a.name in html and world.carrier_b.name not in html
    admin = token_clients(world)["admin"].get(f"/api/v1/evaluation-runs/{run.pk}/comparison").json()
    assert {m["carrier"] for m in admin["movers"]} == {world.carrier_a.name, world.carrier_b.name}


# --- F5: a former operator loses the firm, keeps the tenancy's record ---------------------------------


def test_f5_open_tenancy_statuses_match_the_incubation_app():
    from fuhua.accounts import roles

    assert set(OPEN_TENANCY) == set(roles.OPEN_TENANCY) == {str(s) for s in OPEN_STATUSES}


def test_f5_operator_loses_a_graduated_firm_but_keeps_the_record(world):
    operator = token_clients(world)["operator_a"]
    firm = world.firm_a
    assert operator.get(f"/api/v1/firms/{firm.pk}").status_code == 200
    Incubation.objects.filter(pk=world.inc_a.pk).update(
        status=IncubationStatus.GRADUATED, left_on=datetime.date(2025, 6, 30))
    user = world.users.operator_a
    assert not Firm.objects.restrict(user, "view").filter(pk=firm.pk).exists()
    assert operator.get(f"/api/v1/firms/{firm.pk}").status_code == 404
    assert send(operator, "PATCH", f"/api/v1/firms/{firm.pk}", {"size_class": "small"}).status_code == 404
    figures = FirmYearFigures.objects.count()
    response = send(operator, "POST", "/api/v1/annual-figures", {"firm": firm.pk, "year": 2025, "employees": 3})
    assert response.status_code == 422 and fields(response) == {"firm"}, response.content
    assert FirmYearFigures.objects.count() == figures
    assert not FirmYearFigures.objects.restrict(user, "view").filter(firm=firm).exists()
    # the record of the tenancy itself stays readable, the firm's own user and the bureau keep the firm
    assert operator.get(f"/api/v1/incubations/{world.inc_a.pk}").status_code == 200
    assert token_clients(world)["firm_a"].get(f"/api/v1/firms/{firm.pk}").status_code == 200
    assert token_clients(world)["bureau_sz"].get(f"/api/v1/firms/{firm.pk}").status_code == 200
    # a new application at the same carrier gives the operator the firm back
    Incubation.objects.create(firm=firm, carrier=world.carrier_a, status=IncubationStatus.APPLIED)
    assert operator.get(f"/api/v1/firms/{firm.pk}").status_code == 200


# --- F12 (history): audit details follow the role's need -----------------------------------------------


def test_f12_history_by_need(world):
    carrier = Carrier.objects.get(pk=world.carrier_a.pk)
    services.update_object(world.users.bureau_sz, carrier, {"address": "苏州工业园区星湖街328号"})
    firm = Firm.objects.get(pk=world.firm_a.pk)
    services.update_object(world.users.bureau_sz, firm, {"size_class": "small"})
    services.update_object(world.users.firm_a, Firm.objects.get(pk=firm.pk), {"size_class": "medium"})

    def entries(username, url):
        response = token_clients(world)[username].get(url)
        assert response.status_code == 200, response.content
        return response.json()["items"]

    full = entries("bureau_sz", f"/api/v1/carriers/{carrier.pk}/history")
    assert any(e["username"] == "bureau_sz" and e["user_id"] == world.users.bureau_sz.pk for e in full)
    seen = entries("operator_a", f"/api/v1/carriers/{carrier.pk}/history")
    assert seen and all(e["username"] != "bureau_sz" and not e["request_id"] and e["user_id"] is None for e in seen)
    assert any(e["after"] and e["after"].get("address") == "苏州工业园区星湖街328号" for e in seen)
    own = entries("firm_a", f"/api/v1/firms/{firm.pk}/history")
    assert own and all(e["username"] == "firm_a" for e in own)
    assert len(entries("bureau_sz", f"/api/v1/firms/{firm.pk}/history")) > len(own)


def test_f2_edit_pages_show_protected_fields_disabled_and_keep_them(world):
    carrier = world.carrier_a
    client = Client()
    client.force_login(world.users.operator_a)
    url = reverse("registry:carrier_edit", kwargs={"pk": carrier.pk})
    form = client.get(url).context["form"]
    assert {"region", "operator", "kind"} <= {n for n, f in form.fields.items() if f.disabled}
    assert not form.fields["address"].disabled
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update({"operator": world.op_a.credit_code, "region": "320102", "status": "closed",
                 "address": "苏州工业园区金鸡湖大道99号", "established": carrier.established.isoformat()})
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    carrier = Carrier.objects.get(pk=carrier.pk)
    assert (carrier.region_id, carrier.status, carrier.address) == ("320571", "operating", "苏州工业园区金鸡湖大道99号")


def test_f2_imports_refuse_protected_fields_too(world, tmp_path):
    """The firm import writes in bulk, beside core.services: it applies the same declaration."""
    from fuhua.statistics.exchange.firms import import_firms

    firm = world.firm_a
    path = tmp_path / "firms.csv"
    path.write_text("统一社会信用代码,企业名称,成立日期,行业领域,企业规模,注册地区划代码\n"
                    f"{firm.credit_code},{firm.name},{firm.founded.isoformat()},人工智能,小型,320102\n", "utf-8")
    before = (state(firm), ObjectChange.objects.count())
    result = import_firms(str(path), "firms.csv", world.users.operator_a)
    assert not result.ok and "320102" in str(result.errors), result.errors
    assert (state(firm), ObjectChange.objects.count()) == before
    path.write_text(path.read_text("utf-8").replace(",320102", ",320571"), "utf-8")
    assert import_firms(str(path), "firms.csv", world.users.operator_a).ok  # the size alone may change
    assert Firm.objects.get(pk=firm.pk).size_class == "small"
