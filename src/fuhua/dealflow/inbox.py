"""The deal-flow inbox items (the in-app notice of stage changes): deals moved in the last 14 days (firm and
investor), and open needs without a deal (operator). One COUNT each on a scoped queryset."""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy

from fuhua.accounts.roles import Role
from fuhua.core.inbox import register_inbox_item

from .models import Deal, FinancingNeed, NeedStatus

RECENT = datetime.timedelta(days=14)


def _moved_since(day) -> Q:
    return (Q(introduced_on__gte=day) | Q(meeting_on__gte=day) | Q(diligence_on__gte=day)
            | Q(term_sheet_on__gte=day) | Q(invested_on__gte=day) | Q(declined_on__gte=day))


def register() -> None:
    register_inbox_item(
        "dealflow.moved", gettext_lazy("deals introduced or moved in the last two weeks"),
        {Role.INVESTOR, Role.FIRM},
        count=lambda user, today: Deal.objects.restrict(user, "view").filter(_moved_since(today - RECENT)).count(),
        url=lambda user, today: reverse("dealflow:home"), order=82)
    register_inbox_item(
        "dealflow.unmatched", gettext_lazy("open financing needs without a deal"), {Role.OPERATOR, Role.FIRM},
        count=lambda user, today: FinancingNeed.objects.restrict(user, "view").filter(
            status=NeedStatus.OPEN, deals__isnull=True).count(),
        url=lambda user, today: f"{reverse('dealflow:financingneed_list')}?status={NeedStatus.OPEN}", order=83)
