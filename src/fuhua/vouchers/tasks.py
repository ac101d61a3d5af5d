"""Background tasks of vouchers (run by `fuhua worker`, enqueued daily by the scheduler: core.schedule)."""

import datetime

from django.utils import timezone
from django_tasks import task

from fuhua.core.system import SYSTEM

from .models import Batch, BatchStatus, VoucherProgramme
from .services.eligibility import precompute
from .services.expiry import expire


@task()
def expire_vouchers() -> dict:
    """Cancel orders not confirmed in time, deem late deliveries accepted, lapse expired vouchers (their value
    returns to the batch). Runs as the system actor."""
    result = expire(SYSTEM)
    return {"cancelled": result.cancelled, "accepted": result.accepted, "lapsed": result.lapsed,
            "returned_fen": result.returned_fen}


def programmes_claimable(on: datetime.date) -> list[VoucherProgramme]:
    """Programmes with a published batch taking claims at some time of the day `on` (Beijing time)."""
    start = timezone.make_aware(datetime.datetime.combine(on, datetime.time.min))
    end = start + datetime.timedelta(days=1)
    ids = (Batch.objects.filter(status=BatchStatus.PUBLISHED, opens_at__lt=end, closes_at__gt=start)
           .values_list("programme_id", flat=True).distinct())
    return list(VoucherProgramme.objects.filter(pk__in=ids).order_by("pk"))


@task()
def precompute_eligibility() -> dict:
    """Store the day's eligibility of every firm of each programme taking claims today, so that a claim in the
    rush reads one row instead of running the rules (enqueued daily at 00:15 and when a batch is published)."""
    today = timezone.localdate()
    return {programme.code: precompute(programme, today) for programme in programmes_claimable(today)}
