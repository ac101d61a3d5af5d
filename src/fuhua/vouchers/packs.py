"""Voucher programme packs: a rules-engine pack (entity `firm`: who may claim, every check cited) plus a
trailing `voucher:` section that this loader parses (the engine rejects unknown top-level keys, so the file
is split at the `voucher:` line, which must be the last top-level key; line numbers of the engine part stay
right in errors).

The engine part holds the dated, cited parameters every step reads (face value, per-claim / held-at-once /
per-year limits, eligible service categories, the co-payment rule, validity, step deadlines, redemption
window, audit sample rate) and the eligibility rules; the `voucher:` section holds what is not a rule: the
issuer's region (and the regions to create when the registry does not ship them), the batches with their
budgets and opening times (each with its citation), and which rules are the named eligibility checks.

Refused with a ProgrammeError naming the file: a missing parameter, a check that is not a rule of the pack,
a batch budget that is not a whole number of face values, a face value above the per-claim limit, dates out
of order, a co-payment share outside 0–100 %.
"""

from __future__ import annotations

import datetime
import functools
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml
from django.utils import timezone

from fuhua.rules import Attribute, Pack, Schema, default_schema, load_pack_text

PACKS_DIR = Path(__file__).resolve().parent / "packs"
_SECTION = re.compile(r"^voucher:\s*$", re.M)

# The firm attributes a programme's eligibility reads beyond the national schema (filled by eligibility.py).
FIRM_ATTRIBUTES = [
    Attribute("in_jurisdiction", "bool", "registered in the programme's region or below", default=False),
    Attribute("size_class", "str", "enterprise size class: micro, small, medium, large"),
    Attribute("incubating", "bool", "an incubation record open on the as-of date (incubating or admitted)",
              default=False),
]

# Parameters every programme pack must define (name → unit).
REQUIRED_PARAMETERS = {
    "face_value": "yuan", "per_claim_max": "yuan", "held_max": "yuan", "year_max": "yuan",
    "eligible_categories": "list", "copay_full_below": "yuan", "copay_share": "percent",
    "validity_days": "days", "confirm_days": "days", "accept_days": "days",
    "redemption_window_days": "days", "audit_rate": "percent",
}


def voucher_schema() -> Schema:
    return default_schema().extend("firm", FIRM_ATTRIBUTES)


class ProgrammeError(ValueError):
    def __init__(self, file: str, reason: str):
        super().__init__(f"{file}: {reason}")
        self.file, self.reason = file, reason


@dataclass(frozen=True)
class RegionSpec:
    code: str
    name: str
    level: str
    parent: str


@dataclass(frozen=True)
class BatchSpec:
    number: int
    title: str
    budget_fen: int
    opens_at: datetime.datetime
    closes_at: datetime.datetime
    citation: dict


@dataclass(frozen=True)
class ProgrammeMeta:
    region: str
    issuer: str
    illustrative: bool
    regions: tuple[RegionSpec, ...]
    eligibility: str  # the rule that decides
    checks: tuple[str, ...]  # the rules named when a firm is refused, in order
    batches: tuple[BatchSpec, ...]
    interpretation: str


@dataclass(frozen=True)
class ProgrammePack:
    pack: Pack
    meta: ProgrammeMeta

    @property
    def id(self) -> str:
        return self.pack.id

    @property
    def title(self) -> str:
        return self.pack.title

    def terms(self, as_of: datetime.date) -> Terms:
        """The parameters in force on `as_of` (canonical: fen, fractions, days)."""
        resolved = self.pack.resolve_params(np.datetime64(as_of, "D"))
        return Terms({name: p.value for name, p in resolved.items()},
                     {name: p.citation for name, p in resolved.items()}, self)


@dataclass(frozen=True)
class Terms:
    values: dict
    citations: dict
    programme: ProgrammePack

    def __getattr__(self, name):
        values = self.__dict__["values"]
        if name in values:
            return values[name]
        raise AttributeError(name)

    def cite(self, name: str) -> str:
        """"《document》article" for a parameter (for error messages and notes)."""
        citation = self.citations.get(name)
        document = self.programme.pack.document.name
        article = (citation.article + (citation.paragraph or "")) if citation else ""
        return f"《{document}》{article}".strip()


def _datetime(file: str, value, what: str) -> datetime.datetime:
    if isinstance(value, datetime.datetime):
        day = value
    else:
        try:
            day = datetime.datetime.fromisoformat(str(value))
        except ValueError:
            raise ProgrammeError(file, f"voucher section: {what} {value!r} is not an ISO date and time") from None
    if timezone.is_naive(day):
        day = timezone.make_aware(day, datetime.timezone(datetime.timedelta(hours=8)))  # Beijing time
    return day


