"""Runs the YAML test cases embedded in a pack.

A case::

    - name: area just below threshold
      as_of: 2021-06-30
      use: [national_base]            # fixtures of the pack (optional)
      entities: {firm: [{id: f1, ...}]}  # extra records (optional)
      patch: {carrier: {c1: {incubation_area_m2: 9999}}}
      overrides: {min_incubation_area: 8000}
      expect: {carrier: {c1: {area_ok: false}}}
      explain: [{entity: carrier, id: c1, rule: area_ok, contains: ["孵化场地", "9999"]}]

`contains` fragments are looked for in the trace (zh/en renderings and JSON) and in the rule's
plain-language sentences (zh and en, money in 元/万元).

A record with ``repeat: N`` (and optional ``start: K``) stands for N records;
``{i}`` in its strings is replaced by the record number.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field

from .api import evaluate_population, explain
from .errors import RulesError
from .pack import Pack
from .population import Population
from .sentence import explain_sentence
from .trace import to_plain


@dataclass
class CaseResult:
    pack: str
    name: str
    file: str
    line: int | None
    failures: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures

    def where(self) -> str:
        return f"{self.file}:{self.line or '?'}"


def _expand(records: list) -> list[dict]:
    out = []
    for rec in records or []:
        rec = dict(rec)
        n, start = rec.pop("repeat", None), rec.pop("start", 0)
        if n is None:
            out.append(rec)
            continue
        for i in range(start, start + n):
            out.append({k: v.replace("{i}", str(i)) if isinstance(v, str) else v for k, v in rec.items()})
    return out


def build_case_population(pack: Pack, case: dict) -> Population:
    records: dict[str, list[dict]] = {}
    for fixture in case.get("use") or []:
        if fixture not in pack.fixtures:
            raise RulesError(f"unknown fixture {fixture!r}")
        for kind, recs in pack.fixtures[fixture].items():
            records.setdefault(kind, []).extend(_expand(recs))
    for kind, recs in (case.get("entities") or {}).items():
        records.setdefault(kind, []).extend(_expand(recs))
    records = copy.deepcopy(records)
    for kind, patches in (case.get("patch") or {}).items():
        by_id = {str(r["id"]): r for r in records.get(kind, [])}
        for entity_id, changes in patches.items():
            if str(entity_id) not in by_id:
                raise RulesError(f"patch: no {kind} with id {entity_id!r}")
            by_id[str(entity_id)].update(changes)
    return Population.from_records(records, pack.schema)


def _same(actual, expected) -> bool:
    actual = to_plain(actual)
    if isinstance(expected, float) or isinstance(actual, float):
        if actual is None or expected is None:
            return actual is expected
        return math.isclose(float(actual), float(expected), rel_tol=1e-9, abs_tol=1e-9)
    return str(actual) == str(expected) if not isinstance(expected, (bool, int)) else actual == expected


def run_case(pack: Pack, case: dict) -> CaseResult:
    result = CaseResult(pack.id, str(case.get("name", "?")), pack.file, getattr(case, "line", None))
    try:
        population = build_case_population(pack, case)
        as_of, overrides = case["as_of"], case.get("overrides")
        expect = case.get("expect") or {}
        names = sorted({r for ents in expect.values() for vals in ents.values() for r in vals})
        values = evaluate_population(pack, population, as_of, names, overrides) if names else {}
        for kind, entities in expect.items():
            for entity_id, expected in entities.items():
                row = population[kind].row_of(entity_id)
                for name, want in expected.items():
                    got = values[name][row]
                    if not _same(got, want):
                        result.failures.append(f"{kind} {entity_id} {name} = {to_plain(got)}, expected {want}")
        for item in case.get("explain") or []:
            trace = explain(pack, item["entity"], item["id"], population, item["rule"], as_of, overrides)
            data = trace.to_json()
            sentences = [explain_sentence(pack, data, lang).text for lang in ("zh", "en")]
            text = "\n".join([trace.render("zh"), trace.render("en"), trace.dumps(), *sentences])
            for fragment in item.get("contains") or []:
                if str(fragment) not in text:
                    result.failures.append(f"explanation of {item['rule']} for {item['id']} lacks {fragment!r}")
    except (RulesError, KeyError, TypeError, ValueError) as exc:
        result.failures.append(f"error: {type(exc).__name__}: {exc}")
    return result


def run_pack_tests(pack: Pack) -> list[CaseResult]:
    """Run every test case of ``pack``; one result per case."""
    return [run_case(pack, case) for case in pack.tests]


__all__ = ["CaseResult", "build_case_population", "run_case", "run_pack_tests"]
