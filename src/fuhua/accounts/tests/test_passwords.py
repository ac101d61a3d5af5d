"""MLPS 2.0 identification: password change, expiry (FUHUA_PASSWORD_MAX_AGE_DAYS), forced change of initial
passwords in production, reset by e-mail, invitations."""

import datetime
import re

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from fuhua.accounts.models import AccountProfile, SecurityEvent
from fuhua.testing import PASSWORD, make_user

NEW = "Another-pass-2027"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def change(client, old=PASSWORD, new=NEW):
    return client.post(reverse("accounts:password_change"),
                       {"old_password": old, "new_password1": new, "new_password2": new})


@pytest.mark.django_db
class TestChange:
    def test_a_user_changes_their_password(self, world):
        user = world.users.bureau_sz
        client = signed_in(user)
        assert client.get(reverse("accounts:password_change")).status_code == 200
        response = change(client)
        assert response.status_code == 302 and response["Location"] == reverse("accounts:password_change_done")
        user.refresh_from_db()
        assert user.check_password(NEW)
        profile = AccountProfile.objects.get(user=user)
        assert profile.password_changed_at > timezone.now() - datetime.timedelta(minutes=1)
        assert not profile.must_change_password
        assert SecurityEvent.objects.filter(kind="password_changed", username="bureau_sz").exists()

    def test_a_weak_or_wrong_password_is_refused(self, world):
        client = signed_in(world.users.bureau_sz)
        assert change(client, new="abcdefghijk").status_code == 200  # one character class
        assert change(client, old="not-the-Password-1").status_code == 200
        assert world.users.bureau_sz.check_password(PASSWORD)


@pytest.mark.django_db
class TestExpiry:
    @override_settings(PASSWORD_MAX_AGE_DAYS=90)
    def test_an_expired_password_must_be_changed_before_anything_else(self, world):
        user = world.users.operator_a
        AccountProfile.objects.filter(user=user).update(
            password_changed_at=timezone.now() - datetime.timedelta(days=91))
        client = signed_in(user)
        response = client.get(reverse("dashboard"))
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:password_change"))
        assert client.get(reverse("accounts:password_change")).status_code == 200  # reachable, no loop
        change(client)
        assert client.get(reverse("dashboard")).status_code == 200

    @override_settings(PASSWORD_MAX_AGE_DAYS=90)
    def test_a_recent_password_passes(self, world):
        AccountProfile.objects.filter(user=world.users.operator_a).update(
            password_changed_at=timezone.now() - datetime.timedelta(days=89))
        assert signed_in(world.users.operator_a).get(reverse("dashboard")).status_code == 200

    @override_settings(PASSWORD_MAX_AGE_DAYS=0)
    def test_expiry_can_be_switched_off(self, world):
        AccountProfile.objects.filter(user=world.users.operator_a).update(
            password_changed_at=timezone.now() - datetime.timedelta(days=900))
        assert signed_in(world.users.operator_a).get(reverse("dashboard")).status_code == 200


@pytest.mark.django_db
class TestInitialPasswords:
    def test_new_accounts_start_with_a_password_to_change(self, world):
        user = make_user("fresh")
        assert AccountProfile.objects.get(user=user).must_change_password

    @override_settings(FORCE_INITIAL_PASSWORD_CHANGE=True)
    def test_in_production_the_initial_password_must_be_changed(self, world):
        client = signed_in(world.users.firm_a)
        assert client.get(reverse("dashboard"))["Location"].startswith(reverse("accounts:password_change"))
        assert client.get("/api/v1/me").status_code == 200  # the API is not redirected
        change(client)
        assert client.get(reverse("dashboard")).status_code == 200

    @override_settings(FORCE_INITIAL_PASSWORD_CHANGE=False)
    def test_in_the_demo_it_is_not_forced(self, world):
        assert signed_in(world.users.firm_a).get(reverse("dashboard")).status_code == 200


@pytest.mark.django_db
class TestResetByEmail:
    def test_reset_link_sets_a_new_password(self, world):
        client = Client()
        response = client.post(reverse("accounts:password_reset"), {"email": "bureau_sz@example.cn"})
        assert response.status_code == 302 and len(mail.outbox) == 1
        link = re.search(r"https?://[^\s]+", mail.outbox[0].body).group(0)
        form = client.get(link, follow=True)
        assert form.context["validlink"]
        done = client.post(form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})
        assert done.status_code == 302
        world.users.bureau_sz.refresh_from_db()
        assert world.users.bureau_sz.check_password(NEW)
        assert not AccountProfile.objects.get(user=world.users.bureau_sz).must_change_password
        assert client.get(link, follow=True).context["validlink"] is False  # used once
        assert SecurityEvent.objects.filter(kind="password_reset_requested").exists()

    def test_an_unknown_address_sends_nothing_and_says_the_same(self, world):
        response = Client().post(reverse("accounts:password_reset"), {"email": "nobody-here@example.cn"})
        assert response.status_code == 302 and response["Location"] == reverse("accounts:password_reset_done")
        assert mail.outbox == []

    def test_sign_in_page_links_to_the_reset(self, world):
        assert reverse("accounts:password_reset") in Client().get(reverse("login")).content.decode()
