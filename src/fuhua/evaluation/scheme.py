"""Evaluation schemes: a rule pack (indicator values, categories, vetoes, bonus items as rules) plus an
`evaluation:` section (normalisation, weights, grading) in the same YAML file.

The engine's loader rejects unknown top-level keys, so the file is split at the top-level
`evaluation:` line: the part before it is loaded by `load_pack_text` (line numbers unchanged), the
part after it is parsed here with the same line-aware YAML loader. One file per scheme version.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path

from django.utils import timezone

from fuhua.rules import Citation, Pack, PackError, load_pack_text, references, yaml_lines
from fuhua.rules.entities import Attribute, default_schema

from .normalise import METHODS, Normalisation

SCHEMES_DIR = Path(__file__).resolve().parent / "schemes"
GRADES = ("A", "B", "C", "D")
_SPLIT = re.compile(r"^evaluation:[ \t]*(#.*)?$", re.MULTILINE)
EVAL_KEYS = {"kinds", "recognition", "as_of", "min_completeness", "categories", "groups", "indicators",
             "qualitative", "bonus", "vetoes", "grading", "appeal_days", "expert_review", "notes"}


def _empty() -> yaml_lines.LineDict:
    empty = yaml_lines.LineDict()
    empty.key_lines = {}
    return empty


class SchemeError(PackError):
    """A scheme file is invalid: file:line: reason (like a pack error)."""


def statistics_codes() -> list[str]:
    from fuhua.statistics.definitions import all_codes

    return all_codes()


@cache
def evaluation_schema():
    """The carrier entity with every annual-statistics field as an int attribute (stored units: fen, m²,
    counts). Where a field shares its name with a registry attribute, the statistics figure is used."""
    return default_schema().extend("carrier", [
        Attribute(code, "int", f"annual statistics field {code}", default=0) for code in statistics_codes()])


@dataclass(frozen=True)
class Category:
    code: str
    rule: str
    label_zh: str
    label_en: str


@dataclass(frozen=True)
class Indicator:
    code: str
    group: str
    qualitative: bool
    label_zh: str
    label_en: str
    weights: dict[str, int]  # category → milli-points
    assumed: bool = False
    note: str = ""
    expression: str = ""
    citation: Citation | None = None
    unit: str = ""
    normalise: Normalisation | None = None
    stats_inputs: tuple[str, ...] = ()
    registry_inputs: tuple[str, ...] = ()
    max_score: int = 100  # qualitative: experts score 0..max_score


@dataclass(frozen=True)
class Bonus:
    code: str
    label_zh: str
    label_en: str
    points_milli: int  # per unit of the rule's value
    cap_milli: int
    expression: str = ""
    stats_inputs: tuple[str, ...] = ()
    assumed: bool = False


@dataclass(frozen=True)
class Veto:
    code: str
    reason_zh: str
    reason_en: str
    expression: str
    citation: Citation | None
    stats_inputs: tuple[str, ...] = ()


@dataclass
class Scheme:
    id: str
    pack: Pack
    kinds: tuple[str, ...]
    recognition: tuple[str, ...]  # evaluate only carriers recognised at one of these levels ("" = all)
    as_of_md: tuple[int, int]
    min_completeness: int  # percent of a category's quantitative weight that must have data
    categories: dict[str, Category]
    groups: dict[str, tuple[str, str]]
    indicators: dict[str, Indicator]
    bonuses: dict[str, Bonus]
    bonus_cap_milli: int
    vetoes: dict[str, Veto]
    thresholds: dict[str, int]  # grade → minimum total (milli-points)
    quotas: dict[str, int]  # grade → at most this percent of graded carriers
    appeal_days: int
    aggregate: str  # "mean" | "trimmed_mean"
    trim: int
    exclude_own_region: bool
    sha256: str
    file: str
    notes: str = ""
    assumed_count: int = field(default=0)

    @property
    def version(self) -> datetime.date:
        return datetime.date.fromisoformat(str(self.pack.effective_from))

    @property
    def title(self) -> str:
        return self.pack.title

    @property
    def quantitative(self) -> list[Indicator]:
        return [i for i in self.indicators.values() if not i.qualitative]

    @property
    def qualitative(self) -> list[Indicator]:
        return [i for i in self.indicators.values() if i.qualitative]

    def as_of(self, period: int) -> datetime.date:
        return datetime.date(period, *self.as_of_md)

    def stats_codes(self) -> list[str]:
        codes = {c for i in self.indicators.values() for c in i.stats_inputs}
        codes |= {c for v in self.vetoes.values() for c in v.stats_inputs}
        codes |= {c for b in self.bonuses.values() for c in b.stats_inputs}
        return sorted(codes)

    def registry_attributes(self) -> list[str]:
        names = {"kind", "specialised"} | {a for i in self.indicators.values() for a in i.registry_inputs}
        return sorted(names)

    def output_rules(self) -> list[str]:
        rules = [c.rule for c in self.categories.values()]
        rules += [i.code for i in self.quantitative] + [v.code for v in self.vetoes.values()]
        return rules + [b.code for b in self.bonuses.values()]


class _Reader:
    def __init__(self, file: str):
        self.file = file

    def fail(self, line, reason: str):
        raise SchemeError(self.file, line, reason)

    def mapping(self, value, line, what: str):
        if not isinstance(value, dict):
            self.fail(getattr(value, "line", line), f"{what} must be a mapping")
        return value

    def milli(self, value, line, what: str) -> int:
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            self.fail(line, f"{what} must be a number, got {value!r}")
        if number < 0:
            self.fail(line, f"{what} cannot be negative")
        milli = number * 1000
        if milli != milli.to_integral_value():
            self.fail(line, f"{what} has more than 3 decimals: {value}")
        return int(milli)


def split_text(text: str) -> tuple[str, str]:
    """(pack text, evaluation text) with the evaluation text padded so that line numbers match the file."""
    match = _SPLIT.search(text)
    if not match:
        return text, ""
    offset = text.count("\n", 0, match.start())
    return text[: match.start()], "\n" * offset + text[match.start():]


def _inputs(pack: Pack, rule: str, reader: _Reader, line) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(statistics fields, registry attributes) a rule reads, through its variables. Carrier-level only:
    a run snapshots one row per carrier, so collections over tenants are refused here."""
    stats_codes = set(statistics_codes())
    seen, stats, registry, todo = set(), set(), set(), [rule]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        definition = pack.definitions[name]
        if definition.entity != "carrier":
            reader.fail(line, f"{rule}: schemes evaluate carriers; {name} is a rule of {definition.entity}")
        for ref, text in references(pack, name):
            kind = ref[0]
            if kind == "attr":
                (stats if ref[2] in stats_codes else registry).add(ref[2])
            elif kind == "var":
                todo.append(ref[2])
            elif kind in ("relation", "via"):
                reader.fail(line, f"{rule}: {text!r} reads related records; a scheme indicator may only use "
                                  "the carrier's own statistics and registry attributes")
    return tuple(sorted(stats)), tuple(sorted(registry))


