"""Incubation forms: the record itself (saved through core.services) and a workflow step."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fuhua.core.forms import CreditCodeChoiceField, FilterForm, ServiceModelForm
from fuhua.registry.choices import CarrierKind, IndustryField
from fuhua.registry.forms import date_input
from fuhua.registry.models import Firm

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


class IncubationFilter(FilterForm):
    region_path = "carrier__region"
    status = forms.ChoiceField(label=_("status"), choices=IncubationStatus.choices)
    carrier_kind = forms.ChoiceField(label=_("carrier kind"), choices=CarrierKind.choices)
    industry_field = forms.ChoiceField(label=_("industry field"), choices=IndustryField.choices)
    lookups = {"status": "status", "carrier_kind": "carrier__kind", "industry_field": "firm__industry_field"}
