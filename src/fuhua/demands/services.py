"""Demands services: post and move demands, publish challenges, respond, pick one response (the others are
declined), expire what is past its deadline; the people concerned are told in the app (their inbox:
demands.inbox) and by e-mail through Django's mail framework (the console backend in the demo; SMTP when
FUHUA_EMAIL_HOST is set). Writes go through core.services (scope, references, validation) and the workflows."""

from __future__ import annotations

import contextlib
import datetime
import logging
from contextvars import ContextVar

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fuhua.accounts.models import RoleGrant
from fuhua.accounts.roles import Role
from fuhua.core import services as core
from fuhua.core.system import SYSTEM
from fuhua.marketplace.models import Provider
from fuhua.mentoring.models import PoolMentor
from fuhua.registry.models import ExpertProfile, InvestorProfile, MentorProfile

from . import matching
from .models import Challenge, ChallengeResponse, ChallengeStatus, Demand, DemandStatus, ResponseStatus
from .workflow import CHALLENGE_WORKFLOW, DEMAND_WORKFLOW, RESPONSE_WORKFLOW

log = logging.getLogger(__name__)
_mail = ContextVar("fuhua_demands_mail", default=True)
MATCH_NOTICES = 3  # the best candidates of each kind told about a newly published need


@contextlib.contextmanager
def no_mail():
    """No e-mail inside the block (the demo replays a year of history: nobody is to be mailed)."""
    token = _mail.set(False)
    try:
        yield
    finally:
        _mail.reset(token)


def _users(q: Q) -> list:
    grants = RoleGrant.objects.filter(q, user__is_active=True).select_related("user").order_by("user_id")
    return list({g.user_id: g.user for g in grants}.values())


def demand_people(demand: Demand) -> list:
    q = Q(role=Role.FIRM, firm_id=demand.firm_id) if demand.firm_id else Q(pk__in=[])
    if demand.carrier_id:
        q |= Q(role=Role.OPERATOR, organisation_id=demand.carrier.operator_id)
    return _users(q)


def challenge_people(challenge: Challenge) -> list:
    if challenge.firm_id:
        return _users(Q(role=Role.FIRM, firm_id=challenge.firm_id))
    return _users(Q(role=Role.BUREAU, region_id=challenge.region_id))


def responder_people(response: ChallengeResponse) -> list:
    if response.organisation_id:
        return _users(Q(role=Role.SERVICE_PROVIDER, organisation_id=response.organisation_id))
    user = response.expert.user
    return [user] if user is not None and user.is_active else []


def mail(users, subject: str, body: str, url: str = "") -> int:
    """Mail each user with an address (the in-app side is their inbox). Returns the mails sent."""
    recipients = sorted({u.email for u in users if getattr(u, "email", "")})
    if not recipients or not _mail.get():
        return 0
    text = f"{body}\n\n{url}" if url else body
    try:
        return send_mail(subject[:150], text, settings.DEFAULT_FROM_EMAIL, recipients, fail_silently=False)
    except Exception:  # the step is in the app; a mail server that is down must not undo it
        log.exception("demands: could not send mail to %s", recipients)
        return 0


def _later(users_of, subject, body, url=""):
    transaction.on_commit(lambda: mail(users_of(), subject, body, url))


# --- demands ------------------------------------------------------------------------------------------------


def post_demand(user, data: dict) -> Demand:
    """A draft demand; `publish` opens it to the network."""
    return core.create_object(user, Demand, data)


def matched_people(demand: Demand) -> list:
    """The accounts of the best few mentors, investors, experts and providers for a need."""
    found = matching.match_need(matching.Need.of(demand), ("mentor", "investor", "expert", "provider"),
                                top=MATCH_NOTICES)
    q = Q(pk__in=[])
    mentors = list(PoolMentor.objects.filter(pk__in=[m.pk for m in found["mentor"]]).values_list("profile_id",
                                                                                                 flat=True))
    if mentors:
        q |= Q(role=Role.MENTOR, mentor_id__in=mentors)
    if found["investor"]:
        q |= Q(role=Role.INVESTOR, investor_id__in=[m.pk for m in found["investor"]])
    orgs = list(Provider.objects.filter(pk__in=[m.pk for m in found["provider"]]).values_list("organisation_id",
                                                                                               flat=True))
    if orgs:
        q |= Q(role=Role.SERVICE_PROVIDER, organisation_id__in=orgs)
    users = {u.pk: u for u in _users(q)}
    for e in ExpertProfile.objects.filter(pk__in=[m.pk for m in found["expert"]], user__is_active=True).select_related(
            "user"):
        users[e.user_id] = e.user
    return list(users.values())


@transaction.atomic
def transition(user, demand: Demand, name: str, reason: str = "", **kwargs) -> Demand:
    DEMAND_WORKFLOW.apply(user, demand, name, reason=reason, **kwargs)
    url = reverse("demands:demand_detail", kwargs={"pk": demand.pk})
    if name == "publish":
        _later(lambda: matched_people(demand), _("A new need fits you: %(title)s") % {"title": demand.title},
               _("%(poster)s published a %(kind)s that fits your profile: %(title)s (deadline %(deadline)s).") % {
                   "poster": demand.poster, "kind": demand.get_kind_display(), "title": demand.title,
                   "deadline": demand.deadline}, url)
    elif name == "expire":
        _later(lambda: demand_people(demand), _("Your need has expired: %(title)s") % {"title": demand.title},
               _("The deadline %(deadline)s of %(title)s has passed; post it again if it is still open.") % {
                   "deadline": demand.deadline, "title": demand.title}, url)
    return demand


