"""A worker remembers an authenticated API token briefly (accounts.token_cache): repeated requests skip the
token, lockout and grant look-ups, while revocation, deactivation, a change of role and a lockout in this
process still take effect at the very next request."""

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from fuhua.accounts import services
from fuhua.accounts.models import ApiToken, RoleGrant
from fuhua.accounts.roles import Role
from fuhua.registry.models import Carrier


def bearer(key: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {key}"})


def carrier_detail(client, carrier):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/api/v1/carriers/{carrier.pk}")
    return response, [q["sql"] for q in queries.captured_queries]


@pytest.mark.django_db
class TestRemembered:
    def test_a_second_request_reads_only_the_carrier(self, world):
        client = bearer(ApiToken.issue(world.users.bureau_sz, "erp")[1])
        carrier = Carrier.objects.restrict(world.users.bureau_sz).first()
        first, first_sql = carrier_detail(client, carrier)
        second, second_sql = carrier_detail(client, carrier)
        assert first.status_code == second.status_code == 200 and first.json() == second.json()
        assert any("axes_accessattempt" in sql for sql in first_sql)
        assert len(second_sql) == 1 and "registry_carrier" in second_sql[0], second_sql

    @override_settings(API_TOKEN_CACHE_SECONDS=0)
    def test_zero_seconds_turns_the_memory_off(self, world):
        client = bearer(ApiToken.issue(world.users.bureau_sz, "erp")[1])
        carrier = Carrier.objects.restrict(world.users.bureau_sz).first()
        carrier_detail(client, carrier)
        _, sql = carrier_detail(client, carrier)
        assert any("accounts_apitoken" in s for s in sql) and any("axes_accessattempt" in s for s in sql)

    def test_each_request_gets_its_own_user_object(self, world):
        client = bearer(ApiToken.issue(world.users.bureau_sz, "erp")[1])
        assert client.get("/api/v1/me").status_code == 200
        users = [client.get("/api/v1/me").wsgi_request.auth_user for _ in range(2)]
        assert users[0] is not users[1] and users[0].pk == users[1].pk == world.users.bureau_sz.pk


@pytest.mark.django_db
class TestForgotten:
    def test_a_revoked_token_is_refused_at_the_next_request(self, world):
        token, key = ApiToken.issue(world.users.operator_a, "erp")
        client = bearer(key)
        assert client.get("/api/v1/me").status_code == 200
        services.revoke_token(world.users.operator_a, None, token)
        assert client.get("/api/v1/me").status_code == 401

    def test_a_deactivated_user_is_refused_at_the_next_request(self, world):
        client = bearer(ApiToken.issue(world.users.operator_a, "erp")[1])
        assert client.get("/api/v1/me").status_code == 200
        world.users.operator_a.is_active = False
        world.users.operator_a.save()
        assert client.get("/api/v1/me").status_code == 401

    def test_a_withdrawn_role_shrinks_the_scope_at_the_next_request(self, world):
        user = world.users.bureau_sz
        client = bearer(ApiToken.issue(user, "erp")[1])
        carrier = Carrier.objects.restrict(user).first()
        assert client.get(f"/api/v1/carriers/{carrier.pk}").status_code == 200
        RoleGrant.objects.filter(user=user, role=Role.BUREAU).first().delete()
        assert client.get(f"/api/v1/carriers/{carrier.pk}").status_code == 403
