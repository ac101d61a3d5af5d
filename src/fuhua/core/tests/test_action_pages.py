"""Every POST action page succeeds for the role it is for: as data, one row per action (NetBox's ViewTestCases).

A row names the URL, the user, a setup building what the action needs on the shared test world (returning the
object acted on), the form data the page posts, and the effect: the state changed in the database and the
audit trail naming the user. The test first opens the page that shows the form and checks it posts to the
action, then posts, follows nothing, and asserts a redirect without an error message and the effect.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any, NamedTuple

import pytest
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from fuhua.core.models import ObjectChange
from fuhua.core.views.generic import object_url
from fuhua.evaluation import review
from fuhua.evaluation.models import Appeal, AppealStatus, EvaluationResult, EvaluationRun, RunStatus
from fuhua.evaluation.services import transition as run_step
from fuhua.evaluation.testing import PERIOD, accepted_reports, computed_run, evaluation_world
from fuhua.policies.models import (
    Application,
    ApplicationStatus,
    Call,
    CallStatus,
    Entitlement,
    EntitlementStatus,
    Payout,
    PayoutKind,
)
from fuhua.policies.services.sync import sync_policies
from fuhua.policies.testing import suzhou
from fuhua.testing import api_client, web_client

D = datetime.date


def today():
    """Beijing's date when asked: a module-level constant goes stale when a run crosses midnight."""
    return timezone.localdate()


SZ2020, SIP2020 = "suzhou-2020-carriers", "sip-2020-rent-relief"

pytestmark = pytest.mark.django_db


class Action(NamedTuple):
    url: str  # URL name; takes the setup's object's pk unless `with_pk` is false
    user: str  # attribute of world.users
    setup: Callable[[Any], Any]  # world -> the object acted on (or None)
    data: Callable[[Any, Any], dict]  # world, object -> the form the page posts
    effect: Callable[[Any, Any], None]  # world, object -> asserts the state changed
    page: Callable[[Any, Any], str] | None = None  # world, object -> the page showing the form (default: object's)
    with_pk: bool = True


def audited(obj, user, action: str = ObjectChange.Action.UPDATE) -> bool:
    return ObjectChange.objects.filter(content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk),
                                       user=user, action=action).exists()


# --- evaluation ------------------------------------------------------------------------------------------------


def computed(w) -> EvaluationRun:
    accepted_reports(w)
    return computed_run(w.users.admin, "js-incubator-2024", w.regions.sz)


def result_a(w, run=None) -> EvaluationResult:
    return EvaluationResult.objects.get(run=run or computed(w), carrier=w.carrier_a)


def published_result(w) -> EvaluationResult:
    run = computed(w)
    run.appeal_deadline = today() + datetime.timedelta(days=15)
    run.save()
    run_step(w.users.admin, run, "publish")
    return result_a(w, run)


def draft_run(w) -> EvaluationRun:
    accepted_reports(w)
    from fuhua.evaluation.services import create_run

    return create_run(w.users.admin, "js-incubator-2024", PERIOD, w.regions.sz)


def run_created(w, _):
    run = EvaluationRun.objects.get(scheme="js-incubator-2024", period=PERIOD, region=w.regions.sz)
    assert run.status == RunStatus.DRAFT and run.appeal_deadline == D(2026, 6, 30)
    assert audited(run, w.users.bureau_sz, ObjectChange.Action.CREATE)


def run_computed(w, run):
    run.refresh_from_db()
    assert run.status == RunStatus.COMPUTED and run.computed_at is not None
    assert EvaluationResult.objects.filter(run=run, carrier=w.carrier_a).exists()
    assert audited(run, w.users.bureau_sz)


def appeal_filed(w, result):
    appeal = Appeal.objects.get(result=result)
    assert appeal.status == AppealStatus.PENDING and appeal.reason == "在孵企业数统计有误"
    assert audited(appeal, w.users.operator_a, ObjectChange.Action.CREATE)


def expert_assigned(w, result):
    assignment = result.assignments.get()
    assert assignment.expert == w.users.expert
    assert audited(assignment, w.users.bureau_sz, ObjectChange.Action.CREATE)


