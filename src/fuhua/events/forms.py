"""Forms of the events pages; substance is validated by the models and services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from fuhua.core.forms import FilterForm, ServiceModelForm

from .models import Event, EventFeedback, EventKind, EventSeries, EventStatus, Registration, RegistrationStatus

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class EventForm(ServiceModelForm):
    class Meta:
        model = Event
        fields = ["kind", "title", "carrier", "association", "region", "co_organisers", "starts_at", "ends_at",
                  "registration_deadline", "place", "online_url", "capacity", "waitlist", "approval_required",
                  "description"]
        widgets = {"starts_at": DATETIME, "ends_at": DATETIME, "registration_deadline": DATETIME}


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
