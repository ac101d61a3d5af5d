"""Forms of the demands pages; substance is validated by the models, services and workflows."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from fuhua.core.forms import FilterForm, ServiceModelForm
from fuhua.registry.choices import IndustryField

from .models import Challenge, ChallengeResponse, ChallengeStatus, Demand, DemandKind, DemandStatus, ResponseStatus


class DemandForm(ServiceModelForm):
    class Meta:
        model = Demand
        fields = ["firm", "team", "kind", "title", "description", "industry_field", "region", "stage", "positions",
                  "budget_fen", "deadline"]


class ChallengeForm(ServiceModelForm):
    class Meta:
        model = Challenge
        fields = ["title", "description", "industry_field", "region", "firm", "reward_fen", "deadline"]


class ResponseForm(ServiceModelForm):
    class Meta:
        model = ChallengeResponse
        fields = ["challenge", "organisation", "expert", "proposal", "price_fen"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "challenge" in self.fields and not self.instance.pk:
            self.fields["challenge"].queryset = self.fields["challenge"].queryset.filter(status=ChallengeStatus.OPEN)


class DemandFilter(FilterForm):
    region_path = "region"
    status = forms.ChoiceField(label=_("status"), choices=DemandStatus.choices)
    kind = forms.ChoiceField(label=_("kind"), choices=DemandKind.choices)
    industry_field = forms.ChoiceField(label=_("industry field"), choices=IndustryField.choices)
    lookups = {"status": "status", "kind": "kind", "industry_field": "industry_field"}


class ChallengeFilter(FilterForm):
    region_path = "region"
    status = forms.ChoiceField(label=_("status"), choices=ChallengeStatus.choices)
    industry_field = forms.ChoiceField(label=_("industry field"), choices=IndustryField.choices)
    lookups = {"status": "status", "industry_field": "industry_field"}


class ResponseFilter(FilterForm):
    region_path = "challenge__region"
    status = forms.ChoiceField(label=_("status"), choices=ResponseStatus.choices)
    lookups = {"status": "status"}
