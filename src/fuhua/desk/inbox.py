"""The desk's items of the dashboard's inbox. Registered from DeskConfig.ready(); one COUNT each.

- steward: requests assigned and not yet answered; the steward's overdue requests;
- firm / operator: requests waiting for them; resolved requests to rate;
- bureau: overdue requests in the region; requests no steward could be routed to;
- everyone concerned: unread desk notices (assignments, answers, overdue flags).
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy

from fuhua.accounts.roles import Role
from fuhua.core.inbox import register_inbox_item

from .models import Notice, ServiceRequest, Status
from .services import overdue_q

BUREAUS = {Role.BUREAU, Role.ADMIN}
REQUESTERS = {Role.FIRM, Role.OPERATOR}


def _list(**params) -> str:
    return f"{reverse('desk:servicerequest_list')}?{urlencode(params)}"


def _mine(user):
    return ServiceRequest.objects.restrict(user).filter(steward__user_id=user.pk)


def register() -> None:
    register_inbox_item(
        "desk.steward_new", gettext_lazy("service requests assigned to you, not yet answered"), {Role.BUREAU},
        count=lambda user, today: _mine(user).filter(status=Status.ASSIGNED).count(),
        url=lambda user, today: _list(mine="1", status=Status.ASSIGNED), order=15)
    register_inbox_item(
        "desk.steward_overdue", gettext_lazy("your overdue service requests"), {Role.BUREAU},
        count=lambda user, today: _mine(user).filter(overdue_q(today)).count(),
        url=lambda user, today: _list(mine="1", overdue="1"), order=16)
    register_inbox_item(
        "desk.waiting", gettext_lazy("service requests waiting for your answer"), REQUESTERS,
        count=lambda user, today: ServiceRequest.objects.restrict(user).filter(status=Status.WAITING).count(),
        url=lambda user, today: _list(status=Status.WAITING), order=15)
    register_inbox_item(
        "desk.to_rate", gettext_lazy("resolved service requests to rate"), REQUESTERS,
        count=lambda user, today: ServiceRequest.objects.restrict(user).filter(status=Status.RESOLVED).count(),
        url=lambda user, today: _list(status=Status.RESOLVED), order=16)
    register_inbox_item(
        "desk.overdue", gettext_lazy("overdue service requests in your region"), BUREAUS,
        count=lambda user, today: ServiceRequest.objects.restrict(user).filter(overdue_q(today)).count(),
        url=lambda user, today: _list(overdue="1"), order=25)
    register_inbox_item(
        "desk.unassigned", gettext_lazy("service requests without a steward"), BUREAUS,
        count=lambda user, today: ServiceRequest.objects.restrict(user).filter(status=Status.NEW).count(),
        url=lambda user, today: _list(status=Status.NEW), order=26)
    register_inbox_item(
        "desk.notices", gettext_lazy("unread service desk notices"), BUREAUS | REQUESTERS,
        count=lambda user, today: Notice.objects.restrict(user).filter(recipient_id=user.pk, read_at__isnull=True)
        .count(),
        url=lambda user, today: reverse("desk:notice_list"), order=90)
