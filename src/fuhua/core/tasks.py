"""Background tasks of the core app (run by `fuhua worker`)."""

from django_tasks import task

from .audit import prune_audit_trail


@task()
def prune_audit() -> int:
    return prune_audit_trail()
