"""The states of events and registrations as data.

Event: draft → published → closed for registration → held; draft, published or closed → cancelled (with the
reason). A registration starts confirmed, waiting for approval (the organiser approves) or on the waitlist
(when the event is full); approve / promote need a free seat; a confirmed participant checks in (attended);
pending, waitlisted and confirmed registrations may be cancelled, pending ones rejected with the reason.
Nothing goes back.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fuhua.core.scoping import check
from fuhua.core.workflow import ALLOWED, Transition, Workflow, conflict, forbidden

from .models import HOLDS_SEAT, ApplicationStatus, EventStatus, RegistrationStatus, RoundStatus

E, R, RS, A = EventStatus, RegistrationStatus, RoundStatus, ApplicationStatus


def seats_taken(event) -> int:
    return event.registrations.filter(status__in=HOLDS_SEAT).count()


def has_seat(event) -> bool:
    return event.capacity is None or seats_taken(event) < event.capacity


def _organiser(user, obj, **kw):
    """Approving, rejecting, promoting and checking in are the organiser's: whoever may change the event."""
    if check(user, "change", obj.event):
        return ALLOWED
    return forbidden(_("Only the organiser of %(event)s takes this step.") % {"event": obj.event})


def _started(user, event, **kw):
    if event.starts_at > timezone.now():
        return conflict(_("The event has not started yet."))
    return ALLOWED


def _cancelled(event, reason="", **kw):
    event.cancel_reason = reason


def _seat_free(user, registration, **kw):
    if has_seat(registration.event):
        return ALLOWED
    return conflict(_("The event is full (%(capacity)s places).") % {"capacity": registration.event.capacity})


def _event_open(user, registration, **kw):
    if registration.event.status not in (E.PUBLISHED, E.CLOSED):
        return conflict(_("The event is %(status)s.") % {"status": registration.event.get_status_display()})
    return ALLOWED


def _event_running(user, registration, **kw):
    if registration.event.status not in (E.PUBLISHED, E.CLOSED, E.HELD):
        return conflict(_("The event is %(status)s.") % {"status": registration.event.get_status_display()})
    return ALLOWED


def _off_waitlist(registration, reason="", **kw):
    registration.waitlist_position = None
    registration.decision_reason = reason or registration.decision_reason


def _checked_in(registration, at=None, **kw):
    registration.checked_in_at = at or timezone.now()


EVENT_WORKFLOW = Workflow("status", [
    Transition("publish", gettext_lazy("publish"), frozenset({E.DRAFT}), E.PUBLISHED),
    Transition("close", gettext_lazy("close registration"), frozenset({E.PUBLISHED}), E.CLOSED),
    Transition("hold", gettext_lazy("mark as held"), frozenset({E.PUBLISHED, E.CLOSED}), E.HELD, guards=(_started,)),
    Transition("cancel", gettext_lazy("cancel the event"), frozenset({E.DRAFT, E.PUBLISHED, E.CLOSED}), E.CANCELLED,
               needs_reason=True, effect=_cancelled),
], model="events.event")

REGISTRATION_WORKFLOW = Workflow("status", [
    Transition("approve", gettext_lazy("approve"), frozenset({R.PENDING}), R.CONFIRMED,
               guards=(_organiser, _event_open, _seat_free), effect=_off_waitlist),
    Transition("reject", gettext_lazy("reject"), frozenset({R.PENDING}), R.REJECTED, needs_reason=True,
               guards=(_organiser,), effect=_off_waitlist),
    Transition("promote", gettext_lazy("move up from the waitlist"), frozenset({R.WAITLISTED}), R.CONFIRMED,
               guards=(_organiser, _event_open, _seat_free), effect=_off_waitlist),
    Transition("check_in", gettext_lazy("check in"), frozenset({R.CONFIRMED}), R.ATTENDED,
               guards=(_organiser, _event_running), effect=_checked_in),
    Transition("cancel", gettext_lazy("cancel the registration"), frozenset({R.PENDING, R.WAITLISTED, R.CONFIRMED}),
               R.CANCELLED, effect=_off_waitlist),
], model="events.registration")
IRREVERSIBLE = {"cancel", "reject", "hold", "publish_results", "close_judging", "withdraw"}


