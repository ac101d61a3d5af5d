"""In-memory model of a loaded rule pack (built by :mod:`.loader`)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .errors import EvaluationError
from .nodes import Node
from .units import UNIT_TYPES, to_canonical

UNKNOWN_ARTICLES = {"待核实", "待定", "unknown", "TBD"}


@dataclass(frozen=True)
class Citation:
    article: str  # e.g. "第七条"
    paragraph: str = ""  # e.g. "（二）"
    text: str = ""  # short quote
    verified: bool = True  # False: article number inferred, not checked against the text
    source: str = ""  # where the quote was checked, when not the official gazette

    def label(self) -> str:
        """"第七条（三）"; empty when the article is not known yet (the page says once that numbers are as in
        the original text, instead of "待核实" on every line)."""
        if self.article.strip() in UNKNOWN_ARTICLES:
            return self.paragraph
        return f"{self.article}{self.paragraph}"

    def to_json(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v not in ("", None)}


@dataclass(frozen=True)
class ParamValue:
    start: np.datetime64
    value: object  # canonical (fen for money, fraction for percent)
    raw: object  # as written in YAML
    citation: Citation
    line: int | None = None


@dataclass
class Parameter:
    name: str
    description: str
    unit: str
    values: list[ParamValue]  # sorted by start
    line: int | None = None
    label: dict = field(default_factory=dict)  # {"zh": …, "en": …}
    explain: dict = field(default_factory=dict)  # sentence templates {"zh": …, "en": …}

    @property
    def type(self) -> str:
        return UNIT_TYPES[self.unit]

    def value_at(self, as_of: np.datetime64) -> ParamValue | None:
        current = None
        for pv in self.values:
            if pv.start <= as_of:
                current = pv
        return current


@dataclass
class ResolvedParam:
    """A parameter's value as used in one evaluation (for explanations)."""

    name: str
    value: object
    unit: str
    raw: object
    citation: Citation | None
    since: str
    overridden: bool = False


@dataclass
class Definition:
    """A named expression: a variable (intermediate) or a rule (an output)."""

    name: str
    entity: str
    expression: str
    node: Node
    is_rule: bool
    label_zh: str = ""
    label_en: str = ""
    citation: Citation | None = None
    unit: str = ""
    line: int | None = None
    explain: dict = field(default_factory=dict)  # sentence templates {"zh": …, "en": …} with {name} fields
    explain_failed: dict = field(default_factory=dict)  # the note when a check does not hold (else `explain`)

    @property
    def type(self) -> str:
        return self.node.type


@dataclass(frozen=True)
class DocumentRef:
    name: str
    number: str = ""
    issuer: str = ""
    date: str = ""
    url: str = ""


@dataclass
class Pack:
    id: str
    title: str
    document: DocumentRef
    effective_from: np.datetime64
    effective_to: np.datetime64 | None
    entity: str
    parameters: dict[str, Parameter]
    definitions: dict[str, Definition]  # dependency order: dependencies first
    complete: bool = True
    todo: list[str] = field(default_factory=list)
    superseded_by: str = ""
    tests: list[dict] = field(default_factory=list)
    fixtures: dict[str, dict] = field(default_factory=dict)
    file: str = ""
    schema: object = None  # entities.Schema used to bind the pack
    # evaluator hint: (definitions it was computed from, keys of repeated sub-expressions); see vector_eval
    shared_subtrees: tuple | None = field(default=None, repr=False, compare=False)

    @property
    def rules(self) -> list[str]:
        return [d.name for d in self.definitions.values() if d.is_rule]

    def in_force(self, as_of: np.datetime64) -> bool:
        return self.effective_from <= as_of and (self.effective_to is None or as_of <= self.effective_to)

    def resolve_params(self, as_of, overrides: dict | None = None) -> dict[str, ResolvedParam]:
        """Values in force on ``as_of``; ``overrides`` (YAML units) win without mutating the pack."""
        as_of = np.datetime64(as_of, "D")
        overrides = dict(overrides or {})
        unknown = set(overrides) - set(self.parameters)
        if unknown:
            raise EvaluationError(f"override of unknown parameter(s) {sorted(unknown)} in pack {self.id}")
        resolved = {}
        for name, param in self.parameters.items():
            if name in overrides:
                try:
                    value = to_canonical(param.unit, overrides[name])
                except ValueError as exc:
                    raise EvaluationError(f"override {name}: {exc}") from None
                resolved[name] = ResolvedParam(name, value, param.unit, overrides[name], None, "override", True)
                continue
            pv = param.value_at(as_of)
            if pv is None:
                raise EvaluationError(f"parameter {name} of pack {self.id} has no value in force on {as_of}")
            resolved[name] = ResolvedParam(name, pv.value, param.unit, pv.raw, pv.citation, str(pv.start))
        return resolved
