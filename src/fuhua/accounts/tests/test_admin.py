"""Account administration (Usable 5) and the separation of administrators (三员分立, MLPS 2.0)."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from fuhua.accounts import services
from fuhua.accounts.models import RoleGrant, SecurityEvent
from fuhua.accounts.permissions_matrix import permission_matrix
from fuhua.accounts.roles import PERMISSIONS, Role
from fuhua.testing import api_client as bearer
from fuhua.testing import make_user

NEW = "Invited-pass-2027"


@pytest.fixture
def admins(world):
    r = world.regions
    return {
        "system": make_user("system_admin", Role.SYSTEM_ADMIN),
        "security": make_user("security_admin", Role.SECURITY_ADMIN),
        "audit": make_user("audit_admin", Role.AUDIT_ADMIN),
        "system_sz": make_user("system_sz", Role.SYSTEM_ADMIN, region=r.sz),
        "security_sz": make_user("security_sz", Role.SECURITY_ADMIN, region=r.sz),
    }


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
class TestSeparationOfDuties:
    def test_each_administrator_does_only_its_own_work(self, world, admins):
        target = world.users.operator_a
        # The system administrator manages accounts but neither grants roles nor reads the audit trail.
        services.set_active(admins["system"], None, target, False)
        with pytest.raises(PermissionDenied):
            services.grant_role(admins["system"], None, target, Role.FIRM, firm=world.firm_a)
        assert client_for(admins["system"]).get(reverse("accounts:security_events")).status_code == 403
        # The security administrator grants and unlocks but does not deactivate or reset passwords.
        services.grant_role(admins["security"], None, target, Role.FIRM, firm=world.firm_a)
        with pytest.raises(PermissionDenied):
            services.set_active(admins["security"], None, target, True)
        with pytest.raises(PermissionDenied):
            services.reset_password(admins["security"], None, target)
        # The audit administrator reads the trail (with the client address) and changes nobody.
        assert client_for(admins["audit"]).get(reverse("accounts:security_events")).status_code == 200
        trail = client_for(admins["audit"]).get(reverse("accounts:audit_trail"), {"user": "security_admin"})
        assert trail.status_code == 200 and "operator_a" in trail.content.decode()  # the grant just made
        for other in ("system", "security"):
            assert client_for(admins[other]).get(reverse("accounts:audit_trail")).status_code == 403
        for call in (lambda: services.set_active(admins["audit"], None, target, True),
                     lambda: services.grant_role(admins["audit"], None, target, Role.EXPERT)):
            with pytest.raises(PermissionDenied):
                call()
        assert client_for(admins["audit"]).get(reverse("accounts:user_list")).status_code == 403

    def test_one_person_holds_one_administrator_role(self, world, admins):
        with pytest.raises(ValidationError):
            services.grant_role(world.users.admin, None, admins["system"], Role.AUDIT_ADMIN)
        with pytest.raises(PermissionDenied):  # and nobody grants themselves anything
            services.grant_role(admins["security"], None, admins["security"], Role.BUREAU, region=world.regions.js)

    def test_administrators_see_no_domain_data(self, world, admins):
        for name in ("system", "security", "audit"):
            response = bearer(admins[name]).get("/api/v1/incubations")
            assert response.status_code == 403, name
        assert "registry.carrier" not in PERMISSIONS[Role.SECURITY_ADMIN]

    def test_the_platform_administrator_does_not_read_the_security_log(self, world):
        assert client_for(world.users.admin).get(reverse("accounts:security_events")).status_code == 403


@pytest.mark.django_db
class TestRegionalAdministrators:
    def test_a_bureaus_administrator_lists_only_its_region(self, world, admins):
        listed = bearer(admins["system_sz"]).get("/api/v1/users?limit=500").json()
        names = {u["username"] for u in listed["items"]}
        assert {"bureau_sz", "operator_a", "firm_a"} <= names
        assert not names & {"bureau_nj", "operator_b", "firm_b", "admin"}
        page = client_for(admins["system_sz"]).get(reverse("accounts:user_list")).content.decode()
        assert "bureau_sz" in page and "bureau_nj" not in page
        detail = client_for(admins["system_sz"]).get(reverse("accounts:user_detail", args=[world.users.bureau_nj.pk]))
        assert detail.status_code == 404

    def test_grants_stay_within_the_region_and_never_administer(self, world, admins):
        actor, target = admins["security_sz"], world.users.operator_a
        services.grant_role(actor, None, target, Role.BUREAU, region=world.regions.sip)
        with pytest.raises(ValidationError):
            services.grant_role(actor, None, target, Role.BUREAU, region=world.regions.nj)
        with pytest.raises(PermissionDenied):
            services.grant_role(actor, None, target, Role.SYSTEM_ADMIN, region=world.regions.sz)
        with pytest.raises(PermissionDenied):
            services.grant_role(actor, None, target, Role.ADMIN)
        with pytest.raises(PermissionDenied):  # an account outside the region
            services.grant_role(actor, None, world.users.bureau_nj, Role.BUREAU, region=world.regions.sip)
        response = bearer(actor).post(f"/api/v1/users/{target.pk}/grants", {"role": "operator",
                                      "organisation": world.op_b.pk}, content_type="application/json")
        assert response.status_code == 422  # Nanjing's operator is not in Suzhou's reach
        assert list(target.role_grants.values_list("role", "region")) == [("operator", None), ("bureau", "320571")]

    def test_grants_and_revocations_are_audited(self, world, admins):
        grant = services.grant_role(admins["security_sz"], None, world.users.operator_a, Role.EXPERT)
        response = client_for(admins["security_sz"]).post(reverse("accounts:grant_revoke", args=[grant.pk]))
        assert response.status_code == 302 and not RoleGrant.objects.filter(pk=grant.pk).exists()
        kinds = list(SecurityEvent.objects.filter(target="operator_a").values_list("kind", flat=True))
        assert {"role_granted", "role_revoked"} <= set(kinds)


@pytest.mark.django_db
class TestInvitation:
    def test_invite_activates_on_set_password(self, world, admins, django_capture_on_commit_callbacks):
        client = client_for(admins["system_sz"])
        with django_capture_on_commit_callbacks(execute=True):  # the mail goes once the account is saved
            response = client.post(reverse("accounts:user_invite"), {
                "username": "wang_wu", "email": "wang.wu@example.cn", "last_name": "王", "first_name": "五",
                "home_region": "320571"})
        assert response.status_code == 302
        user = get_user_model().objects.get(username="wang_wu")
        assert not user.is_active and not user.has_usable_password()
        # The invited account is in the inviting bureau's scope, and nobody else's region.
        assert services.users_in_scope(admins["system_sz"], "users").filter(pk=user.pk).exists()
        assert not services.users_in_scope(make_user("sys_nj", Role.SYSTEM_ADMIN, region=world.regions.nj),
                                           "users").filter(pk=user.pk).exists()
        link = re.search(r"https?://\S+", mail.outbox[-1].body).group(0)
        visitor = Client()
        form = visitor.get(link, follow=True)
        visitor.post(form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})
        user.refresh_from_db()
        assert user.is_active and user.check_password(NEW)
        assert SecurityEvent.objects.filter(kind="user_invited", target="wang_wu", username="system_sz").exists()

    def test_a_regional_administrator_cannot_place_a_user_elsewhere(self, world, admins):
        with pytest.raises(ValidationError):
            services.invite_user(admins["system_sz"], None, username="li", email="li@example.cn",
                                 home_region=world.regions.nj)
        with pytest.raises(ValidationError):
            services.invite_user(admins["system_sz"], None, username="li", email="li@example.cn")

    def test_a_taken_name_is_refused_by_field(self, world, admins):
        response = bearer(admins["system"]).post("/api/v1/users", {"username": "bureau_sz", "email": "x@example.cn"},
                                                 content_type="application/json")
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == "username"


@pytest.mark.django_db
class TestActivationAndReset:
    def test_deactivate_and_activate_through_the_pages(self, world, admins):
        client = client_for(admins["system_sz"])
        target = world.users.operator_a
        client.post(reverse("accounts:user_action", args=[target.pk, "deactivate"]))
        target.refresh_from_db()
        assert not target.is_active
        client.post(reverse("accounts:user_action", args=[target.pk, "activate"]))
        target.refresh_from_db()
        assert target.is_active
        kinds = set(SecurityEvent.objects.filter(target="operator_a").values_list("kind", flat=True))
        assert {"user_activated", "user_deactivated"} <= kinds

    def test_reset_password_stops_the_old_one_and_mails_a_link(self, world, admins):
        response = bearer(admins["system"]).post(f"/api/v1/users/{world.users.firm_a.pk}/password-reset")
        assert response.status_code == 204
        world.users.firm_a.refresh_from_db()
        assert not world.users.firm_a.has_usable_password()
        assert mail.outbox[-1].to == ["firm_a@example.cn"] and "/accounts/password/reset/" in mail.outbox[-1].body

    def test_an_administrator_does_not_deactivate_itself(self, world, admins):
        with pytest.raises(PermissionDenied):
            services.set_active(admins["system"], None, admins["system"], False)

    def test_ordinary_users_have_no_administration(self, world):
        client = client_for(world.users.bureau_sz)
        assert client.get(reverse("accounts:user_list")).status_code == 403
        assert bearer(world.users.bureau_sz).get("/api/v1/users").status_code == 403
        assert client.post(reverse("accounts:user_action", args=[world.users.firm_a.pk, "deactivate"])
                           ).status_code == 403


@pytest.mark.django_db
class TestUserList:
    def test_filters_and_pagination(self, world, admins):
        client = bearer(world.users.admin)
        operators = client.get("/api/v1/users?role=operator").json()
        assert {u["username"] for u in operators["items"]} == {"operator_a", "operator_b"}
        nanjing = client.get("/api/v1/users?region=320100").json()
        assert "bureau_nj" in {u["username"] for u in nanjing["items"]}
        assert "bureau_sz" not in {u["username"] for u in nanjing["items"]}
        page = client.get("/api/v1/users?limit=2&offset=0").json()
        assert len(page["items"]) == 2 and page["count"] > 2
        world.users.firm_b.is_active = False
        world.users.firm_b.save()
        inactive = client.get("/api/v1/users?active=false").json()
        assert "firm_b" in {u["username"] for u in inactive["items"]}
        html = client_for(world.users.admin).get(reverse("accounts:user_list"), {"role": "firm", "active": "1"})
        assert "firm_a" in html.content.decode() and "firm_b" not in html.content.decode()


@pytest.mark.django_db
def test_who_can_do_what_page_reads_the_matrix(world):
    page = client_for(world.users.bureau_sz).get(reverse("accounts:permissions"))
    assert page.status_code == 200
    assert {r["role"] for r in page.context["roles"]} == set(Role.values)
    with translation.override("en"):
        roles = {r["role"]: r for r in permission_matrix()["roles"]}
        assert dict(roles["operator"]["rows"])["Carriers"] == "view, edit"
        assert dict(roles["bureau"]["rows"])["Carriers"] == "view, add, edit, delete"
        assert [str(p) for p in roles["audit_admin"]["powers"]] == ["read the audit trail and the security events"]
        assert not roles["operator"]["powers"]
