"""Report forms as data: one YAML file per edition under statistics/forms/ (see torch-2023.yaml).

`form_for_year(year)` picks the latest edition whose `year_from` is not after the year; a new
year's form is a new file. Definitions are loaded once and cached.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml
from django.utils.translation import get_language

from .validation import Check, compile_check

FORMS_DIR = Path(__file__).resolve().parent / "forms"


def _localised(zh: str, en: str) -> str:
    return en if (get_language() or "zh-hans").startswith("en") and en else zh


@dataclass(frozen=True)
class Unit:
    code: str
    label_zh: str
    label_en: str
    scale: int  # storage units (fen, m², 1) per display unit

    @property
    def label(self) -> str:
        return _localised(self.label_zh, self.label_en)


@dataclass(frozen=True)
class FieldDef:
    code: str
    label_zh: str
    label_en: str
    unit: Unit
    section: str
    required: bool = False
    min: int = 0
    max: int | None = None  # in display units
    prefill: str = ""
    help: str = ""

    @property
    def label(self) -> str:
        return _localised(self.label_zh, self.label_en)

    @property
    def header(self) -> str:
        """The workbook header: Chinese label with its unit, e.g. 孵化场地面积（平方米）."""
        return f"{self.label_zh}（{self.unit.label_zh}）"

    def to_display(self, stored: int | None):
        """Stored integer → the number shown (千元 for money)."""
        if stored is None:
            return None
        scale = self.unit.scale
        return stored if scale == 1 else stored / scale

    @property
    def max_stored(self) -> int | None:
        return None if self.max is None else self.max * self.unit.scale


@dataclass(frozen=True)
class CheckDef:
    check: Check
    message_zh: str
    message_en: str

    @property
    def message(self) -> str:
        return _localised(self.message_zh, self.message_en)


@dataclass(frozen=True)
class Section:
    code: str
    label_zh: str
    label_en: str
    fields: tuple[FieldDef, ...]

    @property
    def label(self) -> str:
        return _localised(self.label_zh, self.label_en)


@dataclass(frozen=True)
class FormDefinition:
    code: str
    title: str
    year_from: int
    deadline_md: tuple[int, int]
    reminders: tuple[int, ...]
    anomaly_factor: float
    sections: tuple[Section, ...]
    checks: tuple[CheckDef, ...]
    fields: dict[str, FieldDef] = field(default_factory=dict)

    def deadline(self, year: int) -> datetime.date:
        """Reports of `year` are due on this day of the following year."""
        return datetime.date(year + 1, *self.deadline_md)

    @property
    def codes(self) -> list[str]:
        return list(self.fields)

    def field_by_header(self) -> dict[str, FieldDef]:
        """Header text (with or without unit) or code → field, for reading workbooks."""
        index = {}
        for f in self.fields.values():
            for key in (f.code, f.header, f.label_zh):
                index[normalise_header(key)] = f
        return index


def normalise_header(text: str) -> str:
    import unicodedata

    text = unicodedata.normalize("NFKC", str(text)).strip().lower()
    return "".join(text.split())


def _raw(code: str) -> dict:
    path = FORMS_DIR / f"{code}.yaml"
    data = yaml.safe_load(path.read_text("utf-8"))
    parent = data.pop("extends", None)
    if not parent:
        return data
    base = _raw(parent)
    sections = {s["code"]: dict(s, fields=list(s.get("fields", []))) for s in base["sections"]}
    for section in data.pop("sections", []):
        if section["code"] in sections:
            sections[section["code"]]["fields"] += section.get("fields", [])
        else:
            sections[section["code"]] = section
    checks = base.get("checks", []) + data.pop("checks", [])
    return {**base, **data, "sections": list(sections.values()), "checks": checks}


def _build(code: str) -> FormDefinition:
    raw = _raw(code)
    units = {k: Unit(k, v["label"], v.get("label_en", ""), int(v.get("scale", 1))) for k, v in raw["units"].items()}
    sections, fields = [], {}
    for s in raw["sections"]:
        defs = []
        for f in s["fields"]:
            if f["code"] in fields:
                raise ValueError(f"{code}: field {f['code']} is declared twice")
            fd = FieldDef(
                code=f["code"], label_zh=f["label"], label_en=f.get("label_en", ""), unit=units[f["unit"]],
                section=s["code"], required=bool(f.get("required", False)), min=int(f.get("min", 0)),
                max=f.get("max"), prefill=f.get("prefill", ""), help=f.get("help", ""),
            )
            fields[fd.code] = fd
            defs.append(fd)
        sections.append(Section(s["code"], s["label"], s.get("label_en", ""), tuple(defs)))
    checks = tuple(
        CheckDef(compile_check(c["rule"], set(fields)), c["message"], c.get("message_en", "")) for c in raw["checks"]
    )
    month, day = (int(p) for p in str(raw.get("deadline", "03-31")).split("-"))
    return FormDefinition(
        code=raw["code"], title=raw["title"], year_from=int(raw["year_from"]), deadline_md=(month, day),
        reminders=tuple(sorted(raw.get("reminders", []), reverse=True)),
        anomaly_factor=float(raw.get("anomaly_factor", 3)), sections=tuple(sections), checks=checks, fields=fields,
    )


@cache
def all_forms() -> tuple[FormDefinition, ...]:
    return tuple(sorted((_build(p.stem) for p in FORMS_DIR.glob("*.yaml")), key=lambda f: f.year_from))


def get_form(code: str) -> FormDefinition:
    for form in all_forms():
        if form.code == code:
            return form
    raise KeyError(code)


def form_for_year(year: int) -> FormDefinition:
    forms = all_forms()
    eligible = [f for f in forms if f.year_from <= year]
    return eligible[-1] if eligible else forms[0]


def all_codes() -> list[str]:
    """Every field code of every edition (the engines may ask for any)."""
    return list(dict.fromkeys(c for form in all_forms() for c in form.fields))
