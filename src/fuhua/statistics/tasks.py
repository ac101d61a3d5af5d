"""Background tasks of the statistics (run by `fuhua worker`; schedule `record_reminders` daily)."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from fuhua.core.audit import record_bulk
from fuhua.core.context import acting_as
from fuhua.registry.models import Carrier

from .definitions import form_for_year
from .models import AnnualReport, Reminder, ReportStatus

OVERDUE = -1  # days_before of the reminder recorded once the deadline has passed


def _due_step(reminders: tuple[int, ...], days_left: int) -> int | None:
    """The reminder step that applies `days_left` days before the deadline (the nearest passed)."""
    if days_left < 0:
        return OVERDUE
    passed = [d for d in reminders if days_left <= d]
    return min(passed) if passed else None


@transaction.atomic
def record_reminders(today: datetime.date | None = None) -> int:
    """Record a reminder for each operating carrier whose report for last year is not submitted,
    once per step (30, 14, 7, 1 days before, overdue); idempotent within a step."""
    today = today or timezone.localdate()
    year = today.year - 1
    form = form_for_year(year)
    deadline = form.deadline(year)
    step = _due_step(form.reminders, (deadline - today).days)
    if step is None or (today - deadline).days > 365:
        return 0
    done = AnnualReport.objects.filter(year=year, status__in=[ReportStatus.SUBMITTED, ReportStatus.ACCEPTED])
    pending = (Carrier.objects.filter(status="operating").exclude(pk__in=done.values("carrier_id"))
               .exclude(pk__in=Reminder.objects.filter(year=year, days_before=step).values("carrier_id")))
    if step == OVERDUE:
        text = f"{year}年度统计报表已逾期（截止 {deadline:%Y-%m-%d}），请尽快报送。"
    else:
        text = f"{year}年度统计报表将于 {deadline:%Y-%m-%d} 截止（还有 {(deadline - today).days} 天），请及时报送。"
    new = [Reminder(carrier_id=pk, year=year, deadline=deadline, days_before=step, message=text)
           for pk in pending.values_list("pk", flat=True)]
    with acting_as(None, source="task"):
        Reminder.objects.bulk_create(new, batch_size=2000)
        record_bulk(Reminder, "create", new, reason="deadline reminder")
    return len(new)


@task()
def remind_unsubmitted() -> int:
    return record_reminders()
