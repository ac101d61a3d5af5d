"""Test helpers of events: a published event at each city's carrier with a registration of its tenant firm, and
feedback after the event was held; and the rows the generated scope tests read (SCOPE_RESOURCES,
SCOPE_WEB_NAMES)."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

from django.utils import timezone

from fuhua.core.system import SYSTEM

from . import services

TZ = timezone.get_default_timezone()


def at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=TZ)


def event(carrier, *, title="路演活动", kind="roadshow", starts_at=None, capacity=None, waitlist=True,
          approval_required=False, publish=True, deadline=None, **extra):
    starts_at = starts_at or timezone.now() + datetime.timedelta(days=10)
    e = services.create_event(SYSTEM, {"kind": kind, "title": title, "carrier": carrier, "starts_at": starts_at,
                                       "ends_at": starts_at + datetime.timedelta(hours=2), "place": "路演厅",
                                       "capacity": capacity, "waitlist": waitlist,
                                       "approval_required": approval_required, "registration_deadline": deadline,
                                       **extra})
    if publish:
        services.transition(SYSTEM, e, "publish")
    return e


def events_world(w) -> SimpleNamespace:
    cached = getattr(w, "_events", None)
    if cached is not None:
        return cached
    event_a = event(w.carrier_a, title="纳米城月度路演")
    event_b = event(w.carrier_b, title="紫金创业沙龙", kind="salon")
    reg_a = services.register(SYSTEM, {"event": event_a, "firm": w.firm_a, "person": "张三"})
    reg_b = services.register(SYSTEM, {"event": event_b, "firm": w.firm_b, "person": "李四"})
    series_a, _ = services.create_series(SYSTEM, {"kind": "salon", "title": "青桐汇", "carrier": w.carrier_a,
                                                  "first_starts_at": at(2026, 1, 15, 14), "occurrences": 2,
                                                  "place": "一楼大厅"})
    series_b, _ = services.create_series(SYSTEM, {"kind": "training", "title": "创业课堂", "carrier": w.carrier_b,
                                                  "first_starts_at": at(2026, 1, 20, 9), "occurrences": 2,
                                                  "place": "培训室"})
    out = SimpleNamespace(event_a=event_a, event_b=event_b, reg_a=reg_a, reg_b=reg_b, series_a=series_a,
                          series_b=series_b)
    out.feedback_a, out.feedback_b = _held_with_feedback(w.carrier_a, w.firm_a), _held_with_feedback(w.carrier_b,
                                                                                                    w.firm_b)
    w._events = out
    return out


def _held_with_feedback(carrier, firm):
    now = timezone.now()
    e = event(carrier, title="已举办的培训", kind="training", starts_at=now + datetime.timedelta(hours=1))
    r = services.register(SYSTEM, {"event": e, "firm": firm, "person": "王五"})
    e.starts_at = now - datetime.timedelta(hours=1)
    e.save(update_fields=["starts_at"])
    services.check_in(SYSTEM, r)
    services.transition(SYSTEM, e, "hold")
    return services.give_feedback(SYSTEM, r, 4, "收获很大")


def _e(w):
    return events_world(w)


SCOPE_RESOURCES = {
    "events": (lambda w: [_e(w).event_a, _e(w).event_b], {"title": "新标题"}),
    "event-series": (lambda w: [_e(w).series_a, _e(w).series_b], {"title": "新系列"}),
    "event-registrations": (lambda w: [_e(w).reg_a, _e(w).reg_b], {"contact": "13800000000"}),
    "event-feedback": (lambda w: [_e(w).feedback_a, _e(w).feedback_b], {"comment": "改"}),
}
SCOPE_WEB_NAMES = {
    "events:event": "events",
    "events:eventseries": "event-series",
    "events:registration": "event-registrations",
    "events:eventfeedback": "event-feedback",
}


def audit_factories() -> dict[str, tuple]:
    """label → (create(world) of a new, unreferenced instance, a change), for core/tests/test_audit.py. Written
    directly: the services act as their caller, and the audit test checks its own actor."""
    from .models import Event, EventFeedback, EventSeries, Registration

    def new_event(w):
        starts = at(2026, 3, 1, 14).astimezone(datetime.UTC)  # as the database gives it back
        return Event.objects.create(kind="salon", title="审计测试沙龙", carrier=w.carrier_a, starts_at=starts,
                                    ends_at=starts + datetime.timedelta(hours=2), place="一楼大厅")

    def registration(w):
        return Registration.objects.create(event=new_event(w), firm=w.firm_a, person="张三")

    return {
        "events.event": (new_event, {"place": "二楼路演厅"}),
        "events.eventseries": (
            lambda w: EventSeries.objects.create(kind="training", title="审计测试课堂", carrier=w.carrier_a,
                                                 frequency="monthly",
                                                 first_starts_at=at(2026, 2, 1, 9).astimezone(datetime.UTC)),
            {"title": "审计测试课堂（改）"}),
        "events.registration": (registration, {"contact": "13800000001"}),
        "events.eventfeedback": (lambda w: EventFeedback.objects.create(registration=registration(w), score=4),
                                 {"score": 5}),
    }