def _rule(pack: Pack, reader: _Reader, name, line, what: str, type_: str | None = None):
    definition = pack.definitions.get(name)
    if definition is None or not definition.is_rule:
        reader.fail(line, f"{what}: the pack has no rule {name!r}")
    if type_ == "bool" and definition.type != "bool":
        reader.fail(line, f"{what}: rule {name} must be true/false, it is {definition.type}")
    if type_ == "number" and definition.type not in ("int", "float"):
        reader.fail(line, f"{what}: rule {name} must be a number, it is {definition.type}")
    return definition


def _weights(reader: _Reader, raw, line, categories, what: str) -> dict[str, int]:
    raw = reader.mapping(raw, line, f"weights of {what}")
    unknown = set(raw) - set(categories)
    if unknown:
        reader.fail(raw.line_of(sorted(unknown)[0]), f"{what}: unknown category {sorted(unknown)[0]!r}; "
                                                     f"known: {', '.join(categories)}")
    return {c: reader.milli(raw.get(c, 0), raw.line_of(c), f"weight of {what} for {c}") for c in categories}


def _indicator(reader, pack, code, spec, categories, groups, qualitative: bool) -> Indicator:
    line = spec.line
    group = spec.get("group")
    if group not in groups:
        reader.fail(spec.line_of("group"), f"indicator {code}: group {group!r} is not one of {', '.join(groups)}")
    weights = _weights(reader, spec.get("weights"), spec.line_of("weights"), categories, f"indicator {code}")
    common = dict(code=code, group=group, qualitative=qualitative, weights=weights,
                  assumed=bool(spec.get("assumed", False)), note=str(spec.get("note", "")))
    if qualitative:
        if not spec.get("label_zh"):
            reader.fail(line, f"qualitative indicator {code} needs label_zh")
        max_score = spec.get("max", 100)
        if not (isinstance(max_score, int) and max_score > 0):
            reader.fail(spec.line_of("max"), f"qualitative indicator {code}: max must be a positive integer")
        return Indicator(label_zh=str(spec["label_zh"]), label_en=str(spec.get("label_en", "")), max_score=max_score,
                         **common)
    definition = _rule(pack, reader, code, line, f"indicator {code}", "number")
    stats, registry = _inputs(pack, code, reader, line)
    raw_norm = reader.mapping(spec.get("normalise"), spec.line_of("normalise"), f"normalise of {code}")
    try:
        normalise = Normalisation.parse(raw_norm)
    except ValueError as exc:
        reader.fail(raw_norm.line, f"indicator {code}: {exc}")
    return Indicator(label_zh=definition.label_zh or code, label_en=definition.label_en,
                     expression=definition.expression, citation=definition.citation, unit=definition.unit,
                     normalise=normalise, stats_inputs=stats, registry_inputs=registry, **common)


