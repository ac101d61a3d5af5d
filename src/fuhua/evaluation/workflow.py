"""The run's states as data: draft → computed (scored from a snapshot; re-scored as experts review)
→ published (the appeal window opens) → closed (appeals decided). Effects live in services, which this
module imports; services finds this workflow through core.workflow's registry (workflow_for), so neither
imports the other inside a function.

An appeal's states: pending → upheld (the run is re-scored with the corrected figures) | rejected,
decided by the bureau while the run is published."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fuhua.core.system import as_db_user
from fuhua.core.workflow import ALLOWED, Decision, Transition, Workflow, conflict

from .models import Appeal, AppealStatus, EvaluationRun, RunStatus
from .services import compute_run, scheme_of


def _compute(run, **kwargs):
    compute_run(run)


def _publish(run, **kwargs):
    run.published_at = timezone.now()
    if run.appeal_deadline is None:
        run.appeal_deadline = timezone.localdate() + datetime.timedelta(days=scheme_of(run).appeal_days)


def _no_pending_appeals(user, run, **kwargs) -> Decision:
    pending = Appeal.objects.filter(result__run=run, status=AppealStatus.PENDING).count()
    if pending:
        return conflict(_("%(n)d appeal(s) are still pending; decide them first.") % {"n": pending})
    return ALLOWED


RUN_WORKFLOW = Workflow("status", model="evaluation.EvaluationRun", transitions=[
    Transition("compute", gettext_lazy("compute"), frozenset({RunStatus.DRAFT}), RunStatus.COMPUTED, effect=_compute),
    Transition("recompute", gettext_lazy("re-score with the expert scores"), frozenset({RunStatus.COMPUTED}),
               RunStatus.COMPUTED, effect=_compute),
    Transition("publish", gettext_lazy("publish"), frozenset({RunStatus.COMPUTED}), RunStatus.PUBLISHED,
               effect=_publish),
    Transition("close", gettext_lazy("close appeals"), frozenset({RunStatus.PUBLISHED}), RunStatus.CLOSED,
               guards=(_no_pending_appeals,)),
])


def _run_published(user, appeal, **kwargs) -> Decision:
    status = EvaluationRun.objects.filter(pk=appeal.result.run_id).values_list("status", flat=True).first()
    if status != RunStatus.PUBLISHED:
        return conflict(_("Appeals are decided while the run is published and not yet closed."))
    return ALLOWED


def _decided(appeal, reason="", actor=None, corrections=None, **kwargs):
    from django.utils import timezone

    appeal.decision, appeal.corrections = reason[:5000], corrections or {}
    appeal.decided_by, appeal.decided_at = as_db_user(actor), timezone.now()


APPEAL_WORKFLOW = Workflow("status", model="evaluation.Appeal", transitions=[
    Transition("uphold", gettext_lazy("uphold"), frozenset({AppealStatus.PENDING}), AppealStatus.UPHELD,
               needs_reason=True, effect=_decided, guards=(_run_published,)),
    Transition("reject", gettext_lazy("reject"), frozenset({AppealStatus.PENDING}), AppealStatus.REJECTED,
               needs_reason=True, effect=_decided, guards=(_run_published,)),
])
