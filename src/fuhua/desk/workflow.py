"""A service request's states as data: new → assigned → in progress → waiting for the requester → resolved
→ closed, with reopen (within `reopen_days` of resolution, data/topics.yaml).

Who takes which step (guards, answered as `Decision`s):
- the bureau of the request's region (or the platform's routing, `SYSTEM`) assigns and reassigns, only to an
  active steward whose region contains the request's region and who takes its topic;
- the assigned steward starts, asks the requester (waiting), and resolves;
- the requester (a user of the firm or of the operator that asked) replies, reopens, rates and closes, or
  withdraws; a rating is possible only on a resolved request; while the request waits for the requester the
  resolution clock stops, and the reply moves the resolution deadline by the days waited;
- the platform closes a resolved request nobody rated once the reopen window has passed.

Every step takes an optional `at` (a datetime, default now), so that the demo can replay months of history.
"""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fuhua.accounts.roles import Role, grants_of
from fuhua.core.system import SYSTEM
from fuhua.core.workflow import ALLOWED, Decision, Transition, Workflow, conflict, forbidden, invalid

from . import topics
from .models import OPEN, ServiceRequest, Status, Steward, covers

S = Status


def _now(at=None) -> datetime.datetime:
    return at or timezone.now()


def is_bureau(user, request: ServiceRequest) -> bool:
    if user is SYSTEM or getattr(user, "is_superuser", False):
        return True
    return any(g.role == Role.BUREAU and covers(g.region, request.region_id) for g in grants_of(user))


def is_requester(user, request: ServiceRequest) -> bool:
    if user is SYSTEM:
        return True
    return any((g.role == Role.FIRM and request.firm_id and g.firm_id == request.firm_id)
               or (g.role == Role.OPERATOR and request.organisation_id and g.organisation_id == request.organisation_id)
               for g in grants_of(user))


def is_assigned_steward(user, request: ServiceRequest) -> bool:
    if user is SYSTEM:
        return True
    return request.steward_id is not None and request.steward.user_id == getattr(user, "pk", None)


def _bureau(user, request, **kw) -> Decision:
    return ALLOWED if is_bureau(user, request) else forbidden(_("Only the bureau of this region assigns stewards."))


def _steward(user, request, **kw) -> Decision:
    if is_assigned_steward(user, request):
        return ALLOWED
    return forbidden(_("Only the steward assigned to this request may do this."))


def _requester(user, request, **kw) -> Decision:
    return ALLOWED if is_requester(user, request) else forbidden(_("Only the requester may do this."))


def steward_fits(request: ServiceRequest, steward) -> Decision:
    """Whether `steward` may take `request`: active, its region containing the request's, taking the topic."""
    if not isinstance(steward, Steward):
        return invalid(_("Choose a steward."), "steward")
    if not steward.active:
        return invalid(_("%(name)s is not an active steward.") % {"name": steward}, "steward")
    if not covers(steward.region, request.region_id):
        return invalid(_("%(name)s is a steward of %(region)s, not of %(request_region)s.") % {
            "name": steward, "region": steward.region, "request_region": request.region}, "steward")
    if not steward.takes(request.topic):
        return invalid(_("%(name)s does not take requests about %(topic)s.") % {
            "name": steward, "topic": request.topic_label}, "steward")
    return ALLOWED


def _fits(user, request, steward=None, **kw) -> Decision:
    return steward_fits(request, steward)


def _within_reopen_window(user, request, at=None, **kw) -> Decision:
    days = topics.settings().reopen_days
    if request.resolved_at and _now(at) > request.resolved_at + datetime.timedelta(days=days):
        return conflict(_("A request can be reopened within %(days)s days of its resolution.") % {"days": days})
    return _requester(user, request)


