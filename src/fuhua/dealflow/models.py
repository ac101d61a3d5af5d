"""Investors and deal flow (投融资对接): funds of investment institutions, investors stationed at carriers
(驻场投资人), firms' financing needs and deals through one pipeline.

An investment institution is a `registry.Organisation` of kind investor; its people are
`registry.InvestorProfile` contacts. A deal moves introduced → meeting → due diligence → term sheet →
invested (or declined from any open stage), one stage at a time, never back (dealflow.workflow); the
invested step writes the firm's `registry.Investment` in the same transaction.

Scoping: an investor contact sees the funds, stationings, deals (and the needs behind them) of their
institution; a firm its own needs and deals; an operator its tenants'; a bureau its region's.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from fuhua.core.models import FuhuaModel
from fuhua.core.scoping import Scope
from fuhua.registry.choices import IndustryField, InvestmentRound
from fuhua.registry.models.firm import while_tenant

INSTITUTION_CONTACTS = "institution__investor_contacts"


def _investor_institution(org, field: str) -> None:
    if org is not None and org.kind != "investor":
        raise ValidationError({field: _("%(org)s is not an investment institution.") % {"org": org}})


class Fund(FuhuaModel):
    """A fund of an investment institution: size, the rounds and industry fields it invests in, its regions."""

    institution = models.ForeignKey("registry.Organisation", on_delete=models.PROTECT, related_name="funds",
                                    verbose_name=_("institution"))
    name = models.CharField(_("name"), max_length=200)
    size_fen = models.BigIntegerField(_("size (fen)"), validators=[MinValueValidator(1)])
    stages = models.JSONField(_("rounds invested in"), default=list, blank=True,
                              help_text=_("Rounds the fund invests in, e.g. angel, series A."))
    industry_fields = models.JSONField(_("industry fields"), default=list, blank=True)
    regions = models.ManyToManyField("registry.Region", blank=True, related_name="funds",
                                     verbose_name=_("regions invested in"))
    vintage = models.PositiveSmallIntegerField(_("vintage year"), validators=[MinValueValidator(1980),
                                                                              MaxValueValidator(2100)])

    scope = Scope(region=("institution__region", "regions"), investor=INSTITUTION_CONTACTS)

    class Meta:
        ordering = ["institution__name", "name"]
        verbose_name = _("fund")
        verbose_name_plural = _("funds")

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.institution_id:
            _investor_institution(self.institution, "institution")
        errors = {}
        bad = [s for s in self.stages or [] if s not in InvestmentRound.values]
        if bad:
            errors["stages"] = _("Unknown rounds: %(codes)s.") % {"codes": ", ".join(map(str, bad))}
        bad = [s for s in self.industry_fields or [] if s not in IndustryField.values]
        if bad:
            errors["industry_fields"] = _("Unknown industry fields: %(codes)s.") % {"codes": ", ".join(map(str, bad))}
        if errors:
            raise ValidationError(errors)


class Stationing(FuhuaModel):
    """An investor contact stationed at a carrier (驻场投资人) from a date, until a date or open."""

    investor = models.ForeignKey("registry.InvestorProfile", on_delete=models.PROTECT, related_name="stationings",
                                 verbose_name=_("investor"))
    carrier = models.ForeignKey("registry.Carrier", on_delete=models.PROTECT, related_name="stationed_investors",
                                verbose_name=_("carrier"))
    since = models.DateField(_("since"))
    until = models.DateField(_("until"), null=True, blank=True)

    scope = Scope(region="carrier__region", operator="carrier__operator_id", investor="investor_id")

    class Meta:
        ordering = ["-since", "-id"]
        verbose_name = _("stationed investor")
        verbose_name_plural = _("stationed investors")

    label_related = ("investor", "carrier")  # what __str__ reads (core.forms: selects of these)

    def __str__(self):
        return f"{self.investor} @ {self.carrier}"

    def clean(self):
        super().clean()
        if self.since and self.until and self.until < self.since:
            raise ValidationError({"until": _("The stationing cannot end before it starts.")})


class NeedStatus(models.TextChoices):
    OPEN = "open", _("open")
    CLOSED = "closed", _("closed")


class FinancingNeed(FuhuaModel):
    """A firm's financing need (融资需求): amount, round, what the money is for."""

    firm = models.ForeignKey("registry.Firm", on_delete=models.PROTECT, related_name="financing_needs",
                             verbose_name=_("firm"))
    amount_fen = models.BigIntegerField(_("amount sought (fen)"), validators=[MinValueValidator(1)])
    stage = models.CharField(_("round"), max_length=12, choices=InvestmentRound.choices)
    use = models.TextField(_("use of funds"))
    posted_on = models.DateField(_("posted on"))
    status = models.CharField(_("status"), max_length=8, choices=NeedStatus.choices, default=NeedStatus.OPEN,
                              editable=False, db_index=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True, editable=False)

    scope = Scope(region=("firm__region", "firm__incubations__carrier__region"), operator=while_tenant("firm__"),
                  firm="firm_id", investor=f"deals__{INSTITUTION_CONTACTS}")

    class Meta:
        ordering = ["-posted_on", "-id"]
        verbose_name = _("financing need")
        verbose_name_plural = _("financing needs")

    label_related = ("firm",)  # what __str__ reads (core.forms: selects of these)

    def __str__(self):
        return f"{self.firm} · {self.get_stage_display()}"


