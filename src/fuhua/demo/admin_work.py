"""A little account-administration activity so that the three separated administrators (三员分立) land on work:
an invitation not yet accepted and an account still without a role (system administrator), failed sign-ins
that lock an account and an API token near its expiry (Suzhou's security administrator), and the last days'
security events (audit administrator). Dates are relative to the demo's today; the lockout is real (django-axes,
through authentication) and so lasts the configured cool-off from the moment the demo is loaded.
Idempotent: nothing is added when the invited account exists."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.test import RequestFactory
from django.utils import timezone

from fuhua.accounts.models import AccountProfile, ApiToken, RoleGrant, SecurityEvent
from fuhua.accounts.roles import Role
from fuhua.registry.demo import regions
from fuhua.registry.models import Region

INVITED, WITHOUT_ROLE, LOCKED = "wang_fang_sz", "zhou_min_sz", "chen_jie_sz"
_ADDRESS = "203.0.113.45"  # documentation range (RFC 5737): the guessing client


def _at(today: datetime.date, days_before: int, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(today - datetime.timedelta(days=days_before),
                                                         datetime.time(hour, 12)))


def _event(kind, time, username, target="", detail=None, ip="10.20.0.8"):
    return SecurityEvent(kind=kind, time=time, username=username, target=target, ip=ip, source="web",
                         detail=detail or {})


def _account(username, *, active, home_region, invited_by, joined, last_login=None):
    user = get_user_model()(username=username, email=f"{username}@demo.fuhua.cn", is_active=active,
                            date_joined=joined, last_login=last_login)
    user.set_unusable_password()
    user.save()
    profile = AccountProfile.of(user)
    profile.home_region, profile.invited_by = home_region, invited_by
    profile.save(update_fields=["home_region", "invited_by"])
    return user


def ensure_admin_work(today: datetime.date) -> bool:
    """Add the activity once (False when it is there already or the administrators are missing)."""
    users = get_user_model().objects
    sysadmin, secadmin = users.filter(username="sysadmin").first(), users.filter(username="secadmin_sz").first()
    suzhou = Region.objects.filter(code=regions.SUZHOU).first()
    if users.filter(username=INVITED).exists() or None in (sysadmin, secadmin, suzhou):
        return False
    # Invited two days ago and not accepted; invited last week, signed in, but given no role yet.
    _account(INVITED, active=False, home_region=suzhou, invited_by=sysadmin, joined=_at(today, 2, 10))
    _account(WITHOUT_ROLE, active=True, home_region=suzhou, invited_by=sysadmin, joined=_at(today, 8, 9),
             last_login=_at(today, 6, 9))
    # A bureau clerk with a role (granted by the security administrator) and a data-feed token near its expiry.
    clerk = _account(LOCKED, active=True, home_region=suzhou, invited_by=sysadmin, joined=_at(today, 30, 9),
                     last_login=_at(today, 1, 8))
    RoleGrant.objects.create(user=clerk, role=Role.BUREAU, region=suzhou)
    token, _key = ApiToken.issue(clerk, "统计数据对接", expires_at=_at(today, -9, 18))
    SecurityEvent.objects.bulk_create([
        _event(SecurityEvent.Kind.USER_INVITED, _at(today, 30, 9), "sysadmin", LOCKED),
        _event(SecurityEvent.Kind.ROLE_GRANTED, _at(today, 3, 11), "secadmin_sz", LOCKED,
               {"role": Role.BUREAU, "scope": str(suzhou)}),
        _event(SecurityEvent.Kind.TOKEN_CREATED, _at(today, 3, 14), LOCKED, LOCKED,
               {"token": token.prefix, "name": token.name}),
        _event(SecurityEvent.Kind.USER_INVITED, _at(today, 8, 9), "sysadmin", WITHOUT_ROLE),
        _event(SecurityEvent.Kind.USER_INVITED, _at(today, 2, 10), "sysadmin", INVITED),
        _event(SecurityEvent.Kind.EXPORT, _at(today, 1, 15), "bureau_sz", "",
               {"what": "carriers", "rows": 120, "format": "xlsx"}),
        _event(SecurityEvent.Kind.LOGIN_FAILED, _at(today, 2, 8), WITHOUT_ROLE, ip="10.20.3.17"),
        _event(SecurityEvent.Kind.LOGIN_FAILED, _at(today, 2, 8), WITHOUT_ROLE, ip="10.20.3.17"),
    ])
    # Someone guesses the clerk's password now: real failed sign-ins, until django-axes locks the account.
    request = RequestFactory().post("/login/", REMOTE_ADDR=_ADDRESS)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        authenticate(request, username=LOCKED, password="guess-Password-1")
    return True
