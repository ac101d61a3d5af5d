"""Background tasks of the demands (enqueued daily by the scheduler: core.schedule, `fuhua worker`)."""

from django_tasks import task

from .services import expire


@task()
def expire_due() -> dict:
    """Expire open demands and unanswered challenges past their deadline; remind posters to pick a response."""
    return expire()
