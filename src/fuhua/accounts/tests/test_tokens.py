"""F10: API tokens expire by default, cannot mint longer-lived tokens, and can be listed and revoked
(API, page, command), by their owner and by a security administrator within scope."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from fuhua.accounts.models import ApiToken, SecurityEvent
from fuhua.accounts.roles import Role
from fuhua.testing import make_user

DAY = datetime.timedelta(days=1)


def bearer(key: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {key}"})


def new_token(client, **body):
    return client.post("/api/v1/tokens", {"name": "x", **body}, content_type="application/json")


@pytest.mark.django_db
class TestExpiry:
    @override_settings(API_TOKEN_DAYS=30)
    def test_a_token_expires_by_default(self, world):
        token = ApiToken.issue(world.users.admin, "x")[0]
        assert abs(token.expires_at - (timezone.now() + 30 * DAY)) < datetime.timedelta(minutes=1)

    @override_settings(API_TOKEN_MAX_DAYS=100)
    def test_no_token_lives_past_the_maximum(self, world):
        token = ApiToken.issue(world.users.admin, "x", expires_at=timezone.now() + 1000 * DAY)[0]
        assert token.expires_at < timezone.now() + 101 * DAY

    def test_a_token_without_expiry_from_before_is_refused(self, world):
        token, key = ApiToken.issue(world.users.admin, "legacy")
        ApiToken.objects.filter(pk=token.pk).update(expires_at=None)
        assert bearer(key).get("/api/v1/me").status_code == 401


@pytest.mark.django_db
class TestMinting:
    def test_a_short_lived_token_cannot_mint_a_longer_one(self, world):
        short_expiry = timezone.now() + DAY
        key = ApiToken.issue(world.users.bureau_sz, "short", expires_at=short_expiry)[1]
        client = bearer(key)
        refused = new_token(client, expires_at=(timezone.now() + 300 * DAY).isoformat())
        assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "expires_at"
        # Without an expiry the new token inherits the creator's, never the 90-day default.
        created = new_token(client)
        assert created.status_code == 201
        assert datetime.datetime.fromisoformat(created.json()["expires_at"]) <= short_expiry
        shorter = new_token(client, expires_at=(timezone.now() + datetime.timedelta(hours=2)).isoformat())
        assert shorter.status_code == 201

    def test_a_naive_expiry_is_read_in_the_sites_time_zone(self, world):
        client = Client()
        client.force_login(world.users.bureau_sz)
        created = new_token(client, expires_at="2099-01-01T08:00:00")
        assert created.status_code == 201, created.content
        expires = datetime.datetime.fromisoformat(created.json()["expires_at"])
        assert expires <= timezone.now() + 366 * DAY  # capped at the maximum lifetime

    def test_a_session_mints_with_the_default_expiry(self, world):
        client = Client()
        client.force_login(world.users.bureau_sz)
        created = new_token(client).json()
        expires = datetime.datetime.fromisoformat(created["expires_at"])
        assert timezone.now() + 80 * DAY < expires < timezone.now() + 100 * DAY
        assert SecurityEvent.objects.filter(kind="token_created", username="bureau_sz",
                                            detail__token=created["prefix"]).exists()


@pytest.mark.django_db
class TestListAndRevoke:
    def test_a_regional_security_administrator_sees_and_revokes_only_its_region(self, world):
        security_sz = make_user("security_sz", Role.SECURITY_ADMIN, region=world.regions.sz)
        in_scope = ApiToken.issue(world.users.bureau_sz, "sz")[0]
        out_of_scope = ApiToken.issue(world.users.bureau_nj, "nj")[0]
        client = bearer(ApiToken.issue(security_sz, "mine")[1])
        names = {t["name"] for t in client.get("/api/v1/tokens?mine=false").json()}
        assert "sz" in names and "nj" not in names
        assert client.delete(f"/api/v1/tokens/{out_of_scope.pk}").status_code == 404
        assert client.delete(f"/api/v1/tokens/{in_scope.pk}").status_code == 204
        assert ApiToken.objects.filter(pk=out_of_scope.pk).exists()
        assert SecurityEvent.objects.filter(kind="token_revoked", target="bureau_sz",
                                            username="security_sz").exists()

    def test_tokens_page_creates_lists_and_revokes(self, world):
        client = Client()
        client.force_login(world.users.operator_a)
        page = client.post(reverse("accounts:tokens"), {"name": "ERP", "days": 10})
        assert page.status_code == 200 and page.context["new_key"].startswith("fh_")
        token = ApiToken.objects.get(user=world.users.operator_a, name="ERP")
        assert token.expires_at < timezone.now() + 11 * DAY
        listed = client.get(reverse("accounts:tokens")).content.decode()
        assert token.prefix in listed and page.context["new_key"] not in listed
        other = ApiToken.issue(world.users.operator_b, "b")[0]
        assert client.post(reverse("accounts:token_revoke", args=[other.pk])).status_code == 404
        response = client.post(reverse("accounts:token_revoke", args=[token.pk]))
        assert response.status_code == 302 and not ApiToken.objects.filter(pk=token.pk).exists()


@pytest.mark.django_db
class TestCommands:
    def test_create_with_days_then_list_and_revoke(self, world):
        out, err = io.StringIO(), io.StringIO()
        call_command("create_api_token", "operator_a", "ERP sync", "--days", "7", stdout=out, stderr=err)
        key = out.getvalue().strip()
        token = ApiToken.objects.get(name="ERP sync")
        assert token.expires_at < timezone.now() + 8 * DAY and "valid until" in err.getvalue()
        assert bearer(key).get("/api/v1/me").status_code == 200
        listing = io.StringIO()
        call_command("api_tokens", "list", "--user", "operator_a", stdout=listing)
        assert token.prefix in listing.getvalue() and "valid" in listing.getvalue()
        call_command("api_tokens", "revoke", token.prefix, stdout=io.StringIO())
        assert bearer(key).get("/api/v1/me").status_code == 401
        assert SecurityEvent.objects.filter(kind="token_revoked", target="operator_a", source="cli").exists()

    def test_days_out_of_range_are_refused(self, world):
        with pytest.raises(CommandError):
            call_command("create_api_token", "operator_a", "x", "--days", "100000")
        with pytest.raises(CommandError):
            call_command("api_tokens", "revoke", "fh_nope", stdout=io.StringIO())
