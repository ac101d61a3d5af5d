"""Background tasks of the core app (run by `fuhua worker`, enqueued by the scheduler: core.schedule)."""

from django.core.management import call_command
from django_tasks import task

from .audit import prune_retained

TASK_RESULT_DAYS = 30  # finished task results kept this long (failed ones 90 days, to look into)


@task()
def prune_audit() -> int:
    """Delete expired rows of the audit trail and the security log (every prunable append-only table)."""
    return sum(prune_retained().values())


@task()
def prune_task_results() -> None:
    """Delete old results of finished background tasks (the queue table grows with every run)."""
    call_command("prune_db_task_results", min_age_days=TASK_RESULT_DAYS, failed_min_age_days=3 * TASK_RESULT_DAYS,
                 verbosity=0)
