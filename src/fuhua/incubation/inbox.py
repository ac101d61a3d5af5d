"""The incubation items of the dashboard's inbox: applicants to admit and admitted firms to move in
(operators, bureaus), and a firm's own incubation. Rule-driven counts (graduation proposals, tenants past
the time limit) are not here: the dashboard fetches them lazily from incubation:incubation_attention.
Registered from IncubationConfig.ready(); one COUNT each on a restricted queryset."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy

from fuhua.accounts.roles import Role
from fuhua.core.inbox import register_inbox_item

from .models import Incubation, IncubationStatus


def _count(user, status: str) -> int:
    return Incubation.objects.restrict(user).filter(status=status).count()


def _list(status: str) -> str:
    return f"{reverse('incubation:incubation_list')}?status={status}"


def register() -> None:
    register_inbox_item(
        "incubation.applied", gettext_lazy("applicants to admit"), {Role.OPERATOR, Role.BUREAU},
        count=lambda user, today: _count(user, IncubationStatus.APPLIED),
        url=lambda user, today: _list(IncubationStatus.APPLIED), order=40)
    register_inbox_item(
        "incubation.admitted", gettext_lazy("admitted firms to move in"), {Role.OPERATOR},
        count=lambda user, today: _count(user, IncubationStatus.ADMITTED),
        url=lambda user, today: _list(IncubationStatus.ADMITTED), order=41)
    register_inbox_item(
        "incubation.own", gettext_lazy("your incubation (status, time limit, graduation conditions)"), {Role.FIRM},
        count=lambda user, today: _count(user, IncubationStatus.INCUBATING),
        url=lambda user, today: _list(IncubationStatus.INCUBATING), order=40)
