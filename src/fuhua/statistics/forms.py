"""Forms of the statistics pages: the report's figures (built from the form definition), comments,
steps, amendments, uploads and list filters."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fuhua.core.forms import FilterForm

from .definitions import FormDefinition
from .models import CommentKind, ReportStatus


def _default_year() -> int:
    return timezone.localdate().year - 1


class ReportFilter(FilterForm):
    region_path = "carrier__region"
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)
    status = forms.ChoiceField(label=_("status"), choices=ReportStatus.choices)
    lookups = {"year": "year", "status": "status"}


class ValuesForm(forms.Form):
    """One field per form field, in display units (千元 for money); `stored()` gives storage units."""

    def __init__(self, *args, definition: FormDefinition, **kwargs):
        super().__init__(*args, **kwargs)
        self.definition = definition
        for f in definition.fields.values():
            common = {"label": f.label, "required": False, "help_text": f.help, "min_value": f.min}
            if f.unit.scale > 1:
                field = forms.DecimalField(decimal_places=5, max_digits=20, **common)
            else:
                field = forms.IntegerField(max_value=f.max, **common)
            field.widget.attrs.update({"data-code": f.code, "inputmode": "decimal"})
            self.fields[f.code] = field

    @staticmethod
    def initial_from(definition: FormDefinition, values: dict) -> dict:
        return {code: definition.fields[code].to_display(v) for code, v in values.items() if code in definition.fields}

    def stored(self) -> dict[str, int | None]:
        out = {}
        for code, value in self.cleaned_data.items():
            scale = self.definition.fields[code].unit.scale
            out[code] = None if value is None else int(Decimal(value) * scale)
        return out


class CommentForm(forms.Form):
    code = forms.CharField(max_length=48, widget=forms.HiddenInput)
    kind = forms.ChoiceField(choices=CommentKind.choices, widget=forms.HiddenInput)
    text = forms.CharField(label=_("comment"), max_length=1000)


class StepForm(forms.Form):
    transition = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("reason"), max_length=200, required=False)


class AmendForm(forms.Form):
    reason = forms.CharField(label=_("reason for the amendment"), max_length=500)


class StartForm(forms.Form):
    carrier = forms.IntegerField(widget=forms.HiddenInput)
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100, initial=_default_year)


class UploadForm(forms.Form):
    file = forms.FileField(label=_("workbook (.xlsx) or CSV"))
    dry_run = forms.BooleanField(label=_("check only (dry run)"), required=False, initial=True)


class ReportUploadForm(UploadForm):
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100, initial=_default_year)


class YearRegionForm(forms.Form):
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100, initial=_default_year, required=False)
    region = forms.RegexField(label=_("region code"), regex=r"^\d{6}$", required=False)

    def year_value(self) -> int:
        return (self.cleaned_data.get("year") if self.is_valid() else None) or _default_year()
