"""What a firm raised, earned and owns: the facts behind the graduation and recognition rules."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fuhua.core.models import FuhuaModel
from fuhua.core.scoping import Scope

from ..choices import InvestmentRound, IpKind
from .firm import while_tenant

# Firm-side facts are scoped like the firm's designations: the firm's region or its carriers'.
FIRM_FACT_SCOPE = Scope(
    region=("firm__region", "firm__incubations__carrier__region"),
    operator=while_tenant("firm__"),
    firm="firm_id",
)


def _not_future(errors: dict, field: str, value) -> None:
    if value and value > timezone.localdate():
        errors[field] = _("This date cannot be in the future.")


def _not_negative(errors: dict, field: str, value) -> None:
    if value is not None and value < 0:
        errors[field] = _("This amount cannot be negative.")


class Investment(FuhuaModel):
    """One financing event (融资事件) of a firm; money in fen."""

    firm = models.ForeignKey("registry.Firm", on_delete=models.CASCADE, related_name="investments",
                             verbose_name=_("firm"))
    date = models.DateField(_("date"))
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    round = models.CharField(_("round"), max_length=12, choices=InvestmentRound.choices)
    investor = models.ForeignKey(
        "registry.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="investments",
        verbose_name=_("investor organisation"),
    )
    investor_name = models.CharField(_("investor"), max_length=200, blank=True)
    # The MIIT 2025 check counts equity from the incubator's own or co-founded funds.
    from_carrier_fund = models.BooleanField(_("from the carrier's own or co-founded fund"), default=False)
    carrier = models.ForeignKey(
        "registry.Carrier", null=True, blank=True, on_delete=models.SET_NULL, related_name="fund_investments",
        verbose_name=_("carrier whose fund invested"),
    )

    scope = FIRM_FACT_SCOPE

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["firm", "date"], name="investment_firm_date_idx")]
        verbose_name = _("investment")
        verbose_name_plural = _("investments")

    def __str__(self):
        return f"{self.firm} · {self.get_round_display()} {self.date}"

    def clean(self):
        errors = {}
        if self.amount_fen is not None and self.amount_fen <= 0:
            errors["amount_fen"] = _("The amount must be positive.")
        _not_future(errors, "date", self.date)
        if self.date and self.firm_id and self.date < self.firm.founded:
            errors["date"] = _("This date is before the firm was founded.")
        if not self.investor_id and not self.investor_name.strip():
            errors["investor_name"] = _("Name the investor, or choose its organisation.")
        if self.from_carrier_fund and not self.carrier_id:
            errors["carrier"] = _("Say which carrier's fund invested.")
        if self.carrier_id and not self.from_carrier_fund:
            errors["from_carrier_fund"] = _("A carrier is named only for investments from its fund.")
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        if self.investor_id and not self.investor_name:
            self.investor_name = self.investor.name
        super().save(*args, **kwargs)


class FirmYearFigures(FuhuaModel):
    """A firm's figures for one calendar year: revenue and R&D spend (fen), employees."""

    firm = models.ForeignKey("registry.Firm", on_delete=models.CASCADE, related_name="year_figures",
                             verbose_name=_("firm"))
    year = models.PositiveSmallIntegerField(_("year"))
    revenue_fen = models.BigIntegerField(_("revenue (fen)"), default=0)
    rd_spend_fen = models.BigIntegerField(_("R&D spend (fen)"), default=0)
    employees = models.PositiveIntegerField(_("employees"), default=0)

    scope = FIRM_FACT_SCOPE

    class Meta:
        ordering = ["-year"]
        constraints = [models.UniqueConstraint(fields=["firm", "year"], name="unique_firm_year_figures")]
        verbose_name = _("annual figures")
        verbose_name_plural = _("annual figures")

    def __str__(self):
        return f"{self.firm} · {self.year}"

    def clean(self):
        errors = {}
        _not_negative(errors, "revenue_fen", self.revenue_fen)
        _not_negative(errors, "rd_spend_fen", self.rd_spend_fen)
        if self.year and self.year > timezone.localdate().year:
            errors["year"] = _("This year has not begun yet.")
        elif self.year and self.firm_id and self.year < self.firm.founded.year:
            errors["year"] = _("This year is before the firm was founded.")
        if errors:
            raise ValidationError(errors)


class IntellectualProperty(FuhuaModel):
    """A patent, software copyright or IC layout right: applied, granted, lapsed."""

    firm = models.ForeignKey("registry.Firm", on_delete=models.CASCADE, related_name="ip_rights",
                             verbose_name=_("firm"))
    kind = models.CharField(_("kind"), max_length=12, choices=IpKind.choices)
    number = models.CharField(_("number"), max_length=40)
    applied_on = models.DateField(_("applied on"))
    granted_on = models.DateField(_("granted on"), null=True, blank=True)
    lapsed_on = models.DateField(_("lapsed on"), null=True, blank=True)

    scope = FIRM_FACT_SCOPE

    class Meta:
        ordering = ["-applied_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["kind", "number"], name="unique_ip_number")]
        verbose_name = _("intellectual property right")
        verbose_name_plural = _("intellectual property rights")

    def __str__(self):
        return f"{self.get_kind_display()} {self.number}"

    def clean(self):
        errors = {}
        for field in ("applied_on", "granted_on", "lapsed_on"):
            _not_future(errors, field, getattr(self, field))
        if self.granted_on and self.applied_on and self.granted_on < self.applied_on:
            errors["granted_on"] = _("A right cannot be granted before it was applied for.")
        if self.lapsed_on and not self.granted_on:
            errors["lapsed_on"] = _("Only a granted right can lapse.")
        elif self.lapsed_on and self.lapsed_on < self.granted_on:
            errors["lapsed_on"] = _("A right cannot lapse before it was granted.")
        if errors:
            raise ValidationError(errors)

    def is_valid_on(self, day) -> bool:
        return bool(self.granted_on and self.granted_on <= day and (self.lapsed_on is None or day < self.lapsed_on))
