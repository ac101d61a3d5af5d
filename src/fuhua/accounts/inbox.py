"""The account administrators' items of the dashboard's inbox (三员分立): accounts awaiting an invitation's
acceptance or a role, sign-ins locked out, API tokens about to expire (system and security administrators),
and the last week's security events to review (audit administrator). Registered from AccountsConfig.ready();
each counts with the same service its link's page lists with, so the page shows exactly the counted rows."""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy

from fuhua.core.inbox import register_inbox_item

from . import services
from .roles import ACCOUNT_POWERS

TOKEN_DAYS = 14  # tokens expiring within this many days from today are shown to renew or revoke
REVIEW_DAYS = 7  # security events of the last week (today included) await the audit administrator


def _holding(*powers: str) -> set[str]:
    return {role for role, held in ACCOUNT_POWERS.items() if held & set(powers)}


def _users(status: str) -> str:
    return f"{reverse('accounts:user_list')}?status={status}"


def token_window(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    return today, today + datetime.timedelta(days=TOKEN_DAYS)


def review_window(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    return today - datetime.timedelta(days=REVIEW_DAYS - 1), today


def _tokens_url(user, today) -> str:
    first, last = token_window(today)
    return f"{reverse('accounts:tokens')}?expires_from={first}&expires_to={last}"


def _review_url(user, today) -> str:
    since, until = review_window(today)
    query = [("kind", str(k)) for k in services.REVIEW_KINDS] + [("since", since), ("until", until)]
    return f"{reverse('accounts:security_events')}?{urlencode(query)}"


def _review_count(user, today) -> int:
    if not services.has_power(user, "audit"):
        return 0
    since, until = review_window(today)
    return services.security_events(user, kinds=services.REVIEW_KINDS, since=since, until=until).count()


def register() -> None:
    register_inbox_item(
        "accounts.locked", gettext_lazy("accounts locked out after failed sign-ins, to unlock"), _holding("locks"),
        count=lambda user, today: services.accounts_awaiting(user, "locked") if services.has_power(user, "locks")
        else 0,
        url=lambda user, today: _users("locked"), order=80)
    register_inbox_item(
        "accounts.invited", gettext_lazy("invitations not yet accepted"), _holding("users", "grants"),
        count=lambda user, today: services.accounts_awaiting(user, "invited"),
        url=lambda user, today: _users("invited"), order=81)
    register_inbox_item(
        "accounts.no_role", gettext_lazy("active accounts without any role"), _holding("users", "grants"),
        count=lambda user, today: services.accounts_awaiting(user, "no_role"),
        url=lambda user, today: _users("no_role"), order=82)
    register_inbox_item(
        "accounts.tokens_expiring", gettext_lazy("API tokens expiring within 14 days"), _holding("tokens"),
        count=lambda user, today: services.expiring_tokens(user, *token_window(today)).count(),
        url=_tokens_url, order=83)
    register_inbox_item(
        "accounts.security_review",
        gettext_lazy("security events of the last 7 days to review (failed sign-ins, lockouts, role changes, "
                     "exports)"), _holding("audit"),
        count=_review_count, url=_review_url, order=84)
