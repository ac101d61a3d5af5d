"""Test helpers of mentoring: a pool entry, an active pairing, a log and feedback in each city of
`fuhua.testing.world`; and the rows the generated scope tests read (SCOPE_RESOURCES, SCOPE_WEB_NAMES)."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

from fuhua.core.system import SYSTEM

from . import services
from .models import Feedback, Pairing, PoolMentor, ServiceLog

D = datetime.date


START, END = D(2025, 1, 1), D(2025, 12, 31)


def pair(mentor: PoolMentor, *, firm=None, team=None, carrier=None, starts_on=START, ends_on=END, activate=True):
    p = services.propose_pairing(SYSTEM, {"mentor": mentor, "firm": firm, "team": team, "carrier": carrier,
                                          "goals": "完成天使轮融资", "starts_on": starts_on, "ends_on": ends_on})
    if activate:
        services.transition(SYSTEM, p, "activate")
    return p


def mentoring_world(w) -> SimpleNamespace:
    cached = getattr(w, "_mentoring", None)
    if cached is not None:
        return cached
    pool_a = PoolMentor.objects.create(profile=w.mentor_a, specialities="融资路演")
    pool_b = PoolMentor.objects.create(profile=w.mentor_b, specialities="医药注册")
    pairing_a = pair(pool_a, firm=w.firm_a, carrier=w.carrier_a)
    pairing_b = pair(pool_b, firm=w.firm_b, carrier=w.carrier_b)
    log_a = services.log_session(SYSTEM, {"mentor": pool_a, "firm": w.firm_a, "date": D(2025, 3, 1), "hours": 2,
                                          "topic": "商业计划书"})
    log_b = services.log_session(SYSTEM, {"mentor": pool_b, "firm": w.firm_b, "date": D(2025, 3, 2), "hours": 1,
                                          "topic": "注册申报"})
    feedback_a = services.give_feedback(SYSTEM, pairing_a, 5, "很有帮助")
    feedback_b = services.give_feedback(SYSTEM, pairing_b, 4, "")
    out = SimpleNamespace(pool_a=pool_a, pool_b=pool_b, pairing_a=pairing_a, pairing_b=pairing_b, log_a=log_a,
                          log_b=log_b, feedback_a=feedback_a, feedback_b=feedback_b)
    w._mentoring = out
    return out


def _m(w):
    return mentoring_world(w)


SCOPE_RESOURCES = {
    "mentor-pool": (lambda w: [_m(w).pool_a, _m(w).pool_b], {"specialities": "市场拓展"}),
    "pairings": (lambda w: [_m(w).pairing_a, _m(w).pairing_b], {"goals": "新目标"}),
    "mentoring-logs": (lambda w: [_m(w).log_a, _m(w).log_b], {"topic": "新主题"}),
    "mentoring-feedback": (lambda w: [_m(w).feedback_a, _m(w).feedback_b], {"comment": "改"}),
}
SCOPE_WEB_NAMES = {
    "mentoring:poolmentor": "mentor-pool",
    "mentoring:pairing": "pairings",
    "mentoring:servicelog": "mentoring-logs",
    "mentoring:feedback": "mentoring-feedback",
}
# For core/tests/test_audit.py's FACTORIES, should it collect apps' factories: label → (create(world), change).
AUDIT_FACTORIES = {  # written directly: the services act as their caller; the audit test checks its own actor
    "mentoring.poolmentor": (lambda w: PoolMentor.objects.create(profile=w.mentor_a), {"specialities": "融资"}),
    "mentoring.pairing": (lambda w: _audit_pairing(w), {"goals": "新目标"}),
    "mentoring.servicelog": (lambda w: _audit_log(w), {"topic": "改"}),
    "mentoring.feedback": (lambda w: Feedback.objects.create(pairing=_audit_pairing(w), score=4), {"comment": "改"}),
}


def _audit_log(w):
    pairing = _audit_pairing(w)
    return ServiceLog.objects.create(mentor=pairing.mentor, firm=w.firm_a, pairing=pairing, date=D(2025, 5, 1),
                                     hours=1, topic="审计")


def _audit_pairing(w):
    mentor = PoolMentor.objects.get_or_create(profile=w.mentor_a)[0]
    return Pairing.objects.create(mentor=mentor, firm=w.firm_a, carrier=w.carrier_a, goals="审计目标",
                                  starts_on=D(2025, 1, 1), ends_on=D(2025, 12, 31))
