"""Forms of the policy pages. Writes go through the services (never `form.save()`)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from fuhua.core.forms import DateInput, ServiceModelForm

from .models import Application, ApplicationStatus, Call, EntitlementStatus, Policy


class RunForm(forms.Form):
    as_of = forms.DateField(label=_("As of"), widget=DateInput())


class PayForm(forms.Form):
    year = forms.IntegerField(label=_("Budget year"), min_value=1990, max_value=2100)
    limit = forms.IntegerField(label=_("At most (entitlements)"), min_value=1, required=False)
    reference = forms.CharField(label=_("Payment reference"), max_length=80, required=False)


class SimulationForm(forms.Form):
    as_of = forms.DateField(label=_("As of"), widget=DateInput())
    settings = forms.CharField(label=_("Changes (NAME=VALUE, one per line)"), required=False,
                               widget=forms.Textarea(attrs={"rows": 3}))

    def pairs(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["settings"].splitlines() if line.strip()]


class ConfirmForm(forms.Form):
    account_name = forms.CharField(label=_("Account name"), max_length=120)
    bank_name = forms.CharField(label=_("Bank"), max_length=120)
    branch = forms.CharField(label=_("Opening branch (开户行)"), max_length=120, required=False,
                             help_text=_("Required for a firm, e.g. 中国工商银行苏州工业园区支行."))
    account_number = forms.CharField(label=_("Account number"), max_length=40)


class FitForm(forms.Form):
    as_of = forms.DateField(label=_("As of"), widget=DateInput(), required=False)


class PublishForm(forms.Form):
    as_of = forms.DateField(label=_("As of"), widget=DateInput())
    confirm = forms.BooleanField(label=_("I have checked the reach: publish and notify the firms (cannot be undone)"))


class FeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(label=_("Satisfaction"), coerce=int,
                                    choices=[(i, str(i)) for i in range(5, 0, -1)])
    paid_on_time = forms.BooleanField(label=_("Paid on time"), required=False, initial=True)
    no_paperwork = forms.BooleanField(label=_("No paperwork needed"), required=False, initial=True)
    comment = forms.CharField(label=_("Comment"), max_length=1000, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))


class EntitlementFilter(forms.Form):
    policy = forms.ModelChoiceField(Policy.objects.all(), required=False, label=_("policy"), to_field_name="code")
    status = forms.ChoiceField(choices=[("", "—"), *EntitlementStatus.choices], required=False, label=_("status"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)

    def filter(self, qs):
        data = self.cleaned_data
        if data.get("policy"):
            qs = qs.filter(policy=data["policy"])
        if data.get("status"):
            qs = qs.filter(status=data["status"])
        return qs


class ApplicationFilter(forms.Form):
    """?status=submitted&status=accepted… (several stages at once: the dashboard's "applications to decide")."""

    status = forms.MultipleChoiceField(choices=ApplicationStatus.choices, required=False, label=_("status"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)

    def filter(self, qs):
        statuses = self.cleaned_data.get("status")
        return qs.filter(status__in=statuses) if statuses else qs


class ApplicationForm(ServiceModelForm):
    class Meta:
        model = Application
        fields = ["call", "carrier", "claimed_fen", "claim_from", "claim_to", "statement"]


class CallForm(ServiceModelForm):
    class Meta:
        model = Call
        fields = ["policy", "title", "opens_on", "closes_on", "review_by", "notice_days"]
        widgets = {f: DateInput() for f in ("opens_on", "closes_on", "review_by")}


class AttachmentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    file = forms.FileField(label=_("File"))


class StepForm(forms.Form):
    transition = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason / opinion"), max_length=500, required=False)
    approved_yuan = forms.DecimalField(label=_("Approved base amount (yuan)"), required=False, min_value=0,
                                       decimal_places=2)
    experts = forms.CharField(label=_("Experts (optional)"), max_length=200, required=False)

    def step_data(self) -> dict:
        data = {}
        if self.cleaned_data.get("approved_yuan") is not None:
            data["approved_fen"] = int(self.cleaned_data["approved_yuan"] * 100)
        if self.cleaned_data.get("experts"):
            data["experts"] = self.cleaned_data["experts"]
        return data
