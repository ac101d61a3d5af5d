"""The three separated administrators' inbox (三员分立, Usable 4): each counts its own kind of work within its
scope, and each item's link opens a page listing exactly the counted rows."""

import datetime

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fuhua.accounts import services
from fuhua.accounts.models import ApiToken, SecurityEvent
from fuhua.accounts.roles import Role, roles_of
from fuhua.core.inbox import inbox
from fuhua.testing import make_user, web_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def admins(world):
    return {
        "system": make_user("sysadmin", Role.SYSTEM_ADMIN),
        "security_sz": make_user("secadmin_sz", Role.SECURITY_ADMIN, region=world.regions.sz),
        "audit": make_user("auditor", Role.AUDIT_ADMIN),
    }


def today():
    return timezone.localdate()


def entries(user, day=None):
    return {e.key: e for e in inbox(user, roles_of(user), day or today())}


def listed(user, url) -> list[str]:
    response = web_client(user).get(url)
    assert response.status_code == 200
    return [u.username for u in response.context["page"]]


def test_invitations_and_accounts_without_a_role_within_each_administrators_scope(world, admins):
    system, security_sz = admins["system"], admins["security_sz"]
    services.invite_user(system, None, username="li_sz", email="li@example.cn", home_region=world.regions.sz)
    services.invite_user(system, None, username="wu_nj", email="wu@example.cn", home_region=world.regions.nj)
    accepted = services.invite_user(system, None, username="he_sz", email="he@example.cn",
                                    home_region=world.regions.sz)
    accepted.is_active, accepted.last_login = True, timezone.now()  # as InvitationView and the sign-in leave it
    accepted.save()

    mine = entries(system)
    assert set(mine) == {"accounts.invited", "accounts.no_role"}  # no lockouts, tokens or audit: not its work
    assert mine["accounts.invited"].count == 2
    assert sorted(listed(system, mine["accounts.invited"].url)) == ["li_sz", "wu_nj"]
    assert mine["accounts.no_role"].count == 2
    assert sorted(listed(system, mine["accounts.no_role"].url)) == ["he_sz", "nobody"]

    theirs = entries(security_sz)  # Suzhou's: Nanjing's invitation and the regionless `nobody` are not in scope
    assert theirs["accounts.invited"].count == 1 and listed(security_sz, theirs["accounts.invited"].url) == ["li_sz"]
    assert theirs["accounts.no_role"].count == 1 and listed(security_sz, theirs["accounts.no_role"].url) == ["he_sz"]

    services.grant_role(admins["security_sz"], None, accepted, Role.BUREAU, region=world.regions.sz)
    assert "accounts.no_role" not in entries(security_sz)


def test_locked_out_accounts_for_the_security_administrator_of_their_region(world, admins):
    for username, address in (("bureau_sz", "203.0.113.7"), ("bureau_nj", "203.0.113.8")):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            Client(REMOTE_ADDR=address).post(reverse("login"), {"username": username, "password": "wrong-Pass-1"})
    security_sz = admins["security_sz"]
    item = entries(security_sz)["accounts.locked"]
    assert item.count == 1 and listed(security_sz, item.url) == ["bureau_sz"]
    services.unlock_account(security_sz, None, world.users.bureau_sz)
    assert "accounts.locked" not in entries(security_sz)
    assert "accounts.locked" not in entries(admins["system"])  # lockouts are the security administrator's


def test_api_tokens_expiring_within_14_days(world, admins):
    day = today()

    def issue(user, days):
        moment = timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=days),
                                                               datetime.time(17)))
        return ApiToken.issue(user, f"feed {days}", expires_at=moment)[0]

    soon_sz, _last_day = issue(world.users.operator_a, 5), issue(world.users.firm_a, 14)
    issue(world.users.firm_a, 15)  # beyond the window
    issue(world.users.operator_b, 3)  # Nanjing: outside Suzhou's scope
    security_sz = admins["security_sz"]
    item = entries(security_sz)["accounts.tokens_expiring"]
    assert item.count == 2
    response = web_client(security_sz).get(item.url)
    assert response.status_code == 200
    assert sorted(t.name for t in response.context["others"]) == ["feed 14", "feed 5"]
    assert soon_sz.prefix in response.content.decode()
    # Sixteen days later both have expired and the window holds nothing.
    assert "accounts.tokens_expiring" not in entries(security_sz, day + datetime.timedelta(days=16))


def test_the_audit_administrator_reviews_the_last_weeks_security_events(world, admins):
    day = today()

    def event(kind, days_before, hour=10):
        moment = timezone.make_aware(datetime.datetime.combine(day - datetime.timedelta(days=days_before),
                                                               datetime.time(hour)))
        return SecurityEvent.objects.create(kind=kind, time=moment, username="bureau_sz")

    Kind = SecurityEvent.Kind
    event(Kind.LOGIN_FAILED, 0, 0)  # today, just after midnight
    event(Kind.EXPORT, 1)
    event(Kind.ROLE_GRANTED, 6, 0)  # the first day of the week
    event(Kind.ROLE_REVOKED, 7, 23)  # the day before: outside
    event(Kind.LOGIN, 2)  # an ordinary sign-in: not for review
    event(Kind.EXPORT, -1)  # tomorrow: outside
    auditor = admins["audit"]
    mine = entries(auditor)
    assert set(mine) == {"accounts.security_review"}  # nothing of the other two administrators' work
    item = mine["accounts.security_review"]
    assert item.count == 3
    response = web_client(auditor).get(item.url)
    assert response.status_code == 200 and response.context["page"].paginator.count == 3
    assert [e.kind for e in response.context["page"]] == [Kind.LOGIN_FAILED, Kind.EXPORT, Kind.ROLE_GRANTED]
    for other in ("system", "security_sz"):
        assert "accounts.security_review" not in entries(admins[other])
        assert web_client(admins[other]).get(item.url).status_code == 403