# --- rounds and applications --------------------------------------------------------------------------
# Round: planned → judging (the panel is drawn, the previous round's results are published, it has
# applications) → judging closed (every panel expert scored every application) → results published.
# Application: in the competition → withdrawn (by the applicant, before its round is judged), not advanced
# or winner (the organiser announcing a published round's outcome: events.competitions.advance).


def _round_organiser(user, rnd, **kw):
    if check(user, "change", rnd.event):
        return ALLOWED
    return forbidden(_("Only the organiser of %(event)s takes this step.") % {"event": rnd.event})


def _panel_ready(user, rnd, **kw):
    from .competitions import entrants

    if not rnd.draw_id:
        return conflict(_("Draw the panel from the expert pool first."))
    earlier = rnd.event.rounds.filter(number__lt=rnd.number).exclude(status=RS.PUBLISHED).first()
    if earlier is not None:
        return conflict(_("The results of %(round)s are not published yet.") % {"round": earlier.name})
    if not entrants(rnd).exists():
        return conflict(_("No application is in this round."))
    from fuhua.registry.experts import conflict_of

    from .competitions import target_of

    target = target_of(rnd)  # applicants who came after the draw: the panel is checked again
    problems = [c.reason for c in (conflict_of(e, target) for e in rnd.draw.drawn.all()) if c]
    if problems:
        return conflict(_("Draw the panel again: %(problems)s") % {"problems": " ".join(problems)})
    return ALLOWED


def _sheets_complete(user, rnd, **kw):
    from .competitions import missing_scores

    missing = missing_scores(rnd)
    if missing:
        return conflict(_("%(count)d score sheets are still missing, e.g. %(first)s.") % {
            "count": len(missing), "first": missing[0]})
    return ALLOWED


ROUND_WORKFLOW = Workflow("status", [
    Transition("open_judging", gettext_lazy("open judging"), frozenset({RS.PLANNED}), RS.JUDGING,
               guards=(_round_organiser, _panel_ready)),
    Transition("close_judging", gettext_lazy("close judging"), frozenset({RS.JUDGING}), RS.CLOSED,
               guards=(_round_organiser, _sheets_complete)),
    Transition("publish_results", gettext_lazy("publish the results"), frozenset({RS.CLOSED}), RS.PUBLISHED,
               guards=(_round_organiser,)),
], model="events.round")


def _not_judged(user, application, **kw):
    rnd = application.round
    if rnd is not None and rnd.status != RS.PLANNED:
        return conflict(_("%(round)s is already being judged.") % {"round": rnd.name})
    return ALLOWED


def _app_organiser(user, application, **kw):
    if check(user, "change", application.event):
        return ALLOWED
    return forbidden(_("Only the organiser of %(event)s announces results.") % {"event": application.event})


def _placed(application, rank=None, **kw):
    application.rank = rank


APPLICATION_WORKFLOW = Workflow("status", [
    Transition("withdraw", gettext_lazy("withdraw the application"), frozenset({A.SUBMITTED}), A.WITHDRAWN,
               guards=(_not_judged,)),
    Transition("eliminate", gettext_lazy("mark as not advanced"), frozenset({A.SUBMITTED}), A.ELIMINATED,
               guards=(_app_organiser,), effect=_placed),
    Transition("award", gettext_lazy("award"), frozenset({A.SUBMITTED}), A.WINNER,
               guards=(_app_organiser,), effect=_placed),
], model="events.application")


def initial_state(registration, *, full: bool, waitlist_position: int | None) -> None:
    """The state a new registration starts in (its first state, not a step): on the waitlist when the event is
    full, waiting for approval when the organiser approves, otherwise confirmed."""
    if full:
        registration.status = R.WAITLISTED
        registration.waitlist_position = waitlist_position
    elif registration.event.approval_required:
        registration.status = R.PENDING
    else:
        registration.status = R.CONFIRMED


def as_recorded(obj, status: str) -> None:
    """Demo and imported data: a record created as it stands after its history (events held last year)."""
    obj.status = status
