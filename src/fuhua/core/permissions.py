"""The permission policy the kernel asks — a user's role grants, the role × model matrix, the fields a role
may not write, the action a reference needs, how much history a role reads — without importing the app that
declares it. `fuhua.accounts` registers its `roles` module here in AccountsConfig.ready(), so core stays
below accounts (docs/ARCHITECTURE.md, layer 1) and the import contract has no cycle to tolerate.

The policy is any object with: grants_of(user), role_allows(role, model, action), protected_fields(user,
model, action), reference_action(model, field), reference_unless(model, field), history_access(user),
HISTORY_WITHOUT_VIEW, and admin_label (the label shown for a superuser).
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

_policy = None


def register(policy) -> None:
    global _policy
    _policy = policy


def policy():
    if _policy is None:
        raise ImproperlyConfigured("No permission policy is registered: is fuhua.accounts in INSTALLED_APPS?")
    return _policy
