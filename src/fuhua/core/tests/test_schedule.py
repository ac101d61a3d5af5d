"""The periodic-task registry and scheduler (core.schedule): due times, exactly-once enqueue."""

import datetime

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from fuhua.core.models import PeriodicTaskState
from fuhua.core.schedule import PeriodicTask, advance, enqueue_due, last_enqueued, periodic_tasks, register_periodic
from fuhua.core.tasks import prune_audit, prune_task_results
from fuhua.statistics.tasks import remind_unsubmitted

HOUR = datetime.timedelta(hours=1)


def _local(*args) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(*args))


def test_apps_register_audit_pruning_and_reminders():
    registered = {entry.name: entry for entry in periodic_tasks()}
    assert registered["core.prune_audit"].task is prune_audit
    assert registered["core.prune_audit"].at == datetime.time(3, 0)
    assert registered["statistics.remind_unsubmitted"].task is remind_unsubmitted


def test_register_refuses_ambiguous_or_foreign_entries():
    with pytest.raises(ValueError, match="exactly one"):
        register_periodic("x.both", task=prune_audit, every=HOUR, at=datetime.time(1))
    with pytest.raises(ValueError, match="exactly one"):
        register_periodic("x.none", task=prune_audit)
    with pytest.raises(TypeError, match="django-tasks Task"):
        register_periodic("x.plain", task=lambda: None, every=HOUR)
    with pytest.raises(ValueError, match="already registered"):
        register_periodic("core.prune_audit", task=remind_unsubmitted, every=HOUR)


def test_interval_task_is_due_after_its_interval():
    entry = PeriodicTask("x", prune_audit, every=HOUR)
    t0 = _local(2026, 3, 1, 10, 0)
    assert entry.due_since(None, t0)
    assert not entry.due_since(t0, t0 + datetime.timedelta(minutes=59))
    assert entry.due_since(t0, t0 + HOUR)


def test_daily_task_is_due_once_per_day_after_its_time():
    entry = PeriodicTask("x", prune_audit, at=datetime.time(3, 0))
    assert not entry.due_since(None, _local(2026, 3, 1, 2, 59))  # first day, before 03:00
    assert entry.due_since(None, _local(2026, 3, 1, 3, 0))
    ran = _local(2026, 3, 1, 3, 0, 30)
    assert not entry.due_since(ran, _local(2026, 3, 1, 23, 0))
    assert not entry.due_since(ran, _local(2026, 3, 2, 2, 59))
    assert entry.due_since(ran, _local(2026, 3, 2, 3, 0))
    # a worker that was down for days runs it once when it comes back, not once per missed day
    assert entry.due_since(ran, _local(2026, 3, 5, 14, 0))
    assert not entry.due_since(_local(2026, 3, 5, 14, 0), _local(2026, 3, 5, 15, 0))


@pytest.mark.django_db
def test_enqueue_due_enqueues_each_task_once_per_period():
    now = _local(2026, 3, 1, 9, 0)  # after 03:00 and 08:00: the daily tasks are due
    due = sorted(entry.name for entry in periodic_tasks() if entry.due_since(None, now))
    assert {"core.prune_audit", "core.prune_task_results", "statistics.remind_unsubmitted"} <= set(due)
    assert enqueue_due(now) == due
    assert DBTaskResult.objects.count() == len(due)
    assert DBTaskResult.objects.filter(task_path="fuhua.core.tasks.prune_audit").count() == 1
    state = PeriodicTaskState.objects.get(name="core.prune_audit")
    assert state.last_enqueued_at == now
    assert state.last_task_id == str(DBTaskResult.objects.get(task_path="fuhua.core.tasks.prune_audit").id)

    assert enqueue_due(now + HOUR) == [name for name in due if periodic_by_name(name).every is not None
                                       and periodic_by_name(name).every <= HOUR]
    daily = [name for name in due if periodic_by_name(name).at is not None]
    assert set(daily) <= set(enqueue_due(now + 24 * HOUR))
    assert DBTaskResult.objects.filter(task_path="fuhua.core.tasks.prune_audit").count() == 2


def periodic_by_name(name: str) -> PeriodicTask:
    return next(entry for entry in periodic_tasks() if entry.name == name)


@pytest.mark.django_db
def test_old_task_results_are_pruned():
    old, recent = prune_audit.enqueue(), prune_audit.enqueue()
    DBTaskResult.objects.filter(id=old.id).update(status="SUCCESSFUL",
                                                   finished_at=timezone.now() - datetime.timedelta(days=40))
    DBTaskResult.objects.filter(id=recent.id).update(status="SUCCESSFUL", finished_at=timezone.now())
    prune_task_results.call()
    assert [str(pk) for pk in DBTaskResult.objects.values_list("id", flat=True)] == [recent.id]


@pytest.mark.django_db
def test_two_schedulers_that_read_the_same_state_enqueue_once():
    now = _local(2026, 3, 1, 9, 0)
    seen_by_a = last_enqueued("core.prune_audit")
    seen_by_b = last_enqueued("core.prune_audit")
    assert seen_by_a is None and seen_by_b is None
    assert advance("core.prune_audit", seen_by_a, now) is True
    assert advance("core.prune_audit", seen_by_b, now + datetime.timedelta(seconds=1)) is False
    assert PeriodicTaskState.objects.get(name="core.prune_audit").last_enqueued_at == now
    # the scheduler that lost then sees the task as done for today
    assert "core.prune_audit" not in enqueue_due(now + datetime.timedelta(seconds=2))
    assert not DBTaskResult.objects.filter(task_path="fuhua.core.tasks.prune_audit").exists()


@pytest.mark.django_db
def test_scheduler_bookkeeping_is_not_audited():
    from fuhua.core.models import ObjectChange

    enqueue_due(_local(2026, 3, 1, 9, 0))
    assert not ObjectChange.objects.filter(content_type__model="periodictaskstate").exists()
