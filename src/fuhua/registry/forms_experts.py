"""Forms of the expert pool: the profile (saved through core.services), the list filter, and the draw."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from fuhua.core.autocomplete import AutocompleteSelect
from fuhua.core.forms import CreditCodeChoiceField, DateInput, FilterForm, ServiceModelForm

from .choices import IndustryField
from .models import Availability, Carrier, DrawPurpose, ExpertProfile, Organisation


class ExpertForm(ServiceModelForm):
    organisation = CreditCodeChoiceField(Organisation.objects.all(), label=_("employer organisation"), required=False)
    fields = forms.MultipleChoiceField(label=_("industry fields"), choices=IndustryField.choices, required=False,
                                       widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = ExpertProfile
        fields = ["name", "title", "organisation", "fields", "region", "shared_with", "availability", "busy_until",
                  "active"]
        widgets = {"busy_until": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.restrict(self.user, "view")
        if self.instance.pk and not self.is_bound:
            self.initial["fields"] = list(self.instance.fields)
        self._disable_protected()


class ExpertFilter(FilterForm):
    field = forms.ChoiceField(label=_("industry field"), choices=IndustryField.choices)
    availability = forms.ChoiceField(label=_("availability"), choices=Availability.choices)
    lookups = {"field": "fields__icontains", "availability": "availability"}

    def apply(self, queryset, name, lookup, value):
        if name == "field":
            return queryset.filter(fields__icontains=f'"{value}"')
        return super().apply(queryset, name, lookup, value)


class DrawFilter(FilterForm):
    purpose = forms.ChoiceField(label=_("purpose"), choices=DrawPurpose.choices)
    lookups = {"purpose": "purpose"}


class PanelDrawForm(forms.Form):
    """A panel for a carrier (its operator and the carrier itself are the conflicts)."""

    purpose = forms.ChoiceField(label=_("purpose"), choices=DrawPurpose.choices, initial=DrawPurpose.COMPETITION)
    carrier = forms.ModelChoiceField(Carrier.objects.none(), label=_("carrier judged"))
    size = forms.IntegerField(label=_("panel size"), min_value=1, max_value=50, initial=5)
    fields = forms.MultipleChoiceField(label=_("industry fields wanted"), choices=IndustryField.choices,
                                       required=False, widget=forms.CheckboxSelectMultiple)
    exclude_own_region = forms.BooleanField(label=_("exclude experts of the carrier's own region"), required=False)
    seed = forms.IntegerField(label=_("seed"), min_value=0, required=False,
                              help_text=_("Empty: a new random seed, recorded with the draw."))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["carrier"].queryset = Carrier.objects.restrict(user, "view")
        self.fields["carrier"].widget = AutocompleteSelect(Carrier)
