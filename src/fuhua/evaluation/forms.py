"""Forms of the evaluation pages; validation of substance stays in the services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from fuhua.core import glossary
from fuhua.core.forms import DateInput

from .models import AppealStatus, Grade, RunStatus
from .scheme import scheme_ids


class AppealFilter(forms.Form):
    status = forms.ChoiceField(choices=[("", "—"), *AppealStatus.choices], required=False, label=_("status"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)

    def filter(self, qs):
        status = self.cleaned_data.get("status")
        return qs.filter(status=status) if status else qs


class ResultFilter(forms.Form):
    """?run_status=computed: results of runs still under expert review (the dashboard's "reviews assigned")."""

    run_status = forms.ChoiceField(choices=[("", "—"), *RunStatus.choices], required=False, label=_("run status"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)

    def filter(self, qs):
        status = self.cleaned_data.get("run_status")
        return qs.filter(run__status=status) if status else qs


class RunResultFilter(forms.Form):
    """The run page's results: by grade, by category, complete or incomplete data."""

    grade = forms.ChoiceField(label=_("grade"), choices=[("", "—"), *Grade.choices], required=False)
    category = forms.ChoiceField(label=_("category"), required=False,
                                 choices=[("", "—"), *glossary.EVALUATION_CATEGORIES.items()])
    incomplete = forms.ChoiceField(label=_("data"), required=False, choices=[
        ("", "—"), ("no", _("complete")), ("yes", _("incomplete data"))])

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)

    def filter(self, qs):
        data = self.cleaned_data
        if data.get("grade"):
            qs = qs.filter(grade=data["grade"])
        if data.get("category"):
            qs = qs.filter(category=data["category"])
        if data.get("incomplete"):
            qs = qs.filter(incomplete=data["incomplete"] == "yes")
        return qs


class RunForm(forms.Form):
    scheme = forms.ChoiceField(label=_("scheme"))
    period = forms.IntegerField(label=_("period (year)"), min_value=2000, max_value=2100)
    region = forms.RegexField(label=_("region code"), regex=r"^\d{6}$", help_text=_("e.g. 320000 for Jiangsu"))
    appeal_deadline = forms.DateField(label=_("appeal deadline"), required=False,
                                      widget=DateInput())

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scheme"].choices = [(s, s) for s in scheme_ids()]


class AppealForm(forms.Form):
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


class DecisionForm(forms.Form):
    upheld = forms.TypedChoiceField(label=_("decision"), coerce=lambda v: v == "1",
                                    choices=[("0", _("reject")), ("1", _("uphold"))])
    decision = forms.CharField(label=_("grounds"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    corrections = forms.CharField(label=_("corrected figures"), required=False,
                                  help_text=_("upheld only: code=value per line, in stored units (fen, m², counts)"),
                                  widget=forms.Textarea(attrs={"rows": 3}))

    def clean_corrections(self):
        out = {}
        for line in (self.cleaned_data.get("corrections") or "").splitlines():
            if not line.strip():
                continue
            code, sep, value = line.partition("=")
            if not sep or not value.strip().lstrip("-").isdigit():
                raise forms.ValidationError(_("Write one code=whole number per line: %(line)s") % {"line": line})
            out[code.strip()] = int(value.strip())
        return out


class ScoreForm(forms.Form):
    indicator = forms.CharField(widget=forms.HiddenInput)
    score = forms.DecimalField(label=_("score"), decimal_places=3)
    comment = forms.CharField(label=_("comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DrawForm(forms.Form):
    """Draw experts from the pool (registry.experts): how many, and a seed to reproduce a draw."""

    size = forms.IntegerField(label=_("panel size"), min_value=1, max_value=15, initial=3)
    seed = forms.IntegerField(label=_("seed"), required=False, min_value=0,
                              help_text=_("Empty: a new random seed, recorded with the draw."))


class AssignForm(forms.Form):
    expert = forms.ModelChoiceField(label=_("expert"), queryset=None)

    def __init__(self, *args, **kwargs):
        from django.contrib.auth import get_user_model

        super().__init__(*args, **kwargs)
        self.fields["expert"].queryset = get_user_model().objects.filter(
            role_grants__role="expert", is_active=True).distinct().order_by("username")
