"""Readiness for national recognition: each criterion of a pack for one carrier (with the data behind it and
the citation), or for every carrier in a scope at once (who meets the criteria, who is closest, on what).
"""

from __future__ import annotations

import datetime
import re
import time

import numpy as np
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from fuhua.core import formatting as fmt
from fuhua.core import glossary
from fuhua.rules import (
    Pack,
    RulesError,
    Step,
    attribute_label,
    evaluate_population,
    explain,
    explain_sentence,
    to_plain,
)
from fuhua.rules.adapter import load_population, source_of
from fuhua.rules.adapter.packs import Chosen, pack_on

from .choices import CarrierKind
from .models import Carrier


def kind_label(kind: str) -> str:
    return str(dict(CarrierKind.choices).get(kind, kind))

# The carrier kinds each pack judges, and the default pack per kind (the first in force wins).
PACK_KINDS = {"cn-most-2018": ("incubator",), "cn-miit-2025": ("incubator",), "cn-maker-space-2017": ("maker_space",)}
DEFAULT_PACKS = {"maker_space": ("cn-maker-space-2017",), "incubator": ("cn-most-2018", "cn-miit-2025")}
INCUBATOR_PACKS = ("cn-most-2018", "cn-miit-2025")
CLOSEST = 20


def default_pack(kind: str, as_of: datetime.date) -> str:
    """The pack in force on `as_of` that judges carriers of this kind; RulesError when no pack judges the kind
    (a university science park is not an incubator: it is not checked against the incubator criteria)."""
    candidates = DEFAULT_PACKS.get(kind)
    if not candidates:
        raise RulesError(_("No national readiness criteria are encoded for this kind of carrier (%(kind)s); "
                           "choose a pack to check it against that pack's criteria anyway.")
                         % {"kind": kind_label(kind)})
    for pack_id in candidates:
        try:
            if not pack_on(pack_id, as_of).note:
                return pack_id
        except RulesError:
            continue
    return candidates[0]


def _lang() -> str:
    return "en" if (get_language() or "zh").startswith("en") else "zh"


def _names(expression: str) -> set[str]:
    return set(re.findall(r"[A-Za-z_]\w*", expression))


def criteria(pack: Pack) -> tuple[str, list[str]]:
    """(summary rule, its criteria): the carrier rule combining the most other carrier rules, and those."""
    rules = [r for r in pack.rules if pack.definitions[r].entity == "carrier"]
    parts = {r: [x for x in rules if x != r and x in _names(pack.definitions[r].expression)] for r in rules}
    summary = max(rules, key=lambda r: len(parts[r]))
    if not parts[summary]:
        raise RulesError(_("Pack %(id)s has no carrier rule that combines criteria.") % {"id": pack.id})
    return summary, parts[summary]


def _walk(step: Step, kinds: tuple[str, ...]):
    """Steps of these kinds, not descending into collections (their members are summarised by the count)."""
    for child in step.children:
        if child.kind in kinds:
            yield child
        if child.kind not in ("collection",):
            yield from _walk(child, kinds)


def _comparison(step: Step) -> dict:
    left, right = [*step.children, None, None][:2]
    return {"expr": step.expr, "passed": step.passed,
            "value": to_plain(left.value) if left else None, "value_expr": left.expr if left else "",
            "threshold": to_plain(right.value) if right else None, "threshold_expr": right.expr if right else ""}


def _data(step: Step, assumed: dict) -> list[dict]:
    seen, out = set(), []
    for s in _walk(step, ("attribute",)):
        name = s.expr.split(".")[-1]
        kind = "firm" if s.expr.startswith("firm.") else "carrier"
        if s.expr in seen:
            continue
        seen.add(s.expr)
        available, source = source_of(kind, name)
        out.append({"attribute": s.expr, "label": attribute_label(s.expr, _lang()), "value": to_plain(s.value),
                    "available": available, "source": source, "assumed": name in assumed})
    return out


def _assume(population, carrier_id: int, assume: dict) -> None:
    """What-if values for the carrier's attributes (data not collected, or a change being considered);
    the output marks them as assumed. Only this carrier's row of a throwaway population changes."""
    table = population["carrier"]
    row = table.row_of(carrier_id)
    for name, value in assume.items():
        attr = population.schema["carrier"].attributes.get(name)
        if attr is None:
            raise RulesError(_("%(name)s is not an attribute of a carrier.") % {"name": name})
        if attr.type == "str":
            value = population.vocabulary.code(value)
        table.columns[name][row] = value


