"""Sign-in lockout (django-axes, keyed on the account) and the per-address rate limit.

Axes counts failures per user name (AXES_LOCKOUT_PARAMETERS = ["username"]): guessing one account's
password from many addresses is stopped, and no address can lock out everyone behind a shared proxy.
Failures per client address are limited separately, over every account (LOGIN_RATE_LIMIT_PER_ADDRESS
in LOGIN_RATE_WINDOW_MINUTES), counted from the security events so that all workers see the same count.
"""

from __future__ import annotations

import datetime

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.db.models import Sum
from django.utils import timezone


def _recent_attempts():
    attempts = AccessAttempt.objects.all()
    cool_off = get_cool_off()
    if cool_off is not None:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
    return attempts


def is_locked_out(username: str) -> bool:
    """Is sign-in (and API token use) locked for this account now?"""
    if not username:
        return False
    failures = _recent_attempts().filter(username=username).aggregate(n=Sum("failures_since_start"))["n"] or 0
    return failures >= settings.AXES_FAILURE_LIMIT


def locked_out_usernames() -> list[str]:
    """Accounts locked out now, for the security administrator's page."""
    rows = (_recent_attempts().exclude(username=None).values("username")
            .annotate(n=Sum("failures_since_start")).filter(n__gte=settings.AXES_FAILURE_LIMIT))
    return sorted(r["username"] for r in rows)


def unlock(username: str) -> int:
    """Lift the lockout of an account; returns how many attempt records went."""
    return reset(username=username)


def address_is_rate_limited(ip: str | None) -> bool:
    if not ip or settings.LOGIN_RATE_LIMIT_PER_ADDRESS <= 0:
        return False
    from .models import SecurityEvent

    since = timezone.now() - datetime.timedelta(minutes=settings.LOGIN_RATE_WINDOW_MINUTES)
    failures = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.LOGIN_FAILED, ip=ip, time__gte=since).count()
    return failures >= settings.LOGIN_RATE_LIMIT_PER_ADDRESS
