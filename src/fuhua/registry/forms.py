"""Registry forms: edit forms saved through core.services, and the list filters."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from fuhua.core.forms import CreditCodeChoiceField, DateInput, FilterForm, ServiceModelForm

from .choices import (
    CarrierKind,
    CarrierStatus,
    DesignationKind,
    FundOwnership,
    IndustryField,
    InvestmentRound,
    IpKind,
    NationalGrade,
    OrganisationKind,
    RecognitionKind,
    RecognitionLevel,
    SizeClass,
    Specialisation,
)
from .models import (
    Carrier,
    CarrierStaffing,
    Education,
    Firm,
    FirmYearFigures,
    Founder,
    IntellectualProperty,
    Investment,
    Organisation,
    Recognition,
    SeedFund,
    TalentTitle,
)


def date_input():
    return DateInput()


class CarrierForm(ServiceModelForm):
    operator = CreditCodeChoiceField(Organisation.objects.all(), label=_("operator"))

    class Meta:
        model = Carrier
        fields = [
            "name", "kind", "demo_base_type", "operator", "region", "administering_region", "address", "established",
            "incubation_area_m2", "tenant_area_m2", "workstations", "specialisation", "industry_field",
        ]  # the status changes by the carrier's workflow (suspend, resume, close), not by editing
        widgets = {"established": date_input()}


class RecognitionForm(ServiceModelForm):
    class Meta:
        model = Recognition
        fields = [
            "carrier", "level", "kind", "carrier_kind", "authority", "document_number", "granted_on",
            "valid_until", "revoked_on", "revoked_reason", "national_grade",
        ]
        widgets = {"granted_on": date_input(), "valid_until": date_input(), "revoked_on": date_input()}


class FirmForm(ServiceModelForm):
    class Meta:
        model = Firm
        fields = [
            "name", "credit_code", "founded", "industry_field", "size_class", "region", "listed_on",
            "listing_board", "acquired_on", "deregistered_on",
        ]
        widgets = {f: date_input() for f in ("founded", "listed_on", "acquired_on", "deregistered_on")}


class CarrierFilter(FilterForm):
    kind = forms.ChoiceField(label=_("kind"), choices=CarrierKind.choices)
    level = forms.ChoiceField(label=_("recognition level"), choices=RecognitionLevel.choices)
    status = forms.ChoiceField(label=_("status"), choices=CarrierStatus.choices)
    industry_field = forms.ChoiceField(label=_("industry field"), choices=IndustryField.choices)
    specialisation = forms.ChoiceField(label=_("specialisation"), choices=Specialisation.choices)
    lookups = {
        "kind": "kind", "level": "level", "status": "status", "industry_field": "industry_field",
        "specialisation": "specialisation",
    }

    def apply(self, queryset, name, lookup, value):
        if name == "level":  # carriers holding an active recognition at this level
            active = Recognition.objects.active().filter(level=value).values("carrier_id")
            return queryset.filter(pk__in=active)
        return super().apply(queryset, name, lookup, value)


class RecognitionFilter(FilterForm):
    region_path = "carrier__region"
    level = forms.ChoiceField(label=_("level"), choices=RecognitionLevel.choices)
    kind = forms.ChoiceField(label=_("kind"), choices=RecognitionKind.choices)
    carrier_kind = forms.ChoiceField(label=_("recognised as"), choices=CarrierKind.choices)
    national_grade = forms.ChoiceField(label=_("national grade"), choices=NationalGrade.choices)
    active = forms.ChoiceField(label=_("validity"), choices=[("yes", _("active")), ("no", _("expired or revoked"))])
    lookups = {"level": "level", "kind": "kind", "carrier_kind": "carrier_kind", "national_grade": "national_grade",
               "active": "active"}

    def apply(self, queryset, name, lookup, value):
        if name == "active":
            active = Recognition.objects.active().values("pk")
            return queryset.filter(pk__in=active) if value == "yes" else queryset.exclude(pk__in=active)
        return super().apply(queryset, name, lookup, value)


class FirmFilter(FilterForm):
    industry_field = forms.ChoiceField(label=_("industry field"), choices=IndustryField.choices)
    size_class = forms.ChoiceField(label=_("size class"), choices=SizeClass.choices)
    designation = forms.ChoiceField(label=_("designation"), choices=DesignationKind.choices)
    lookups = {"industry_field": "industry_field", "size_class": "size_class", "designation": "designation"}

    def apply(self, queryset, name, lookup, value):
        if name == "designation":
            from .models import FirmDesignation

            return queryset.filter(pk__in=FirmDesignation.objects.filter(kind=value).values("firm_id"))
        return super().apply(queryset, name, lookup, value)


class OrganisationFilter(FilterForm):
    kind = forms.ChoiceField(label=_("kind"), choices=OrganisationKind.choices)
    lookups = {"kind": "kind"}


class MentorFilter(FilterForm):
    industry_field = forms.ChoiceField(label=_("field"), choices=IndustryField.choices)
    lookups = {"industry_field": "industry_field"}


class InvestorFilter(FilterForm):
    focus_field = forms.ChoiceField(label=_("focus"), choices=IndustryField.choices)
    lookups = {"focus_field": "focus_field"}


# --- the facts the rules read (issue #3) -----------------------------------------------------------
# Firms and organisations are picked by credit code (too many for a select); the firm page links
# here with ?firm=<credit code>, the carrier page with ?carrier=<id>.


class InvestmentForm(ServiceModelForm):
    firm = CreditCodeChoiceField(Firm.objects.all(), label=_("firm"))
    investor = CreditCodeChoiceField(Organisation.objects.all(), label=_("investor organisation"), required=False)

    class Meta:
        model = Investment
        fields = ["firm", "date", "amount_fen", "round", "investor", "investor_name", "from_carrier_fund", "carrier"]
        widgets = {"date": date_input()}


class FirmYearFiguresForm(ServiceModelForm):
    firm = CreditCodeChoiceField(Firm.objects.all(), label=_("firm"))

    class Meta:
        model = FirmYearFigures
        fields = ["firm", "year", "revenue_fen", "rd_spend_fen", "employees"]


class IntellectualPropertyForm(ServiceModelForm):
    firm = CreditCodeChoiceField(Firm.objects.all(), label=_("firm"))

    class Meta:
        model = IntellectualProperty
        fields = ["firm", "kind", "number", "applied_on", "granted_on", "lapsed_on"]
        widgets = {f: date_input() for f in ("applied_on", "granted_on", "lapsed_on")}


class SeedFundForm(ServiceModelForm):
    class Meta:
        model = SeedFund
        fields = ["carrier", "name", "size_fen", "ownership", "established_on"]
        widgets = {"established_on": date_input()}


class CarrierStaffingForm(ServiceModelForm):
    class Meta:
        model = CarrierStaffing
        fields = ["carrier", "year", "staff_total", "staff_professional", "staff_fulltime"]


class InvestmentFilter(FilterForm):
    region_path = "firm__region"
    round = forms.ChoiceField(label=_("round"), choices=InvestmentRound.choices)
    year = forms.IntegerField(label=_("year"), min_value=1900, max_value=2200)
    lookups = {"round": "round", "year": "date__year"}


class FounderForm(ServiceModelForm):
    """A firm's founder or key person (a team's founders are kept by the bureau, through the API or this form)."""

    firm = CreditCodeChoiceField(Firm.objects.all(), label=_("firm"), required=False)

    class Meta:
        model = Founder
        fields = ["name", "firm", "team", "role", "education", "overseas_returnee", "student", "talent_title",
                  "title_granted_on"]
        widgets = {"title_granted_on": date_input()}


class FounderFilter(FilterForm):
    region_path = "firm__region"
    education = forms.ChoiceField(label=_("education"), choices=Education.choices)
    talent_title = forms.ChoiceField(label=_("talent title"), choices=TalentTitle.choices)
    lookups = {"education": "education", "talent_title": "talent_title"}


class FirmYearFiguresFilter(FilterForm):
    region_path = "firm__region"
    year = forms.IntegerField(label=_("year"), min_value=1900, max_value=2200)
    lookups = {"year": "year"}


class IntellectualPropertyFilter(FilterForm):
    region_path = "firm__region"
    kind = forms.ChoiceField(label=_("kind"), choices=IpKind.choices)
    year = forms.IntegerField(label=_("year applied"), min_value=1900, max_value=2200)
    lookups = {"kind": "kind", "year": "applied_on__year"}


class SeedFundFilter(FilterForm):
    region_path = "carrier__region"
    ownership = forms.ChoiceField(label=_("ownership"), choices=FundOwnership.choices)
    lookups = {"ownership": "ownership"}


class CarrierStaffingFilter(FilterForm):
    region_path = "carrier__region"
    year = forms.IntegerField(label=_("year"), min_value=1900, max_value=2200)
    lookups = {"year": "year"}
