"""Forms of the desk's pages. Writes go through the services (never `form.save()`)."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fuhua.accounts.models import RoleGrant
from fuhua.accounts.roles import Role
from fuhua.core.forms import ServiceModelForm

from . import topics
from .models import MAX_ATTACHMENTS, Status, Steward, designatable_staff
from .services import linkable_models, overdue_q, requesters_of


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (size and kind are checked by the services, per file)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        if len(files) > MAX_ATTACHMENTS:
            raise forms.ValidationError(_("At most %(n)s files per message.") % {"n": MAX_ATTACHMENTS})
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


def topic_choices():
    return [(t.code, t.label) for t in topics.topics().values()]


class RequestForm(forms.Form):
    requester = forms.ChoiceField(label=_("asking for"))
    topic = forms.ChoiceField(label=_("topic"))
    title = forms.CharField(label=_("subject"), max_length=120)
    body = forms.CharField(label=_("description"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6}))
    files = MultipleFileField(label=_("attachments"))
    link = forms.ChoiceField(label=_("about a record (optional)"), required=False)
    link_id = forms.IntegerField(label=_("record number"), required=False, min_value=1)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        firms, organisations = requesters_of(user)
        self.requesters = {f"firm:{f.pk}": ("firm", f) for f in firms}
        self.requesters.update({f"organisation:{o.pk}": ("organisation", o) for o in organisations})
        self.fields["requester"].choices = [(k, str(v[1])) for k, v in self.requesters.items()]
        self.fields["topic"].choices = topic_choices()
        self.fields["link"].choices = [("", "—"), *((k, str(v)) for k, v in linkable_models().items())]

    def service_data(self) -> dict:
        data = self.cleaned_data
        kind, obj = self.requesters[data["requester"]]
        out = {kind: obj, "title": data["title"], "topic": data["topic"], "body": data["body"]}
        if data.get("link"):
            out.update(link=data["link"], link_id=data.get("link_id"))
        return out


class MessageForm(forms.Form):
    body = forms.CharField(label=_("message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))
    files = MultipleFileField(label=_("attachments"))


class StepForm(forms.Form):
    transition = forms.CharField(max_length=30)
    reason = forms.CharField(max_length=500, required=False)
    rating = forms.TypedChoiceField(choices=[(str(n), str(n)) for n in range(1, 6)], coerce=int, required=False,
                                    empty_value=None)
    comment = forms.CharField(max_length=500, required=False)


class AssignForm(forms.Form):
    steward = forms.ModelChoiceField(Steward.objects.none(), label=_("service steward"))
    reason = forms.CharField(label=_("note"), max_length=500, required=False)

    def __init__(self, *args, stewards=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["steward"].queryset = Steward.objects.filter(pk__in=[s.pk for s in stewards])


class LinkForm(forms.Form):
    link = forms.ChoiceField(label=_("kind of record"))
    link_id = forms.IntegerField(label=_("record number"), min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["link"].choices = [(k, str(v)) for k, v in linkable_models().items()]


class RequestFilter(forms.Form):
    status = forms.MultipleChoiceField(choices=Status.choices, required=False, label=_("status"))
    topic = forms.ChoiceField(required=False, label=_("topic"))
    overdue = forms.BooleanField(required=False, label=_("overdue only"))
    mine = forms.BooleanField(required=False, label=_("assigned to me"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["topic"].choices = [("", "—"), *topic_choices()]

    def filter(self, qs):
        data = self.cleaned_data
        if data.get("status"):
            qs = qs.filter(status__in=data["status"])
        if data.get("topic"):
            qs = qs.filter(topic=data["topic"])
        if data.get("overdue"):
            qs = qs.filter(overdue_q(timezone.localdate()))
        if data.get("mine"):
            qs = qs.filter(steward__user_id=self.user.pk)
        return qs


class StewardForm(ServiceModelForm):
    user = forms.TypedChoiceField(label=_("user"), coerce=int)  # bureau staff (users have no Scope)
    topics = forms.MultipleChoiceField(label=_("topics"), required=False, widget=forms.CheckboxSelectMultiple,
                                       help_text=_("None ticked: every topic."))

    class Meta:
        model = Steward
        fields = ["region", "topics", "capacity", "active"]  # `user` is a plain choice (no model assignment)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["topics"].choices = topic_choices()
        # Bureau staff within the regions of the user's own bureau grants (Steward.clean checks it again).
        staff = designatable_staff(user) if user is not None else set()
        people = get_user_model().objects.filter(is_active=True).order_by("username")
        people = people.filter(pk__in=staff) if staff is not None else people.filter(
            pk__in=RoleGrant.objects.filter(role=Role.BUREAU).values("user_id"))
        self.fields["user"].choices = [(u.pk, f"{u.get_full_name() or u.username}（{u.username}）") for u in people]
        self.order_fields(["user", "region", "topics", "capacity", "active"])
        if self.instance.pk and not self.is_bound:
            self.initial["user"] = self.instance.user_id

    def service_data(self) -> dict:
        return {"user": self.cleaned_data["user"], **super().service_data()}

