"""The run's states as data: draft → computed (scored from a snapshot; re-scored as experts review)
→ published (the appeal window opens) → closed (appeals decided). Effects live in services."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fuhua.core.scoping import Decision
from fuhua.core.workflow import Transition, Workflow

from .models import AppealStatus, RunStatus


def _compute(run, **kwargs):
    from .services import compute_run

    compute_run(run)


def _publish(run, **kwargs):
    from .services import scheme_of

    run.published_at = timezone.now()
    if run.appeal_deadline is None:
        run.appeal_deadline = timezone.localdate() + datetime.timedelta(days=scheme_of(run).appeal_days)


def _no_pending_appeals(user, run, **kwargs) -> Decision:
    from .models import Appeal

    pending = Appeal.objects.filter(result__run=run, status=AppealStatus.PENDING).count()
    if pending:
        return Decision(False, _("%(n)d appeal(s) are still pending; decide them first.") % {"n": pending})
    return Decision(True)


RUN_WORKFLOW = Workflow("status", [
    Transition("compute", gettext_lazy("compute"), frozenset({RunStatus.DRAFT}), RunStatus.COMPUTED, effect=_compute),
    Transition("recompute", gettext_lazy("re-score with the expert scores"), frozenset({RunStatus.COMPUTED}),
               RunStatus.COMPUTED, effect=_compute),
    Transition("publish", gettext_lazy("publish"), frozenset({RunStatus.COMPUTED}), RunStatus.PUBLISHED,
               effect=_publish),
    Transition("close", gettext_lazy("close appeals"), frozenset({RunStatus.PUBLISHED}), RunStatus.CLOSED,
               guards=(_no_pending_appeals,)),
])
