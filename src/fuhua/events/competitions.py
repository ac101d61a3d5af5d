"""Competitions and roadshows (以赛代评): rounds, applications with a pitch deck, a judging panel per round drawn
from the expert pool, score sheets, ranking, advancement and winners, and investment intents.

- **Applications** are taken while the event is published and before its registration deadline (the event's
  `closes_at`); they enter the first round.
- **Panel**: drawn through `registry.experts.draw` (purpose competition) from the pool of the event's region
  (the city's experts and those shared with it), leaving out every expert with a conflict of interest with
  the organiser or any applicant of the round: their own organisation (the organising carrier's operator, the
  association, an applicant's carrier's operator), a declared relation with one of those organisations or
  carriers, or an applicant's carrier. Experts need an account to score. The seed is recorded with the draw
  (ExpertDraw), so the panel can be reproduced.
- **Scores**: each panel expert fills the round's score sheet (criteria, weights and ranges copied from
  sheets/score_sheets.toml) for each application in the round, while the round is being judged.
- **Ranking**: the mean of the panel's weighted totals (0–100). Ties: the higher mean on the heaviest
  criterion, then the next heaviest, and so on; still equal, the earlier application.
- **Advancement**: once a round's results are published, the organiser announces its outcome: the first
  `advancing` go on to the next round (in the last round: they win, with their place), the others did not
  advance. Without published results nothing advances.
- **Investment intents** at a roadshow: an invited investor records an intent for a project; the deal-flow
  app follows it up as a deal (it listens for new intents; events does not know about it).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from fuhua.accounts.roles import Role
from fuhua.core import services as core
from fuhua.core.context import acting_for
from fuhua.core.exceptions import Conflict
from fuhua.core.permissions import policy
from fuhua.core.scoping import check
from fuhua.core.system import SYSTEM
from fuhua.registry import experts
from fuhua.registry.models import DrawPurpose, ExpertProfile, InvestorProfile

from .models import (
    JUDGED_KINDS,
    Application,
    ApplicationStatus,
    Event,
    EventKind,
    InvestmentIntent,
    Round,
    RoundStatus,
    Score,
)
from .workflow import APPLICATION_WORKFLOW, ROUND_WORKFLOW

A = ApplicationStatus


def _require(user, action: str, obj) -> None:
    decision = check(user, action, obj)
    if not decision:
        raise PermissionDenied(decision.reason)


def _organiser(user, event: Event) -> None:
    if not check(user, "change", event):
        raise PermissionDenied(_("Only the organiser of %(event)s takes this step.") % {"event": event})


# --- rounds and applications ---------------------------------------------------------------------


@transaction.atomic
def add_round(user, data: dict) -> Round:
    return core.create_object(user, Round, data)


def first_round(event: Event) -> Round | None:
    return event.rounds.order_by("number").first()


def last_round(event: Event) -> Round | None:
    return event.rounds.order_by("-number").first()


def entrants(rnd: Round):
    """The applications judged in this round: those that reached it (or went further), not withdrawn."""
    return Application.objects.filter(event_id=rnd.event_id, round__number__gte=rnd.number).exclude(
        status=A.WITHDRAWN)


@transaction.atomic
def apply(user, data: dict, *, now: datetime.datetime | None = None) -> Application:
    """A firm's or team's application to a published roadshow or competition before its deadline; it enters
    the first round. Refused naming `event` (not open, past the deadline, no rounds) or the applicant (already
    applied)."""
    now = now or timezone.now()
    event = data.get("event")
    if isinstance(event, int):
        event = Event.objects.filter(pk=event).first()
    allowed = core.referable(user, Application, "event") if event is not None else None
    if event is not None and allowed is not None and not allowed.filter(pk=event.pk).exists():
        event = None  # refused below by core.create_object like an id that does not exist
    if event is not None:
        event = Event.objects.select_for_update().get(pk=event.pk)
        data = {**data, "event": event}
        if event.kind not in JUDGED_KINDS:
            raise ValidationError({"event": _("%(event)s is not a roadshow or a competition.") % {"event": event}})
        if event.status != "published":
            raise ValidationError({"event": _("Applications for %(event)s are not open (the event is %(status)s).")
                                   % {"event": event, "status": event.get_status_display()}})
        if now > event.closes_at:
            raise ValidationError({"event": _("Applications for %(event)s closed at %(deadline)s.") % {
                "event": event, "deadline": timezone.localtime(event.closes_at).strftime("%Y-%m-%d %H:%M")}})
        first = first_round(event)
        if first is None:
            raise ValidationError({"event": _("%(event)s has no rounds set up yet.") % {"event": event}})
        if first.status != RoundStatus.PLANNED:  # the panel was checked against the applicants it judges
            raise ValidationError({"event": _("Judging of %(round)s has begun: applications are closed.") % {
                "round": first.name}})
    application = core.create_object(user, Application, data)
    event = application.event
    same = event.applications.exclude(pk=application.pk).exclude(status=A.WITHDRAWN)
    for name in ("firm", "team"):
        who = getattr(application, name)
        if who is not None and same.filter(**{name: who}).exists():
            raise ValidationError({name: _("%(who)s has already applied to this event.") % {"who": who}})
    application.round = first_round(event)
    with acting_for(user):
        application.save(update_fields=["round", "updated_at"])
    return application


def withdraw(user, application: Application) -> Application:
    return APPLICATION_WORKFLOW.apply(user, application, "withdraw")


# --- the panel -----------------------------------------------------------------------------------


def pool_for(event: Event):
    """The experts an event in this region draws from: the city's (or the event region's) own experts and
    those the province shares with it."""
    region = event.region
    top = region
    while top.parent_id and top.level not in ("prefecture", "province"):
        top = top.parent
    shared = [top.pk]
    parent = top.parent
    while parent is not None:
        shared.append(parent.pk)
        parent = parent.parent
    return ExpertProfile.objects.filter(top.subtree_q("region") | Q(shared_with__in=shared)).distinct()


def target_of(rnd: Round) -> experts.PanelTarget:
    """What the round's panel judges, for conflicts: the organiser and every applicant in the round (their
    carriers and those carriers' operators)."""
    from fuhua.registry.models import Carrier

    event = rnd.event
    orgs, carriers = set(), set()
    if event.carrier_id:
        orgs.add(event.carrier.operator_id)
        carriers.add(event.carrier_id)
    if event.association_id:
        orgs.add(event.association_id)
    orgs.update(event.co_organisers.values_list("pk", flat=True))
    applications = entrants(rnd)
    firm_ids = [f for f in applications.values_list("firm_id", flat=True) if f]
    team_ids = [t for t in applications.values_list("team_id", flat=True) if t]
    tenancies = Carrier.objects.filter(Q(incubations__firm_id__in=firm_ids) | Q(incubations__team_id__in=team_ids),
                                       incubations__status__in=("admitted", "incubating"))
    for carrier_id, operator_id in tenancies.values_list("pk", "operator_id"):
        carriers.add(carrier_id)
        orgs.add(operator_id)
    return experts.PanelTarget(f"{event} · {rnd.name}"[:200], event.region, frozenset(orgs), frozenset(carriers),
                               rnd)


