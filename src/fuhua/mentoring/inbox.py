"""The mentoring inbox items (the in-app notice of a pairing): proposals waiting for the mentor, new pairings of
a firm, and pairings past their end date still open. One COUNT each on a scoped queryset."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy

from fuhua.accounts.roles import Role
from fuhua.core.inbox import register_inbox_item

from .models import Pairing, PairingStatus


def register() -> None:
    register_inbox_item(
        "mentoring.proposed", gettext_lazy("mentoring pairings waiting to start"), {Role.MENTOR, Role.FIRM,
                                                                                   Role.OPERATOR},
        count=lambda user, today: Pairing.objects.restrict(user, "view").filter(
            status=PairingStatus.PROPOSED).count(),
        url=lambda user, today: f"{reverse('mentoring:pairing_list')}?status={PairingStatus.PROPOSED}", order=80)
    register_inbox_item(
        "mentoring.overdue", gettext_lazy("mentoring pairings past their end date"), {Role.MENTOR, Role.OPERATOR},
        count=lambda user, today: Pairing.objects.restrict(user, "change").filter(
            status=PairingStatus.ACTIVE, ends_on__lt=today).count(),
        url=lambda user, today: f"{reverse('mentoring:pairing_list')}?status={PairingStatus.ACTIVE}", order=81)
