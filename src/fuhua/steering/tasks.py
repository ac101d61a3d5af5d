"""The periodic refresh of the dashboards' aggregates (`steering.refresh`, every 15 minutes under `fuhua worker`)."""

from __future__ import annotations

from django_tasks import task

from . import aggregates


@task()
def refresh_aggregates() -> dict:
    return aggregates.rebuild()
