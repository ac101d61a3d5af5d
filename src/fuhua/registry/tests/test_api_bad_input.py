"""Bad input through the API: each case names the field at fault and writes nothing at all."""

import pytest

from fuhua.core.models import ObjectChange
from fuhua.core.validators import credit_code_check_char
from fuhua.registry.models import Carrier, Firm, Organisation, Recognition
from fuhua.testing import credit_code

from .test_api_registry import api_client, valid_payloads


def _wrong_check_character(code: str) -> str:
    wrong = "0" if credit_code_check_char(code[:17]) != "0" else "1"
    return code[:17] + wrong


MISSING = object()  # the key is left out of the body


def _firm_with_taken_code(w):
    return {"credit_code": w.firm_a.credit_code}


# (resource, changes to a valid body, field named in the error, error code or None for any)
CREATE_CASES = {
    "credit code too short": ("firms", {"credit_code": "91320500MA1"}, "credit_code", "length"),
    "credit code bad letters": ("firms", {"credit_code": "91320500MA1OISVZ0X"}, "credit_code", "alphabet"),
    "credit code check character": ("firms", "wrong_check", "credit_code", "check_character"),
    "credit code taken": ("firms", _firm_with_taken_code, "credit_code", "unique"),
    "organisation credit code": ("organisations", {"credit_code": "9132050"}, "credit_code", "length"),
    "region code malformed": ("firms", {"region": "32050X"}, "region", None),
    "region unknown": ("firms", {"region": "990000"}, "region", None),
    "date malformed": ("firms", {"founded": "2023-02-30"}, "founded", None),
    "date not a date": ("carriers", {"established": "last spring"}, "established", None),
    "founded in the future": ("firms", {"founded": "2999-01-01"}, "founded", None),
    "negative area": ("carriers", {"incubation_area_m2": -5}, "incubation_area_m2", "min_value"),
    "tenant area over incubation area": ("carriers", {"tenant_area_m2": 6000}, "tenant_area_m2", None),
    "specialised without field": ("carriers", {"specialisation": "specialised"}, "industry_field", None),
    "unknown operator": ("carriers", {"operator": 999999}, "operator", None),
    "revoked without reason": ("recognitions", {"revoked_on": "2022-01-01"}, "revoked_reason", None),
    "valid until before granted": ("recognitions", {"valid_until": "2020-01-01"}, "valid_until", None),
    "grade on a provincial recognition": ("recognitions", {"national_grade": "standard"}, "national_grade", None),
    "unknown choice": ("recognitions", {"level": "galactic"}, "level", None),
    "unknown field": ("carriers", {"rating": "A"}, "rating", "extra_forbidden"),
    "wrong type: text for number": ("carriers", {"workstations": "many"}, "workstations", None),
    "wrong type: text for id": ("carriers", {"operator": "南京"}, "operator", None),
    "wrong type: list for text": ("firms", {"name": ["a", "b"]}, "name", None),
    "missing required field": ("firms", {"name": MISSING}, "name", "missing"),
    "null for a required field": ("firms", {"name": None}, "name", None),
    "firm and team both missing": ("incubations", {"firm": MISSING}, "firm", None),
}

MODEL_OF = {"firms": Firm, "organisations": Organisation, "carriers": Carrier, "recognitions": Recognition}


def _body(world, resource, change):
    body = valid_payloads(world)[resource]
    if change == "wrong_check":
        change = {"credit_code": _wrong_check_character(credit_code("320571"))}
    elif callable(change):
        change = change(world)
    body.update(change)
    return {k: v for k, v in body.items() if v is not MISSING}


@pytest.mark.django_db
@pytest.mark.parametrize("case", sorted(CREATE_CASES))
def test_create_refuses_bad_input(world, case):
    resource, change, field, code = CREATE_CASES[case]
    client = api_client(world.users.admin)
    model = MODEL_OF.get(resource)
    before = (model.objects.count() if model else None, ObjectChange.objects.count())
    response = client.post(f"/api/v1/{resource}", _body(world, resource, change), content_type="application/json")
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["status"] == 422 and body["code"] == "validation_error"
    named = {e["field"]: e["code"] for e in body["errors"]}
    assert field in named, body
    if code:
        assert named[field] == code, body
    assert (model.objects.count() if model else None, ObjectChange.objects.count()) == before


# (resource, object in the world, body, field named)
UPDATE_CASES = {
    "tenant area over incubation area": ("carriers", "carrier_a", {"tenant_area_m2": 20000}, "tenant_area_m2"),
    "negative area": ("carriers", "carrier_a", {"incubation_area_m2": -1}, "incubation_area_m2"),
    "revoked without reason": ("recognitions", "rec_a", {"revoked_on": "2024-01-01"}, "revoked_reason"),
    "grade on a provincial recognition": ("recognitions", "rec_b", {"national_grade": "excellence"}, "national_grade"),
    "bad check character": ("firms", "firm_a", "wrong_check", "credit_code"),
    "duplicate credit code": ("firms", "firm_a", "taken", "credit_code"),
    "malformed date": ("firms", "firm_a", {"founded": "2023-13-01"}, "founded"),
    "null for a required field": ("firms", "firm_a", {"name": None}, "name"),
    "read-only field": ("incubations", "inc_a", {"status": "graduated"}, "status"),
    "unknown field": ("firms", "firm_a", {"rating": 5}, "rating"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", sorted(UPDATE_CASES))
def test_update_refuses_bad_input_and_keeps_the_object(world, case):
    resource, attr, body, field = UPDATE_CASES[case]
    obj = getattr(world, attr)
    if body == "wrong_check":
        body = {"credit_code": _wrong_check_character(obj.credit_code)}
    elif body == "taken":
        body = {"credit_code": world.firm_b.credit_code}
    client = api_client(world.users.admin)
    from fuhua.core.audit import snapshot

    before = (snapshot(obj), ObjectChange.objects.count())
    response = client.patch(f"/api/v1/{resource}/{obj.pk}", body, content_type="application/json")
    assert response.status_code == 422, response.content
    assert field in {e["field"] for e in response.json()["errors"]}, response.json()
    obj.refresh_from_db()
    assert (snapshot(obj), ObjectChange.objects.count()) == before


@pytest.mark.django_db
def test_messages_say_what_is_wrong(world):
    code = _wrong_check_character(credit_code("320571"))
    body = {**valid_payloads(world)["firms"], "credit_code": code}
    response = api_client(world.users.admin).post("/api/v1/firms", body, content_type="application/json",
                                                 headers={"Accept-Language": "en"})
    error = response.json()["errors"][0]
    assert "GB 32100-2015" in error["message"] and code[17] in error["message"]


@pytest.mark.django_db
def test_body_that_is_not_json(world):
    client = api_client(world.users.admin)
    before = ObjectChange.objects.count()
    response = client.post("/api/v1/firms", "{name:", content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "bad_request"
    assert ObjectChange.objects.count() == before


@pytest.mark.django_db
def test_nul_characters_are_refused_before_the_database(world):
    body = {**valid_payloads(world)["firms"], "name": "苏州\x00科技"}
    response = api_client(world.users.admin).post("/api/v1/firms", body, content_type="application/json")
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "name"
