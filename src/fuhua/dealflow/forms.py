"""Forms of the deal-flow pages; substance is validated by the models, the workflow and the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from fuhua.core.forms import DateInput, FilterForm, ServiceModelForm, StepForm
from fuhua.registry.choices import IndustryField, InvestmentRound

from .models import Deal, DealStatus, FinancingNeed, Fund, NeedStatus, Stationing


class FundForm(ServiceModelForm):
    stages = forms.MultipleChoiceField(label=_("rounds invested in"), choices=InvestmentRound.choices,
                                       required=False, widget=forms.CheckboxSelectMultiple)
    industry_fields = forms.MultipleChoiceField(label=_("industry fields"), choices=IndustryField.choices,
                                                required=False, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = Fund
        fields = ["institution", "name", "size_fen", "stages", "industry_fields", "regions", "vintage"]


class StationingForm(ServiceModelForm):
    class Meta:
        model = Stationing
        fields = ["investor", "carrier", "since", "until"]
        widgets = {"since": DateInput(), "until": DateInput()}


class NeedForm(ServiceModelForm):
    class Meta:
        model = FinancingNeed
        fields = ["firm", "amount_fen", "stage", "use", "posted_on"]
        widgets = {"posted_on": DateInput()}


class DealForm(ServiceModelForm):
    class Meta:
        model = Deal
        fields = ["firm", "need", "institution", "fund", "contact", "note", "introduced_on"]
        widgets = {"introduced_on": DateInput()}


class DealFilter(FilterForm):
    region_path = "firm__region"
    status = forms.ChoiceField(label=_("stage"), choices=DealStatus.choices)
    lookups = {"status": "status"}


class NeedFilter(FilterForm):
    region_path = "firm__region"
    status = forms.ChoiceField(label=_("status"), choices=NeedStatus.choices)
    stage = forms.ChoiceField(label=_("round"), choices=InvestmentRound.choices)
    lookups = {"status": "status", "stage": "stage"}


class MoveForm(StepForm):
    """One stage step: the date it was reached, a reason for declining, amount and round for investing."""

    field_order = ["transition", "on", "reason", "amount_yuan", "round"]
    on = forms.DateField(label=_("date"), required=False, widget=DateInput())
    amount_yuan = forms.IntegerField(label=_("amount invested (yuan)"), min_value=1, required=False)
    round = forms.ChoiceField(label=_("round"), choices=[("", "—"), *InvestmentRound.choices], required=False)

    def step_kwargs(self) -> dict:
        data = self.cleaned_data
        kwargs = {"on": data.get("on") or None}
        if data["transition"] == "invest":
            yuan = data.get("amount_yuan")
            kwargs.update(amount_fen=yuan * 100 if yuan else None, round=data.get("round") or "")
        return kwargs