@transaction.atomic
def draw_panel(user, rnd: Round, *, seed: int | None = None):
    """Draw the round's panel (see the module's docstring) and record it; a new draw replaces the panel while
    the round is planned."""
    given, rnd = rnd, Round.objects.select_for_update().get(pk=rnd.pk)
    _organiser(user, rnd.event)
    if rnd.status != RoundStatus.PLANNED:
        raise Conflict(_("The panel is drawn before judging opens; %(round)s is %(status)s.") % {
            "round": rnd.name, "status": rnd.get_status_display()})
    if not entrants(rnd).exists():
        raise ValidationError({"round": _("No application is in %(round)s yet: draw the panel once the "
                                          "applicants are known (conflicts of interest depend on them).") % {
            "round": rnd.name}})
    with acting_for(user):
        record = experts.draw(SYSTEM, DrawPurpose.COMPETITION, target_of(rnd), rnd.panel_size, seed=seed,
                              need_account=True, pool=pool_for(rnd.event), drawn_by=user)
        rnd.draw = record
        rnd.save(update_fields=["draw", "updated_at"])
    given.draw = record
    return record


def panel(rnd: Round) -> list[ExpertProfile]:
    return list(rnd.draw.drawn.order_by("name")) if rnd.draw_id else []


def transition(user, rnd: Round, name: str, reason: str = "") -> Round:
    return ROUND_WORKFLOW.apply(user, rnd, name, reason=reason)