def assignment(w):
    return review.assign_expert(w.users.admin, result_a(w), w.users.expert)


def scored(w, assignment):
    score = assignment.scores.get(indicator="service_system")
    assert (score.score_milli, score.comment) == (80_000, "服务体系完善")
    assert audited(score, w.users.expert, ObjectChange.Action.CREATE)


def appeal_rejected(w, appeal):
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.REJECTED and appeal.decision == "数据核实无误"
    assert audited(appeal, w.users.bureau_sz)


# --- policies --------------------------------------------------------------------------------------------------


def suzhou_policy(w):
    sync_policies()
    suzhou(w)
    return _policy(SZ2020)


def _policy(code):
    from fuhua.policies.models import Policy

    return Policy.objects.get(code=code)


def entitlements_computed(w, policy):
    due = Entitlement.objects.filter(policy=policy)
    assert due.count() == 4 and due.filter(carrier=w.carrier_a, key="incubator_operating:2025").exists()
    run = policy.runs.get()
    assert run.as_of == D(2025, 6, 30) and run.created == 4
    assert audited(run, w.users.bureau_sz, ObjectChange.Action.CREATE)


def clawback(w) -> Entitlement:
    """A paid entitlement whose recognition was revoked: the clawback proposal a run leaves (as data)."""
    sync_policies()
    policy = _policy(SZ2020)
    common = {"policy": policy, "carrier": w.carrier_a, "item": "incubator_operating_fen", "group": "operating",
              "period": 2025, "as_of": D(2025, 6, 30)}
    paid = Entitlement.objects.create(key="incubator_operating:2025", amount_fen=50_000_000,
                                      status=EntitlementStatus.PAID, **common)
    Payout.objects.create(policy=policy, carrier=w.carrier_a, entitlement=paid, key=paid.key, group=paid.group,
                          period=2025, budget_year=2025, region_code=w.carrier_a.region_id, amount_fen=50_000_000,
                          paid_on=D(2025, 7, 1))
    return Entitlement.objects.create(key="incubator_operating:2025:clawback", amount_fen=-50_000_000,
                                      status=EntitlementStatus.CLAWBACK, reverses=paid, **common)


def recovered(w, claw):
    claw.refresh_from_db()
    assert claw.status == EntitlementStatus.RECOVERED
    entry = Payout.objects.get(entitlement=claw)
    assert (entry.kind, entry.amount_fen, entry.reason) == (PayoutKind.RECOVERY, -50_000_000, "已追回")
    # the ledger is its own record (core/audit.py): its row names the user
    assert audited(claw, w.users.bureau_sz) and entry.created_by == w.users.bureau_sz


def draft_call(w) -> Call:
    sync_policies()
    return Call.objects.create(policy=_policy(SIP2020), title="园区民营载体减免租金补贴申报",
                               opens_on=today() - datetime.timedelta(days=10),
                               closes_on=today() + datetime.timedelta(days=30))


def published(w, call):
    call.refresh_from_db()
    assert call.status == CallStatus.PUBLISHED
    assert audited(call, w.users.bureau_sz)


def draft_application(w) -> Application:
    from fuhua.policies.workflow import CALL_WORKFLOW

    call = draft_call(w)
    CALL_WORKFLOW.apply(w.users.bureau_sz, call, "publish")
    return Application.objects.create(call=call, carrier=w.carrier_a, claimed_fen=160_000_000,
                                      claim_from=D(2020, 2, 1), claim_to=D(2020, 6, 30), statement="2-6月减免租金")


def submitted(w, application):
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED and application.submitted_on == today()
    assert audited(application, w.users.operator_a)


def attached(w, application):
    attachment = application.attachments.get()
    assert attachment.title == "减免明细" and attachment.file.read() == b"%PDF-1.4 rent relief"
    assert audited(attachment, w.users.operator_a, ObjectChange.Action.CREATE)


