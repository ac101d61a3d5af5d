"""Roles, the scoping dimension each one uses, and what each may do to each model.

Declared as data so that a reviewer can read the whole permission matrix in one place.
Letters: v view, a add, c change, d delete.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Platform administrator")
    BUREAU = "bureau", _("Bureau staff")
    ASSOCIATION = "association", _("Association staff")
    OPERATOR = "operator", _("Carrier operator")
    FIRM = "firm", _("Firm user")
    SERVICE_PROVIDER = "service_provider", _("Service provider")
    MENTOR = "mentor", _("Mentor")
    INVESTOR = "investor", _("Investor")
    EXPERT = "expert", _("Expert reviewer")
    # 三员分立 (MLPS 2.0): three administrators, none of whom can do the others' work. With a region they
    # act only within it (a bureau's administrators); without, platform-wide.
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    SECURITY_ADMIN = "security_admin", _("Security administrator")
    AUDIT_ADMIN = "audit_admin", _("Audit administrator")


# Roles that administer others: only a platform-wide administrator may grant them.
ADMIN_ROLES = frozenset({Role.ADMIN, Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})
# The three separated roles: one user holds at most one of them.
SEPARATED_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})

# What each administering role may do to accounts (beyond PERMISSIONS on models):
#   users   list, invite, activate and deactivate users, reset their passwords (system administrator)
#   grants  assign roles and regions (security administrator)
#   locks   see and lift sign-in lockouts (security administrator)
#   tokens  list and revoke other users' API tokens (security administrator)
#   audit   read the audit trail and the security events (audit administrator only)
# The platform administrator (Role.ADMIN) keeps user and role administration for small installations but
# does not read the audit trail; the superuser is for bootstrap only.
ACCOUNT_POWERS: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset({"users", "grants", "locks", "tokens"}),
    Role.SYSTEM_ADMIN: frozenset({"users"}),
    Role.SECURITY_ADMIN: frozenset({"grants", "locks", "tokens"}),
    Role.AUDIT_ADMIN: frozenset({"audit"}),
}


# Which Scope dimension a role is limited by, and which RoleGrant field holds its value.
ROLE_DIMENSION: dict[str, tuple[str, str] | None] = {
    Role.ADMIN: None,
    Role.BUREAU: ("region", "region"),
    Role.ASSOCIATION: ("association", "organisation"),
    Role.OPERATOR: ("operator", "organisation"),
    Role.FIRM: ("firm", "firm"),
    Role.SERVICE_PROVIDER: ("organisation", "organisation"),
    Role.MENTOR: ("mentor", "mentor"),
    Role.INVESTOR: ("investor", "investor"),
    Role.EXPERT: ("expert", "user"),
    Role.SYSTEM_ADMIN: ("region", "region"),
    Role.SECURITY_ADMIN: ("region", "region"),
    Role.AUDIT_ADMIN: ("region", "region"),
}

_REFERENCE = {"registry.region": "v", "policies.policy": "v", "policies.call": "v"}  # public to every role
# Policies: bureaus run entitlements, pay, correct payouts (reversing entries: `change` on the append-only
# ledger) and decide applications; operators confirm entitlements (`change`), apply, read their ledger.
_POLICIES_BUREAU = {"policies.policy": "vc", "policies.budget": "vacd", "policies.call": "vacd",
                    "policies.entitlementrun": "v", "policies.entitlement": "v", "policies.confirmation": "v",
                    "policies.notification": "v", "policies.payout": "vac", "policies.application": "vc",
                    "policies.attachment": "v"}
_POLICIES_OPERATOR = {"policies.entitlement": "vc", "policies.confirmation": "va", "policies.notification": "vc",
                      "policies.payout": "v", "policies.application": "vac", "policies.attachment": "va"}
# Annual statistics: carriers fill in and submit, bureaus review; associations get aggregates only.
_STATISTICS = {"statistics.annualreport": "vac", "statistics.reportvalue": "vac", "statistics.fieldcomment": "vac",
               "statistics.reminder": "v"}
# Evaluation: bureaus run and decide; operators see their published results and appeal; experts score
# what they are assigned (the `expert` scope dimension: the grant's own user).
_EVALUATION_BUREAU = {"evaluation.evaluationrun": "vacd", "evaluation.runsnapshot": "v",
                      "evaluation.evaluationresult": "v", "evaluation.indicatorscore": "v",
                      "evaluation.expertassignment": "vacd", "evaluation.expertscore": "v", "evaluation.appeal": "vc"}
_EVALUATION_OPERATOR = {"evaluation.evaluationresult": "v", "evaluation.indicatorscore": "v",
                        "evaluation.appeal": "va"}
_EVALUATION_EXPERT = {"registry.carrier": "v", "evaluation.evaluationrun": "v", "evaluation.evaluationresult": "v",
                      "evaluation.indicatorscore": "v", "evaluation.expertassignment": "vc",
                      "evaluation.expertscore": "vac"}

PERMISSIONS: dict[str, dict[str, str]] = {
    Role.BUREAU: {
        **_REFERENCE,
        "registry.organisation": "vacd",
        "registry.carrier": "vacd",
        "registry.recognition": "vacd",
        "registry.associationmembership": "vacd",
        "registry.firm": "vacd",
        "registry.firmdesignation": "vacd",
        "registry.startupteam": "vacd",
        "registry.mentorprofile": "v",
        "registry.investorprofile": "v",
        "registry.investment": "vacd",
        "registry.firmyearfigures": "vacd",
        "registry.intellectualproperty": "vacd",
        "registry.seedfund": "vacd",
        "registry.carrierstaffing": "vacd",
        "incubation.incubation": "vacd",
        **_STATISTICS,
        **_EVALUATION_BUREAU,
        **_POLICIES_BUREAU,
    },
    # Associations read their member carriers; firm-level data reaches them only as aggregates.
    Role.ASSOCIATION: {
        **_REFERENCE,
        "registry.carrier": "v",
        "registry.recognition": "v",
        "registry.associationmembership": "v",
        "registry.organisation": "v",
        "registry.seedfund": "v",
        "registry.carrierstaffing": "v",
    },
    Role.OPERATOR: {
        **_REFERENCE,
        "registry.organisation": "vc",
        "registry.carrier": "vc",
        "registry.recognition": "v",
        "registry.firm": "vc",
        "registry.firmdesignation": "vac",
        "registry.startupteam": "vac",
        "registry.mentorprofile": "v",
        "registry.investment": "vac",
        "registry.firmyearfigures": "vac",
        "registry.intellectualproperty": "vac",
        "registry.seedfund": "vac",
        "registry.carrierstaffing": "vac",
        "incubation.incubation": "vac",
        **_STATISTICS,
        **_EVALUATION_OPERATOR,
        **_POLICIES_OPERATOR,
    },
    Role.FIRM: {
        **_REFERENCE,
        "registry.firm": "vc",
        "registry.firmdesignation": "v",
        "registry.investment": "v",
        "registry.firmyearfigures": "v",
        "registry.intellectualproperty": "v",
        "incubation.incubation": "v",
    },
    Role.SERVICE_PROVIDER: {**_REFERENCE, "registry.organisation": "vc"},
    Role.MENTOR: {**_REFERENCE, "registry.mentorprofile": "vc"},
    Role.INVESTOR: {**_REFERENCE, "registry.investorprofile": "vc"},
    Role.EXPERT: {**_REFERENCE, **_EVALUATION_EXPERT},
    # Administrators see only what they need to place people: organisations for a new user's home, and
    # (security) the firms and profiles a role grant points to. No domain data beyond that.
    Role.SYSTEM_ADMIN: {**_REFERENCE, "registry.organisation": "v"},
    Role.SECURITY_ADMIN: {**_REFERENCE, "registry.organisation": "v", "registry.firm": "v",
                          "registry.mentorprofile": "v", "registry.investorprofile": "v"},
    Role.AUDIT_ADMIN: {**_REFERENCE},
}

_LETTER = {"view": "v", "add": "a", "change": "c", "delete": "d"}


def role_allows(role: str, model, action: str) -> bool:
    if role == Role.ADMIN:
        return True
    return _LETTER[action] in PERMISSIONS.get(role, {}).get(model._meta.label_lower, "")


def grants_of(user):
    """The user's role grants, loaded once per user object (a request or a command)."""
    cached = getattr(user, "_fuhua_grants", None)
    if cached is None:
        cached = list(user.role_grants.select_related("region").all())
        user._fuhua_grants = cached
    return cached


def roles_of(user) -> set[str]:
    if user.is_superuser:
        return {Role.ADMIN}
    return {g.role for g in grants_of(user)}
