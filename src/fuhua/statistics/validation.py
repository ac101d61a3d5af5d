"""Validation of a report's figures: required fields, ranges, the form's cross-field checks, and
year-on-year anomalies (warnings that need an explanation before the report can be submitted).

Every message names the field by its code and its label, so that a page, the API and a workbook's
error column all say the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from .definitions import FieldDef, FormDefinition

ERROR, WARNING = "error", "warning"


@dataclass(frozen=True)
class Message:
    code: str  # the field (the first one a cross-field check names)
    label: str
    level: str  # error | warning
    text: str
    codes: tuple[str, ...] = ()  # every field the message is about

    def __str__(self):
        return f"{self.label} [{self.code}]: {self.text}"

    def as_dict(self) -> dict:
        return {"code": self.code, "label": self.label, "level": self.level, "text": self.text,
                "codes": list(self.codes or (self.code,))}


def _fmt(field: FieldDef, stored: int) -> str:
    shown = field.to_display(stored)
    return f"{shown:,}" if isinstance(shown, int) else f"{shown:,.2f}"


def field_errors(form: FormDefinition, values: dict[str, int | None], *, required: bool = True) -> list[Message]:
    out = []
    for f in form.fields.values():
        value = values.get(f.code)
        if value is None:
            if required and f.required:
                out.append(Message(f.code, f.label, ERROR, _("required")))
            continue
        low = f.min * f.unit.scale
        if value < low:
            out.append(Message(f.code, f.label, ERROR, _("must be at least %(min)s %(unit)s") % {
                "min": f.min, "unit": f.unit.label}))
        elif f.max_stored is not None and value > f.max_stored:
            out.append(Message(f.code, f.label, ERROR, _("must be at most %(max)s %(unit)s") % {
                "max": f"{f.max:,}", "unit": f.unit.label}))
    return out


def check_errors(form: FormDefinition, values: dict[str, int | None]) -> list[Message]:
    out = []
    for c in form.checks:
        if c.check.test(values) is False:
            first = form.fields[c.check.codes[0]]
            shown = ", ".join(f"{form.fields[k].label} = {_fmt(form.fields[k], values[k])}" for k in c.check.codes)
            out.append(Message(first.code, first.label, ERROR, f"{c.message} ({shown})", c.check.codes))
    return out


def anomalies(form: FormDefinition, values: dict, last_year: dict | None) -> list[Message]:
    """Figures more than `anomaly_factor` times (or less than its inverse) last year's accepted value."""
    if not last_year:
        return []
    factor, out = form.anomaly_factor, []
    for code, value in values.items():
        before = last_year.get(code)
        field = form.fields.get(code)
        if field is None or value is None or not before or before <= 0:
            continue
        if value > before * factor or value * factor < before:
            out.append(Message(code, field.label, WARNING, _(
                "%(now)s is far from last year's %(then)s (more than %(factor)s× apart); explain the change"
            ) % {"now": _fmt(field, value), "then": _fmt(field, before), "factor": f"{factor:g}"}))
    return out


def validate(form: FormDefinition, values: dict, last_year: dict | None = None, *, required: bool = True
             ) -> list[Message]:
    return field_errors(form, values, required=required) + check_errors(form, values) + anomalies(
        form, values, last_year)


def blocking(messages: list[Message], explained: set[str]) -> list[Message]:
    """What stops a submission: every error, and each warning whose field has no explanation."""
    return [m for m in messages if m.level == ERROR or m.code not in explained]
