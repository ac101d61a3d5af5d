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


@task()
def run_import(job_id: str) -> dict:
    """An uploaded workbook or CSV imported in the worker (see exchange/jobs.py): checked whole, then written
    a chunk per transaction; the job record shows progress and, at the end, the same result as the API."""
    import logging

    from django.contrib.auth import get_user_model

    from .exchange import jobs
    from .exchange.firms import import_firms
    from .exchange.reports import import_reports

    job = jobs.load_job(job_id)
    if job is None:
        return {"ok": False, "error": "no such job"}
    jobs.update_job(job_id, status=jobs.RUNNING, phase="checking", rows=0)
    last = {"rows": -1}

    def progress(rows, phase="checking"):
        if rows != last["rows"]:
            last["rows"] = rows
            jobs.update_job(job_id, phase=phase, rows=rows)

    try:
        user = get_user_model().objects.get(pk=job["user_id"], is_active=True)
        path = str(jobs.upload_path(job_id))
        if job["kind"] == "firms":
            result = import_firms(path, job["filename"], user, dry_run=job["dry_run"], progress=progress,
                                  chunked=True)
        else:
            result = import_reports(path, job["filename"], job["year"], user, dry_run=job["dry_run"],
                                    progress=progress, chunked=True)
    except Exception as exc:  # the job must end in a readable state whatever happened
        logging.getLogger("fuhua.imports").exception("background import %s failed", job_id)
        jobs.finish_job(job_id, None, error=f"{type(exc).__name__}: {exc}"[:500])
        raise
    out = result.as_dict()
    jobs.finish_job(job_id, out)
    return out


@task()
def cleanup_uploads() -> int:
    """Delete uploaded files and import records older than FUHUA_UPLOAD_RETENTION_DAYS."""
    from .exchange import jobs

    return jobs.cleanup()