def _check_weights(reader: _Reader, indicators: dict[str, Indicator], categories, line) -> None:
    for category in categories:
        total = sum(i.weights[category] for i in indicators.values())
        if total != 100_000:
            detail = ", ".join(f"{i.code} {i.weights[category] / 1000:g}" for i in indicators.values()
                               if i.weights[category])
            reader.fail(line, f"the weights of category {category} add up to {total / 1000:g}, not 100 ({detail})")


def _grading(reader: _Reader, raw, line) -> tuple[dict[str, int], dict[str, int]]:
    raw = reader.mapping(raw, line, "grading")
    thresholds_raw = reader.mapping(raw.get("thresholds"), raw.line_of("thresholds"), "grading thresholds")
    if set(thresholds_raw) != {"A", "B", "C"}:
        reader.fail(thresholds_raw.line, "grading thresholds must give the minimum score of A, B and C")
    thresholds = {g: reader.milli(thresholds_raw[g], thresholds_raw.line_of(g), f"threshold of {g}") for g in "ABC"}
    if not thresholds["A"] > thresholds["B"] > thresholds["C"]:
        reader.fail(thresholds_raw.line, "grading thresholds must fall from A to B to C")
    quotas_raw = reader.mapping(raw.get("quotas") or _empty(), raw.line_of("quotas"), "grading quotas")
    quotas = {}
    for grade, value in quotas_raw.items():
        if grade not in ("A", "B") or not isinstance(value, int) or not 0 < value <= 100:
            reader.fail(quotas_raw.line_of(grade), f"quota {grade}: {value!r}; give A or B at most a whole percent")
        quotas[grade] = value
    return thresholds, quotas


def load_scheme_text(text: str, file: str = "<scheme>") -> Scheme:
    reader = _Reader(file)
    pack_text, eval_text = split_text(text)
    if not eval_text:
        reader.fail(1, "a scheme needs a top-level 'evaluation:' section after the pack")
    pack = load_pack_text(pack_text, file, evaluation_schema())
    data = reader.mapping(yaml_lines.load(eval_text), 1, "the file")
    ev = reader.mapping(data["evaluation"], data.line_of("evaluation"), "evaluation")
    unknown = set(ev) - EVAL_KEYS
    if unknown:
        reader.fail(ev.line_of(sorted(unknown)[0]), f"unknown evaluation key {sorted(unknown)[0]!r}")
    for key in ("kinds", "categories", "groups", "indicators", "grading"):
        if key not in ev:
            reader.fail(ev.line, f"evaluation needs {key!r}")
    categories = {}
    for code, spec in reader.mapping(ev["categories"], ev.line_of("categories"), "categories").items():
        spec = reader.mapping(spec, ev["categories"].line_of(code), f"category {code}")
        _rule(pack, reader, spec.get("rule"), spec.line, f"category {code}", "bool")
        categories[code] = Category(code, spec["rule"], str(spec.get("label_zh", code)), str(spec.get("label_en", "")))
    groups = {code: (str(g.get("label_zh", code)), str(g.get("label_en", "")))
              for code, g in reader.mapping(ev["groups"], ev.line_of("groups"), "groups").items()}
    indicators: dict[str, Indicator] = {}
    for section, qualitative in (("indicators", False), ("qualitative", True)):
        raw = reader.mapping(ev.get(section) or _empty(), ev.line_of(section), section)
        for code, spec in raw.items():
            if code in indicators:
                reader.fail(raw.line_of(code), f"indicator {code} is defined twice")
            spec = reader.mapping(spec, raw.line_of(code), f"indicator {code}")
            indicators[code] = _indicator(reader, pack, code, spec, categories, groups, qualitative)
    _check_weights(reader, indicators, categories, ev.line_of("indicators"))
    bonuses, bonus_cap = _bonuses(reader, pack, ev)
    vetoes = {}
    raw_vetoes = reader.mapping(ev.get("vetoes") or _empty(), ev.line_of("vetoes"), "vetoes")
    for code, spec in raw_vetoes.items():
        spec = reader.mapping(spec, raw_vetoes.line_of(code), f"veto {code}")
        definition = _rule(pack, reader, code, spec.line, f"veto {code}", "bool")
        vetoes[code] = Veto(code, str(spec.get("reason_zh", definition.label_zh)),
                            str(spec.get("reason_en", definition.label_en)), definition.expression,
                            definition.citation, _inputs(pack, code, reader, spec.line)[0])
    thresholds, quotas = _grading(reader, ev["grading"], ev.line_of("grading"))
    review = reader.mapping(ev.get("expert_review") or _empty(), ev.line_of("expert_review"),
                            "expert_review")
    aggregate = review.get("aggregate", "mean")
    if aggregate not in ("mean", "trimmed_mean"):
        reader.fail(review.line_of("aggregate"), "expert_review aggregate must be mean or trimmed_mean")
    month, day = (int(p) for p in str(ev.get("as_of", "12-31")).split("-"))
    completeness = ev.get("min_completeness", 100)
    if not (isinstance(completeness, int) and 0 < completeness <= 100):
        reader.fail(ev.line_of("min_completeness"), "min_completeness must be a whole percent between 1 and 100")
    return Scheme(
        id=pack.id, pack=pack, kinds=tuple(ev["kinds"]), recognition=tuple(ev.get("recognition") or ()),
        as_of_md=(month, day), min_completeness=completeness,
        categories=categories, groups=groups, indicators=indicators, bonuses=bonuses, bonus_cap_milli=bonus_cap,
        vetoes=vetoes, thresholds=thresholds, quotas=quotas, appeal_days=int(ev.get("appeal_days", 15)),
        aggregate=aggregate, trim=int(review.get("trim", 1)), exclude_own_region=bool(review.get("exclude_own_region")),
        sha256=hashlib.sha256(text.encode()).hexdigest(), file=file, notes=str(ev.get("notes", "")),
        assumed_count=sum(i.assumed for i in indicators.values()),
    )


