"""F12 (except history): server-generated request ids, `next=` only to this site, a Content-Security-Policy
without inline scripts; and the client address on audit rows and security events (MLPS 2.0 审计)."""

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.http import HttpResponseRedirect
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from fuhua.accounts.models import ApiToken, SecurityEvent
from fuhua.core.middleware import CONTENT_SECURITY_POLICY, SafeRedirectMiddleware, safe_next
from fuhua.core.models import ObjectChange
from fuhua.testing import PASSWORD

PACKAGE = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
class TestRequestIds:
    def test_a_client_supplied_request_id_is_not_written_into_the_audit(self, world):
        client = Client(headers={"Authorization": f"Bearer {ApiToken.issue(world.users.bureau_sz, 'x')[1]}"})
        response = client.patch(f"/api/v1/carriers/{world.carrier_a.pk}", {"address": "新地址 1 号"},
                                content_type="application/json", headers={"X-Request-ID": "forged-request-0001"})
        assert response.status_code == 200
        assert response["X-Request-ID"] != "forged-request-0001"
        assert not ObjectChange.objects.filter(request_id="forged-request-0001").exists()
        assert ObjectChange.objects.filter(request_id=response["X-Request-ID"], object_id=str(world.carrier_a.pk))

    @override_settings(TRUSTED_PROXIES=["10.0.0.0/8"])
    def test_a_trusted_proxys_request_id_is_kept(self, world):
        client = Client(REMOTE_ADDR="10.0.0.9", headers={"X-Request-ID": "proxy-abcdef-0001"})
        client.force_login(world.users.bureau_sz)
        assert client.get("/api/v1/me")["X-Request-ID"] == "proxy-abcdef-0001"
        malformed = client.get("/api/v1/me", headers={"X-Request-ID": "bad id with spaces"})
        assert malformed["X-Request-ID"] != "bad id with spaces"


@pytest.mark.django_db
class TestAddressOnAuditRows:
    @override_settings(TRUSTED_PROXIES=["10.0.0.0/8"])
    def test_changes_and_events_carry_the_client_address(self, world):
        key = ApiToken.issue(world.users.bureau_sz, "x")[1]
        client = Client(REMOTE_ADDR="10.0.0.9",
                        headers={"X-Forwarded-For": "203.0.113.44", "Authorization": f"Bearer {key}"})
        response = client.patch(f"/api/v1/carriers/{world.carrier_a.pk}", {"address": "新地址 2 号"},
                                content_type="application/json")
        change = ObjectChange.objects.get(request_id=response["X-Request-ID"], action="update")
        assert change.ip == "203.0.113.44"

    def test_sign_in_failure_and_sign_out_are_security_events(self, world):
        client = Client(REMOTE_ADDR="198.51.100.30")
        client.post(reverse("login"), {"username": "bureau_sz", "password": "wrong-Password-1"})
        client.post(reverse("login"), {"username": "bureau_sz", "password": PASSWORD})
        client.post(reverse("logout"))
        events = list(SecurityEvent.objects.filter(username="bureau_sz").order_by("id").values_list("kind", "ip"))
        assert events == [("login_failed", "198.51.100.30"), ("login", "198.51.100.30"),
                          ("logout", "198.51.100.30")]
        assert all(SecurityEvent.objects.values_list("request_id", flat=True))

    def test_other_apps_record_exports(self, world):
        from fuhua.accounts.security import record_security_event

        request = RequestFactory().get("/x", REMOTE_ADDR="198.51.100.31")
        request.user = world.users.bureau_sz
        event = record_security_event(request, "export", {"what": "carriers", "rows": 3})
        assert (event.username, event.ip, event.detail["rows"]) == ("bureau_sz", "198.51.100.31", 3)
        with pytest.raises(ValueError):
            record_security_event(request, "no_such_kind")


@pytest.mark.django_db
class TestNextRedirects:
    def test_notification_read_does_not_redirect_off_site(self, world):
        notification = apps.get_model("policies", "Notification").objects.create(
            organisation=world.op_a, carrier=world.carrier_a, message="测试")
        client = Client()
        client.force_login(world.users.operator_a)
        response = client.post(reverse("policies:notification_read", args=[notification.pk]),
                               {"next": "https://evil.example/phish"})
        assert response.status_code == 302 and "evil.example" not in response["Location"]

    def test_sign_in_and_forms_keep_next_on_this_site(self, world):
        client = Client()
        response = client.post(reverse("login") + "?next=//evil.example/", {
            "username": "bureau_sz", "password": PASSWORD, "next": "//evil.example/"})
        assert response.status_code == 302 and "evil.example" not in response["Location"]
        token = ApiToken.issue(world.users.bureau_sz, "x")[0]
        revoked = client.post(reverse("accounts:token_revoke", args=[token.pk]), {"next": "https://evil.example/"})
        assert revoked["Location"] == reverse("accounts:tokens")
        kept = client.post(reverse("accounts:token_revoke", args=[ApiToken.issue(world.users.bureau_sz, "y")[0].pk]),
                           {"next": "/accounts/tokens/?page=2"})
        assert kept["Location"] == "/accounts/tokens/?page=2"

    def test_the_middleware_is_the_net_under_every_view(self):
        request = RequestFactory().post("/anything")
        for target, safe in [("https://evil.example/", False), ("//evil.example", False),
                             ("/registry/carriers/", True), ("http://testserver/x", True)]:
            response = SafeRedirectMiddleware(lambda r, t=target: HttpResponseRedirect(t))(request)
            assert ("evil" not in response["Location"]) and (response["Location"] == target) == safe
        request = RequestFactory().post("/x", {"next": "javascript:alert(1)"})
        assert safe_next(request, "/home") == "/home"


@pytest.mark.django_db
class TestContentSecurityPolicy:
    def test_every_page_sends_the_policy(self, world):
        client = Client()
        assert client.get(reverse("login"))["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
        client.force_login(world.users.bureau_sz)
        policy = client.get(reverse("dashboard"))["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
        assert "frame-ancestors 'none'" in policy

    def test_no_template_has_inline_script_or_event_handlers(self):
        offenders = []
        inline_script = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
        handler = re.compile(r"\son[a-z]+\s*=", re.I)
        for path in PACKAGE.rglob("templates/**/*.html"):
            text = path.read_text(encoding="utf-8")
            if inline_script.search(text) or handler.search(text) or "javascript:" in text:
                offenders.append(str(path.relative_to(PACKAGE)))
        assert not offenders, offenders