# --- scoring -------------------------------------------------------------------------------------


def profile_of(user) -> ExpertProfile | None:
    return ExpertProfile.objects.filter(user_id=getattr(user, "pk", None)).first() if getattr(user, "pk",
                                                                                                None) else None


def missing_scores(rnd: Round) -> list[str]:
    """"expert · application" for every score sheet the round still lacks."""
    if not rnd.draw_id:
        return []
    have = set(Score.objects.filter(round=rnd).values_list("expert_id", "application_id"))
    return [f"{e} · {a}" for e in panel(rnd) for a in entrants(rnd).select_related("firm", "team")
            if (e.pk, a.pk) not in have]


@transaction.atomic
def score(user, rnd: Round, application: Application, values: dict, comment: str = "") -> Score:
    """A panel expert's score sheet for an application of the round (replacing their earlier one while the
    round is judged)."""
    rnd = Round.objects.select_for_update().get(pk=rnd.pk)
    _require(user, "add", Score)
    expert = profile_of(user)
    if expert is None or not rnd.draw_id or not rnd.draw.drawn.filter(pk=expert.pk).exists():
        raise PermissionDenied(_("You are not on the panel of %(round)s; only its experts score it.") % {
            "round": rnd})
    if rnd.status != RoundStatus.JUDGING:
        raise Conflict(_("Score sheets are filled while the round is being judged; %(round)s is %(status)s.") % {
            "round": rnd.name, "status": rnd.get_status_display()})
    if not entrants(rnd).filter(pk=application.pk).exists():
        raise ValidationError({"application": _("%(application)s is not in %(round)s.") % {
            "application": application, "round": rnd}})
    values = {k: v for k, v in (values or {}).items()}
    existing = Score.objects.filter(round=rnd, application=application, expert=expert).first()
    data = {"values": values, "comment": (comment or "").strip()}
    if existing is not None:
        return core.update_object(user, existing, data)
    return core.create_object(user, Score, {"round": rnd, "application": application, "expert": expert, **data})


# --- ranking and advancement ---------------------------------------------------------------------


@dataclass
class Standing:
    application: Application
    mean_milli: int | None
    criteria: dict[str, float] = field(default_factory=dict)  # code → mean score
    sheets: int = 0
    rank: int | None = None

    @property
    def mean(self) -> float | None:
        return None if self.mean_milli is None else self.mean_milli / 1000


TIE_RULE = ("Equal weighted means are ordered by the mean score of the heaviest criterion, then the next "
            "heaviest, and so on; still equal, the earlier application comes first.")


def ranking(rnd: Round) -> list[Standing]:
    """The round's applications by the panel's mean weighted total, ties broken by TIE_RULE; unscored ones
    last, without a place."""
    criteria = sorted(rnd.criteria_list(), key=lambda c: -c.weight)
    scores: dict[int, list[Score]] = {}
    for s in Score.objects.filter(round=rnd):
        scores.setdefault(s.application_id, []).append(s)
    out = []
    for application in entrants(rnd).select_related("firm", "team", "round"):
        mine = scores.get(application.pk, [])
        if not mine:
            out.append(Standing(application, None))
            continue
        means = {c.code: sum(float(s.values.get(c.code, 0)) for s in mine) / len(mine) for c in criteria}
        out.append(Standing(application, round(sum(s.total_milli for s in mine) / len(mine)), means, len(mine)))

    def key(st: Standing):
        if st.mean_milli is None:
            return (1, 0, (), st.application.created_at, st.application.pk)
        return (0, -st.mean_milli, tuple(-st.criteria[c.code] for c in criteria), st.application.created_at,
                st.application.pk)

    out.sort(key=key)
    for n, st in enumerate(out, start=1):
        st.rank = n if st.mean_milli is not None else None
    return out


