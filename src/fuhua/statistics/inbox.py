"""The statistics items of the dashboard's inbox: reports to review (bureaus), reports due, overdue or
returned (operators). Registered from StatisticsConfig.ready(); each count is one COUNT on a restricted
queryset, each link a report list filtered by the parameters ReportFilter understands."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fuhua.accounts.roles import Role
from fuhua.core.inbox import register_inbox_item
from fuhua.registry.models import Carrier

from .definitions import form_for_year
from .models import AnnualReport, ReportStatus


def due_year(today: datetime.date) -> int:
    """The statistics year whose deadline comes next: last year's until its deadline passes, then this year's."""
    last = today.year - 1
    return last if today <= form_for_year(last).deadline(last) else today.year


def _reports(user, **lookups) -> int:
    return AnnualReport.objects.restrict(user).filter(**lookups).count()


def _list(**params) -> str:
    return f"{reverse('statistics:annualreport_list')}?{urlencode(params)}"


def _due_label(today: datetime.date) -> str:
    year = due_year(today)
    return _("annual reports for %(year)s to submit (due %(deadline)s)") % {
        "year": year, "deadline": form_for_year(year).deadline(year).isoformat()}


def _overdue_label(today: datetime.date) -> str:
    year = due_year(today) - 1
    return _("annual reports for %(year)s overdue (due %(deadline)s)") % {
        "year": year, "deadline": form_for_year(year).deadline(year).isoformat()}


def register() -> None:
    register_inbox_item(
        "statistics.review", gettext_lazy("annual reports await your review"), {Role.BUREAU, Role.ADMIN},
        count=lambda user, today: _reports(user, status=ReportStatus.SUBMITTED),
        url=lambda user, today: _list(status=ReportStatus.SUBMITTED), order=10)
    register_inbox_item(
        "statistics.returned", gettext_lazy("annual reports returned to you for correction"), {Role.OPERATOR},
        count=lambda user, today: _reports(user, status=ReportStatus.RETURNED),
        url=lambda user, today: _list(status=ReportStatus.RETURNED), order=10)
    register_inbox_item(
        "statistics.overdue", _overdue_label, {Role.OPERATOR},
        count=lambda user, today: _reports(user, status=ReportStatus.DRAFT, year=due_year(today) - 1),
        url=lambda user, today: _list(status=ReportStatus.DRAFT, year=due_year(today) - 1), order=11)
    register_inbox_item(
        "statistics.due", _due_label, {Role.OPERATOR},
        count=lambda user, today: _reports(user, status=ReportStatus.DRAFT, year=due_year(today)),
        url=lambda user, today: _list(status=ReportStatus.DRAFT, year=due_year(today)), order=12)
    register_inbox_item(
        "statistics.members", gettext_lazy("member carriers: their statistics in aggregate"), {Role.ASSOCIATION},
        count=lambda user, today: Carrier.objects.restrict(user).count(),
        url=lambda user, today: reverse("statistics:overview"), order=50)
