"""Forms of the events pages; substance is validated by the models and services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from fuhua.core.forms import FilterForm, ServiceModelForm

from .models import (
    Application,
    ApplicationStatus,
    Event,
    EventFeedback,
    EventKind,
    EventSeries,
    EventStatus,
    InvestmentIntent,
    Registration,
    RegistrationStatus,
    Round,
    RoundStatus,
)

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class EventForm(ServiceModelForm):
    class Meta:
        model = Event
        fields = ["kind", "title", "carrier", "association", "region", "co_organisers", "starts_at", "ends_at",
                  "registration_deadline", "place", "online_url", "capacity", "waitlist", "approval_required",
                  "investors", "description"]
        widgets = {"starts_at": DATETIME, "ends_at": DATETIME, "registration_deadline": DATETIME}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from fuhua.registry.models import InvestorProfile

        # Invited investors: any institution's contact (public, like a deal's contact: accounts.roles).
        self.fields["investors"].queryset = InvestorProfile.objects.select_related("institution").order_by("name")


class SeriesForm(ServiceModelForm):
    class Meta:
        model = EventSeries
        fields = ["kind", "title", "carrier", "association", "region", "frequency", "first_starts_at",
                  "duration_minutes", "occurrences", "registration_days_before", "place", "online_url", "capacity",
                  "waitlist", "approval_required", "description"]
        widgets = {"first_starts_at": DATETIME}


class RegistrationForm(ServiceModelForm):
    class Meta:
        model = Registration
        fields = ["event", "firm", "team", "person", "contact"]


class FeedbackForm(ServiceModelForm):
    class Meta:
        model = EventFeedback
        fields = ["registration", "score", "comment"]


class EventFilter(FilterForm):
    region_path = "region"
    status = forms.ChoiceField(label=_("status"), choices=EventStatus.choices)
    kind = forms.ChoiceField(label=_("kind"), choices=EventKind.choices)
    lookups = {"status": "status", "kind": "kind"}


class RegistrationFilter(FilterForm):
    region_path = "event__region"
    status = forms.ChoiceField(label=_("status"), choices=RegistrationStatus.choices)
    lookups = {"status": "status"}


class RoundForm(ServiceModelForm):
    class Meta:
        model = Round
        fields = ["event", "number", "name", "starts_on", "ends_on", "sheet", "panel_size", "advancing"]


class ApplicationForm(ServiceModelForm):
    class Meta:
        model = Application
        fields = ["event", "firm", "team", "project", "industry_field", "summary", "pitch_deck"]


class IntentForm(ServiceModelForm):
    class Meta:
        model = InvestmentIntent
        fields = ["application", "investor", "amount_fen", "note"]


class ScoreSheetForm(forms.Form):
    """One field per criterion of the round's sheet (its range shown; the model checks it, naming the
    criterion), and a comment."""

    def __init__(self, *args, criteria=(), **kwargs):
        super().__init__(*args, **kwargs)
        for c in criteria:
            self.fields[c.code] = forms.DecimalField(
                label=f"{c.label}（{c.weight}%）", max_digits=6, decimal_places=2,
                help_text=_("from %(min)s to %(max)s") % {"min": c.min, "max": c.max},
                widget=forms.NumberInput(attrs={"step": "0.5"}))
        self.fields["comment"] = forms.CharField(label=_("comment"), required=False, widget=forms.Textarea)
        self.criteria = list(criteria)

    def values(self) -> dict:
        return {c.code: float(self.cleaned_data[c.code]) for c in self.criteria}


class RoundFilter(FilterForm):
    region_path = "event__region"
    status = forms.ChoiceField(label=_("status"), choices=RoundStatus.choices)
    task = forms.ChoiceField(label=_("work"), choices=[("to_score", _("waiting for my score sheets")),
                                                       ("to_close", _("judging past its last day"))])
    lookups = {"status": "status", "task": "task"}

    def apply(self, queryset, name, lookup, value):
        if name != "task":
            return super().apply(queryset, name, lookup, value)
        from django.utils import timezone

        from .inbox import rounds_to_close, rounds_to_score

        rounds = rounds_to_score(self.user) if value == "to_score" else rounds_to_close(self.user, timezone.localdate())
        return queryset.filter(pk__in=[r.pk for r in rounds])


class ApplicationFilter(FilterForm):
    region_path = "event__region"
    status = forms.ChoiceField(label=_("status"), choices=ApplicationStatus.choices)
    lookups = {"status": "status"}
