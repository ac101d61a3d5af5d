"""Validation of a report's figures: required fields, ranges, the form's cross-field checks, and
year-on-year anomalies (warnings that need an explanation before the report can be submitted).

Every message names the field by its code and its label, so that a page, the API and a workbook's
error column all say the same thing.

A form's cross-field checks (`checks:` in statistics/forms/*.yaml, e.g. `tenants_grown <= tenants`) are
conditions in the rules engine's expression language (fuhua.rules), over the form's field codes: the
same parser, type checker and evaluator as the rule packs, so the project has one expression language.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from django.utils.translation import gettext as _

from fuhua.rules import Expression, ExpressionError, compile_expression

if TYPE_CHECKING:
    from .definitions import FieldDef, FormDefinition

ERROR, WARNING = "error", "warning"


@dataclass(frozen=True)
class Check:
    """One cross-field check: a condition over the form's fields (figures in their stored integers)."""

    rule: str
    expression: Expression

    @property
    def codes(self) -> tuple[str, ...]:  # the fields it reads; messages name them
        return self.expression.names

    def test(self, values: dict) -> bool | None:
        """True or False; None when a field it reads is empty (the required-field rule reports that)."""
        result = self.expression.evaluate(values)
        return None if result is None else bool(result)

    def test_many(self, rows: list[dict], columns: dict | None = None) -> list[bool | None]:
        """The same for many rows at once (imports, demo data): one vectorised evaluation.

        `columns` (from `columns_of`) lets several checks share the arrays built from the rows."""
        if not rows:
            return []
        columns = columns or columns_of(rows, self.codes)
        missing = np.zeros(len(rows), bool)
        for code in self.codes:
            missing |= columns[code][1]
        passed = self.expression.evaluate_many({code: columns[code][0] for code in self.codes})
        return [None if m else bool(p) for m, p in zip(missing.tolist(), passed.tolist(), strict=True)]


def columns_of(rows: list[dict], codes) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """code → (values as int64 with 0 for empty, mask of the empty ones), one pass per code."""
    out = {}
    for code in codes:
        raw = [r.get(code) for r in rows]
        empty = np.fromiter((v is None for v in raw), bool, len(raw))
        out[code] = (np.fromiter((0 if v is None else v for v in raw), np.int64, len(raw)), empty)
    return out


def compile_check(rule: str, known: set[str]) -> Check:
    """Parse and type-check a check over the field codes `known`; ExpressionError names what is wrong."""
    expression = compile_expression(rule.strip(), {code: "int" for code in sorted(known)})
    if expression.type != "bool":
        raise ExpressionError(f"{rule!r}: a check is a condition (e.g. `a <= b`), not a {expression.type} value")
    return Check(rule.strip(), expression)


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


def check_errors(form: FormDefinition, values: dict[str, int | None], failed: set[int] | None = None
                 ) -> list[Message]:
    """Messages for the checks that fail (`failed`: their indexes, when computed for many rows at once)."""
    out = []
    for i, c in enumerate(form.checks):
        if (i in failed) if failed is not None else c.check.test(values) is False:
            first = form.fields[c.check.codes[0]]
            shown = ", ".join(f"{form.fields[k].label} = {_fmt(form.fields[k], values[k])}" for k in c.check.codes)
            out.append(Message(first.code, first.label, ERROR, f"{c.message} ({shown})", c.check.codes))
    return out


def failed_checks(form: FormDefinition, rows: list[dict]) -> list[set[int]]:
    """For each row, the indexes of the form's checks it fails: each check evaluated once for all rows."""
    out: list[set[int]] = [set() for _row in rows]
    columns = columns_of(rows, {code for c in form.checks for code in c.check.codes})
    for i, c in enumerate(form.checks):
        for failed, passed in zip(out, c.check.test_many(rows, columns), strict=True):
            if passed is False:
                failed.add(i)
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