# --- challenges ---------------------------------------------------------------------------------------------


def create_challenge(user, data: dict) -> Challenge:
    return core.create_object(user, Challenge, data)


@transaction.atomic
def challenge_transition(user, challenge: Challenge, name: str, reason: str = "", **kwargs) -> Challenge:
    CHALLENGE_WORKFLOW.apply(user, challenge, name, reason=reason, **kwargs)
    return challenge


@transaction.atomic
def respond(user, data: dict) -> ChallengeResponse:
    """揭榜: refused after the deadline, or when the challenge is not open, naming the field `challenge`."""
    response = core.create_object(user, ChallengeResponse, data)
    challenge = response.challenge
    _later(lambda: challenge_people(challenge), _("New response to %(title)s") % {"title": challenge.title},
           _("%(responder)s responded to your challenge %(title)s.") % {
               "responder": response.responder, "title": challenge.title},
           reverse("demands:challenge_detail", kwargs={"pk": challenge.pk}))
    return response


@transaction.atomic
def pick(user, response: ChallengeResponse, on=None) -> ChallengeResponse:
    """The poster picks one response: it is picked, the other submitted responses are declined and the challenge
    is awarded, in one transaction; everyone who responded is told."""
    challenge = Challenge.objects.select_for_update().get(pk=response.challenge_id)
    response.challenge = challenge
    today = on or timezone.localdate()
    RESPONSE_WORKFLOW.apply(user, response, "pick", on=today)
    others = list(ChallengeResponse.objects.filter(challenge=challenge, status=ResponseStatus.SUBMITTED)
                  .exclude(pk=response.pk).select_related("challenge"))
    RESPONSE_WORKFLOW.apply_bulk(user, others, "decline", fields=("decided_on",), on=today)
    CHALLENGE_WORKFLOW.apply(user, challenge, "award", on=today)
    url = reverse("demands:challenge_detail", kwargs={"pk": challenge.pk})
    _later(lambda: responder_people(response), _("Your response was picked: %(title)s") % {"title": challenge.title},
           _("%(title)s: the poster picked your response. The reward is %(reward)s yuan.") % {
               "title": challenge.title, "reward": challenge.reward_fen // 100}, url)
    for other in others:
        _later(lambda other=other: responder_people(other),
               _("Another response was picked: %(title)s") % {"title": challenge.title},
               _("%(title)s: the poster picked another response; thank you for yours.") % {"title": challenge.title},
               url)
    return response


@transaction.atomic
def response_transition(user, response: ChallengeResponse, name: str, reason: str = "") -> ChallengeResponse:
    if name == "pick":
        return pick(user, response)
    RESPONSE_WORKFLOW.apply(user, response, name, reason=reason)
    return response


# --- deadlines (the daily task demands.expire) ----------------------------------------------------------------


def expire(today=None, user=SYSTEM) -> dict[str, int]:
    """Open demands past their deadline expire; open challenges past it without responses expire, and those with
    responses waiting remind their poster to pick. Returns the counts."""
    today = today or timezone.localdate()
    demands = list(Demand.objects.restrict(user, "change").filter(status=DemandStatus.OPEN, deadline__lt=today)
                   .select_related("firm", "team", "carrier"))
    for demand in demands:
        transition(user, demand, "expire", on=today)
    due = (Challenge.objects.restrict(user, "change").filter(status=ChallengeStatus.OPEN, deadline__lt=today)
           .select_related("firm", "region"))
    expired = reminded = 0
    for challenge in due:
        if challenge.responses.filter(status=ResponseStatus.SUBMITTED).exists():
            if challenge.deadline == today - datetime.timedelta(days=1):
                reminded += 1
                mail(challenge_people(challenge), _("Pick a response: %(title)s") % {"title": challenge.title},
                     _("Responses to %(title)s closed on %(deadline)s; pick one of them.") % {
                         "title": challenge.title, "deadline": challenge.deadline},
                     reverse("demands:challenge_detail", kwargs={"pk": challenge.pk}))
            continue
        challenge_transition(user, challenge, "expire", on=today)
        expired += 1
    return {"demands": len(demands), "challenges": expired, "reminded": reminded}


# --- the reverse direction ----------------------------------------------------------------------------------


def fits_for(user, limit: int = 10):
    """The open needs that fit the user's mentor or investor profile (best first, with reasons); None when the
    user holds neither role."""
    profiles = []
    for grant in RoleGrant.objects.filter(user_id=getattr(user, "pk", None), role__in=(Role.MENTOR, Role.INVESTOR)):
        if grant.mentor_id and (m := MentorProfile.objects.filter(pk=grant.mentor_id).first()):
            profiles.append(matching.profile_of_mentor(m))
        if grant.investor_id and (i := InvestorProfile.objects.filter(pk=grant.investor_id).first()):
            profiles.append(matching.profile_of_investor(i))
    if not profiles:
        return None
    best: dict[int, tuple] = {}
    for profile in profiles:
        for demand, score, reasons in matching.fitting_demands(user, profile, limit):
            if demand.pk not in best or best[demand.pk][1] < score:
                best[demand.pk] = (demand, score, reasons)
    return sorted(best.values(), key=lambda t: (-t[1], t[0].pk))[:limit]
