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

    scope = Scope(region="region", operator="carrier__operator_id",
                  association=("association_id", "carrier__memberships__association_id"),
                  firm=("registrations__firm_id",
                        Via("carrier__incubations__firm_id", {"status__in": VISIBLE,
                                                              "carrier__incubations__status": "incubating"})))

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
