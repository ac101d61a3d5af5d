"""Demo evaluation: Jiangsu's provincial incubator evaluation (js-incubator-2024) of the year before last,
computed from the demo's accepted statistics, reviewed by a panel of five experts and published with the
appeal window open; and Suzhou's evaluation of the last complete year, computed and under expert review,
with the demo expert assigned to part of it (the expert account's work). Written by the system (no user),
like the rest of the demo data."""

from __future__ import annotations

import datetime

import numpy as np
from django.contrib.auth import get_user_model

from fuhua.accounts.models import RoleGrant
from fuhua.accounts.roles import Role
from fuhua.core.audit import record_bulk
from fuhua.core.context import acting_as
from fuhua.core.demo import DemoRun
from fuhua.core.system import SYSTEM
from fuhua.registry.models import Region

from . import services
from .models import EvaluationResult, EvaluationRun, ExpertAssignment, ExpertScore
from .scheme import get_scheme
from .workflow import RUN_WORKFLOW

SCHEME, FIRST_PERIOD, REGION = "js-incubator-2024", 2024, "320000"
REVIEW_REGION, DEMO_REVIEWS = "320500", 12  # the run under review, and the results the demo expert scores
PANEL = [("panel_wang", "王教授"), ("panel_li", "李研究员"), ("panel_zhang", "张总"), ("panel_chen", "陈处长"),
         ("panel_zhao", "赵博士")]
EXPERTS_PER_CARRIER = 3


def system_step(run: EvaluationRun, name: str) -> None:
    """A workflow step taken by the system actor (demo loading), through the run's workflow like any other."""
    RUN_WORKFLOW.apply(SYSTEM, run, name, reason="demo data")


def _panel() -> list:
    users = []
    for username, name in PANEL:
        user, created = get_user_model().objects.get_or_create(username=username, defaults={"first_name": name})
        if created:
            user.set_unusable_password()
            user.save()
            RoleGrant.objects.create(user=user, role=Role.EXPERT)
        users.append(user)
    return users


def _review(run: EvaluationRun, scheme) -> int:
    """Each graded carrier is scored by three panel experts; their scores follow the carrier's quantitative
    standing with some disagreement (seeded, so the demo is the same every time)."""
    rng = np.random.default_rng(2024)
    panel = _panel()
    results = list(EvaluationResult.objects.filter(run=run, incomplete=False).order_by("carrier_id"))
    if not results:
        return 0
    quantitative = np.array([r.quantitative_milli for r in results], np.float64)
    standing = quantitative.argsort().argsort() / max(len(results) - 1, 1)
    assignments = []
    for i, result in enumerate(results):
        for k in range(EXPERTS_PER_CARRIER):
            assignments.append(ExpertAssignment(run=run, result=result, expert=panel[(i + k) % len(panel)]))
    ExpertAssignment.objects.bulk_create(assignments, batch_size=2000)
    scores = []
    for j, assignment in enumerate(assignments):
        base = 55 + 40 * standing[j // EXPERTS_PER_CARRIER]
        for ind in scheme.qualitative:
            value = float(np.clip(base + rng.normal(0, 8), 0, ind.max_score))
            milli = round(value * 10) * 100  # experts score to one decimal
            scores.append(ExpertScore(assignment=assignment, indicator=ind.code, score_milli=milli))
    ExpertScore.objects.bulk_create(scores, batch_size=2000)
    record_bulk(ExpertAssignment, "create", assignments, reason="demo data")
    record_bulk(ExpertScore, "create", scores, reason="demo data")
    return len(assignments)


def _under_review(demo: DemoRun, period: int) -> int:
    """The last complete year's Suzhou run, computed and awaiting the experts: the demo expert (left by the
    accounts step in `demo.shared["experts"]`) is assigned to a dozen results, none scored yet."""
    region = Region.objects.filter(code=REVIEW_REGION).first()
    experts = demo.shared.get("experts", [])
    if region is None or not experts:
        return 0
    scheme = get_scheme(SCHEME, period)
    run = EvaluationRun.objects.create(scheme=scheme.id, scheme_version=scheme.version, period=period, region=region)
    system_step(run, "compute")
    results = list(EvaluationResult.objects.filter(run=run, incomplete=False).order_by("carrier_id")[:DEMO_REVIEWS])
    assignments = [ExpertAssignment(run=run, result=r, expert=experts[i % len(experts)], note="请于本月底前完成评分")
                   for i, r in enumerate(results)]
    ExpertAssignment.objects.bulk_create(assignments)
    record_bulk(ExpertAssignment, "create", assignments, reason="demo data")
    return len(assignments)


def load_evaluation(demo: DemoRun) -> EvaluationRun | None:
    """Runs inside the demo's transaction, after the statistics demo data."""
    region = Region.objects.filter(code=REGION).first()
    if region is None:
        return None
    period = max(FIRST_PERIOD, demo.today.year - 2)
    scheme = get_scheme(SCHEME, period)
    demo.begin(2)
    with acting_as(None, source="demo"):
        run = EvaluationRun.objects.create(scheme=scheme.id, scheme_version=scheme.version, period=period,
                                           region=region, appeal_deadline=demo.today + datetime.timedelta(
                                               days=scheme.appeal_days))
        system_step(run, "compute")
        reviews = _review(run, scheme)
        system_step(run, "recompute")
        system_step(run, "publish")
        demo.advance()
        assigned = _under_review(demo, period + 1) if period + 1 < demo.today.year else 0
        demo.advance()
    dist = services.distribution(run)
    grades = " / ".join(f"{g} {n}" for g, n in dist["grades"].items())
    demo.note(f"evaluation {period} ({scheme.id}): {dist['total']:,} carriers, {grades}, "
              f"{dist['incomplete']} incomplete, {dist['vetoed']} vetoed, {reviews:,} expert reviews; "
              f"{period + 1} under review, {assigned} results assigned to the demo expert")
    return run
