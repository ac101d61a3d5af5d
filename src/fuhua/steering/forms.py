from django import forms
from django.utils.translation import gettext_lazy as _

from fuhua.core.forms import ServiceModelForm

from .metrics import catalogue
from .models import Target


class TargetForm(ServiceModelForm):
    class Meta:
        model = Target
        fields = ["metric", "region", "period", "mode", "value", "plan_title", "plan_number", "plan_article", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["metric"] = forms.ChoiceField(
            label=_("metric"), choices=[(m.code, m.label) for m in catalogue().values()])


class BuildForm(forms.Form):
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)
