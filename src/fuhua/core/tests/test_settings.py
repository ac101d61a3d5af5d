"""Deployment settings: the production check passes, secrets are required, passwords are strong,
logins lock out after repeated failures and sessions expire."""

import datetime
import os
import secrets
import subprocess
import sys
import time

import pytest
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fuhua.core.middleware import SESSION_ACTIVITY_RESOLUTION
from fuhua.testing import PASSWORD


def manage(tmp_path, *args, **env):
    base = {k: v for k, v in os.environ.items() if not k.startswith(("FUHUA_", "DJANGO_")) and k != "SECRET_KEY"}
    return subprocess.run(
        [sys.executable, "-m", "fuhua.cli", "manage", *args],
        env={**base, "FUHUA_HOME": str(tmp_path), **env}, capture_output=True, text=True, timeout=120,
    )


PRODUCTION = {"FUHUA_PRODUCTION": "1", "ALLOWED_HOSTS": "fuhua.example.cn"}


def test_deploy_check_passes_in_production(tmp_path):
    result = manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING",
                    SECRET_KEY=secrets.token_urlsafe(48), **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_without_secret_key_fails_clearly(tmp_path):
    result = manage(tmp_path, "check", **PRODUCTION)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_session_timeout_comes_from_the_environment(tmp_path):
    code = "from django.conf import settings; print(settings.SESSION_COOKIE_AGE)"
    result = manage(tmp_path, "shell", "-c", code, FUHUA_SESSION_TIMEOUT_MINUTES="10")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "600"


@pytest.mark.parametrize(("password", "accepted"), [
    ("password123", False), ("abcdefghij", False), ("Fuhua-1", False), ("Fuhua-demo-2026", True),
])
def test_password_policy(password, accepted):
    try:
        validate_password(password)
    except ValidationError:
        assert not accepted
    else:
        assert accepted


@pytest.mark.django_db
def test_login_locks_out_after_five_failures(world, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    client = Client()
    for _ in range(5):
        response = client.post("/accounts/login/", {"username": "bureau_sz", "password": "wrong-Password-1"})
        assert "_auth_user_id" not in client.session
    response = client.post("/accounts/login/", {"username": "bureau_sz", "password": PASSWORD})
    assert response.status_code == settings.AXES_HTTP_RESPONSE_CODE
    assert "_auth_user_id" not in client.session
    # Another account from the same address is not locked (lockout is per user name and address).
    response = client.post("/accounts/login/", {"username": "bureau_nj", "password": PASSWORD})
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(world.users.bureau_nj.pk)


@pytest.mark.django_db
def test_a_correct_login_before_the_limit_works(world):
    client = Client()
    for _ in range(3):
        client.post("/accounts/login/", {"username": "bureau_sz", "password": "wrong-Password-1"})
    response = client.post("/accounts/login/", {"username": "bureau_sz", "password": PASSWORD})
    assert response.status_code == 302


@pytest.mark.django_db
def test_sessions_expire(world, settings):
    client = Client()
    assert client.post("/accounts/login/", {"username": "operator_a", "password": PASSWORD}).status_code == 302
    session = Session.objects.get()
    expected = timezone.now() + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    assert abs((session.expire_date - expected).total_seconds()) < 60
    assert client.get("/api/v1/me").status_code == 200
    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    assert client.get("/api/v1/me").status_code == 401
    page = client.get("/")
    assert page.status_code == 302 and page["Location"].startswith("/accounts/login/")


def _session_writes(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return sum(1 for q in queries if q["sql"].startswith("UPDATE") and "django_session" in q["sql"])


@pytest.mark.django_db
def test_the_idle_timeout_counts_from_the_last_request_written_once_a_minute(world, monkeypatch):
    client = Client()
    assert client.post("/accounts/login/", {"username": "operator_a", "password": PASSWORD}).status_code == 302
    assert _session_writes(client, "/api/v1/me") == 1  # the first request after signing in marks the activity
    expires = Session.objects.get().expire_date
    # Within the minute: pages and API calls read the session and write nothing.
    assert [_session_writes(client, path) for path in ("/", "/api/v1/me", "/")] == [0, 0, 0]
    assert Session.objects.get().expire_date == expires
    # A minute on, the next request writes the session once, and its expiry moves on with it.
    later = time.time() + SESSION_ACTIVITY_RESOLUTION
    monkeypatch.setattr(time, "time", lambda: later)
    assert _session_writes(client, "/") == 1
    assert Session.objects.get().expire_date > expires
    assert _session_writes(client, "/") == 0


@pytest.mark.django_db
def test_anonymous_requests_create_no_session(world):
    client = Client()
    assert client.get("/accounts/login/").status_code == 200
    assert not Session.objects.exists()
