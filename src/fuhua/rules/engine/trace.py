"""Explanation traces: JSON-serialisable, renderable as Chinese or English text."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

import numpy as np

from .units import display


def to_plain(value):
    """numpy/date values → JSON-friendly Python values (missing → None)."""
    if isinstance(value, np.ndarray):
        value = value.reshape(-1)[0] if value.size == 1 else [to_plain(v) for v in value]
    if isinstance(value, np.datetime64):
        return None if np.isnat(value) else str(value.astype("datetime64[D]"))
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, tuple):
        return list(value)
    return value


@dataclass
class Step:
    kind: str  # rule | variable | attribute | param | compare | bool | if | in | call | collection | arith | as_of
    expr: str
    value: object
    label_zh: str = ""
    label_en: str = ""
    passed: bool | None = None
    note: str = ""
    citation: dict | None = None
    param: dict | None = None
    children: list[Step] = field(default_factory=list)

    def to_json(self) -> dict:
        out = {"kind": self.kind, "expr": self.expr, "value": to_plain(self.value)}
        for key in ("label_zh", "label_en", "passed", "note", "citation", "param"):
            if getattr(self, key) not in ("", None):
                out[key] = getattr(self, key)
        if self.children:
            out["children"] = [c.to_json() for c in self.children]
        return out


@dataclass
class Trace:
    pack: str
    document: str
    rule: str
    entity: str
    entity_id: object
    as_of: str
    value: object
    root: Step
    params_used: list[dict] = field(default_factory=list)
    overrides: dict = field(default_factory=dict)
    facts: dict = field(default_factory=dict)  # further values the rule's sentence template names

    def to_json(self) -> dict:
        out = {
            "pack": self.pack, "document": self.document, "rule": self.rule, "entity": self.entity,
            "entity_id": to_plain(self.entity_id), "as_of": self.as_of, "value": to_plain(self.value),
            "overrides": self.overrides, "params_used": self.params_used, "root": self.root.to_json(),
        }
        if self.facts:
            out["facts"] = self.facts
        return out

    def dumps(self) -> str:
        return json.dumps(self.to_json(), ensure_ascii=False, indent=2)

    def failed(self) -> list[Step]:
        """Comparisons and conditions that evaluated to False, innermost first."""
        out = []

        def visit(step: Step):
            for c in step.children:
                visit(c)
            if step.passed is False and step.kind in ("compare", "in", "collection", "call", "attribute"):
                out.append(step)

        visit(self.root)
        return out

    def render(self, lang: str = "zh") -> str:
        zh = lang == "zh"
        head = (f"{self.pack}（{self.document}）规则 {self.rule}：{self.entity} {to_plain(self.entity_id)}，"
                f"截至 {self.as_of} → {to_plain(self.value)}" if zh else
                f"{self.pack} ({self.document}) rule {self.rule}: {self.entity} {to_plain(self.entity_id)} "
                f"as of {self.as_of} → {to_plain(self.value)}")
        lines = [head]
        if self.overrides:
            lines.append(("模拟参数：" if zh else "overrides: ") + json.dumps(self.overrides, ensure_ascii=False))
        _render(self.root, 1, zh, lines, set())
        if has_unverified(self.to_json()):
            lines.append(UNVERIFIED_NOTE["zh" if zh else "en"])
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.render("zh")


def _shown(step: Step) -> str:
    """A step's value for people: money named *_fen in 元, floats with at most 4 decimals."""
    value = to_plain(step.value)
    unit = (step.param or {}).get("unit", "")
    if isinstance(value, int) and not isinstance(value, bool) and (
            unit in ("fen", "yuan") or step.expr.split(".")[-1].endswith("_fen")):
        return display("fen", value)
    if isinstance(value, float):
        return f"{round(value, 4):g}" if abs(value) < 1e15 else f"{value:.4g}"
    return str(value)


UNVERIFIED_NOTE = {"zh": "* 条款号以原文为准。", "en": "* Article numbers as in the original text."}


def has_unverified(trace: dict) -> bool:
    """Whether any citation the trace (JSON) used has an unverified article number."""
    if any((p.get("citation") or {}).get("verified") is False for p in trace.get("params_used", [])):
        return True
    stack = [trace.get("root") or {}]
    while stack:
        step = stack.pop()
        if (step.get("citation") or {}).get("verified") is False:
            return True
        stack.extend(step.get("children", []))
    return False


def _render(step: Step, depth: int, zh: bool, lines: list[str], seen: set) -> None:
    mark = {True: "✓", False: "✗"}.get(step.passed, "•")
    label = step.label_zh if zh else step.label_en
    text = f"{label} [{step.expr}]" if label else step.expr
    line = f"{'  ' * depth}{mark} {text} = {_shown(step)}"
    if step.param:
        p = step.param
        line += f"（{p['display']}" if zh else f" ({p['display']}"
        line += ("，模拟值" if zh else ", override") if p.get("overridden") else (
            f"，自 {p['since']} 起" if zh else f", since {p['since']}")
        line += "）" if zh else ")"
    if step.citation:
        c = step.citation
        line += f"  〔{c.get('article', '')}{c.get('paragraph', '')}{'*' if c.get('verified') is False else ''}〕"
    if step.note:
        line += f" — {step.note}"
    repeated = step.kind in ("variable", "rule") and step.expr in seen
    if repeated and step.children:
        line += "（见上）" if zh else " (see above)"
    lines.append(line)
    if repeated:
        return  # a variable is expanded once per rendering
    if step.kind in ("variable", "rule"):
        seen.add(step.expr)
    for child in step.children:
        _render(child, depth + 1, zh, lines, seen)
