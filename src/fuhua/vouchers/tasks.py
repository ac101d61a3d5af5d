"""Background tasks of vouchers (run by `fuhua worker`, enqueued daily by the scheduler: core.schedule)."""

from django_tasks import task

from fuhua.core.system import SYSTEM

from .services.expiry import expire


@task()
def expire_vouchers() -> dict:
    """Cancel orders not confirmed in time, deem late deliveries accepted, lapse expired vouchers (their value
    returns to the batch). Runs as the system actor."""
    result = expire(SYSTEM)
    return {"cancelled": result.cancelled, "accepted": result.accepted, "lapsed": result.lapsed,
            "returned_fen": result.returned_fen}