class DealStatus(models.TextChoices):
    INTRODUCED = "introduced", _("introduced")
    MEETING = "meeting", _("meeting")
    DUE_DILIGENCE = "due_diligence", _("due diligence")
    TERM_SHEET = "term_sheet", _("term sheet")
    INVESTED = "invested", _("invested")
    DECLINED = "declined", _("declined")


PIPELINE = [DealStatus.INTRODUCED, DealStatus.MEETING, DealStatus.DUE_DILIGENCE, DealStatus.TERM_SHEET,
            DealStatus.INVESTED, DealStatus.DECLINED]
OPEN_STAGES = (DealStatus.INTRODUCED, DealStatus.MEETING, DealStatus.DUE_DILIGENCE, DealStatus.TERM_SHEET)
# The date field each stage sets when the deal reaches it.
STAGE_DATES = {DealStatus.INTRODUCED: "introduced_on", DealStatus.MEETING: "meeting_on",
               DealStatus.DUE_DILIGENCE: "diligence_on", DealStatus.TERM_SHEET: "term_sheet_on",
               DealStatus.INVESTED: "invested_on", DealStatus.DECLINED: "declined_on"}


class Deal(FuhuaModel):
    """A firm and an investment institution (a fund, a contact) moving through the pipeline."""

    need = models.ForeignKey(FinancingNeed, null=True, blank=True, on_delete=models.PROTECT, related_name="deals",
                             verbose_name=_("financing need"))
    firm = models.ForeignKey("registry.Firm", on_delete=models.PROTECT, related_name="deals", verbose_name=_("firm"))
    institution = models.ForeignKey("registry.Organisation", on_delete=models.PROTECT, related_name="deals",
                                    verbose_name=_("institution"))
    fund = models.ForeignKey(Fund, null=True, blank=True, on_delete=models.PROTECT, related_name="deals",
                             verbose_name=_("fund"))
    contact = models.ForeignKey("registry.InvestorProfile", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="deals", verbose_name=_("investor contact"))
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(_("stage"), max_length=14, choices=DealStatus.choices, default=DealStatus.INTRODUCED,
                              editable=False, db_index=True)
    introduced_on = models.DateField(_("introduced on"))
    meeting_on = models.DateField(_("met on"), null=True, blank=True, editable=False)
    diligence_on = models.DateField(_("due diligence from"), null=True, blank=True, editable=False)
    term_sheet_on = models.DateField(_("term sheet on"), null=True, blank=True, editable=False)
    invested_on = models.DateField(_("invested on"), null=True, blank=True, editable=False)
    declined_on = models.DateField(_("declined on"), null=True, blank=True, editable=False)
    decline_reason = models.TextField(_("reason declined"), blank=True, editable=False)
    amount_fen = models.BigIntegerField(_("amount invested (fen)"), null=True, blank=True, editable=False)
    round = models.CharField(_("round"), max_length=12, choices=InvestmentRound.choices, blank=True, editable=False)
    investment = models.OneToOneField("registry.Investment", null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="deal", editable=False, verbose_name=_("investment record"))

    scope = Scope(region=("firm__region", "firm__incubations__carrier__region"), operator=while_tenant("firm__"),
                  firm="firm_id", investor=INSTITUTION_CONTACTS)

    class Meta:
        ordering = ["-introduced_on", "-id"]
        verbose_name = _("deal")
        verbose_name_plural = _("deals")

    label_related = ("firm", "institution")  # what __str__ reads (core.forms: selects of these)

    def __str__(self):
        return f"{self.firm} · {self.institution}"

    def clean(self):
        super().clean()
        errors = {}
        if self.institution_id:
            try:
                _investor_institution(self.institution, "institution")
            except ValidationError as exc:
                errors.update(exc.message_dict)
        if self.need_id and self.firm_id and self.need.firm_id != self.firm_id:
            errors["need"] = _("This financing need is another firm's.")
        if self.fund_id and self.institution_id and self.fund.institution_id != self.institution_id:
            errors["fund"] = _("%(fund)s is not a fund of %(org)s.") % {"fund": self.fund, "org": self.institution}
        if self.contact_id and self.institution_id and self.contact.institution_id != self.institution_id:
            errors["contact"] = _("%(person)s does not work at %(org)s.") % {"person": self.contact,
                                                                              "org": self.institution}
        if errors:
            raise ValidationError(errors)

    def stage_dates(self) -> list[tuple[str, object]]:
        return [(DealStatus(s).label, getattr(self, STAGE_DATES[s])) for s in PIPELINE if getattr(self, STAGE_DATES[s])]
