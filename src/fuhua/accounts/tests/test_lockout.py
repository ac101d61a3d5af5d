"""F11: lockout keyed on the account (not user name + address), unlock by administrators, the per-address
rate limit behind a trusted proxy, and a locked-out user's API tokens (MLPS 2.0: 登录失败处理)."""

import pytest
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from fuhua.accounts import services
from fuhua.accounts.lockout import address_is_rate_limited, is_locked_out
from fuhua.accounts.models import ApiToken, SecurityEvent
from fuhua.core.middleware import client_ip
from fuhua.testing import PASSWORD

PROXY = "10.0.0.5"


def sign_in(username, password, address="198.51.100.7", forwarded=None):
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    client = Client(REMOTE_ADDR=address, headers=headers)
    return client, client.post(reverse("login"), {"username": username, "password": password})


def fail(username, times, **kwargs):
    for _ in range(times):
        sign_in(username, "wrong-Password-1", **kwargs)


@pytest.mark.django_db
class TestAccountLockout:
    @override_settings(AXES_FAILURE_LIMIT=3)
    def test_failures_from_many_addresses_lock_the_account(self, world):
        # Distributed guessing: each address fails once; keyed on user name + address this never locked.
        for n in range(3):
            sign_in("bureau_sz", "wrong-Password-1", address=f"203.0.113.{n + 1}")
        assert is_locked_out("bureau_sz")
        _, response = sign_in("bureau_sz", PASSWORD, address="203.0.113.99")
        assert response.status_code == 429
        assert "accounts/locked_out.html" in [t.name for t in response.templates]
        assert SecurityEvent.objects.filter(kind="locked_out", target="bureau_sz").exists()

    @override_settings(AXES_FAILURE_LIMIT=3, TRUSTED_PROXIES=["10.0.0.0/24"])
    def test_behind_the_proxy_one_address_does_not_lock_out_others(self, world):
        fail("bureau_sz", 3, address=PROXY, forwarded="203.0.113.50")
        _, response = sign_in("bureau_nj", PASSWORD, address=PROXY, forwarded="203.0.113.50")
        assert response.status_code == 302 and response["Location"] == reverse("dashboard")
        assert not is_locked_out("bureau_nj") and is_locked_out("bureau_sz")

    @override_settings(AXES_FAILURE_LIMIT=2)
    def test_a_locked_out_users_api_token_stops_working(self, world):
        key = ApiToken.issue(world.users.operator_a, "erp")[1]
        bearer = Client(headers={"Authorization": f"Bearer {key}"})
        assert bearer.get("/api/v1/me").status_code == 200
        fail("operator_a", 2)
        assert bearer.get("/api/v1/me").status_code == 401

    @override_settings(AXES_FAILURE_LIMIT=2)
    def test_a_security_administrator_unlocks(self, world):
        fail("operator_a", 2)
        assert is_locked_out("operator_a")
        admin = Client()
        admin.force_login(world.users.admin)
        assert [u.username for u in admin.get(reverse("accounts:user_list")).context["locked"]] == ["operator_a"]
        page = admin.get(reverse("accounts:user_detail", args=[world.users.operator_a.pk]))
        unlock_url = reverse("accounts:user_action", args=[world.users.operator_a.pk, "unlock"])
        assert unlock_url in page.content.decode()
        admin.post(unlock_url)
        assert not is_locked_out("operator_a")
        assert SecurityEvent.objects.filter(kind="unlocked", target="operator_a", username="admin").exists()
        _, response = sign_in("operator_a", PASSWORD)
        assert response.status_code == 302

    @override_settings(AXES_FAILURE_LIMIT=2)
    def test_someone_without_the_power_cannot_unlock(self, world):
        fail("operator_a", 2)
        with pytest.raises(services.PermissionDenied):
            services.unlock_account(world.users.bureau_sz, None, world.users.operator_a)
        assert is_locked_out("operator_a")


@pytest.mark.django_db
class TestRateLimitPerAddress:
    @override_settings(LOGIN_RATE_LIMIT_PER_ADDRESS=4, AXES_FAILURE_LIMIT=100)
    def test_an_address_guessing_many_accounts_is_refused(self, world):
        for name in ("bureau_sz", "bureau_nj", "operator_a", "operator_b"):
            sign_in(name, "wrong-Password-1", address="203.0.113.9")
        assert address_is_rate_limited("203.0.113.9")
        _, refused = sign_in("firm_a", PASSWORD, address="203.0.113.9")
        assert refused.status_code == 429
        _, other = sign_in("firm_a", PASSWORD, address="203.0.113.10")
        assert other.status_code == 302  # another address is not affected
        assert SecurityEvent.objects.filter(kind="rate_limited", ip="203.0.113.9").exists()

    @override_settings(LOGIN_RATE_LIMIT_PER_ADDRESS=3, AXES_FAILURE_LIMIT=100, TRUSTED_PROXIES=["10.0.0.0/24"])
    def test_behind_a_trusted_proxy_the_forwarded_client_is_limited(self, world):
        fail("bureau_sz", 3, address=PROXY, forwarded="203.0.113.20")
        assert address_is_rate_limited("203.0.113.20") and not address_is_rate_limited(PROXY)
        _, other_client = sign_in("bureau_nj", PASSWORD, address=PROXY, forwarded="203.0.113.21")
        assert other_client.status_code == 302


class TestClientAddress:
    rf = RequestFactory()

    def ip(self, peer, forwarded=None):
        meta = {"REMOTE_ADDR": peer}
        if forwarded is not None:
            meta["HTTP_X_FORWARDED_FOR"] = forwarded
        return client_ip(self.rf.get("/", **meta))

    @override_settings(TRUSTED_PROXIES=[])
    def test_without_trusted_proxies_the_peer_counts_and_the_header_is_ignored(self):
        assert self.ip("198.51.100.1", "1.2.3.4") == "198.51.100.1"

    @override_settings(TRUSTED_PROXIES=["10.0.0.0/8", "2001:db8::/32"])
    def test_a_trusted_proxy_reports_the_client(self):
        assert self.ip("10.1.2.3", "203.0.113.5") == "203.0.113.5"
        assert self.ip("2001:db8::1", "203.0.113.6") == "203.0.113.6"

    @override_settings(TRUSTED_PROXIES=["10.0.0.0/8"])
    def test_a_client_cannot_forge_its_address_through_the_proxy(self):
        # The client sends X-Forwarded-For: 9.9.9.9; the proxy appends the real address.
        assert self.ip("10.0.0.1", "9.9.9.9, 203.0.113.7") == "203.0.113.7"
        # Chained trusted proxies are skipped from the right.
        assert self.ip("10.0.0.1", "9.9.9.9, 203.0.113.8, 10.0.0.2") == "203.0.113.8"

    @override_settings(TRUSTED_PROXIES=["10.0.0.0/8"])
    def test_an_untrusted_peer_cannot_claim_an_address(self):
        assert self.ip("198.51.100.2", "10.0.0.1") == "198.51.100.2"

    @override_settings(TRUSTED_PROXIES=["10.0.0.0/8"])
    def test_malformed_entries_fall_back_to_the_peer(self):
        assert self.ip("10.0.0.1", "<script>, nonsense") == "10.0.0.1"
        assert self.ip("10.0.0.1", "") == "10.0.0.1"
