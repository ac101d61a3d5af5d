"""Explanations in plain language: a rule's trace (JSON) + its pack's `explain` template → a clerk's note.

    太仓未来港众创空间 2023 年获省级备案，按太政发〔2021〕26号 载体认定奖励·一是，省级众创空间奖励 30 万元；
    此前未获奖励，应发 30 万元

A template (`explain: {zh: …, en: …}` on a rule, variable or parameter) names values with `{name}`:
an attribute of the entity, a parameter, a variable or rule (their values in this evaluation), or one of
SPECIAL_NAMES. An optional format spec picks the form: `{recognised_since:year}`, `{x:wan}` (万元),
`{x:yuan}`, `{x:date}`, `{x:pct}`. Money is never shown in fen and floats never with 16 digits.

Pure Python (no Django): the caller passes `money(fen, unit, lang)` and `word(code, lang)` to render
money and coded values (levels, kinds) with the product's own formats and glossary.
"""

from __future__ import annotations

import string
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from ..entities import attribute_label
from .pack import UNKNOWN_ARTICLES

SPECIAL_NAMES = ("name", "value", "as_of", "year", "period", "document", "article", "title", "rule")
SPECS = ("", "year", "wan", "yuan", "date", "pct")
MONEY = ("fen", "yuan")
UNVERIFIED = {"zh": "条款号以原文为准", "en": "article numbers as in the original text"}


def template_fields(text: str) -> list[tuple[str, str]]:
    """The (name, spec) of each `{…}` field; ValueError for anything but `{name}` / `{name:spec}`."""
    out = []
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise ValueError(f"bad template: {exc}") from None
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if not name or not name.replace("_", "a").isalnum() or not name[0].isalpha() or conversion:
            raise ValueError(f"{{{name}}}: only {{name}} or {{name:spec}} fields are allowed")
        if spec not in SPECS:
            raise ValueError(f"{{{name}:{spec}}}: unknown format (one of {', '.join(s for s in SPECS if s)})")
        out.append((name, spec))
    return out


def _plain_money(fen, unit: str = "auto", lang: str = "zh") -> str:
    fen = int(fen)
    if lang == "zh" and (unit == "wan" or (unit == "auto" and abs(fen) >= 1_000_000 and fen % 100 == 0)):
        text = f"{Decimal(fen) / 1_000_000:,.2f}".rstrip("0").rstrip(".")
        return f"{text} 万元"
    text = f"{Decimal(fen) / 100:,.2f}".removesuffix(".00")
    return f"{text} 元" if lang == "zh" else f"{text} yuan"


def _plain_word(code, lang: str = "zh") -> str:
    return str(code)