def _meta(file: str, raw: dict) -> ProgrammeMeta:
    def fail(reason):
        raise ProgrammeError(file, f"voucher section: {reason}")

    if not isinstance(raw, dict):
        fail("must be a mapping")
    for key in ("region", "issuer", "eligibility", "checks", "batches"):
        if key not in raw:
            fail(f"missing {key!r}")
    regions = []
    for spec in raw.get("regions") or ():
        try:
            regions.append(RegionSpec(str(spec["code"]), str(spec["name"]), str(spec["level"]), str(spec["parent"])))
        except (KeyError, TypeError):
            fail("each of regions needs code, name, level and parent")
    batches, numbers = [], set()
    for spec in raw["batches"] or ():
        try:
            number, budget = int(spec["number"]), spec["budget"]
        except (KeyError, TypeError, ValueError):
            fail("each batch needs a number and a budget (yuan)")
        if number in numbers:
            fail(f"batch {number} appears twice")
        numbers.add(number)
        if not spec.get("citation") or not spec["citation"].get("article"):
            fail(f"batch {number}: a budget needs a citation with an article")
        opens = _datetime(file, spec.get("opens_at"), f"batch {number} opens_at")
        closes = _datetime(file, spec.get("closes_at"), f"batch {number} closes_at")
        if closes <= opens:
            fail(f"batch {number}: closes_at is not after opens_at")
        batches.append(BatchSpec(number, str(spec.get("title") or f"第{number}期"), round(float(budget) * 100), opens,
                                 closes, dict(spec["citation"])))
    if not batches:
        fail("at least one batch")
    return ProgrammeMeta(region=str(raw["region"]), issuer=str(raw["issuer"]),
                         illustrative=bool(raw.get("illustrative", False)), regions=tuple(regions),
                         eligibility=str(raw["eligibility"]), checks=tuple(str(c) for c in raw["checks"]),
                         batches=tuple(batches), interpretation=str(raw.get("interpretation") or ""))


def _check(file: str, pack: Pack, meta: ProgrammeMeta) -> None:
    for name, unit in REQUIRED_PARAMETERS.items():
        if name not in pack.parameters:
            raise ProgrammeError(file, f"missing parameter {name!r} ({unit})")
        if pack.parameters[name].unit != unit:
            raise ProgrammeError(file, f"parameter {name}: unit must be {unit}")
    for rule in (meta.eligibility, *meta.checks):
        if rule not in pack.rules:
            raise ProgrammeError(file, f"{rule!r} is not a rule of the pack")
    for value in pack.parameters["copay_share"].values:
        if not 0 <= value.value <= 1:
            raise ProgrammeError(file, "copay_share must be between 0 and 100 percent")
    for batch in meta.batches:
        as_of = np.datetime64(batch.opens_at.date(), "D")
        params = pack.resolve_params(as_of) if pack.in_force(as_of) else None
        if params is None:
            raise ProgrammeError(file, f"batch {batch.number} opens outside the pack's effective dates")
        face, per_claim = params["face_value"].value, params["per_claim_max"].value
        if face > per_claim:
            raise ProgrammeError(file, f"batch {batch.number}: the face value is above the per-claim limit")
        if batch.budget_fen % face:
            raise ProgrammeError(file, f"batch {batch.number}: budget {batch.budget_fen / 100:,.2f} yuan is not a "
                                       f"whole number of vouchers of {face / 100:,.2f} yuan")


def split(text: str) -> tuple[str, dict | None]:
    match = _SECTION.search(text)
    if match is None:
        return text, None
    return text[: match.start()], yaml.safe_load(text[match.start():]) or {}


def load_programme_text(text: str, file: str = "<programme>") -> ProgrammePack:
    pack_text, tail = split(text)
    if tail is None:
        raise ProgrammeError(file, "no 'voucher:' section (it must be the last top-level key)")
    if set(tail) != {"voucher"}:
        after = sorted(set(tail) - {"voucher"})
        raise ProgrammeError(file, f"'voucher:' must be the last top-level key; found {after} after it")
    meta = _meta(file, tail["voucher"])
    pack = load_pack_text(pack_text, file, voucher_schema())
    if pack.entity != "firm":
        raise ProgrammeError(file, "a programme pack's entity is firm")
    _check(file, pack, meta)
    return ProgrammePack(pack, meta)


def load_programme_file(path) -> ProgrammePack:
    path = Path(path)
    return load_programme_text(path.read_text(encoding="utf-8"), str(path))


def load_programmes(directory=PACKS_DIR) -> dict[str, ProgrammePack]:
    programmes = {}
    for path in sorted(Path(directory).glob("*.yaml")):
        programme = load_programme_file(path)
        if programme.id in programmes:
            raise ProgrammeError(str(path), f"duplicate programme id {programme.id}")
        programmes[programme.id] = programme
    return programmes


@functools.cache
def bundled() -> dict[str, ProgrammePack]:
    return load_programmes()


def get(code: str) -> ProgrammePack:
    programmes = bundled()
    if code not in programmes:
        raise ProgrammeError(code, f"unknown programme; known: {', '.join(sorted(programmes))}")
    return programmes[code]


__all__ = ["BatchSpec", "ProgrammeError", "ProgrammeMeta", "ProgrammePack", "Terms", "bundled", "get",
           "load_programme_file", "load_programme_text", "load_programmes", "voucher_schema"]
