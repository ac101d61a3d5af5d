"""Test helpers: a published evaluation in the shared `world` (fuhua.testing), built on first use.

Suzhou's incubator (carrier_a) is scored by js-incubator-2024 in a Suzhou run, Nanjing's maker space
(carrier_b) by maker-space-2024 in a Nanjing run; the world's expert reviews both; each operator has
appealed. The scope tests enumerate these objects.
"""

from __future__ import annotations

import datetime
from types import SimpleNamespace

from django.utils import timezone

from fuhua.statistics.testing import report

from . import review, services
from .models import EvaluationResult

PERIOD = 2024


def accepted_reports(w) -> None:
    report(w.carrier_a, PERIOD, status="accepted")
    report(w.carrier_b, PERIOD, status="accepted", incubation_area_m2=3000, tenant_area_m2=2400)


def computed_run(user, scheme: str, region, period: int = PERIOD):
    run = services.create_run(user, scheme, period, region)
    return services.transition(user, run, "compute")


def evaluation_world(w) -> SimpleNamespace:
    if getattr(w, "evaluation", None) is not None:
        return w.evaluation
    accepted_reports(w)
    admin, expert = w.users.admin, w.users.expert
    run_sz = computed_run(admin, "js-incubator-2024", w.regions.sz)
    run_nj = computed_run(admin, "maker-space-2024", w.regions.nj)
    result_a = EvaluationResult.objects.get(run=run_sz, carrier=w.carrier_a)
    result_b = EvaluationResult.objects.get(run=run_nj, carrier=w.carrier_b)
    assignment_a = review.assign_expert(admin, result_a, expert)
    assignment_b = review.assign_expert(admin, result_b, expert)
    review.score_indicator(expert, assignment_a, "service_system", 80, "完善的服务体系")
    review.score_indicator(expert, assignment_b, "operating_model", 70, "")
    for run in (run_sz, run_nj):
        run.appeal_deadline = timezone.localdate() + datetime.timedelta(days=15)
        services.transition(admin, run, "recompute")
        services.transition(admin, run, "publish")
    appeal_a = review.file_appeal(w.users.operator_a, result_a, "在孵企业数统计有误")
    appeal_b = review.file_appeal(w.users.operator_b, result_b, "活动场次漏报")
    w.evaluation = SimpleNamespace(run_sz=run_sz, run_nj=run_nj, result_a=result_a, result_b=result_b,
                                   assignment_a=assignment_a, assignment_b=assignment_b, appeal_a=appeal_a,
                                   appeal_b=appeal_b)
    return w.evaluation


def scope_objects(w) -> SimpleNamespace:
    """The world's evaluation objects, both cities (core/tests/test_scope_matrix.py)."""
    return evaluation_world(w)


def audit_factories() -> dict[str, tuple]:
    """label → (create(world) of a new unreferenced instance, a change) for core/tests/test_audit.py."""
    from .models import Appeal, EvaluationRun, ExpertAssignment, ExpertScore, RunSnapshot

    def run(w):
        return EvaluationRun.objects.create(scheme="js-incubator-2024", scheme_version=datetime.date(2024, 1, 1),
                                            period=PERIOD, region=w.regions.sz)

    def result(w):
        return EvaluationResult.objects.create(run=run(w), carrier=w.carrier_a)

    def assignment(w):
        r = result(w)
        return ExpertAssignment.objects.create(run=r.run, result=r, expert=w.users.expert)

    return {
        "evaluation.evaluationrun": (run, {"appeal_deadline": datetime.date(2025, 1, 31)}),
        "evaluation.runsnapshot": (lambda w: RunSnapshot.objects.create(run=run(w), data=b"-", sha256="0" * 64,
                                                                        carriers=0, fields=0), {"carriers": 1}),
        "evaluation.evaluationresult": (result, {"grade": "B"}),
        "evaluation.expertassignment": (assignment, {"note": "请重点评议服务体系"}),
        "evaluation.expertscore": (lambda w: ExpertScore.objects.create(
            assignment=assignment(w), indicator="service_system", score_milli=80_000), {"score_milli": 70_000}),
        "evaluation.appeal": (lambda w: Appeal.objects.create(result=result(w), reason="数据有误"),
                              {"reason": "在孵企业数有误"}),
    }
