"""The permission matrix of accounts.roles in words, for the "who can do what" page."""

from __future__ import annotations

from django.apps import apps
from django.utils.translation import gettext_lazy as _

from .roles import ACCOUNT_POWERS, PERMISSIONS, ROLE_DIMENSION, Role

_ACTION_WORDS = {"v": _("view"), "a": _("add"), "c": _("edit"), "d": _("delete")}
_POWER_WORDS = {
    "users": _("invite users, activate and deactivate them, reset their passwords"),
    "grants": _("grant and revoke roles"),
    "locks": _("lift sign-in lockouts"),
    "tokens": _("list and revoke other users' API tokens"),
    "audit": _("read the audit trail and the security events"),
}
_DIMENSION_WORDS = {
    "region": _("within the region of the grant (platform-wide for administrators without one)"),
    "association": _("the member carriers of the association"),
    "operator": _("the carriers the organisation operates and their tenants"),
    "firm": _("the firm of the grant"),
    "organisation": _("the organisation of the grant"),
    "mentor": _("the mentor's own profile"),
    "investor": _("the investor's own profile"),
    "expert": _("the reviews assigned to the expert"),
}


def _model_label(label: str) -> str:
    try:
        return str(apps.get_model(label)._meta.verbose_name_plural).capitalize()
    except LookupError:
        return label


def permission_matrix() -> dict:
    """{"roles": [{role, label, scope, powers, rows: [(model label, actions in words)]}], "actions": …}."""
    roles = []
    for role in Role:
        dimension = ROLE_DIMENSION.get(role)
        if role == Role.ADMIN:
            rows = [(_("Every kind of record"), _("view, add, edit, delete"))]
            scope = _("everything")
        else:
            rows = sorted((_model_label(label), ", ".join(str(_ACTION_WORDS[c]) for c in letters))
                          for label, letters in PERMISSIONS.get(role, {}).items())
            scope = _DIMENSION_WORDS.get(dimension[0], "") if dimension else ""
        roles.append({"role": role.value, "label": role.label, "scope": scope, "rows": rows,
                      "powers": [_POWER_WORDS[p] for p in sorted(ACCOUNT_POWERS.get(role, ()))]})
    return {"roles": roles}