def next_round(rnd: Round) -> Round | None:
    return rnd.event.rounds.filter(number__gt=rnd.number).order_by("number").first()


def announced(rnd: Round) -> bool:
    """The round's outcome was announced: no application is left in it undecided."""
    return rnd.status == RoundStatus.PUBLISHED and not Application.objects.filter(
        round=rnd, status=A.SUBMITTED).exists()


@transaction.atomic
def advance(user, rnd: Round) -> tuple[list[Application], list[Application]]:
    """Announce a published round's outcome: the first `advancing` go on to the next round (in the last
    round: they win, with their place); the others did not advance. Returns (advanced or winners, others)."""
    rnd = Round.objects.select_for_update().get(pk=rnd.pk)
    _organiser(user, rnd.event)
    if rnd.status != RoundStatus.PUBLISHED:
        raise ValidationError({"round": _("%(round)s has no published results yet (it is %(status)s): "
                                          "applications advance on the published ranking.") % {
            "round": rnd.name, "status": rnd.get_status_display()}})
    if announced(rnd):
        raise Conflict(_("The outcome of %(round)s was already announced.") % {"round": rnd.name})
    after = next_round(rnd)
    if after is not None and after.status != RoundStatus.PLANNED:
        raise Conflict(_("%(round)s has already started.") % {"round": after.name})
    standings = [st for st in ranking(rnd) if st.application.round_id == rnd.pk
                 and st.application.status == A.SUBMITTED]
    ahead, behind = [], []
    for st in standings:
        (ahead if st.rank is not None and len(ahead) < rnd.advancing else behind).append(st)
    for st in ahead:
        application = st.application
        if after is None:
            APPLICATION_WORKFLOW.apply(user, application, "award", rank=st.rank)
        else:
            application.round = after
            with acting_for(user):
                application.save(update_fields=["round", "updated_at"])
    for st in behind:
        APPLICATION_WORKFLOW.apply(user, st.application, "eliminate", rank=st.rank)
    return [st.application for st in ahead], [st.application for st in behind]


def winners(event: Event):
    return event.applications.filter(status=A.WINNER).order_by("rank", "id")


# --- investment intents --------------------------------------------------------------------------


def investor_of(user) -> InvestorProfile | None:
    grants = [g for g in policy().grants_of(user) if g.role == Role.INVESTOR and g.investor_id] \
        if getattr(user, "pk", None) else []
    return InvestorProfile.objects.filter(pk=grants[0].investor_id).first() if grants else None


@transaction.atomic
def record_intent(user, data: dict) -> InvestmentIntent:
    """An investor's intent for a project of a roadshow (the investor is the user's own profile; an organiser
    names the investor). The event must be published, closed or held."""
    data = dict(data)
    own = investor_of(user)
    if own is not None and not data.get("investor"):
        data["investor"] = own  # an investor records their own intent; naming another is checked (and refused)
    application = data.get("application")
    if isinstance(application, int):  # by id (the API): looked up in the user's scope, else refused as unknown
        application = Application.objects.restrict(user).filter(pk=application).first() or application
        data["application"] = application
    if isinstance(application, Application) and not data.get("event"):
        data["event"] = application.event
    event = data.get("event")
    if isinstance(event, Event):
        if event.kind != EventKind.ROADSHOW:
            raise ValidationError({"event": _("Investment intents are recorded at a roadshow.")})
        if event.status not in ("published", "closed", "held"):
            raise ValidationError({"event": _("%(event)s is %(status)s.") % {
                "event": event, "status": event.get_status_display()}})
    if isinstance(application, Application) and application.status == A.WITHDRAWN:
        raise ValidationError({"application": _("This application was withdrawn.")})
    if not data.get("investor"):
        raise ValidationError({"investor": _("Name the investor.")})
    return core.create_object(user, InvestmentIntent, data)
