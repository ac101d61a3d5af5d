"""An application's states as data: publish → apply → accept → review → 公示 → pay → evaluate.

Its effects award and pay through services.applications, which this module imports at the top; the
services find this workflow through core.workflow's registry (`workflow_for`), so neither imports the
other inside a function. Calls and entitlements are in workflow.py, beneath both.
"""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fuhua.core.workflow import ALLOWED, Decision, Transition, Workflow, conflict, invalid

from .models import ApplicationStatus as A
from .models import CallStatus as C
from .services.applications import award_amount, pay_application
from .workflow import _today, policy_bureau


def _bureau(user, application, **kw) -> Decision:
    return policy_bureau(user, application.call.policy)


def _before_deadline(user, application, on=None, **kw) -> Decision:
    call, day = application.call, _today(on)
    if call.status != C.PUBLISHED:
        return conflict(_("The call is not open for applications."))
    if day > call.closes_on:
        return conflict(_("The deadline was %(day)s.") % {"day": call.closes_on})
    if day < call.opens_on:
        return conflict(_("The call opens on %(day)s.") % {"day": call.opens_on})
    return ALLOWED


def _approved_amount(user, application, approved_fen=None, **kw) -> Decision:
    if approved_fen is None or approved_fen < 0:
        return invalid(_("Give the approved amount (fen, zero or more)."), "approved_fen")
    return ALLOWED


def _notice_over(user, application, on=None, **kw) -> Decision:
    if application.notice_ends_on and _today(on) <= application.notice_ends_on:
        return conflict(_("The public notice runs until %(day)s.") % {"day": application.notice_ends_on})
    return _bureau(user, application)


def _submit(application, on=None, **kw):
    application.submitted_on = _today(on)


def _review(application, approved_fen=None, reason="", experts="", actor=None, **kw):
    application.approved_fen, application.review_opinion = approved_fen, reason
    application.experts, application.decided_by = experts, actor


def _notice(application, on=None, **kw):
    application.notice_ends_on = _today(on) + datetime.timedelta(days=application.call.notice_days)
    application.amount_fen = award_amount(application)


def _pay(application, actor=None, **kw):
    pay_application(actor, application)


def _evaluate(application, reason="", **kw):
    application.feedback = reason


APPLICATION_WORKFLOW = Workflow("status", model="policies.Application", transitions=[
    Transition("submit", gettext_lazy("submit"), frozenset({A.DRAFT}), A.SUBMITTED, effect=_submit,
               guards=(_before_deadline,)),
    Transition("accept", gettext_lazy("accept"), frozenset({A.SUBMITTED}), A.ACCEPTED, guards=(_bureau,)),
    Transition("review", gettext_lazy("record the review"), frozenset({A.ACCEPTED}), A.REVIEWED, needs_reason=True,
               effect=_review, guards=(_bureau,), validators=(_approved_amount,)),
    Transition("notice", gettext_lazy("publish the notice (公示)"), frozenset({A.REVIEWED}), A.NOTICE,
               effect=_notice, guards=(_bureau,)),
    Transition("pay", gettext_lazy("pay"), frozenset({A.NOTICE}), A.PAID, effect=_pay, guards=(_notice_over,)),
    Transition("evaluate", gettext_lazy("evaluate and give feedback"), frozenset({A.PAID}), A.EVALUATED,
               needs_reason=True, effect=_evaluate, guards=(_bureau,)),
    Transition("reject", gettext_lazy("reject"), frozenset({A.SUBMITTED, A.ACCEPTED, A.REVIEWED, A.NOTICE}),
               A.REJECTED, needs_reason=True, guards=(_bureau,)),
])
