"""API authentication: bearer tokens and the session (with CSRF), /me and the token endpoints."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from fuhua.accounts.models import ApiToken
from fuhua.core.models import ObjectChange


def bearer(key: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {key}"})


@pytest.mark.django_db
class TestTokens:
    def test_create_use_and_revoke(self, world):
        session = Client()
        session.force_login(world.users.bureau_sz)
        created = session.post("/api/v1/tokens", {"name": "统计导入"}, content_type="application/json")
        assert created.status_code == 201, created.content
        key = created.json()["key"]
        assert key.startswith("fh_") and created.json()["prefix"] == key[:8]
        listed = session.get("/api/v1/tokens").json()
        assert [t["name"] for t in listed] == ["统计导入"] and "key" not in listed[0]
        assert bearer(key).get("/api/v1/me").json()["user"]["username"] == "bureau_sz"
        assert bearer(key).delete(f"/api/v1/tokens/{created.json()['id']}").status_code == 204
        assert bearer(key).get("/api/v1/me").status_code == 401

    def test_key_is_stored_only_as_a_hash(self, world):
        token, key = ApiToken.issue(world.users.admin, "x")
        token.refresh_from_db()
        assert key not in (token.key_hash, token.prefix) and len(token.key_hash) == 64
        change = ObjectChange.objects.get(content_type__model="apitoken", object_id=str(token.pk))
        assert key not in str(change.after) and change.after["key_hash"] == "********"

    def test_expired_token_is_refused(self, world):
        key = ApiToken.issue(world.users.admin, "old", expires_at=timezone.now() - datetime.timedelta(1))[1]
        assert bearer(key).get("/api/v1/me").status_code == 401

    def test_inactive_user_token_is_refused(self, world):
        key = ApiToken.issue(world.users.bureau_nj, "x")[1]
        world.users.bureau_nj.is_active = False
        world.users.bureau_nj.save()
        assert bearer(key).get("/api/v1/me").status_code == 401

    def test_expiry_must_be_in_the_future(self, world):
        client = bearer(ApiToken.issue(world.users.admin, "x")[1])
        response = client.post("/api/v1/tokens", {"name": "y", "expires_at": "2001-01-01T00:00:00Z"},
                               content_type="application/json")
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == "expires_at"

    def test_nobody_but_an_administrator_lists_or_revokes_another_users_tokens(self, world):
        other = ApiToken.issue(world.users.bureau_nj, "nj")[0]
        bureau = bearer(ApiToken.issue(world.users.bureau_sz, "sz")[1])
        assert [t["name"] for t in bureau.get("/api/v1/tokens?mine=false").json()] == ["sz"]
        assert bureau.delete(f"/api/v1/tokens/{other.pk}").status_code == 404
        assert ApiToken.objects.filter(pk=other.pk).exists()
        # The platform administrator (a security-administration power) lists and revokes anyone's.
        admin = bearer(ApiToken.issue(world.users.admin, "admin")[1])
        assert [t["name"] for t in admin.get("/api/v1/tokens").json()] == ["admin"]
        assert {t["name"] for t in admin.get("/api/v1/tokens?mine=false").json()} == {"admin", "nj", "sz"}
        assert admin.delete(f"/api/v1/tokens/{other.pk}").status_code == 204
        assert not ApiToken.objects.filter(pk=other.pk).exists()

    def test_management_command_prints_a_working_key(self, world):
        out, err = io.StringIO(), io.StringIO()
        call_command("create_api_token", "operator_a", "ERP sync", stdout=out, stderr=err)
        key = out.getvalue().strip()
        assert "not shown again" in err.getvalue()
        assert bearer(key).get("/api/v1/me").json()["roles"] == ["operator"]
        assert ObjectChange.objects.filter(source="cli", content_type__model="apitoken").exists()
        with pytest.raises(CommandError):
            call_command("create_api_token", "ghost", "x")


@pytest.mark.django_db
class TestSession:
    def test_session_reads_without_csrf_and_writes_with_it(self, world):
        client = Client(enforce_csrf_checks=True)
        client.force_login(world.users.bureau_sz)
        assert client.get("/api/v1/carriers").status_code == 200
        url = f"/api/v1/carriers/{world.carrier_a.pk}"
        assert client.patch(url, {"address": "a"}, content_type="application/json").status_code == 403
        client.get("/accounts/login/")  # sets the csrftoken cookie
        token = client.cookies["csrftoken"].value
        response = client.patch(url, {"address": "a"}, content_type="application/json",
                                headers={"X-CSRFToken": token})
        assert response.status_code == 200, response.content

    def test_bearer_requests_need_no_csrf(self, world):
        client = Client(enforce_csrf_checks=True, headers={
            "Authorization": f"Bearer {ApiToken.issue(world.users.bureau_sz, 'x')[1]}"})
        response = client.patch(f"/api/v1/carriers/{world.carrier_a.pk}", {"address": "b"},
                                content_type="application/json")
        assert response.status_code == 200

    def test_me_lists_roles_and_scopes(self, world):
        client = Client()
        client.force_login(world.users.operator_a)
        me = client.get("/api/v1/me").json()
        assert me["user"]["username"] == "operator_a" and me["roles"] == ["operator"]
        assert me["scopes"][0]["organisation"] == world.op_a.pk and me["scopes"][0]["scope"] == world.op_a.name

    def test_anonymous_gets_401_not_a_csrf_error(self, world):
        response = Client(enforce_csrf_checks=True).post("/api/v1/carriers", {}, content_type="application/json")
        assert response.status_code == 401