ACTIONS: dict[str, Action] = {
    "evaluation run create": Action(
        "evaluation:evaluationrun_create", "bureau_sz", lambda w: accepted_reports(w),
        lambda w, _: {"scheme": "js-incubator-2024", "period": PERIOD, "region": "320500",
                      "appeal_deadline": "2026-06-30"},
        run_created, page=lambda w, _: reverse("evaluation:evaluationrun_create"), with_pk=False),
    "evaluation run compute": Action(
        "evaluation:evaluationrun_transition", "bureau_sz", draft_run,
        lambda w, run: {"transition": "compute", "reason": ""}, run_computed),
    "evaluation appeal": Action(
        "evaluation:evaluationresult_appeal", "operator_a", published_result,
        lambda w, result: {"reason": "在孵企业数统计有误"}, appeal_filed),
    "evaluation assign expert": Action(
        "evaluation:evaluationresult_assign", "bureau_sz", lambda w: result_a(w),
        lambda w, result: {"expert": w.users.expert.pk}, expert_assigned),
    "evaluation expert score": Action(
        "evaluation:expertassignment_score", "expert", assignment,
        lambda w, a: {"indicator": "service_system", "score": "80", "comment": "服务体系完善"}, scored,
        page=lambda w, a: object_url(a.result)),
    "evaluation appeal decide": Action(
        "evaluation:appeal_decide", "bureau_sz", lambda w: evaluation_world(w).appeal_a,
        lambda w, appeal: {"upheld": "0", "decision": "数据核实无误", "corrections": ""}, appeal_rejected),
    "policy run": Action(
        "policies:policy_run", "bureau_sz", suzhou_policy, lambda w, p: {"as_of": "2025-06-30"},
        entitlements_computed),
    "entitlement recover": Action(
        "policies:entitlement_recover", "bureau_sz", clawback, lambda w, e: {"reason": "已追回"}, recovered),
    "call publish": Action(
        "policies:call_transition", "bureau_sz", draft_call, lambda w, c: {"transition": "publish"}, published),
    "application submit": Action(
        "policies:application_transition", "operator_a", draft_application,
        lambda w, a: {"transition": "submit", "reason": ""}, submitted),
    "application attach": Action(
        "policies:application_attach", "operator_a", draft_application,
        lambda w, a: {"title": "减免明细", "file": SimpleUploadedFile("减免明细.pdf", b"%PDF-1.4 rent relief",
                                                                   "application/pdf")}, attached),
}


@pytest.mark.parametrize("name", sorted(ACTIONS))
def test_action_succeeds(world, settings, tmp_path, name):
    settings.MEDIA_ROOT = tmp_path
    case = ACTIONS[name]
    obj = case.setup(world)
    user = getattr(world.users, case.user)
    client = web_client(user)
    url = reverse(case.url, kwargs={"pk": obj.pk} if case.with_pk else None)
    page_url = case.page(world, obj) if case.page else object_url(obj)
    page = client.get(page_url)
    form = '<form method="post"' if page_url == url else f'action="{url}"'  # a form posting to itself, or here
    assert page.status_code == 200 and form in page.content.decode(), f"{name}: no form posting to {url}"
    data = case.data(world, obj)
    if "transition" in data:  # a workflow step: the page offers exactly this one
        assert f'value="{data["transition"]}"' in page.content.decode(), f"{name}: the page offers no such step"
    response = client.post(url, data)
    errors = [str(m) for m in messages.get_messages(response.wsgi_request) if m.level == messages.ERROR]
    assert response.status_code == 302 and not errors, (response.status_code, errors)
    case.effect(world, obj)


def test_the_bureau_records_a_recovery_through_the_api(world):
    claw = clawback(world)
    response = api_client(world.users.bureau_sz).post(f"/api/v1/entitlements/{claw.pk}/recovery", {"reason": "已追回"},
                                                      content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["amount_fen"] == -50_000_000
    recovered(world, claw)
    carrier_side = api_client(world.users.operator_a).post(f"/api/v1/entitlements/{claw.pk}/recovery",
                                                           {"reason": "x"}, content_type="application/json")
    assert carrier_side.status_code == 403  # the carrier's operator cannot record it