def carrier_readiness(carrier: Carrier, pack_id: str | None = None, as_of: datetime.date | None = None,
                      assume: dict | None = None) -> dict:
    """Every criterion of the pack for one carrier: value, threshold after reductions, pass/fail, data, citation."""
    as_of = as_of or timezone.localdate()
    assume = dict(assume or {})
    chosen: Chosen = pack_on(pack_id or default_pack(carrier.kind, as_of), as_of)
    pack = chosen.pack
    summary, names = criteria(pack)
    loaded = load_population(as_of, carriers=Carrier.objects.filter(pk=carrier.pk))
    _assume(loaded.population, carrier.pk, assume)
    started = time.perf_counter()
    rows = []
    lang = "en" if (get_language() or "zh").startswith("en") else "zh"
    unverified = ""
    for name in names:
        trace = explain(pack, "carrier", carrier.pk, loaded.population, name, as_of)
        definition = pack.definitions[name]
        data = _data(trace.root, assume)
        sentence = explain_sentence(pack, trace.to_json(), lang, name=carrier.name, money=fmt.money, word=glossary.word)
        rows.append({
            "rule": name, "label": definition.label_zh, "label_en": definition.label_en, "passed": bool(trace.value),
            "citation": f"{pack.document.number} {definition.citation.label() if definition.citation else ''}".strip(),
            "comparisons": [_comparison(s) for s in _walk(trace.root, ("compare",))],
            "data": data, "explanation": trace.render(lang),
            "sentence": sentence.text, "missing_data": any(not d["available"] for d in data),
        })
        unverified = unverified or sentence.note
    eligible = bool(explain(pack, "carrier", carrier.pk, loaded.population, summary, as_of).value)
    return {
        "carrier": {"id": carrier.pk, "name": carrier.name, "kind": carrier.kind},
        "pack": pack.id, "document": pack.document.number, "title": pack.title, "complete": pack.complete,
        "as_of": as_of.isoformat(), "note": chosen.note, "rule": summary, "eligible": eligible,
        "failed": [r["rule"] for r in rows if not r["passed"]], "criteria": rows, "assumed": assume,
        "unverified": unverified,
        "not_collected": sorted({d["attribute"] for r in rows for d in r["data"] if not d["available"]}),
        "not_collected_labels": sorted({d["label"] for r in rows for d in r["data"] if not d["available"]}),
        "seconds": {"load": round(loaded.seconds, 3), "compute": round(time.perf_counter() - started, 3)},
    }


def region_readiness(carriers, pack_id: str, as_of: datetime.date | None = None) -> dict:
    """For every carrier of the pack's kinds in `carriers` (a scoped queryset), vectorised: who meets the
    criteria, and the closest others with the criteria they fail."""
    as_of = as_of or timezone.localdate()
    chosen = pack_on(pack_id, as_of)
    pack = chosen.pack
    summary, names = criteria(pack)
    judged = carriers.filter(kind__in=PACK_KINDS.get(pack.id, ("incubator",)))
    loaded = load_population(as_of, carriers=judged)
    started = time.perf_counter()
    out = evaluate_population(pack, loaded.population, as_of, [summary, *names])
    seconds = time.perf_counter() - started
    table = loaded.population["carrier"]
    wanted = np.isin(table.ids, np.fromiter(judged.values_list("pk", flat=True), np.int64))
    passed = np.stack([out[n].astype(bool) for n in names]) if names else np.zeros((0, len(table.ids)), bool)
    failed = (~passed).sum(axis=0)
    objects = judged.select_related("region").in_bulk(table.ids[wanted].tolist())

    def row(i):
        return {"carrier": objects[int(table.ids[i])], "failed_count": int(failed[i]),
                "failed": [n for k, n in enumerate(names) if not passed[k, i]]}

    meeting = [row(i) for i in np.flatnonzero(wanted & out[summary].astype(bool))]
    others = np.flatnonzero(wanted & ~out[summary].astype(bool))
    closest = [row(i) for i in others[np.lexsort((table.ids[others], failed[others]))][:CLOSEST]]
    failing_counts = {n: int((~passed[k] & wanted).sum()) for k, n in enumerate(names)}
    return {
        "pack": pack, "note": chosen.note, "as_of": as_of, "criteria": names, "summary": summary,
        "labels": {n: pack.definitions[n].label_zh for n in names}, "judged": int(wanted.sum()),
        "meeting": sorted(meeting, key=lambda r: r["carrier"].name), "closest": closest,
        "failing_counts": failing_counts, "seconds": {"load": round(loaded.seconds, 3), "compute": round(seconds, 3)},
    }
