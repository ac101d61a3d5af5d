"""Forms of the demands pages; substance is validated by the models, services and workflows."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fuhua.core.forms import FilterForm, ServiceModelForm
from fuhua.core.scoping import check
from fuhua.registry.choices import IndustryField

from .inbox import awaiting_pick, due_soon, respondable
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
        for name in ("organisation", "expert"):  # respond as what one is: a provider's organisation, an expert
            if name in self.fields and not check(self.user, "view", self._meta.model._meta.get_field(name)
                                                 .related_model):
                del self.fields[name]
        if "challenge" in self.fields and not self.instance.pk:
            self.fields["challenge"].queryset = self.fields["challenge"].queryset.filter(status=ChallengeStatus.OPEN)


class DemandFilter(FilterForm):
    region_path = "region"
    status = forms.ChoiceField(label=_("status"), choices=DemandStatus.choices)
    kind = forms.ChoiceField(label=_("kind"), choices=DemandKind.choices)
    industry_field = forms.ChoiceField(label=_("industry field"), choices=IndustryField.choices)
    work = forms.ChoiceField(label=_("to do"), choices=[("due", _("open, due within a week"))])
    lookups = {"status": "status", "kind": "kind", "industry_field": "industry_field", "work": "work"}

    def apply(self, queryset, name, lookup, value):
        if name == "work":  # what the inbox item demands.due counts
            return queryset.filter(pk__in=due_soon(self.user, timezone.localdate()).values("pk"))
        return super().apply(queryset, name, lookup, value)


class ChallengeFilter(FilterForm):
    region_path = "region"
    status = forms.ChoiceField(label=_("status"), choices=ChallengeStatus.choices)
    industry_field = forms.ChoiceField(label=_("industry field"), choices=IndustryField.choices)
    work = forms.ChoiceField(label=_("to do"), choices=[("awaiting", _("responses waiting for your pick")),
                                                        ("respondable", _("open for your response"))])
    lookups = {"status": "status", "industry_field": "industry_field", "work": "work"}

    def apply(self, queryset, name, lookup, value):
        if name == "work":  # what the inbox items demands.responses and demands.open_challenges count
            chosen = awaiting_pick(self.user) if value == "awaiting" else respondable(self.user, timezone.localdate())
            return queryset.filter(pk__in=chosen.values("pk"))
        return super().apply(queryset, name, lookup, value)


class ResponseFilter(FilterForm):
    region_path = "challenge__region"
    status = forms.ChoiceField(label=_("status"), choices=ResponseStatus.choices)
    lookups = {"status": "status"}
