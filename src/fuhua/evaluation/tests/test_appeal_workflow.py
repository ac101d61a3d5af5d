"""Appeals are decided through APPEAL_WORKFLOW; the pages' "may I" questions are the services' own answers."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied

from fuhua.core.exceptions import Conflict
from fuhua.core.models import ObjectChange
from fuhua.core.system import SYSTEM
from fuhua.core.workflow import CONFLICT, FORBIDDEN, INVALID
from fuhua.evaluation import review
from fuhua.evaluation.models import Appeal, AppealStatus, EvaluationResult, EvaluationRun, RunStatus
from fuhua.evaluation.testing import evaluation_world
from fuhua.evaluation.workflow import APPEAL_WORKFLOW, RUN_WORKFLOW

pytestmark = pytest.mark.django_db


def test_who_may_decide_and_when(world):
    ev = evaluation_world(world)
    appeal = ev.appeal_a
    assert APPEAL_WORKFLOW.can(world.users.bureau_sz, appeal, "uphold")
    assert APPEAL_WORKFLOW.can(world.users.operator_a, appeal, "uphold").code == FORBIDDEN
    assert APPEAL_WORKFLOW.can(world.users.bureau_sz, appeal, "reject", reason="").code == INVALID
    EvaluationRun.objects.filter(pk=ev.run_sz.pk).update(status=RunStatus.CLOSED)
    assert APPEAL_WORKFLOW.can(world.users.bureau_sz, appeal, "reject").code == CONFLICT  # run not published
    assert APPEAL_WORKFLOW.available(world.users.bureau_sz, appeal) == []


def test_a_decision_is_a_workflow_step_with_its_grounds_in_the_audit(world):
    ev = evaluation_world(world)
    with pytest.raises(PermissionDenied):
        review.decide_appeal(world.users.operator_a, ev.appeal_a, False, "自己驳回")
    appeal = review.decide_appeal(world.users.bureau_sz, ev.appeal_a, False, "数据无误，维持原结果")
    assert (appeal.status, appeal.decision, appeal.decided_by) == (
        AppealStatus.REJECTED, "数据无误，维持原结果", world.users.bureau_sz)
    change = ObjectChange.objects.filter(content_type=ContentType.objects.get_for_model(Appeal),
                                         object_id=str(appeal.pk), action="update").latest("id")
    assert change.reason == "数据无误，维持原结果" and change.after["status"] == "rejected"
    with pytest.raises(Conflict):
        APPEAL_WORKFLOW.apply(world.users.bureau_sz, appeal, "uphold", reason="改判")


def test_may_appeal_and_may_assign_answer_like_the_services(world):
    ev = evaluation_world(world)
    result = EvaluationResult.objects.select_related("run").get(pk=ev.result_a.pk)  # as a page loads it
    assert review.may_appeal(world.users.operator_a, result)
    assert review.may_appeal(world.users.expert, result).code == FORBIDDEN
    assert review.may_assign(world.users.bureau_sz, result).code == CONFLICT  # published: no more assignments


def test_the_system_actor_takes_run_steps_through_the_workflow(world):
    ev = evaluation_world(world)
    run = EvaluationRun.objects.get(pk=ev.run_nj.pk)
    assert RUN_WORKFLOW.can(None, run, "close").code == FORBIDDEN
    assert RUN_WORKFLOW.can(SYSTEM, run, "close").code == CONFLICT  # an appeal is pending
