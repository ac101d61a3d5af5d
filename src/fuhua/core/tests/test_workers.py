"""core.workers: a task whose worker died is queued again (exactly once), a live worker's task is left alone."""

import socket
import subprocess

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from fuhua.core import workers
from fuhua.core.tasks import prune_task_results


def _running(worker_id: str) -> DBTaskResult:
    result = DBTaskResult.objects.get(pk=prune_task_results.enqueue().id)
    result.claim(worker_id)
    return result


@pytest.fixture
def live_worker():
    """This process as a live worker: its id, and on PostgreSQL its advisory lock held."""
    worker_id = workers.new_worker_id()
    liveness = workers.Liveness(worker_id)
    liveness.acquire()
    yield worker_id
    if liveness.connection is not None:
        liveness.connection.close()


def _dead_worker_id() -> str:
    """The id a worker of this host had, whose process has ended (and on PostgreSQL holds no lock)."""
    gone = subprocess.Popen(["true"])
    gone.wait()
    return f"{socket.gethostname().split('.')[0][:40]}:{gone.pid}:0bad"


def test_a_dead_workers_task_is_queued_again_a_live_ones_is_not(db, live_worker):
    dead_id = _dead_worker_id()
    dead, alive, foreign = _running(dead_id), _running(live_worker), _running("a" * 32)  # plain db_worker id

    assert workers.worker_alive(live_worker) and not workers.worker_alive(dead_id)
    assert workers.recover_orphaned_tasks() == [str(dead.pk)]
    assert workers.recover_orphaned_tasks() == []  # once
    statuses = dict(DBTaskResult.objects.values_list("pk", "status"))
    assert (statuses[dead.pk], statuses[alive.pk], statuses[foreign.pk]) == ("READY", "RUNNING", "RUNNING")

    again = DBTaskResult.objects.get(pk=dead.pk)
    again.claim(live_worker)  # the next worker takes it; both ids are kept
    assert again.worker_ids == [dead_id, live_worker]


def test_a_task_finished_meanwhile_is_left_alone(db):
    result = _running(_dead_worker_id())
    DBTaskResult.objects.filter(pk=result.pk).update(status="SUCCESSFUL", finished_at=timezone.now())
    assert workers.recover_orphaned_tasks() == []
    assert DBTaskResult.objects.get(pk=result.pk).status == "SUCCESSFUL"
