"""Every API error comes in one shape, documented in the OpenAPI, without leaking internals."""

from unittest import mock

import pytest
from django.db import IntegrityError
from django.test import Client

from fuhua.api import api
from fuhua.testing import api_client

SHAPE = {"status", "code", "message", "errors"}


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == SHAPE and body["status"] == status and body["code"] == code, body
    return body


@pytest.mark.django_db
class TestErrorShape:
    def test_401_without_credentials(self, world):
        response = Client().get("/api/v1/carriers")
        assert_error(response, 401, "not_authenticated")
        assert response["WWW-Authenticate"] == "Bearer"

    def test_401_with_a_wrong_token(self, world):
        response = Client(headers={"Authorization": "Bearer fh_not-a-token"}).get("/api/v1/me")
        assert_error(response, 401, "not_authenticated")

    def test_403_carries_the_reason(self, world):
        body = assert_error(api_client(world.users.firm_a).get("/api/v1/carriers", headers={"Accept-Language": "en"}),
                            403, "permission_denied")
        assert "may not view" in body["message"]

    def test_404_for_objects_and_for_unknown_paths(self, world):
        client = api_client(world.users.admin)
        assert_error(client.get("/api/v1/carriers/999999"), 404, "not_found")
        assert_error(client.get("/api/v1/no/such/thing"), 404, "not_found")
        assert_error(client.post("/api/v1/no/such/thing"), 404, "not_found")
        assert_error(client.get("/api/v1/"), 404, "not_found")

    def test_405_names_the_allowed_methods(self, world):
        response = api_client(world.users.admin).put(f"/api/v1/carriers/{world.carrier_a.pk}", {},
                                                     content_type="application/json")
        assert_error(response, 405, "method_not_allowed")
        assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "PATCH", "DELETE"}

    def test_422_from_the_schema_names_fields(self, world):
        response = api_client(world.users.admin).post("/api/v1/carriers", {"name": 1},
                                                      content_type="application/json")
        body = assert_error(response, 422, "validation_error")
        fields = {e["field"] for e in body["errors"]}
        assert {"name", "kind", "operator", "established"} <= fields

    def test_422_from_the_model_names_fields(self, world):
        response = api_client(world.users.admin).patch(
            f"/api/v1/carriers/{world.carrier_a.pk}", {"tenant_area_m2": 10**6}, content_type="application/json")
        body = assert_error(response, 422, "validation_error")
        assert body["errors"][0]["field"] == "tenant_area_m2"

    def test_non_field_errors_have_a_null_field(self):
        from django.core.exceptions import ValidationError

        from fuhua.core.api_errors import _django_items

        items = _django_items(ValidationError({"__all__": ["whole object"], "name": ["bad name"]}))
        assert {(i["field"], i["message"]) for i in items} == {(None, "whole object"), ("name", "bad name")}

    def test_409_when_the_object_is_still_referred_to(self, world):
        body = assert_error(api_client(world.users.admin).delete(f"/api/v1/organisations/{world.op_a.pk}",
                                                              headers={"Accept-Language": "en"}),
                            409, "conflict")
        assert "referred to" in body["message"]

    def test_409_on_an_integrity_error(self, world):
        client = api_client(world.users.admin)
        with mock.patch("fuhua.core.services.update_object", side_effect=IntegrityError("UNIQUE failed: secret")):
            response = client.patch(f"/api/v1/carriers/{world.carrier_a.pk}", {"address": "x"},
                                    content_type="application/json")
        body = assert_error(response, 409, "conflict")
        assert "secret" not in body["message"]

    def test_500_leaks_no_traceback(self, world):
        client = api_client(world.users.admin)
        with mock.patch("fuhua.core.services.history", side_effect=RuntimeError("db password is hunter2")):
            response = client.get(f"/api/v1/carriers/{world.carrier_a.pk}/history")
        body = assert_error(response, 500, "server_error")
        assert "hunter2" not in response.content.decode() and "Traceback" not in response.content.decode()
        assert response["X-Request-ID"] in body["message"]

    def test_csrf_failure_is_403_in_the_shape(self, world):
        client = Client(enforce_csrf_checks=True)
        client.force_login(world.users.admin)
        response = client.patch(f"/api/v1/carriers/{world.carrier_a.pk}", {"address": "x"},
                                content_type="application/json")
        assert "CSRF" in assert_error(response, 403, "permission_denied")["message"]


def test_openapi_documents_the_error_shape():
    schema = api.get_openapi_schema()
    assert {"ErrorOut", "ErrorItem"} <= set(schema["components"]["schemas"])
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for status in (401, 403, 422):
                content = operation["responses"][status]["content"]["application/json"]["schema"]
                assert content == {"$ref": "#/components/schemas/ErrorOut"}, (method, path, status)
