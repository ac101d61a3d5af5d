"""The demands' states as data (core.workflow), each step answering Decision(allowed, reason):

- demand: draft → open (publish, the deadline not passed) → matched (the poster says with whom) or closed (with
  a reason); open → expired once its deadline has passed (`demands.expire`, daily);
- challenge (揭榜挂帅): draft → open (publish) → awarded (when its poster picks a response: services.pick) or
  closed (with a reason); open → expired when the deadline has passed without any response;
- response: submitted → picked or declined (by the challenge's poster; picking one declines the others) or
  withdrawn (by the responder, before a decision). Nothing goes back.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fuhua.core.permissions import policy
from fuhua.core.scoping import check
from fuhua.core.system import is_system
from fuhua.core.workflow import ALLOWED, Transition, Workflow, conflict, forbidden, invalid

from .models import ChallengeResponse, ChallengeStatus, DemandStatus, ResponseStatus


def _published(obj, on=None, **kw):
    obj.published_on = obj.published_on or on or timezone.localdate()  # the demo's history sets it beforehand


def _closed(obj, reason="", on=None, **kw):
    obj.closed_on = on or timezone.localdate()
    obj.close_note = reason


def _deadline_ahead(user, obj, on=None, **kw):
    if obj.deadline < (on or timezone.localdate()):
        return invalid(_("The deadline %(deadline)s has passed: move it to today or later first.") % {
            "deadline": obj.deadline}, "deadline")
    return ALLOWED


def _deadline_passed(user, obj, on=None, **kw):
    if obj.deadline >= (on or timezone.localdate()):
        return conflict(_("The deadline %(deadline)s has not passed yet.") % {"deadline": obj.deadline})
    return ALLOWED


DEMAND_WORKFLOW = Workflow("status", [
    Transition("publish", gettext_lazy("publish"), frozenset({DemandStatus.DRAFT}), DemandStatus.OPEN,
               effect=_published, guards=(_deadline_ahead,)),
    Transition("match", gettext_lazy("mark as matched"), frozenset({DemandStatus.OPEN}), DemandStatus.MATCHED,
               needs_reason=True, effect=_closed),
    Transition("close", gettext_lazy("close"), frozenset({DemandStatus.DRAFT, DemandStatus.OPEN}),
               DemandStatus.CLOSED, needs_reason=True, effect=_closed),
    Transition("expire", gettext_lazy("expire"), frozenset({DemandStatus.OPEN}), DemandStatus.EXPIRED,
               effect=_closed, guards=(_deadline_passed,)),
], model="demands.demand")
DEMAND_IRREVERSIBLE = {"match", "close", "expire"}


def _challenge_closed(obj, reason="", **kw):
    obj.close_reason = reason


def _awarded(obj, on=None, **kw):
    obj.awarded_on = on or timezone.localdate()


def _has_pick(user, challenge, **kw):
    if not challenge.responses.filter(status=ResponseStatus.PICKED).exists():
        return invalid(_("Pick one of the responses: the challenge is awarded through its picked response."))
    return ALLOWED


def _no_responses(user, challenge, **kw):
    if challenge.responses.filter(status=ResponseStatus.SUBMITTED).exists():
        return conflict(_("Responses wait for a decision: pick one or close the challenge with a reason."))
    return ALLOWED


CHALLENGE_WORKFLOW = Workflow("status", [
    Transition("publish", gettext_lazy("publish"), frozenset({ChallengeStatus.DRAFT}), ChallengeStatus.OPEN,
               effect=_published, guards=(_deadline_ahead,)),
    Transition("award", gettext_lazy("award to the picked response"), frozenset({ChallengeStatus.OPEN}),
               ChallengeStatus.AWARDED, effect=_awarded, guards=(_has_pick,)),
    Transition("close", gettext_lazy("close"), frozenset({ChallengeStatus.DRAFT, ChallengeStatus.OPEN}),
               ChallengeStatus.CLOSED, needs_reason=True, effect=_challenge_closed),
    Transition("expire", gettext_lazy("expire"), frozenset({ChallengeStatus.OPEN}), ChallengeStatus.EXPIRED,
               guards=(_deadline_passed, _no_responses)),
], model="demands.challenge")
CHALLENGE_IRREVERSIBLE = {"award", "close", "expire"}


def poster_firms(user) -> set[int]:
    """The firms `user` acts for (a firm's challenge is decided by that firm, not by the bureau of its region)."""
    return {g.firm_id for g in policy().grants_of(user) if g.role == "firm" and g.firm_id}


def _poster(user, response: ChallengeResponse, **kw):
    challenge = response.challenge
    if not check(user, "change", challenge) or (
            challenge.firm_id and not user.is_superuser and challenge.firm_id not in poster_firms(user)):
        return forbidden(_("Only the challenge's poster decides on its responses."))
    return ALLOWED


def _responder(user, response: ChallengeResponse, **kw):
    if not is_system(user) and check(user, "change", response.challenge):
        return forbidden(_("Only the responder withdraws a response."))
    return ALLOWED


def _none_picked(user, response: ChallengeResponse, **kw):
    picked = (ChallengeResponse.objects.filter(challenge_id=response.challenge_id, status=ResponseStatus.PICKED)
              .exclude(pk=response.pk).first())
    if picked is not None:
        return conflict(_("%(picked)s was already picked for this challenge: one response is picked.") % {
            "picked": picked.responder})
    if response.challenge.status != ChallengeStatus.OPEN:
        return conflict(_("The challenge is %(status)s: no response can be picked.") % {
            "status": response.challenge.get_status_display()})
    return ALLOWED


def _decided(obj, on=None, **kw):
    obj.decided_on = on or timezone.localdate()


RESPONSE_WORKFLOW = Workflow("status", [
    Transition("pick", gettext_lazy("pick this response"), frozenset({ResponseStatus.SUBMITTED}),
               ResponseStatus.PICKED, effect=_decided, guards=(_poster, _none_picked)),
    Transition("decline", gettext_lazy("decline"), frozenset({ResponseStatus.SUBMITTED}), ResponseStatus.DECLINED,
               effect=_decided, guards=(_poster,)),
    Transition("withdraw", gettext_lazy("withdraw"), frozenset({ResponseStatus.SUBMITTED}),
               ResponseStatus.WITHDRAWN, effect=_decided, guards=(_responder,)),
], model="demands.challengeresponse")
RESPONSE_IRREVERSIBLE = {"pick", "decline", "withdraw"}
