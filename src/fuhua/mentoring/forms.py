"""Forms of the mentoring pages; substance is validated by the models and services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from fuhua.core.forms import DateInput, FilterForm, ServiceModelForm
from fuhua.core.scoping import check

from .models import Feedback, Pairing, PairingStatus, PoolMentor, ServiceLog


class PoolMentorForm(ServiceModelForm):
    class Meta:
        model = PoolMentor
        fields = ["profile", "specialities", "shared_with", "capacity", "active"]


class PairingForm(ServiceModelForm):
    class Meta:
        model = Pairing
        fields = ["mentor", "carrier", "firm", "team", "goals", "starts_on", "ends_on"]
        widgets = {"starts_on": DateInput(), "ends_on": DateInput()}


class ServiceLogForm(ServiceModelForm):
    class Meta:
        model = ServiceLog
        fields = ["mentor", "firm", "team", "date", "hours", "topic", "outcome"]
        widgets = {"date": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A mentor may not browse the registry's firms and teams: they choose among those of their own
        # pairings (started or completed), a short list (ServiceLog.clean refuses any other).
        paired = Pairing.objects.restrict(self.user).filter(status__in=(PairingStatus.ACTIVE,
                                                                        PairingStatus.COMPLETED))
        for name, path in (("firm", "firm_id"), ("team", "team_id")):
            field = self.fields.get(name)
            model = field.queryset.model if field is not None else None
            if field is None or field.disabled or check(self.user, "view", model):
                continue
            field.queryset = model.objects.filter(pk__in=paired.values(path)).order_by("name")
            field.widget = forms.Select(choices=field.choices)


class FeedbackForm(ServiceModelForm):
    class Meta:
        model = Feedback
        fields = ["pairing", "score", "comment"]


class PairingFilter(FilterForm):
    region_path = "carrier__region"
    status = forms.ChoiceField(label=_("status"), choices=PairingStatus.choices)
    lookups = {"status": "status"}


class PoolFilter(FilterForm):
    region_path = "profile__region"
    active = forms.ChoiceField(label=_("active"), choices=[("yes", _("yes")), ("no", _("no"))])
    lookups = {"active": "active"}

    def apply(self, queryset, name, lookup, value):
        return queryset.filter(active=value == "yes")
