"""Periodic work: a registry of tasks that run every so often, and the loop that enqueues them.

django-tasks (0.12) and its database backend have no periodic scheduling, so Fuhua keeps a small one:

- apps register from their AppConfig.ready()::

      from fuhua.core.schedule import register_periodic
      register_periodic("audit.prune", task=prune_audit, at=datetime.time(3, 0))          # daily, 03:00 local
      register_periodic("uploads.cleanup", task=clean_uploads, every=timedelta(hours=1))  # every hour

  `task` is a django-tasks Task (the object `@task()` returns); it is enqueued without arguments.
- `fuhua worker` runs `run_scheduler` in a thread beside the database worker (and `fuhua scheduler`
  runs it alone). Each due task is enqueued exactly once however many workers run: the row of
  `core.PeriodicTaskState` for the task is advanced by a compare-and-set UPDATE (`WHERE last_enqueued_at
  = <value read>`) in the same transaction as the enqueue, so of two schedulers that see the task due,
  one updates one row and enqueues, the other updates none and skips; a failed enqueue rolls the
  timestamp back.
"""

from __future__ import annotations

import datetime
import logging
import threading
from dataclasses import dataclass

from django.db import IntegrityError, close_old_connections, transaction
from django.utils import timezone

log = logging.getLogger("fuhua.schedule")


@dataclass(frozen=True)
class PeriodicTask:
    name: str
    task: object  # a django_tasks Task
    every: datetime.timedelta | None = None
    at: datetime.time | None = None  # daily, at this local time (settings.TIME_ZONE)

    def describe(self) -> str:
        return f"daily at {self.at:%H:%M}" if self.at is not None else f"every {self.every}"

    def due_since(self, last: datetime.datetime | None, now: datetime.datetime) -> bool:
        """Whether the task is due at `now`, having last been enqueued at `last` (None: never)."""
        if self.every is not None:
            return last is None or now >= last + self.every
        local_now = timezone.localtime(now)
        slot = local_now.replace(hour=self.at.hour, minute=self.at.minute, second=0, microsecond=0)
        if local_now < slot:
            slot -= datetime.timedelta(days=1)  # the most recent slot is yesterday's
            if last is None:
                return False  # never run, and today's time has not come yet: wait for it
        return last is None or last < slot


_registry: dict[str, PeriodicTask] = {}


def register_periodic(name: str, *, task, every: datetime.timedelta | None = None,
                      at: datetime.time | None = None) -> PeriodicTask:
    """Register `task` to be enqueued every `every`, or daily at local time `at` (exactly one of them).

    Call from an AppConfig.ready(). Registering the same name again with the same task is harmless
    (ready() may run twice in tests); another task under a taken name is an error."""
    if (every is None) == (at is None):
        raise ValueError(f"periodic task {name!r}: give exactly one of every= or at=")
    if every is not None and every < datetime.timedelta(minutes=1):
        raise ValueError(f"periodic task {name!r}: every= must be at least one minute")
    if not hasattr(task, "enqueue"):
        raise TypeError(f"periodic task {name!r}: task must be a django-tasks Task (decorated with @task())")
    entry = PeriodicTask(name=name, task=task, every=every, at=at)
    existing = _registry.get(name)
    if existing is not None and existing.task.module_path != task.module_path:
        raise ValueError(f"periodic task {name!r} is already registered for {existing.task.module_path}")
    _registry[name] = entry
    return entry


def periodic_tasks() -> list[PeriodicTask]:
    return sorted(_registry.values(), key=lambda entry: entry.name)


def last_enqueued(name: str) -> datetime.datetime | None:
    """When the task was last enqueued (None: never); creates its row on first sight."""
    from .models import PeriodicTaskState

    try:
        with transaction.atomic():
            state, _ = PeriodicTaskState.objects.get_or_create(name=name)
    except IntegrityError:  # another scheduler created the row between our read and insert
        state = PeriodicTaskState.objects.get(name=name)
    return state.last_enqueued_at


def advance(name: str, seen: datetime.datetime | None, now: datetime.datetime) -> bool:
    """Compare-and-set the task's row from `seen` (the value this scheduler read) to `now`.

    True for exactly one of several schedulers that read the same `seen`: the others' UPDATE matches
    no row (on PostgreSQL it waits for the first one's commit, then re-checks the condition)."""
    from .models import PeriodicTaskState

    return PeriodicTaskState.objects.filter(name=name, last_enqueued_at=seen).update(last_enqueued_at=now) == 1


def _claim(entry: PeriodicTask, now: datetime.datetime) -> bool:
    seen = last_enqueued(entry.name)
    return entry.due_since(seen, now) and advance(entry.name, seen, now)


def enqueue_due(now: datetime.datetime | None = None) -> list[str]:
    """Enqueue every registered task that is due; returns the names enqueued (by this call only)."""
    from .models import PeriodicTaskState

    now = now or timezone.now()
    enqueued = []
    for entry in periodic_tasks():
        try:
            with transaction.atomic():
                if not _claim(entry, now):
                    continue
                result = entry.task.enqueue()
                PeriodicTaskState.objects.filter(name=entry.name).update(last_task_id=str(result.id))
        except Exception:  # one broken task must not stop the others; the claim was rolled back
            log.exception("could not enqueue periodic task %s", entry.name)
            continue
        log.info("enqueued periodic task %s (%s)", entry.name, entry.describe())
        enqueued.append(entry.name)
    return enqueued


def run_scheduler(stop: threading.Event, poll_seconds: float = 30.0) -> None:
    """Enqueue due tasks every `poll_seconds` until `stop` is set."""
    log.info("scheduler started: %s", ", ".join(f"{e.name} ({e.describe()})" for e in periodic_tasks()) or "none")
    while not stop.is_set():
        close_old_connections()
        try:
            enqueue_due()
        except Exception:  # the database may be away for a moment; try again at the next poll
            log.exception("scheduler poll failed")
        stop.wait(poll_seconds)
    close_old_connections()


def start_scheduler_thread(poll_seconds: float = 30.0) -> threading.Event:
    """Run the scheduler in a daemon thread (beside `db_worker`); set the returned event to stop it."""
    stop = threading.Event()
    threading.Thread(target=run_scheduler, args=(stop, poll_seconds), name="fuhua-scheduler", daemon=True).start()
    return stop
