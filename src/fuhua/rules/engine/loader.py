"""Pack files (YAML) → validated :class:`Pack` objects, or a PackError with file:line: reason."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from pathlib import Path

import numpy as np
import yaml

from ..entities import Schema, default_schema
from . import yaml_lines
from .binder import Binder, DefinitionError
from .errors import ExpressionError, PackError
from .pack import Citation, Definition, DocumentRef, Pack, Parameter, ParamValue
from .parser import parse
from .sentence import SPECIAL_NAMES, template_fields
from .units import MONEY_UNITS, UNIT_TYPES, to_canonical

TOP_KEYS = {"id", "title", "document", "effective_from", "effective_to", "superseded_by", "complete",
            "todo", "entity", "parameters", "variables", "rules", "tests", "fixtures", "notes"}
DEF_KEYS = {"entity", "label_zh", "label_en", "label", "explain", "explain_failed", "expression", "citation", "unit",
            "notes"}
PARAM_KEYS = {"description", "unit", "values", "label", "explain", "notes"}
IDENT = re.compile(r"^[a-z][a-z0-9_]*$")
PACK_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


class _Ctx:
    def __init__(self, file: str):
        self.file = file

    def fail(self, line, reason: str):
        raise PackError(self.file, line, reason)

    def mapping(self, value, line, what: str) -> yaml_lines.LineDict:
        if not isinstance(value, dict):
            self.fail(getattr(value, "line", line), f"{what} must be a mapping")
        return value

    def date(self, value, line, what: str) -> np.datetime64:
        if isinstance(value, dt.date):
            return np.datetime64(value, "D")
        if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            try:
                return np.datetime64(value, "D")
            except ValueError:
                pass
        self.fail(line, f"{what} must be a date YYYY-MM-DD, got {value!r}")


def load_pack_file(path, schema: Schema | None = None) -> Pack:
    path = Path(path)
    ctx = _Ctx(str(path))
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        ctx.fail(None, f"cannot read pack: {exc}")
    return load_pack_text(text, str(path), schema)


def load_pack_text(text: str, file: str = "<pack>", schema: Schema | None = None) -> Pack:
    schema = schema or default_schema()
    ctx = _Ctx(file)
    try:
        data = yaml_lines.load(text)
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or str(exc)
        ctx.fail(yaml_lines.error_line(exc), f"YAML syntax error: {problem}")
    data = ctx.mapping(data, 1, "a pack file")
    unknown = set(data) - TOP_KEYS
    if unknown:
        key = sorted(unknown)[0]
        ctx.fail(data.line_of(key), f"unknown top-level key {key!r}")
    for key in ("id", "title", "document", "effective_from", "parameters", "rules"):
        if key not in data:
            ctx.fail(1, f"missing required key {key!r}")
    pack_id = data["id"]
    if not (isinstance(pack_id, str) and PACK_ID.match(pack_id)):
        ctx.fail(data.line_of("id"), f"pack id must be lower-case letters, digits and '-', got {pack_id!r}")
    complete = data.get("complete", True)
    todo = list(data.get("todo") or [])
    if complete is not True and not todo:
        ctx.fail(data.line_of("complete"), "an incomplete pack (complete: false) needs a 'todo' list")
    entity = data.get("entity", "carrier")
    if entity not in schema:
        ctx.fail(data.line_of("entity"), f"unknown entity {entity!r}")
    parameters = _parameters(ctx, ctx.mapping(data["parameters"], data.line_of("parameters"), "parameters"))
    definitions = _definitions(ctx, data, entity, schema)
    try:
        order = Binder(schema, parameters, definitions).bind_all()
    except DefinitionError as exc:
        d = definitions[exc.definition]
        ctx.fail(d.line, f"{exc.definition}: {exc.message}")
    _check_templates(ctx, schema, parameters, definitions)
    for d in definitions.values():
        if d.unit in MONEY_UNITS and d.type != "int":
            ctx.fail(d.line, f"{d.name}: money ({d.unit}) must stay integral, but the expression is {d.type}; "
                             "use round()")
    effective_to = data.get("effective_to")
    pack = Pack(
        id=pack_id, title=str(data["title"]), document=_document(ctx, data),
        effective_from=ctx.date(data["effective_from"], data.line_of("effective_from"), "effective_from"),
        effective_to=None if effective_to is None else ctx.date(effective_to, data.line_of("effective_to"),
                                                                 "effective_to"),
        entity=entity, parameters=parameters, definitions={name: definitions[name] for name in order},
        complete=complete is True, todo=[str(t) for t in todo], superseded_by=str(data.get("superseded_by") or ""),
        tests=list(data.get("tests") or []), fixtures=dict(data.get("fixtures") or {}), file=file, schema=schema,
    )
    if pack.effective_to is not None and pack.effective_to < pack.effective_from:
        ctx.fail(data.line_of("effective_to"), "effective_to is before effective_from")
    return pack


def _document(ctx: _Ctx, data) -> DocumentRef:
    doc = ctx.mapping(data["document"], data.line_of("document"), "document")
    if "name" not in doc:
        ctx.fail(doc.line, "document needs a 'name'")
    return DocumentRef(**{k: str(doc.get(k, "")) for k in ("name", "number", "issuer", "date", "url")})


def _citation(ctx: _Ctx, raw, line: int, what: str) -> Citation:
    if raw is None:
        ctx.fail(line, f"{what} has no citation")
    raw = ctx.mapping(raw, line, f"citation of {what}")
    if not raw.get("article"):
        ctx.fail(raw.line, f"citation of {what} needs an 'article' (e.g. 第七条)")
    extra = set(raw) - {"article", "paragraph", "text", "verified", "source"}
    if extra:
        ctx.fail(raw.line, f"citation of {what}: unknown key(s) {sorted(extra)}")
    verified = raw.get("verified", True)
    if not isinstance(verified, bool):
        ctx.fail(raw.line_of("verified"), "citation 'verified' must be true or false")
    return Citation(str(raw["article"]), str(raw.get("paragraph", "")), str(raw.get("text", "")), verified,
                    str(raw.get("source", "")))


def _parameters(ctx: _Ctx, raw) -> dict[str, Parameter]:
    out = {}
    for name, spec in raw.items():
        line = raw.line_of(name)
        if not (isinstance(name, str) and IDENT.match(name)):
            ctx.fail(line, f"parameter name {name!r} must be snake_case")
        spec = ctx.mapping(spec, line, f"parameter {name}")
        unit = spec.get("unit")
        if unit not in UNIT_TYPES:
            ctx.fail(spec.line_of("unit"), f"parameter {name}: unknown unit {unit!r}; known: {', '.join(UNIT_TYPES)}")
        if not spec.get("description"):
            ctx.fail(spec.line, f"parameter {name} needs a description")
        extra = set(spec) - PARAM_KEYS
        if extra:
            ctx.fail(spec.line_of(sorted(extra)[0]), f"parameter {name}: unknown key {sorted(extra)[0]!r}")
        values = spec.get("values")
        if not isinstance(values, list) or not values:
            ctx.fail(spec.line_of("values"), f"parameter {name} needs a non-empty list of dated values")
        parsed = []
        for item in values:
            item = ctx.mapping(item, spec.line_of("values"), f"a value of parameter {name}")
            start = ctx.date(item.get("from"), item.line_of("from"), f"parameter {name} 'from'")
            if "value" not in item:
                ctx.fail(item.line, f"parameter {name} value from {start} has no 'value'")
            try:
                value = to_canonical(unit, item["value"])
            except ValueError as exc:
                ctx.fail(item.line_of("value"), f"parameter {name}: {exc}")
            citation = _citation(ctx, item.get("citation"), item.line, f"parameter {name} value from {start}")
            parsed.append(ParamValue(start, value, item["value"], citation, item.line))
        parsed.sort(key=lambda pv: pv.start)
        for a, b in itertools.pairwise(parsed):
            if a.start == b.start:
                ctx.fail(b.line, f"parameter {name} has two values from {a.start}")
        label = _texts(ctx, spec, "label", f"parameter {name}") or _description_label(str(spec["description"]))
        out[name] = Parameter(name, str(spec["description"]), unit, parsed, line, label,
                              _texts(ctx, spec, "explain", f"parameter {name}"))
    return out


def _definitions(ctx: _Ctx, data, default_entity: str, schema: Schema) -> dict[str, Definition]:
    out: dict[str, Definition] = {}
    for section, is_rule in (("variables", False), ("rules", True)):
        raw = data.get(section) or yaml_lines.LineDict()
        raw = ctx.mapping(raw, data.line_of(section), section)
        for name, spec in raw.items():
            line = raw.line_of(name)
            if not (isinstance(name, str) and IDENT.match(name)) or name in ("param", "as_of"):
                ctx.fail(line, f"{section[:-1]} name {name!r} must be snake_case and not reserved")
            if name in out:
                ctx.fail(line, f"{name!r} is defined twice (names are unique across variables and rules)")
            spec = ctx.mapping(spec, line, f"{section[:-1]} {name}")
            extra = set(spec) - DEF_KEYS
            if extra:
                ctx.fail(spec.line_of(sorted(extra)[0]), f"{name}: unknown key {sorted(extra)[0]!r}")
            if "expression" not in spec:
                ctx.fail(spec.line, f"{name} needs an 'expression'")
            entity = spec.get("entity", default_entity)
            if entity not in schema:
                ctx.fail(spec.line_of("entity"), f"{name}: unknown entity {entity!r}")
            expr_line = spec.line_of("expression")
            try:
                node = parse(str(spec["expression"]))
            except ExpressionError as exc:
                ctx.fail(expr_line, f"{name}: {exc.message}")
            citation = None
            if spec.get("citation") is not None:
                citation = _citation(ctx, spec["citation"], spec.line_of("citation"), name)
            unit = str(spec.get("unit", ""))
            if unit and unit not in UNIT_TYPES:
                ctx.fail(spec.line_of("unit"), f"{name}: unknown unit {unit!r}")
            label = _texts(ctx, spec, "label", name)
            if label and ("label_zh" in spec or "label_en" in spec):
                ctx.fail(spec.line_of("label"), f"{name}: give either 'label' or 'label_zh'/'label_en', not both")
            out[name] = Definition(name, entity, str(spec["expression"]), node, is_rule,
                                   label.get("zh", str(spec.get("label_zh", ""))),
                                   label.get("en", str(spec.get("label_en", ""))),
                                   citation, unit, expr_line, _texts(ctx, spec, "explain", name),
                                   _texts(ctx, spec, "explain_failed", name))
    return out


def _texts(ctx: _Ctx, spec, key: str, what: str) -> dict[str, str]:
    """`label: {zh: …, en: …}` / `explain: {zh: …, en: …}`: Chinese required, English optional."""
    if key not in spec:
        return {}
    raw = ctx.mapping(spec[key], spec.line_of(key), f"{what} {key}")
    extra = set(raw) - {"zh", "en"}
    if extra:
        ctx.fail(raw.line_of(sorted(extra)[0]), f"{what} {key}: unknown language {sorted(extra)[0]!r} (zh, en)")
    if not isinstance(raw.get("zh"), str) or not raw["zh"].strip():
        ctx.fail(raw.line, f"{what} {key} needs a Chinese text 'zh'")
    if "en" in raw and not isinstance(raw["en"], str):
        ctx.fail(raw.line_of("en"), f"{what} {key}: 'en' must be a text")
    return {lang: str(raw[lang]).strip() for lang in ("zh", "en") if raw.get(lang)}


def _description_label(description: str) -> dict[str, str]:
    """A parameter without `label`: "孵化资金规模 / seed fund" → {zh: 孵化资金规模, en: seed fund}."""
    zh, en = ([*re.split(r"\s*/\s+", description, maxsplit=1), ""])[:2]
    zh = zh.replace("（分）", "").replace("（分，", "（").strip()  # a label names the thing, not the storage unit
    en = en.replace(" (fen)", "").strip()
    return {"zh": zh, "en": en} if en else {"zh": zh}


def _check_templates(ctx: _Ctx, schema: Schema, parameters: dict, definitions: dict) -> None:
    """Every `{name}` of an explain template names an attribute of its entity, a parameter, a variable or
    rule, or one of SPECIAL_NAMES; format specs are limited to those the renderer knows."""
    owners = [(p.name, p.explain, p.line, None) for p in parameters.values()]
    owners += [(d.name, d.explain, d.line, d.entity) for d in definitions.values()]
    owners += [(d.name, d.explain_failed, d.line, d.entity) for d in definitions.values()]
    for owner, texts, line, entity in owners:
        known = set(parameters) | set(definitions) | set(SPECIAL_NAMES)
        if entity is not None:
            known |= set(schema[entity].attributes)
        for lang, text in texts.items():
            try:
                fields = template_fields(text)
            except ValueError as exc:
                ctx.fail(line, f"{owner}: explain {lang}: {exc}")
            for name, _spec in fields:
                if name not in known:
                    ctx.fail(line, f"{owner}: explain {lang}: unknown name {{{name}}} (an attribute, parameter, "
                                   f"variable or one of {', '.join(SPECIAL_NAMES)})")