def number(value) -> str:
    """A float as people write it: at most 2 decimals, separators, no trailing zeros."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    text = f"{Decimal(str(round(float(value), 2))):,.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@dataclass
class Sentence:
    text: str
    figures: list[tuple[str, str]] = field(default_factory=list)  # (label, value) of the parameters used
    articles: list[str] = field(default_factory=list)
    document: str = ""
    url: str = ""  # the document's text, when the pack gives it
    unverified: bool = False
    note: str = ""  # "条款号以原文为准" once, when an article number is not verified

    def __str__(self) -> str:
        return self.text


class _Renderer:
    def __init__(self, pack, trace: dict, lang: str, name: str, facts: dict, money: Callable, word: Callable):
        self.pack, self.trace, self.lang, self.name = pack, trace, lang, name
        self.money, self.word = money, word
        self.facts = dict(facts or {})
        self.labels: dict[str, str] = {}
        self.values: dict = {}
        self.params = {p["name"]: p for p in trace.get("params_used", [])}
        self._collect(trace.get("root") or {})

    def _collect(self, step: dict) -> None:
        expr = step.get("expr", "")
        if step.get("kind") in ("rule", "variable", "attribute") and expr.isidentifier():
            self.values.setdefault(expr, step.get("value"))
        for child in step.get("children", []):
            self._collect(child)

    # -- citations ----------------------------------------------------------------------------------
    def citations(self) -> list[dict]:
        out = []
        root = self.trace.get("root") or {}
        if root.get("citation"):
            out.append(root["citation"])
        out += [p["citation"] for p in self.trace.get("params_used", []) if p.get("citation")]
        return out

    def articles(self) -> list[str]:
        seen = []
        for c in self.citations():
            article = "" if c.get("article", "") in UNKNOWN_ARTICLES else c.get("article", "")
            label = f"{article}{c.get('paragraph', '')}"
            if label and label not in seen:
                seen.append(label)
        return seen

    def article_cited(self) -> list[str]:
        """The rule's own article when it cites one (its parameters' items are parts of it), else theirs."""
        root = (self.trace.get("root") or {}).get("citation") or {}
        if root.get("article") and root["article"] not in UNKNOWN_ARTICLES:
            return [f"{root['article']}{root.get('paragraph', '')}"]
        return self.articles()

    # -- values --------------------------------------------------------------------------------------
    def label(self, name: str) -> str:
        d = self.pack.definitions.get(name)
        if d is not None:
            return (d.label_en if self.lang == "en" else d.label_zh) or d.label_zh or name
        p = self.pack.parameters.get(name)
        if p is not None:
            return p.label.get(self.lang) or p.label.get("zh") or p.description
        return name

    def unit_of(self, name: str) -> str:
        if name in self.pack.definitions:
            return self.pack.definitions[name].unit
        if name in self.pack.parameters:
            return self.pack.parameters[name].unit
        return "fen" if name.endswith("_fen") else "m2" if name.endswith("_m2") else ""

    def show(self, value, unit: str = "", spec: str = "") -> str:
        if value is None or value == "":
            return "—"
        if spec == "year":
            return str(value)[:4]
        if spec == "date":
            return str(value)[:10]
        if spec == "pct" or (unit == "percent" and isinstance(value, float)):
            return f"{number(float(value) * 100)}%"
        if spec in ("wan", "yuan") or unit in MONEY:
            if isinstance(value, dict):
                return "、".join(f"{self.word(k, self.lang)} {self.show(v, unit)}" for k, v in value.items())
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return self.money(int(value), {"wan": "wan", "yuan": "yuan"}.get(spec, "auto"), self.lang)
        if isinstance(value, bool):
            return ("是" if value else "否") if self.lang == "zh" else ("yes" if value else "no")
        if isinstance(value, dict):
            sep = "、" if self.lang == "zh" else ", "
            return sep.join(f"{self.word(k, self.lang)} {self.show(v)}" for k, v in value.items())
        if isinstance(value, list):
            return ("、" if self.lang == "zh" else ", ").join(self.show(v) for v in value)
        if unit == "m2" and isinstance(value, (int, float)):
            return f"{number(value)} m²"
        if isinstance(value, (int, float)):
            return number(value)
        return self.word(value, self.lang)

    def lookup(self, name: str, spec: str) -> str:
        special = {
            "name": self.name or f"{self.trace.get('entity', '')} {self.trace.get('entity_id', '')}",
            "as_of": str(self.trace.get("as_of", "")), "year": str(self.trace.get("as_of", ""))[:4],
            "period": str(self.facts.get("period", str(self.trace.get("as_of", ""))[:4])),
            "document": self.document(),
            "article": ("、" if self.lang == "zh" else ", ").join(self.article_cited()),
            "title": self.pack.title, "rule": self.label(self.trace.get("rule", "")),
        }
        if name == "value":
            return self.show(self.trace.get("value"), self.unit_of(self.trace.get("rule", "")), spec)
        if name in special:
            return special[name]
        if name in self.values:
            return self.show(self.values[name], self.unit_of(name), spec)
        if name in self.params:
            return self.show(self.params[name].get("value"), self.params[name].get("unit", ""), spec)
        if name in self.facts:
            return self.show(self.facts[name], self.unit_of(name), spec)
        return "—"

    def document(self) -> str:
        doc = self.pack.document
        return doc.number or doc.name

    def figures(self) -> list[tuple[str, str]]:
        out = []
        for p in self.trace.get("params_used", []):
            if p.get("unit") == "text":
                continue
            out.append((self.label(p["name"]), self.show(p.get("value"), p.get("unit", ""))))
        return out

    def fill(self, template: str) -> str:
        parts = []
        for literal, name, spec, _conv in string.Formatter().parse(template):
            parts.append(literal)
            if name is not None:
                parts.append(self.lookup(name, spec or ""))
        return "".join(parts)

    def default(self) -> str:
        rule = self.trace.get("rule", "")
        value = self.trace.get("value")
        where = f"{self.document()} {self.lookup('article', '')}".strip()
        en = self.lang == "en"
        if isinstance(value, bool):
            verdict = ("met" if value else "not met") if en else ("满足" if value else "不满足")
            figures = ("; " if en else "；").join(self.comparisons(only_failed=not value))
            if en:
                return f"{self.label(rule)}: {verdict}" + (f" ({figures})" if figures else "") + f", under {where}"
            return f"{self.label(rule)}：{verdict}" + (f"（{figures}）" if figures else "") + f"，依据{where}"
        shown = self.lookup("value", "")
        if en:
            return f"{self.lookup('name', '')}: {self.label(rule)}, under {where}: {shown}"
        return f"{self.lookup('name', '')}：{self.label(rule)}，按{where}，结果为 {shown}"

    def comparisons(self, only_failed: bool = False) -> list[str]:
        """Each comparison of the rule in words: "孵化场地面积 9,999 m²，要求不低于 10,000 m²"."""
        out = []

        def visit(step: dict, owner: str) -> None:
            for child in step.get("children", []):
                if child.get("kind") == "compare":
                    if only_failed and child.get("passed") is not False:
                        continue
                    text = self.compare(child, owner)
                    if text and text not in out:
                        out.append(text)
                elif child.get("kind") not in ("collection", "members"):
                    named = child.get("kind") in ("rule", "variable") and child.get("expr", "").isidentifier()
                    visit(child, self.label(child["expr"]) if named else owner)

        root = self.trace.get("root") or {}
        visit(root, self.label(root.get("expr", "")))
        return out[:6]

    def side(self, step: dict | None, text: str, owner: str = "") -> tuple[str, str]:
        """(label, value) of one side of a comparison; an unlabelled computation takes its owner's label."""
        if step is None:  # a literal in the expression
            literal = text.strip()
            if len(literal) > 1 and literal[0] == literal[-1] and literal[0] in "\"'":
                return "", self.word(literal[1:-1], self.lang)
            return "", literal
        if step.get("kind") == "as_of":
            return AS_OF[self.lang], str(step.get("value"))[:10]
        expr = step.get("expr", "")
        if step.get("kind") == "param":
            name = expr.removeprefix("param.")
            return self.label(name), self.show(step.get("value"), self.unit_of(name))
        label = (step.get("label_en") if self.lang == "en" else step.get("label_zh")) or step.get("label_zh") or ""
        if not label and expr.isidentifier():
            label = self.label(expr) if expr in self.pack.definitions else self.attribute(expr)
        elif not label and step.get("kind") == "attribute":  # a related entity's, e.g. firm.founded
            label = self.attribute(expr)
        unit = self.unit_of(expr.split(".")[-1]) if expr.replace(".", "_").isidentifier() else (
            "fen" if expr.endswith("_fen") else "")
        return label or owner or expr, self.show(step.get("value"), unit)

    def attribute(self, name: str) -> str:
        """An entity attribute in words: the `labels` the caller gave, else the schema's words for it."""
        return self.labels.get(name) or attribute_label(name, self.lang)

    def compare(self, step: dict, owner: str = "") -> str:
        expr = step.get("expr", "")
        op = next((o for o in (">=", "<=", "==", "!=", ">", "<") if f" {o} " in expr), None)
        if op is None:
            return ""
        left_text, right_text = expr.split(f" {op} ", 1)
        kids = step.get("children", [])
        left = next((k for k in kids if k.get("expr") == left_text.strip()), None)
        right = next((k for k in kids if k.get("expr") == right_text.strip()), None)
        left_label, left_value = self.side(left, left_text, owner)
        _right_label, right_value = self.side(right, right_text)
        if right is not None and right.get("kind") == "param" and left is not None \
                and self.unit_of(right["expr"].removeprefix("param.")) == "percent" \
                and isinstance(left.get("value"), (int, float)) and not isinstance(left.get("value"), bool):
            left_value = self.show(float(left["value"]), "percent")  # a share compared with a percentage
        words = OPS_EN if self.lang == "en" else OPS_ZH
        if self.lang == "en":
            return f"{left_label} {left_value}, required {words[op]} {right_value}"
        return f"{left_label} {left_value}，要求{words[op]} {right_value}"


