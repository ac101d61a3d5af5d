"""Calls and applications as workflows (data): publish → apply → accept → review → 公示 → pay → evaluate.

Bureau-only steps are guarded by the right to change the policy (operators may only view it); the
deadlines are guards too: no submission after the call's deadline, no payment before the notice ends.
"""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fuhua.core.scoping import Decision, check
from fuhua.core.workflow import Transition, Workflow

from .models import ApplicationStatus as A
from .models import CallStatus as C


def _today(on=None, **kw) -> datetime.date:
    return on or timezone.localdate()


def _bureau(user, application, **kw) -> Decision:
    decision = check(user, "change", application.call.policy)
    return decision if decision else Decision(False, _("Only the policy's bureau staff take this step."))


def _before_deadline(user, application, on=None, **kw) -> Decision:
    call, day = application.call, _today(on)
    if call.status != C.PUBLISHED:
        return Decision(False, _("The call is not open for applications."))
    if day > call.closes_on:
        return Decision(False, _("The deadline was %(day)s.") % {"day": call.closes_on})
    if day < call.opens_on:
        return Decision(False, _("The call opens on %(day)s.") % {"day": call.opens_on})
    return Decision(True)


def _reviewed(user, application, approved_fen=None, **kw) -> Decision:
    if approved_fen is None or approved_fen < 0:
        return Decision(False, _("Give the approved amount (fen, zero or more)."))
    return _bureau(user, application)


def _notice_over(user, application, on=None, **kw) -> Decision:
    if application.notice_ends_on and _today(on) <= application.notice_ends_on:
        return Decision(False, _("The public notice runs until %(day)s.") % {"day": application.notice_ends_on})
    return _bureau(user, application)


def _submit(application, on=None, **kw):
    application.submitted_on = _today(on)


def _review(application, approved_fen=None, reason="", experts="", actor=None, **kw):
    application.approved_fen, application.review_opinion = approved_fen, reason
    application.experts, application.decided_by = experts, actor


def _notice(application, on=None, **kw):
    from .services.applications import award_amount

    application.notice_ends_on = _today(on) + datetime.timedelta(days=application.call.notice_days)
    application.amount_fen = award_amount(application)


def _pay(application, actor=None, **kw):
    from .services.applications import pay_application

    pay_application(actor, application)


def _evaluate(application, reason="", **kw):
    application.feedback = reason


APPLICATION_WORKFLOW = Workflow("status", [
    Transition("submit", gettext_lazy("submit"), frozenset({A.DRAFT}), A.SUBMITTED, effect=_submit,
               guards=(_before_deadline,)),
    Transition("accept", gettext_lazy("accept"), frozenset({A.SUBMITTED}), A.ACCEPTED, guards=(_bureau,)),
    Transition("review", gettext_lazy("record the review"), frozenset({A.ACCEPTED}), A.REVIEWED, needs_reason=True,
               effect=_review, guards=(_reviewed,)),
    Transition("notice", gettext_lazy("publish the notice (公示)"), frozenset({A.REVIEWED}), A.NOTICE,
               effect=_notice, guards=(_bureau,)),
    Transition("pay", gettext_lazy("pay"), frozenset({A.NOTICE}), A.PAID, effect=_pay, guards=(_notice_over,)),
    Transition("evaluate", gettext_lazy("evaluate and give feedback"), frozenset({A.PAID}), A.EVALUATED,
               needs_reason=True, effect=_evaluate, guards=(_bureau,)),
    Transition("reject", gettext_lazy("reject"), frozenset({A.SUBMITTED, A.ACCEPTED, A.REVIEWED, A.NOTICE}),
               A.REJECTED, needs_reason=True, guards=(_bureau,)),
])

CALL_WORKFLOW = Workflow("status", [
    Transition("publish", gettext_lazy("publish"), frozenset({C.DRAFT}), C.PUBLISHED),
    Transition("close", gettext_lazy("close"), frozenset({C.PUBLISHED}), C.CLOSED),
])
