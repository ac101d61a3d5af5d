"""Steering's item of the dashboard's inbox (registered from SteeringConfig.ready(); one COUNT):

- bureau: the regions it steers whose development report for the last complete year is not built yet
  (the annual report is due once the year's statistics are in; built from the region page).
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy

from fuhua.accounts.roles import Role, grants_of
from fuhua.core.inbox import register_inbox_item
from fuhua.registry.models import Region


def _bureau_regions(user) -> list:
    return [g.region for g in grants_of(user) if g.role == Role.BUREAU and g.region_id]  # grants come with regions


def _reports_due(user, today) -> int:
    regions = [r.pk for r in _bureau_regions(user)]
    if not regions:
        return 0
    return Region.objects.filter(pk__in=regions).exclude(steering_reports__year=today.year - 1).count()


def _region_page(user, today) -> str:
    regions = _bureau_regions(user)
    return reverse("steering:region", args=[regions[0].code]) if len(regions) == 1 else reverse("steering:home")


def register() -> None:
    register_inbox_item(
        "steering.report_due", gettext_lazy("development report of last year not yet built for your region"),
        {Role.BUREAU}, count=_reports_due, url=_region_page, order=80)