AS_OF = {"zh": "截至日", "en": "as-of date"}
OPS_ZH = {">=": "不低于", ">": "高于", "<=": "不超过", "<": "低于", "==": "等于", "!=": "不等于"}
OPS_EN = {">=": "at least", ">": "more than", "<=": "at most", "<": "less than", "==": "equal to", "!=": "not"}


def explain_sentence(pack, trace: dict, lang: str = "zh", *, name: str = "", facts: dict | None = None,
                     money: Callable | None = None, word: Callable | None = None) -> Sentence:
    """The plain-language note of one evaluation (`trace` is `Trace.to_json()`), in `lang` ("zh"/"en").

    Uses the rule's `explain` template when the pack has one (the English one, else the Chinese one; its
    `explain_failed` one when the check does not hold), and a generic note otherwise; `facts` adds entity
    attributes the trace did not need (the trace's own `facts` hold the figures its template names).
    """
    lang = "en" if str(lang).lower().startswith("en") else "zh"
    r = _Renderer(pack, trace, lang, name, {**(trace.get("facts") or {}), **(facts or {})}, money or _plain_money,
                  word or _plain_word)
    definition = pack.definitions.get(trace.get("rule", ""))
    templates = definition.explain if definition is not None else {}
    if definition is not None and definition.explain_failed and trace.get("value") is False:
        templates = definition.explain_failed  # the note of a check that does not hold
    template = templates.get(lang) or templates.get("zh")
    text = r.fill(template) if template else r.default()
    unverified = any(c.get("verified") is False for c in r.citations())
    return Sentence(text=text, figures=r.figures(), articles=r.articles(), document=r.document(),
                    url=pack.document.url, unverified=unverified, note=UNVERIFIED[lang] if unverified else "")


__all__ = ["SPECIAL_NAMES", "Sentence", "explain_sentence", "number", "template_fields"]
