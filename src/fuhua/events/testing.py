"""Test helpers of events: a published event at each city's carrier with a registration of its tenant firm, and
feedback after the event was held; and the rows the generated scope tests read (SCOPE_RESOURCES,
SCOPE_WEB_NAMES)."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from fuhua.core.system import SYSTEM
from fuhua.registry import experts
from fuhua.registry.models import DrawPurpose
from fuhua.registry.testing import expert_world

from . import competitions, services

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


def deck(name: str = "路演材料.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 pitch deck", content_type="application/pdf")


def judged_event(carrier, *, title="投融资路演", kind="roadshow", rounds=("路演",), investors=(), deadline=None,
                 publish=True, panel_size=1, advancing=1, **extra):
    """A roadshow or competition with its rounds (one a week from the event's day), published."""
    e = event(carrier, title=title, kind=kind, publish=False, deadline=deadline, **extra)
    day = timezone.localtime(e.starts_at).date()
    for n, name in enumerate(rounds, start=1):
        competitions.add_round(SYSTEM, {"event": e, "number": n, "name": name,
                                        "starts_on": day + datetime.timedelta(days=7 * (n - 1)),
                                        "ends_on": day + datetime.timedelta(days=7 * (n - 1)),
                                        "sheet": "roadshow" if kind == "roadshow" else "competition",
                                        "panel_size": panel_size, "advancing": advancing})
    if investors:
        e.investors.set(investors)
    if publish:
        services.transition(SYSTEM, e, "publish")
    return e


SCORES = {"innovation": 8, "business_model": 7, "founding_team": 9, "market": 6, "financing": 8}


def competitions_world(w) -> SimpleNamespace:
    """A roadshow in each city with one application, a panel, a score sheet and an investment intent. Suzhou's
    panel is drawn (the world's `expert` user); Nanjing's is recorded (its expert has no account)."""
    cached = getattr(w, "_competitions", None)
    if cached is not None:
        return cached
    ex = expert_world(w)
    show_a = judged_event(w.carrier_a, title="纳米城投融资路演", investors=[w.investor_a])
    show_b = judged_event(w.carrier_b, title="紫金投融资路演", investors=[w.investor_b])
    app_a = competitions.apply(SYSTEM, {"event": show_a, "firm": w.firm_a, "project": "MEMS 传感器",
                                        "pitch_deck": deck()})
    app_b = competitions.apply(SYSTEM, {"event": show_b, "firm": w.firm_b, "project": "智算调度平台",
                                        "pitch_deck": deck()})
    round_a, round_b = show_a.rounds.get(), show_b.rounds.get()
    competitions.draw_panel(SYSTEM, round_a, seed=1)
    round_b.draw = experts.record(SYSTEM, DrawPurpose.COMPETITION, competitions.target_of(round_b), [ex.expert_b],
                                  seed=2, size=1)
    round_b.save(update_fields=["draw"])
    for r in (round_a, round_b):
        competitions.transition(SYSTEM, r, "open_judging")
    score_a = competitions.score(w.users.expert, round_a, app_a, SCORES, "技术领先")
    from .models import Score

    score_b = Score(round=round_b, application=app_b, expert=ex.expert_b, values=SCORES)
    score_b.full_clean()
    score_b.save()
    intent_a = competitions.record_intent(w.users.investor_a, {"application": app_a, "amount_fen": 300_000_000,
                                                               "note": "拟领投"})
    intent_b = competitions.record_intent(SYSTEM, {"application": app_b, "investor": w.investor_b,
                                                   "amount_fen": 100_000_000})
    out = SimpleNamespace(show_a=show_a, show_b=show_b, app_a=app_a, app_b=app_b, round_a=round_a, round_b=round_b,
                          score_a=score_a, score_b=score_b, intent_a=intent_a, intent_b=intent_b)
    w._competitions = out
    return out


def _c(w):
    return competitions_world(w)


SCOPE_RESOURCES = {
    "events": (lambda w: [_e(w).event_a, _e(w).event_b], {"title": "新标题"}),
    "event-series": (lambda w: [_e(w).series_a, _e(w).series_b], {"title": "新系列"}),
    "event-registrations": (lambda w: [_e(w).reg_a, _e(w).reg_b], {"contact": "13800000000"}),
    "event-feedback": (lambda w: [_e(w).feedback_a, _e(w).feedback_b], {"comment": "改"}),
    "competition-rounds": (lambda w: [_c(w).round_a, _c(w).round_b], {"name": "复赛"}),
    "competition-applications": (lambda w: [_c(w).app_a, _c(w).app_b], {}),
    "score-sheets": (lambda w: [_c(w).score_a, _c(w).score_b], {}),
    "investment-intents": (lambda w: [_c(w).intent_a, _c(w).intent_b], {}),
}
SCOPE_WEB_NAMES = {
    "events:event": "events",
    "events:eventseries": "event-series",
    "events:registration": "event-registrations",
    "events:eventfeedback": "event-feedback",
    "events:round": "competition-rounds",
    "events:application": "competition-applications",
    "events:score": "score-sheets",
    "events:investmentintent": "investment-intents",
}


def audit_factories() -> dict[str, tuple]:
    """label → (create(world) of a new, unreferenced instance, a change), for core/tests/test_audit.py. Written
    directly: the services act as their caller, and the audit test checks its own actor."""
    from .models import Application, Event, EventFeedback, EventSeries, InvestmentIntent, Registration, Round, Score

    def new_event(w):
        starts = at(2026, 3, 1, 14).astimezone(datetime.UTC)  # as the database gives it back
        return Event.objects.create(kind="salon", title="审计测试沙龙", carrier=w.carrier_a, starts_at=starts,
                                    ends_at=starts + datetime.timedelta(hours=2), place="一楼大厅")

    def registration(w):
        return Registration.objects.create(event=new_event(w), firm=w.firm_a, person="张三")

    def new_round(w):
        e = new_event(w)
        Event.objects.filter(pk=e.pk).update(kind="roadshow")
        e.refresh_from_db()
        return Round.objects.create(event=e, number=1, name="初赛", starts_on=datetime.date(2026, 3, 1),
                                    ends_on=datetime.date(2026, 3, 1), sheet="roadshow")

    def application(w, **who):
        r = new_round(w)
        return Application.objects.create(event=r.event, project="审计项目", round=r, **(who or {"firm": w.firm_a}),
                                          pitch_deck="events/pitch_decks/2026/audit.pdf")

    def score(w):
        from fuhua.registry.testing import expert

        a = application(w)
        return Score.objects.create(round=a.round, application=a, expert=expert("审计评委", w.regions.sz),
                                    values=dict(SCORES), total_milli=76_500)

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
        "events.round": (new_round, {"name": "决赛"}),
        "events.application": (application, {"summary": "改"}),
        "events.score": (score, {"comment": "改"}),
        "events.investmentintent": (
            # a team's project: no deal follows (dealflow.intents), so the creation is the only change
            lambda w: InvestmentIntent.objects.create(event=(a := application(w, team=w.team_b)).event, application=a,
                                                      investor=w.investor_a, amount_fen=100_000),
            {"note": "改"}),
    }
