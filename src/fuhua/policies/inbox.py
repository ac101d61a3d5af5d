"""The policy items of the dashboard's inbox: entitlements to confirm (operators), applications to decide
and confirmed entitlements to pay (bureaus). Registered from PoliciesConfig.ready(); one COUNT each."""

from __future__ import annotations

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy

from fuhua.accounts.roles import Role
from fuhua.core.inbox import register_inbox_item

from .models import Application, ApplicationStatus, Entitlement, EntitlementStatus

TO_DECIDE = (ApplicationStatus.SUBMITTED, ApplicationStatus.ACCEPTED, ApplicationStatus.REVIEWED)
BUREAUS = {Role.BUREAU, Role.ADMIN}


def _entitlements(status: str) -> str:
    return f"{reverse('policies:entitlement_list')}?status={status}"


def register() -> None:
    register_inbox_item(
        "policies.confirm", gettext_lazy("entitlements awaiting your payment details"), {Role.OPERATOR, Role.FIRM},
        count=lambda user, today: Entitlement.objects.restrict(user).filter(status=EntitlementStatus.PROPOSED)
        .count(),
        url=lambda user, today: _entitlements(EntitlementStatus.PROPOSED), order=20)
    register_inbox_item(
        "policies.applications", gettext_lazy("policy applications to decide"), BUREAUS,
        count=lambda user, today: Application.objects.restrict(user).filter(status__in=TO_DECIDE).count(),
        url=lambda user, today: f"{reverse('policies:application_list')}?"
        f"{urlencode([('status', s) for s in TO_DECIDE])}", order=20)
    register_inbox_item(
        "policies.pay", gettext_lazy("confirmed entitlements to pay"), BUREAUS,
        count=lambda user, today: Entitlement.objects.restrict(user).filter(status=EntitlementStatus.CONFIRMED)
        .count(),
        url=lambda user, today: _entitlements(EntitlementStatus.CONFIRMED), order=21)