def _bonuses(reader: _Reader, pack: Pack, ev) -> tuple[dict[str, Bonus], int]:
    raw = reader.mapping(ev.get("bonus") or _empty(), ev.line_of("bonus"), "bonus")
    cap = reader.milli(raw.get("cap", 0), raw.line_of("cap"), "bonus cap")
    items = reader.mapping(raw.get("items") or _empty(), raw.line_of("items"), "bonus items")
    out = {}
    for code, spec in items.items():
        spec = reader.mapping(spec, items.line_of(code), f"bonus {code}")
        definition = _rule(pack, reader, code, spec.line, f"bonus {code}", "number")
        out[code] = Bonus(code, definition.label_zh or code, definition.label_en,
                          reader.milli(spec.get("points", 1), spec.line_of("points"), f"points of bonus {code}"),
                          reader.milli(spec.get("cap", 0), spec.line_of("cap"), f"cap of bonus {code}"),
                          definition.expression, _inputs(pack, code, reader, spec.line)[0],
                          bool(spec.get("assumed", False)))
    return out, cap


def load_scheme_file(path) -> Scheme:
    path = Path(path)
    return load_scheme_text(path.read_text("utf-8"), str(path))


@cache
def all_schemes() -> tuple[Scheme, ...]:
    return tuple(sorted((load_scheme_file(p) for p in SCHEMES_DIR.glob("*.yaml")),
                        key=lambda s: (s.id, s.version)))


def scheme_ids() -> list[str]:
    return sorted({s.id for s in all_schemes()})


def get_scheme(scheme_id: str, period: int | None = None, version: datetime.date | None = None) -> Scheme:
    """The version in force at the end of `period` (or exactly `version`); KeyError with the known ids."""
    versions = [s for s in all_schemes() if s.id == scheme_id]
    if not versions:
        raise KeyError(f"unknown scheme {scheme_id!r}; known: {', '.join(scheme_ids())}")
    if version is not None:
        for s in versions:
            if s.version == version:
                return s
        raise KeyError(f"scheme {scheme_id} has no version from {version}")
    day = datetime.date(period, 12, 31) if period else timezone.localdate()
    eligible = [s for s in versions if s.version <= day]
    if not eligible:
        raise KeyError(f"scheme {scheme_id} was not yet in force in {period}")
    return eligible[-1]


__all__ = ["GRADES", "METHODS", "Scheme", "SchemeError", "get_scheme", "load_scheme_text", "scheme_ids"]
