"""The mentor pool (创业导师库) and pairings (结对辅导): pool entries of registry mentors, pairings of a mentor with
a firm or a start-up team with goals and dates, service logs and the firm's feedback.

Pool sharing under scoping: an entry is in the pool of the bureaus of its mentor's region (and the regions
above it, whose subtree contains it) and of every region listed in `shared_with`. A province pool is province
mentors (region 江苏省) shared with the cities that draw on them; a city bureau never sees a province mentor
that was not shared with it. Operators see the mentors of their carriers; a mentor their own entry.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from fuhua.core.models import FuhuaModel
from fuhua.core.scoping import Scope


class PoolMentor(FuhuaModel):
    profile = models.OneToOneField("registry.MentorProfile", on_delete=models.PROTECT, related_name="pool_entry",
                                   verbose_name=_("mentor"))
    specialities = models.CharField(_("specialities"), max_length=200, blank=True,
                                    help_text=_("What the mentor helps with, e.g. financing, market entry, IP."))
    shared_with = models.ManyToManyField(
        "registry.Region", blank=True, related_name="shared_mentors", verbose_name=_("shared with regions"),
        help_text=_("Regions whose bureaus and carriers may draw on this mentor besides the mentor's own region."))
    capacity = models.PositiveSmallIntegerField(_("pairings at most at a time"), default=5,
                                                validators=[MinValueValidator(1), MaxValueValidator(50)])
    active = models.BooleanField(_("active"), default=True)

    scope = Scope(region=("profile__region", "shared_with"), operator="profile__carriers__operator_id",
                  mentor="profile_id", firm="pairings__firm_id")

    class Meta:
        ordering = ["profile__name"]
        verbose_name = _("pool mentor")
        verbose_name_plural = _("mentor pool")

    label_related = ("profile",)  # what __str__ reads (core.forms: selects of these)

    def __str__(self):
        return str(self.profile)


class PairingStatus(models.TextChoices):
    PROPOSED = "proposed", _("proposed")
    ACTIVE = "active", _("active")
    COMPLETED = "completed", _("completed")
    ENDED = "ended", _("ended early")


class Pairing(FuhuaModel):
    """结对辅导: one mentor with one firm or start-up team, at a carrier (optional), with goals and dates."""

    mentor = models.ForeignKey(PoolMentor, on_delete=models.PROTECT, related_name="pairings", verbose_name=_("mentor"))
    firm = models.ForeignKey("registry.Firm", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="mentor_pairings", verbose_name=_("firm"))
    team = models.ForeignKey("registry.StartupTeam", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="mentor_pairings", verbose_name=_("start-up team"))
    carrier = models.ForeignKey("registry.Carrier", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="mentor_pairings", verbose_name=_("carrier"))
    goals = models.TextField(_("goals"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    status = models.CharField(_("status"), max_length=12, choices=PairingStatus.choices,
                              default=PairingStatus.PROPOSED, editable=False, db_index=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True, editable=False)
    end_reason = models.TextField(_("reason for ending early"), blank=True, editable=False)

    scope = Scope(region=("carrier__region", "firm__region", "team__region"), operator="carrier__operator_id",
                  firm="firm_id", mentor="mentor__profile_id")

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("pairing")
        verbose_name_plural = _("pairings")

    label_related = ("mentor__profile", "firm", "team")  # what __str__ reads (core.forms: selects of these)

    def __str__(self):
        return f"{self.mentor} · {self.mentee}"

    @property
    def mentee(self):
        return self.firm or self.team

    def clean(self):
        super().clean()
        if (self.firm_id is None) == (self.team_id is None):
            raise ValidationError({"firm": _("Pair the mentor with either a firm or a start-up team.")})
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The pairing cannot end before it starts.")})
        if self.carrier_id and self.mentor_id and not self.mentor.profile.carriers.filter(pk=self.carrier_id).exists():
            raise ValidationError({"mentor": _("%(mentor)s does not serve %(carrier)s.") % {
                "mentor": self.mentor, "carrier": self.carrier}})


class ServiceLog(FuhuaModel):
    """A mentoring session: only within a pairing of this mentor with this firm or team (active or completed)."""

    mentor = models.ForeignKey(PoolMentor, on_delete=models.PROTECT, related_name="logs", verbose_name=_("mentor"))
    firm = models.ForeignKey("registry.Firm", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="mentor_logs", verbose_name=_("firm"))
    team = models.ForeignKey("registry.StartupTeam", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="mentor_logs", verbose_name=_("start-up team"))
    pairing = models.ForeignKey(Pairing, on_delete=models.CASCADE, related_name="logs", editable=False,
                                verbose_name=_("pairing"))
    date = models.DateField(_("date"))
    hours = models.FloatField(_("hours"), validators=[MinValueValidator(0.5), MaxValueValidator(24)])
    topic = models.CharField(_("topic"), max_length=200)
    outcome = models.TextField(_("outcome"), blank=True)

    scope = Scope(region=("pairing__carrier__region", "pairing__firm__region", "pairing__team__region"),
                  operator="pairing__carrier__operator_id", firm="pairing__firm_id", mentor="mentor__profile_id")

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("service log")
        verbose_name_plural = _("service logs")

    def __str__(self):
        return f"{self.date} · {self.topic}"

    def clean(self):
        super().clean()
        if (self.firm_id is None) == (self.team_id is None):
            raise ValidationError({"firm": _("Log the session for either a firm or a start-up team.")})
        if not self.mentor_id:
            return
        field = "firm" if self.firm_id else "team"
        pairing = (Pairing.objects.filter(mentor_id=self.mentor_id, **{f"{field}_id": getattr(self, f"{field}_id")},
                                          status__in=(PairingStatus.ACTIVE, PairingStatus.COMPLETED))
                   .order_by("-starts_on").first())
        if pairing is None:
            raise ValidationError({field: _("%(mentor)s is not paired with %(mentee)s: log sessions only within an "
                                            "active or completed pairing.") % {
                "mentor": self.mentor, "mentee": self.firm or self.team}})
        if self.date and not pairing.starts_on <= self.date <= (pairing.ended_on or pairing.ends_on):
            raise ValidationError({"date": _("The pairing runs from %(start)s to %(end)s.") % {
                "start": pairing.starts_on, "end": pairing.ended_on or pairing.ends_on}})
        self.pairing = pairing


class Feedback(FuhuaModel):
    """The firm's (or team's carrier's) view of a pairing: 1–5 and a comment."""

    pairing = models.ForeignKey(Pairing, on_delete=models.CASCADE, related_name="feedback", verbose_name=_("pairing"))
    score = models.PositiveSmallIntegerField(_("score (1–5)"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.TextField(_("comment"), blank=True)

    scope = Scope(region=("pairing__carrier__region", "pairing__firm__region", "pairing__team__region"),
                  operator="pairing__carrier__operator_id", firm="pairing__firm_id",
                  mentor="pairing__mentor__profile_id")

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["pairing"], name="one_feedback_per_pairing")]
        verbose_name = _("mentoring feedback")
        verbose_name_plural = _("mentoring feedback")

    def __str__(self):
        return f"{self.pairing} · {self.score}"
