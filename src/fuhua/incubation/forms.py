"""Incubation forms: the record itself (saved through core.services) and a workflow step."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fuhua.core.bulk import among_pks
from fuhua.core.forms import CreditCodeChoiceField, FilterForm, ServiceModelForm
from fuhua.core.services import referable
from fuhua.core.validators import validate_credit_code
from fuhua.registry.choices import CarrierKind, IndustryField, SizeClass
from fuhua.registry.fields import RegionField
from fuhua.registry.forms import date_input
from fuhua.registry.models import Carrier, Firm

from .models import Incubation, IncubationStatus


class IncubationForm(ServiceModelForm):
    firm = CreditCodeChoiceField(Firm.objects.all(), label=_("firm"), required=False)

    class Meta:
        model = Incubation
        fields = ["firm", "team", "carrier", "applied_on", "entered_on"]
        widgets = {"applied_on": date_input(), "entered_on": date_input()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].help_text = _("Either a firm (by credit code) or a start-up team.")


class TransitionForm(forms.Form):
    """One workflow step; the reason is required when the transition says so."""

    transition = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("reason"), max_length=200, required=False)
    on = forms.DateField(label=_("date"), required=False, widget=date_input())
    override = forms.BooleanField(label=_("override the admission rules"), required=False)

    def __init__(self, *args, transitions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.transitions = {t.name: t for t in transitions}

    def clean_transition(self):
        name = self.cleaned_data["transition"]
        if name not in self.transitions:
            raise forms.ValidationError(_("This step is not available for this record."))
        return name

    def clean_on(self):
        on = self.cleaned_data.get("on")
        if on and on > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return on

    def clean(self):
        data = super().clean()
        transition = self.transitions.get(data.get("transition"))
        if transition and transition.needs_reason and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Give a reason for this step."))
        return data


class RegisterApplicantForm(forms.Form):
    """An operator's (or bureau's) new applicant: one of their carriers, and an existing firm or a new one.

    Field names follow the models (`firm`, `credit_code`, `founded` …) so that the service's
    validation errors land on the right fields.
    """

    carrier = forms.ModelChoiceField(Carrier.objects.none(), label=_("carrier"))
    applied_on = forms.DateField(label=_("applied on"), required=False, widget=date_input(),
                                 help_text=_("Default: today."))
    firm = CreditCodeChoiceField(Firm.objects.none(), label=_("existing firm"), required=False,
                                 help_text=_("The credit code of a firm already in the registry, or leave empty "
                                             "and enter the new firm below."))
    credit_code = forms.CharField(label=_("credit code"), max_length=18, required=False,
                                  help_text=_("The new firm's 18-character unified social credit code."))
    name = forms.CharField(label=_("name"), max_length=200, required=False)
    founded = forms.DateField(label=_("founded"), required=False, widget=date_input())
    industry_field = forms.ChoiceField(label=_("industry field"), required=False,
                                       choices=[("", "—"), *IndustryField.choices])
    size_class = forms.ChoiceField(label=_("size class"), choices=SizeClass.choices, initial=SizeClass.MICRO)
    region = forms.Field(label=_("registered in"), required=False)

    NEW_FIRM_FIELDS = ("credit_code", "name", "founded", "industry_field", "region")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["carrier"].queryset = Carrier.objects.restrict(user, "change").order_by("name")
        self.fields["firm"].queryset = referable(user, Incubation, "firm")  # in scope, or without open tenancy
        self.fields["region"] = RegionField(user=user, required=False, label=_("registered in"))

    def clean_credit_code(self):
        code = self.cleaned_data["credit_code"].strip().upper()
        if code:
            validate_credit_code(code)
        return code

    def clean_founded(self):
        founded = self.cleaned_data.get("founded")
        if founded and founded > timezone.localdate():
            raise forms.ValidationError(_("The founding date cannot be in the future."))
        return founded

    def clean_applied_on(self):
        applied = self.cleaned_data.get("applied_on")
        if applied and applied > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return applied

    def clean(self):
        data = super().clean()
        new = [name for name in self.NEW_FIRM_FIELDS if data.get(name) or self.errors.get(name)]
        if data.get("firm") and new:
            self.add_error("firm", _("Give either an existing firm or a new one, not both."))
        elif not data.get("firm") and not self.errors.get("firm"):
            for name in self.NEW_FIRM_FIELDS:
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, _("Required for a new firm."))
        return data

    def firm_data(self) -> dict | None:
        if self.cleaned_data.get("firm"):
            return None
        return {name: self.cleaned_data[name] for name in (*self.NEW_FIRM_FIELDS, "size_class")}


class IncubationFilter(FilterForm):
    region_path = "carrier__region"
    status = forms.ChoiceField(label=_("status"), choices=IncubationStatus.choices)
    carrier_kind = forms.ChoiceField(label=_("carrier kind"), choices=CarrierKind.choices)
    industry_field = forms.ChoiceField(label=_("industry field"), choices=IndustryField.choices)
    attention = forms.ChoiceField(label=_("needs attention"), choices=[
        ("graduation", _("meets a graduation condition")), ("overdue", _("past the time limit"))])
    lookups = {"status": "status", "carrier_kind": "carrier__kind", "industry_field": "firm__industry_field",
               "attention": "attention"}

    def apply(self, queryset, name, lookup, value):
        if name == "attention":  # decided by the rules engine, not a column
            from .lifecycle import attention

            found = attention(self.user)
            return among_pks(queryset, found.graduation if value == "graduation" else found.overdue)
        return super().apply(queryset, name, lookup, value)
