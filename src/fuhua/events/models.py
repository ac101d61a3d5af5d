"""Events (创新创业活动): roadshows, trainings, competitions, salons, bootcamps, policy briefings and open days,
organised by a carrier, an association or a bureau (a region), with co-organisers; registrations of firms,
start-up teams and individuals (waitlist when full, organiser approval where set), check-in and attendance,
the participants' feedback, and event series (monthly and other rules that create the occurrences).

Scoping: an event belongs to its region (a carrier's event to the carrier's region); operators see their
carriers' events, an association its own events and its member carriers', a firm the events it registered for
and the published events of the carriers it is incubated at.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from fuhua.core.models import FuhuaModel
from fuhua.core.scoping import Scope, Via
from fuhua.registry.choices import IndustryField

from . import sheets


class EventKind(models.TextChoices):
    ROADSHOW = "roadshow", _("roadshow")
    TRAINING = "training", _("training")
    COMPETITION = "competition", _("competition")
    SALON = "salon", _("salon")
    BOOTCAMP = "bootcamp", _("bootcamp")
    POLICY_BRIEFING = "policy_briefing", _("policy briefing")
    OPEN_DAY = "open_day", _("open day")


class EventStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    PUBLISHED = "published", _("published")
    CLOSED = "closed", _("closed for registration")
    HELD = "held", _("held")
    CANCELLED = "cancelled", _("cancelled")


VISIBLE = (EventStatus.PUBLISHED, EventStatus.CLOSED, EventStatus.HELD, EventStatus.CANCELLED)


class Frequency(models.TextChoices):
    WEEKLY = "weekly", _("weekly")
    BIWEEKLY = "biweekly", _("every two weeks")
    MONTHLY = "monthly", _("monthly")
    QUARTERLY = "quarterly", _("quarterly")


class Organised(FuhuaModel):
    """What an event and a series share: the organiser (exactly one of a carrier, an association or a bureau's
    region) and the region the event belongs to (a carrier's or association's own region when not given)."""

    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    carrier = models.ForeignKey("registry.Carrier", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+", verbose_name=_("organising carrier"))
    association = models.ForeignKey("registry.Organisation", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("organising association"),
                                    limit_choices_to={"kind": "association"})
    region = models.ForeignKey("registry.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("region"),
                               help_text=_("The bureau's region when a bureau organises; otherwise the organiser's."))
    place = models.CharField(_("place"), max_length=200, blank=True)
    online_url = models.URLField(_("online link"), blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True,
                                           validators=[MinValueValidator(1), MaxValueValidator(100000)],
                                           help_text=_("Empty: no limit."))
    waitlist = models.BooleanField(_("waitlist when full"), default=True)
    approval_required = models.BooleanField(_("organiser approval required"), default=False)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        given = [n for n in ("carrier", "association") if getattr(self, f"{n}_id")]
        if len(given) > 1:
            raise ValidationError({"association": _("An event has one organiser: a carrier, an association or a "
                                                    "bureau (its region); name others as co-organisers.")})
        if self.carrier_id and not self.region_id:
            self.region_id = self.carrier.region_id
        if self.association_id and not self.region_id:
            self.region_id = self.association.region_id
        if not given and not self.region_id:
            raise ValidationError({"region": _("Name the organiser: a carrier, an association, or the bureau's "
                                               "region.")})
        if not self.place.strip() and not self.online_url:
            raise ValidationError({"place": _("Give the place or the online link.")})


class EventSeries(Organised):
    """A recurring event (e.g. 月月青桐汇): its occurrences are created from the rule (first start, frequency,
    count)."""

    frequency = models.CharField(_("frequency"), max_length=12, choices=Frequency.choices,
                                 default=Frequency.MONTHLY)
    first_starts_at = models.DateTimeField(_("first occurrence starts"))
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), default=120,
                                                   validators=[MinValueValidator(15), MaxValueValidator(60 * 24 * 14)])
    occurrences = models.PositiveSmallIntegerField(_("number of occurrences"), default=12,
                                                   validators=[MinValueValidator(1), MaxValueValidator(104)])
    registration_days_before = models.PositiveSmallIntegerField(
        _("registration closes days before"), default=1, validators=[MaxValueValidator(90)])

    scope = Scope(region="region", operator="carrier__operator_id",
                  association=("association_id", "carrier__memberships__association_id"))

    class Meta:
        ordering = ["-first_starts_at", "-id"]
        verbose_name = _("event series")
        verbose_name_plural = _("event series")

    def __str__(self):
        return self.title


class Event(Organised):
    series = models.ForeignKey(EventSeries, null=True, blank=True, on_delete=models.PROTECT, related_name="events",
                               verbose_name=_("series"))
    co_organisers = models.ManyToManyField("registry.Organisation", blank=True, related_name="co_organised_events",
                                           verbose_name=_("co-organisers"))
    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    ends_at = models.DateTimeField(_("ends at"))
    registration_deadline = models.DateTimeField(_("registration deadline"), null=True, blank=True,
                                                 help_text=_("Empty: until the event starts."))
    status = models.CharField(_("status"), max_length=12, choices=EventStatus.choices, default=EventStatus.DRAFT,
                              editable=False, db_index=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True, editable=False)
    investors = models.ManyToManyField("registry.InvestorProfile", blank=True, related_name="invited_events",
                                       verbose_name=_("invited investors"),
                                       help_text=_("Investors invited to a roadshow: they see its projects and "
                                                   "record investment intents."))

    scope = Scope(region="region", operator="carrier__operator_id",
                  association=("association_id", "carrier__memberships__association_id"),
                  firm=("registrations__firm_id", "applications__firm_id",
                        Via("carrier__incubations__firm_id", {"status__in": VISIBLE,
                                                              "carrier__incubations__status": "incubating"})),
                  investor="investors", expert="rounds__draw__drawn__user")

    class Meta:
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["carrier", "starts_at"], name="event_carrier_start")]
        verbose_name = _("event")
        verbose_name_plural = _("events")

    def __str__(self):
        return self.title

    @property
    def organiser(self):
        return self.carrier or self.association or self.region

    @property
    def closes_at(self):
        return self.registration_deadline or self.starts_at

    def clean(self):
        super().clean()
        if self.starts_at and self.ends_at and self.ends_at < self.starts_at:
            raise ValidationError({"ends_at": _("The event cannot end before it starts.")})
        if self.registration_deadline and self.starts_at and self.registration_deadline > self.starts_at:
            raise ValidationError({"registration_deadline": _("Registration must close by the time the event "
                                                              "starts.")})


class RegistrationStatus(models.TextChoices):
    PENDING = "pending", _("waiting for approval")
    WAITLISTED = "waitlisted", _("on the waitlist")
    CONFIRMED = "confirmed", _("confirmed")
    ATTENDED = "attended", _("attended")
    REJECTED = "rejected", _("rejected")
    CANCELLED = "cancelled", _("cancelled")


HOLDS_SEAT = (RegistrationStatus.CONFIRMED, RegistrationStatus.ATTENDED)


class Registration(FuhuaModel):
    """A place at an event for a firm, a start-up team or an individual (name and contact)."""

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="registrations", verbose_name=_("event"))
    firm = models.ForeignKey("registry.Firm", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="event_registrations", verbose_name=_("firm"))
    team = models.ForeignKey("registry.StartupTeam", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="event_registrations", verbose_name=_("start-up team"))
    person = models.CharField(_("participant"), max_length=100,
                              help_text=_("Who attends (for an individual, their name)."))
    contact = models.CharField(_("contact"), max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=RegistrationStatus.choices,
                              default=RegistrationStatus.CONFIRMED, editable=False, db_index=True)
    waitlist_position = models.PositiveIntegerField(_("waitlist position"), null=True, blank=True, editable=False)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True, editable=False)
    decision_reason = models.TextField(_("reason"), blank=True, editable=False)

    scope = Scope(region="event__region", operator="event__carrier__operator_id",
                  association=("event__association_id", "event__carrier__memberships__association_id"),
                  firm="firm_id")

    class Meta:
        ordering = ["event_id", "waitlist_position", "id"]
        verbose_name = _("event registration")
        verbose_name_plural = _("event registrations")

    label_related = ("event", "firm", "team")  # what __str__ reads (core.forms: selects of these)

    def __str__(self):
        return f"{self.event} · {self.participant}"

    @property
    def participant(self):
        return self.firm or self.team or self.person

    def clean(self):
        super().clean()
        if self.firm_id and self.team_id:
            raise ValidationError({"team": _("Register a firm or a start-up team, not both.")})
        if not self.person.strip():
            raise ValidationError({"person": _("Name who attends.")})


class EventFeedback(FuhuaModel):
    """A participant's view of an event after it was held: 1–5 and a comment (one per registration)."""

    registration = models.OneToOneField(Registration, on_delete=models.CASCADE, related_name="feedback",
                                        verbose_name=_("registration"))
    score = models.PositiveSmallIntegerField(_("score (1–5)"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.TextField(_("comment"), blank=True)

    scope = Scope(region="registration__event__region", operator="registration__event__carrier__operator_id",
                  association=("registration__event__association_id",
                               "registration__event__carrier__memberships__association_id"),
                  firm="registration__firm_id")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("event feedback")
        verbose_name_plural = _("event feedback")

    def __str__(self):
        return f"{self.registration} · {self.score}"

    def clean(self):
        super().clean()
        if not self.registration_id:
            return
        registration = self.registration
        if registration.status != RegistrationStatus.ATTENDED:
            raise ValidationError({"registration": _("Only a participant who attended gives feedback.")})
        if Event.objects.filter(pk=registration.event_id).values_list("status", flat=True).first() != EventStatus.HELD:
            raise ValidationError({"registration": _("Feedback opens once the event has been held.")})


# --- competitions and roadshows: rounds, applications, judging, intents ---------------------------------

JUDGED_KINDS = (EventKind.ROADSHOW, EventKind.COMPETITION)
MAX_DECK_BYTES = 20 * 1024 * 1024
DECK_EXTENSIONS = ("pdf", "ppt", "pptx")
_DECK_MAGIC = {"pdf": (b"%PDF",), "pptx": (b"PK\x03\x04",), "ppt": (b"\xd0\xcf\x11\xe0",)}


def validate_pitch_deck(file) -> None:
    """A pitch deck: PDF or PowerPoint (checked by extension and by the file's first bytes), at most 20 MB
    (views check the size first: core.uploads)."""
    extension = file.name.rsplit(".", 1)[-1].lower() if "." in file.name else ""
    if extension not in DECK_EXTENSIONS:
        raise ValidationError(_("Upload the pitch deck as a %(kinds)s file.") % {"kinds": ", ".join(DECK_EXTENSIONS)})
    if file.size > MAX_DECK_BYTES:
        raise ValidationError(_("A pitch deck may be at most 20 MB."))
    if hasattr(file, "open") and not getattr(file, "_committed", False):
        file.seek(0)
        head = file.read(8)
        file.seek(0)
        if not head.startswith(_DECK_MAGIC[extension]):
            raise ValidationError(_("This file is not a %(kind)s document, whatever its name says.") % {
                "kind": extension.upper()})


class RoundStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    JUDGING = "judging", _("judging")
    CLOSED = "closed", _("judging closed")
    PUBLISHED = "published", _("results published")


_EVENT_SCOPE = dict(region="event__region", operator="event__carrier__operator_id",
                    association=("event__association_id", "event__carrier__memberships__association_id"))


class Round(FuhuaModel):
    """A round of a competition or roadshow (初赛, 复赛, 决赛): its dates, the score sheet it copied, the panel
    drawn from the expert pool (registry.experts, recorded as an ExpertDraw) and how many advance (in the
    last round: how many win)."""

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="rounds", verbose_name=_("event"))
    number = models.PositiveSmallIntegerField(_("round number"), validators=[MinValueValidator(1),
                                                                             MaxValueValidator(9)])
    name = models.CharField(_("name"), max_length=60, help_text=_("e.g. 初赛, 复赛, 决赛"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    sheet = models.CharField(_("score sheet"), max_length=40, choices=sheets.choices, default="competition")
    criteria = models.JSONField(_("criteria"), default=list, editable=False,
                                help_text=_("The score sheet's criteria as they stood when the round was set up."))
    panel_size = models.PositiveSmallIntegerField(_("panel size"), default=3,
                                                  validators=[MinValueValidator(1), MaxValueValidator(50)])
    advancing = models.PositiveSmallIntegerField(
        _("places"), default=3, validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text=_("How many advance to the next round; in the last round, how many win."))
    draw = models.ForeignKey("registry.ExpertDraw", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+", editable=False, verbose_name=_("panel draw"))
    status = models.CharField(_("status"), max_length=12, choices=RoundStatus.choices, default=RoundStatus.PLANNED,
                              editable=False, db_index=True)

    scope = Scope(**_EVENT_SCOPE,
                  firm=("event__applications__firm_id",
                        Via("event__carrier__incubations__firm_id", {"event__status__in": VISIBLE,
                                                                     "event__carrier__incubations__status":
                                                                         "incubating"})),
                  investor="event__investors", expert="draw__drawn__user")

    class Meta:
        ordering = ["event_id", "number"]
        constraints = [models.UniqueConstraint(fields=["event", "number"], name="round_event_number")]
        verbose_name = _("competition round")
        verbose_name_plural = _("competition rounds")

    def __str__(self):
        return f"{self.event} · {self.name}"

    def criteria_list(self) -> list[sheets.Criterion]:
        return sheets.criteria_of(self.criteria or sheets.snapshot(self.sheet))

    def clean(self):
        super().clean()
        if self.event_id and self.event.kind not in JUDGED_KINDS:
            raise ValidationError({"event": _("Rounds belong to a roadshow or a competition, not to a %(kind)s.") % {
                "kind": self.event.get_kind_display()}})
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The round cannot end before it starts.")})
        if self.sheet and self.sheet not in sheets.sheets():
            raise ValidationError({"sheet": _("Choose a score sheet from the list.")})
        if not self.criteria and self.sheet in sheets.sheets():
            self.criteria = sheets.snapshot(self.sheet)
        if self.pk and self.status != RoundStatus.PLANNED:  # what judging depends on stays as judged
            fixed = ("event_id", "number", "sheet", "panel_size", "advancing")
            before = type(self)._base_manager.filter(pk=self.pk).values(*fixed).first() or {}
            changed = [f for f in fixed if f in before and before[f] != getattr(self, f)]
            if changed:
                name = changed[0].removesuffix("_id")
                raise ValidationError({name: _("%(round)s is %(status)s: its %(field)s no longer changes.") % {
                    "round": self.name, "status": self.get_status_display(),
                    "field": self._meta.get_field(name).verbose_name}})


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("in the competition")
    WITHDRAWN = "withdrawn", _("withdrawn")
    ELIMINATED = "eliminated", _("not advanced")
    WINNER = "winner", _("winner")


class Application(FuhuaModel):
    """A firm's or start-up team's entry to a competition or roadshow, with its pitch deck; `round` is the
    furthest round it reached (advancement moves it on)."""

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="applications", verbose_name=_("event"))
    firm = models.ForeignKey("registry.Firm", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="competition_applications", verbose_name=_("firm"))
    team = models.ForeignKey("registry.StartupTeam", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="competition_applications", verbose_name=_("start-up team"))
    project = models.CharField(_("project"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    industry_field = models.CharField(_("industry field"), max_length=40, choices=IndustryField.choices, blank=True)
    pitch_deck = models.FileField(_("pitch deck"), upload_to="events/pitch_decks/%Y/",
                                  validators=[validate_pitch_deck])
    round = models.ForeignKey(Round, null=True, blank=True, on_delete=models.PROTECT, related_name="applications",
                              editable=False, verbose_name=_("round reached"))
    rank = models.PositiveIntegerField(_("final place"), null=True, blank=True, editable=False)
    status = models.CharField(_("status"), max_length=12, choices=ApplicationStatus.choices,
                              default=ApplicationStatus.SUBMITTED, editable=False, db_index=True)

    scope = Scope(**_EVENT_SCOPE, firm="firm_id", investor="event__investors",
                  expert="event__rounds__draw__drawn__user")

    class Meta:
        ordering = ["event_id", "id"]
        verbose_name = _("competition application")
        verbose_name_plural = _("competition applications")

    label_related = ("firm", "team")  # what __str__ reads (core.forms: selects of these)

    def __str__(self):
        return f"{self.project}（{self.applicant}）"

    @property
    def applicant(self):
        return self.firm or self.team

    def clean(self):
        super().clean()
        if self.firm_id and self.team_id:
            raise ValidationError({"team": _("Apply as a firm or as a start-up team, not both.")})
        if not self.firm_id and not self.team_id:
            raise ValidationError({"firm": _("Name the firm or the start-up team that applies.")})
        if self.event_id and self.event.kind not in JUDGED_KINDS:
            raise ValidationError({"event": _("%(event)s is not a roadshow or a competition.") % {
                "event": self.event}})
        if not (self.project or "").strip():
            raise ValidationError({"project": _("Name the project.")})


class Score(FuhuaModel):
    """One panel expert's score sheet for one application in one round: a score per criterion within the
    sheet's range, and the weighted total (0–100, in thousandths)."""

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="scores", verbose_name=_("round"))
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="scores",
                                    verbose_name=_("application"))
    expert = models.ForeignKey("registry.ExpertProfile", on_delete=models.PROTECT, related_name="competition_scores",
                               verbose_name=_("expert"))
    values = models.JSONField(_("scores"), default=dict)
    total_milli = models.PositiveIntegerField(_("weighted total (thousandths)"), default=0, editable=False)
    comment = models.TextField(_("comment"), blank=True)

    scope = Scope(region="round__event__region", operator="round__event__carrier__operator_id",
                  association=("round__event__association_id", "round__event__carrier__memberships__association_id"),
                  expert="expert__user")

    class Meta:
        ordering = ["round_id", "application_id", "expert_id"]
        constraints = [models.UniqueConstraint(fields=["round", "application", "expert"],
                                               name="score_round_application_expert")]
        verbose_name = _("score sheet")
        verbose_name_plural = _("score sheets")

    def __str__(self):
        return f"{self.application} · {self.expert}"

    @property
    def total(self) -> float:
        return self.total_milli / 1000

    def clean(self):
        super().clean()
        if not self.round_id:
            return
        errors = {}
        values = self.values if isinstance(self.values, dict) else {}
        total = 0.0
        for c in self.round.criteria_list():
            raw = values.get(c.code)
            try:
                number = float(raw)
            except (TypeError, ValueError):
                errors[c.code] = _("%(criterion)s: give a score from %(min)s to %(max)s.") % {
                    "criterion": c.label, "min": c.min, "max": c.max}
                continue
            if not c.min <= number <= c.max or number != number:
                errors[c.code] = _("%(criterion)s: %(value)s is outside the sheet's range %(min)s–%(max)s.") % {
                    "criterion": c.label, "value": raw, "min": c.min, "max": c.max}
                continue
            total += c.weight * (number - c.min) / (c.max - c.min)
        unknown = sorted(set(values) - {c.code for c in self.round.criteria_list()})
        if unknown:
            errors["values"] = _("Not criteria of this sheet: %(codes)s.") % {"codes": ", ".join(unknown)}
        if errors:
            raise ValidationError(errors)
        self.total_milli = round(total * 1000)


class InvestmentIntent(FuhuaModel):
    """An investor's intent to invest in a project seen at a roadshow (amount and notes). Recorded here; the
    deal-flow app follows it up as a deal (its record is `followup`)."""

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="intents", verbose_name=_("event"))
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="intents",
                                    verbose_name=_("application"))
    investor = models.ForeignKey("registry.InvestorProfile", on_delete=models.PROTECT, related_name="event_intents",
                                 verbose_name=_("investor"))
    amount_fen = models.BigIntegerField(_("intended amount (fen)"), null=True, blank=True,
                                        validators=[MinValueValidator(1)])
    note = models.TextField(_("notes"), blank=True)
    followup_type = models.ForeignKey("contenttypes.ContentType", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+", editable=False, verbose_name=_("followed up as"))
    followup_id = models.PositiveBigIntegerField(_("follow-up record"), null=True, blank=True, editable=False)

    scope = Scope(**_EVENT_SCOPE, investor="investor_id", firm="application__firm_id")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("investment intent")
        verbose_name_plural = _("investment intents")

    def __str__(self):
        return f"{self.investor} → {self.application}"

    @property
    def followup(self):
        if not self.followup_type_id or not self.followup_id:
            return None
        return self.followup_type.get_object_for_this_type(pk=self.followup_id)

    def clean(self):
        super().clean()
        if self.application_id and self.event_id and self.application.event_id != self.event_id:
            raise ValidationError({"application": _("This project did not apply to %(event)s.") % {
                "event": self.event}})
        if self.event_id and self.event.kind != EventKind.ROADSHOW:
            raise ValidationError({"event": _("Investment intents are recorded at a roadshow.")})
