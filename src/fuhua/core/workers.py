"""`fuhua worker`: django-tasks' database worker, with the recovery of tasks whose worker died.

django-tasks-db (0.13) claims a task by setting its row to RUNNING and committing, then runs it; if the worker
process dies (SIGKILL, out of memory, the machine lost) the row stays RUNNING for ever and the task is never
run: the backend has no lease or timeout. Fuhua adds one without a new table:

- every worker has an id naming its host and process (`host:pid:random`) and, on PostgreSQL, holds a
  session-level advisory lock derived from that id on a connection of its own for as long as it lives. The
  server releases the lock when that connection ends, i.e. when the process dies, whatever the way;
- beside the worker loop, a thread looks every FUHUA_TASK_RECOVERY_SECONDS (default 10) for RUNNING rows whose
  last worker is dead (on PostgreSQL: its lock can be taken; on SQLite, one machine: no process of that id runs
  on this host) and puts them back to READY with a compare-and-set UPDATE (`WHERE status = RUNNING AND
  started_at = <value read>`), so of several workers recovering at once exactly one does it, and a task that
  finished meanwhile is left alone. The next free worker runs it again; its `worker_ids` keeps both ids;
- a worker whose lock connection breaks (the database restarted, the network cut) no longer proves that it
  lives, and others would run its task again: it stops at once (exit status 3), and its supervisor restarts it.

A recovered task runs again from its start: a task must be idempotent (Fuhua's periodic tasks are: they compute
what is due from the data) and keep its writes in transactions, so that a run killed in the middle leaves
nothing half-written. See docs/deploy.md.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
import zlib

from django.db import close_old_connections, connections

log = logging.getLogger("fuhua.workers")

LOCK_CLASS = 0x46554855  # "FUHU": the first key of every worker's advisory lock
WATCHDOG_SECONDS = 5.0


def new_worker_id() -> str:
    """`host:pid:random`, at most 64 characters (django-tasks-db's limit)."""
    host = socket.gethostname().split(".")[0][:40] or "host"
    return f"{host}:{os.getpid()}:{secrets.token_hex(4)}"


def _lock_key(worker_id: str) -> int:
    """The second key of the worker's advisory lock: a signed 32-bit CRC of its id."""
    value = zlib.crc32(worker_id.encode())
    return value - 2**32 if value >= 2**31 else value


def _is_postgresql() -> bool:
    return connections["default"].vendor == "postgresql"


class Liveness:
    """Holds the worker's advisory lock on a connection of its own (PostgreSQL; nothing to hold on SQLite)."""

    def __init__(self, worker_id: str):
        self.worker_id = worker_id
        self.connection = None

    def acquire(self) -> None:
        if not _is_postgresql():
            return
        # A connection outside Django's handler: close_old_connections() never closes it, so the lock is held
        # exactly as long as this process lives (or until the connection breaks: see watch()).
        self.connection = connections.create_connection("default")
        self.connection.inc_thread_sharing()  # the watchdog thread pings it
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", [LOCK_CLASS, _lock_key(self.worker_id)])

    def holding(self) -> bool:
        if self.connection is None:
            return True
        try:
            with self.connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            return True
        except Exception:
            return False

    def watch(self, stop: threading.Event) -> None:
        while not stop.wait(WATCHDOG_SECONDS):
            if not self.holding():
                log.error("worker %s lost its liveness lock (database connection broken): stopping so that "
                          "its task can be recovered by another worker", self.worker_id)
                os._exit(3)


def worker_alive(worker_id: str) -> bool:
    """Whether the worker of that id still runs. Unknown ids (a plain `manage db_worker`'s, another host's on
    SQLite) count as alive: a task is never taken from a worker that might still run it."""
    host, pid, suffix = [*worker_id.split(":"), "", ""][:3]
    if not (host and pid.isdigit() and suffix):
        return True
    if _is_postgresql():
        key = _lock_key(worker_id)
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_CLASS, key])
            (free,) = cursor.fetchone()
            if free:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_CLASS, key])
        return not free
    if host != socket.gethostname().split(".")[0][:40]:
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def recover_orphaned_tasks() -> list[str]:
    """Put back to READY every RUNNING task whose last worker is dead; returns their ids."""
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    recovered = []
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).values_list("id", "worker_ids",
                                                                                        "started_at")
    for pk, worker_ids, started_at in running:
        if not worker_ids or worker_alive(worker_ids[-1]):
            continue
        done = DBTaskResult.objects.filter(pk=pk, status=TaskResultStatus.RUNNING, started_at=started_at).update(
            status=TaskResultStatus.READY)
        if done:
            log.warning("task %s was claimed by worker %s, which is gone: queued again", pk, worker_ids[-1])
            recovered.append(str(pk))
    return recovered


def run_recovery(stop: threading.Event, every: float) -> None:
    while True:
        close_old_connections()
        try:
            recover_orphaned_tasks()
        except Exception:  # the database may be away for a moment; try again at the next round
            log.exception("recovering orphaned tasks failed")
        if stop.wait(every):
            break
    close_old_connections()


def run_worker(worker_id: str | None = None, **options) -> None:
    """The database worker with liveness and recovery (options go to django-tasks-db's `db_worker`)."""
    from django.conf import settings
    from django.core.management import call_command

    worker_id = worker_id or new_worker_id()
    liveness = Liveness(worker_id)
    liveness.acquire()
    stop = threading.Event()
    threading.Thread(target=liveness.watch, args=(stop,), name="fuhua-liveness", daemon=True).start()
    threading.Thread(target=run_recovery, args=(stop, settings.TASK_RECOVERY_SECONDS), name="fuhua-recovery",
                     daemon=True).start()
    log.info("worker %s started", worker_id)
    try:
        call_command("db_worker", worker_id=worker_id, reload=False, **options)
    finally:
        stop.set()