def _unrated_window_over(user, request, at=None, **kw) -> Decision:
    if user is not SYSTEM:
        return forbidden(_("The platform closes unrated requests by itself."))
    days = topics.settings().close_unrated_after_days
    if request.resolved_at and _now(at) <= request.resolved_at + datetime.timedelta(days=days):
        return conflict(_("The requester may still rate or reopen it."))
    return ALLOWED


def _rating(user, request, rating=None, comment="", **kw) -> Decision:
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        return invalid(_("Rate the service from 1 to 5."), "rating")
    if len(comment or "") > 500:
        return invalid(_("The comment may be at most 500 characters."), "comment")
    return ALLOWED


def _assign(request, steward=None, **kw):
    request.steward = steward


def _first_response(request, at=None, **kw):
    if request.first_response_at is None:
        request.first_response_at = _now(at)


def _ask(request, at=None, **kw):
    _first_response(request, at)
    request.waiting_since = _now(at)


def _resume(request, at=None, **kw):
    """The requester answered: the resolution deadline moves by the calendar days it waited."""
    if request.waiting_since is not None:
        waited = (timezone.localdate(_now(at)) - timezone.localdate(request.waiting_since)).days
        request.resolution_due += datetime.timedelta(days=max(waited, 0))
    request.waiting_since = None


def _resolve(request, reason="", at=None, **kw):
    _first_response(request, at)
    request.resolved_at, request.resolution, request.waiting_since = _now(at), reason, None


def _reopen(request, at=None, **kw):
    request.reopened += 1
    request.resolved_at, request.resolution = None, ""
    topic = topics.get(request.topic)
    request.resolution_due = topic.resolution_due(timezone.localdate(_now(at)))  # a fresh limit from today


def _rate(request, rating=None, comment="", at=None, **kw):
    request.rating, request.rating_comment, request.closed_at = rating, (comment or "").strip(), _now(at)


def _close(request, at=None, **kw):
    request.closed_at, request.waiting_since = _now(at), None


REQUEST_WORKFLOW = Workflow("status", model="desk.ServiceRequest", transitions=[
    Transition("assign", gettext_lazy("assign a steward"), frozenset(OPEN), S.ASSIGNED, effect=_assign,
               guards=(_bureau,), validators=(_fits,)),
    Transition("start", gettext_lazy("take it up"), frozenset({S.ASSIGNED}), S.IN_PROGRESS, effect=_first_response,
               guards=(_steward,)),
    Transition("ask", gettext_lazy("ask the requester"), frozenset({S.ASSIGNED, S.IN_PROGRESS}), S.WAITING,
               needs_reason=True, effect=_ask, guards=(_steward,)),
    Transition("reply", gettext_lazy("reply"), frozenset({S.WAITING}), S.IN_PROGRESS, needs_reason=True,
               effect=_resume, guards=(_requester,)),
    Transition("resolve", gettext_lazy("resolve"), frozenset({S.ASSIGNED, S.IN_PROGRESS, S.WAITING}), S.RESOLVED,
               needs_reason=True, effect=_resolve, guards=(_steward,)),
    Transition("reopen", gettext_lazy("reopen"), frozenset({S.RESOLVED}), S.IN_PROGRESS, needs_reason=True,
               effect=_reopen, guards=(_within_reopen_window,)),
    Transition("rate", gettext_lazy("rate and close"), frozenset({S.RESOLVED}), S.CLOSED, effect=_rate,
               guards=(_requester,), validators=(_rating,)),
    Transition("close_unrated", gettext_lazy("close without rating"), frozenset({S.RESOLVED}), S.CLOSED,
               effect=_close, guards=(_unrated_window_over,)),
    Transition("withdraw", gettext_lazy("withdraw the request"), frozenset(OPEN), S.CLOSED, needs_reason=True,
               effect=_close, guards=(_requester,)),
])

# Steps whose text (the reason) is also a message on the request, and who writes it.
STEWARD_STEPS = frozenset({"ask", "resolve"})
REQUESTER_STEPS = frozenset({"reply", "reopen", "withdraw"})
