"""Who may claim: the programme pack's eligibility rule over the firms' population (rules adapter), with the
refusal naming the failed check and its citation. Results are kept per programme, firm and day
(`EligibilityCheck`), so a claim in the rush reads one row; `precompute` fills a whole region at once."""

from __future__ import annotations

import datetime

import numpy as np
from django.db import IntegrityError, transaction
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from fuhua.incubation.models import Incubation
from fuhua.registry.models import Firm, Region
from fuhua.rules import Population, evaluate_population
from fuhua.rules.adapter import load_population

from .. import packs
from ..models import EligibilityCheck, VoucherProgramme
from .common import pack_of, today

OPEN_TENANCY = ("admitted", "incubating")


def firms_in_region(region_code: str):
    return Firm.objects.filter(Region.objects.get(pk=region_code).subtree_q("region"))


def _decoded(population: Population, kind: str) -> dict[str, np.ndarray]:
    table, schema = population[kind], population.schema[kind]
    out = {"id": table.ids}
    for name, values in table.columns.items():
        attr = schema.attributes.get(name)
        out[name] = population.vocabulary.decode(values) if attr is not None and attr.type == "str" else values
    return out


def population(programme: packs.ProgrammePack, firm_ids: list[int], as_of: datetime.date) -> Population:
    """The firms' national attributes (rules adapter) plus what programmes read: jurisdiction, size, tenancy."""
    firms = Firm.objects.filter(pk__in=firm_ids)
    loaded = load_population(as_of, firms=firms)
    columns = _decoded(loaded.population, "firm")
    ids = columns["id"]
    region = Region.objects.get(pk=programme.meta.region)
    inside = set(firms.filter(region.subtree_q("region")).values_list("pk", flat=True))
    sizes = dict(firms.values_list("pk", "size_class"))
    tenants = set(Incubation.objects.filter(firm_id__in=firm_ids, status__in=OPEN_TENANCY)
                  .values_list("firm_id", flat=True))
    columns["in_jurisdiction"] = np.array([int(i) in inside for i in ids], bool)
    columns["size_class"] = np.array([sizes.get(int(i)) for i in ids], dtype=object)
    columns["incubating"] = np.array([int(i) in tenants for i in ids], bool)
    return Population.from_columns({"firm": columns}, packs.voucher_schema())


def _reason(programme: packs.ProgrammePack, failed: list[str]) -> str:
    pack = programme.pack
    english = (get_language() or "zh-hans").startswith("en")
    parts = []
    for rule in failed:
        d = pack.definitions[rule]
        label = (d.label_en if english else d.label_zh) or rule
        article = (d.citation.article + (d.citation.paragraph or "")) if d.citation else ""
        parts.append(_("%(rule)s (%(document)s, %(article)s)") % {
            "rule": label, "document": pack.document.name, "article": article})
    return _("Not eligible: %(checks)s") % {"checks": "; ".join(parts)}


def evaluate(programme: packs.ProgrammePack, firm_ids: list[int], as_of: datetime.date) -> dict[int, tuple[bool, str]]:
    """firm id → (eligible, reason naming every failed check with its citation)."""
    if not firm_ids:
        return {}
    pop = population(programme, firm_ids, as_of)
    rules = [programme.meta.eligibility, *programme.meta.checks]
    out = evaluate_population(programme.pack, pop, np.datetime64(as_of, "D"), rules)
    ids = pop["firm"].ids
    result = {}
    for n, firm_id in enumerate(ids.tolist()):
        if bool(out[programme.meta.eligibility][n]):
            result[int(firm_id)] = (True, "")
        else:
            failed = [rule for rule in programme.meta.checks if not bool(out[rule][n])]
            result[int(firm_id)] = (False, _reason(programme, failed or [programme.meta.eligibility]))
    return result


def _stored(programme: VoucherProgramme, firm: Firm, day: datetime.date) -> EligibilityCheck | None:
    return EligibilityCheck.objects.filter(programme=programme, firm=firm, as_of=day).first()


def _evaluated(programme: VoucherProgramme, firm: Firm, day: datetime.date) -> EligibilityCheck:
    """The firm's check for the day, evaluated now and not stored."""
    eligible, reason = evaluate(pack_of(programme), [firm.pk], day)[firm.pk]
    return EligibilityCheck(programme=programme, firm=firm, as_of=day, eligible=eligible, reason=reason[:500])


def assess(programme: VoucherProgramme, firm: Firm, on: datetime.date | None = None) -> EligibilityCheck:
    """The firm's eligibility today for a page: the stored check, or evaluated now without storing it
    (showing a page writes nothing; the claim and `precompute` store the day's checks)."""
    day = today(on)
    return _stored(programme, firm, day) or _evaluated(programme, firm, day)


def eligibility(programme: VoucherProgramme, firm: Firm, on: datetime.date | None = None) -> EligibilityCheck:
    """The firm's eligibility today for a claim: the stored check, or evaluated now and stored."""
    day = today(on)
    found = _stored(programme, firm, day)
    if found is not None:
        return found
    check = _evaluated(programme, firm, day)
    try:
        with transaction.atomic():
            check.save(force_insert=True)
            return check
    except IntegrityError:  # a concurrent claim of the same firm stored it first
        return EligibilityCheck.objects.get(programme=programme, firm=firm, as_of=day)


def precompute(programme: VoucherProgramme, on: datetime.date | None = None, chunk: int = 5000) -> int:
    """Evaluate every firm of the programme's region for the day (before a rush); returns the firms stored."""
    day = today(on)
    pack = pack_of(programme)
    done = set(EligibilityCheck.objects.filter(programme=programme, as_of=day).values_list("firm_id", flat=True))
    ids = [i for i in firms_in_region(programme.region_id).order_by("pk").values_list("pk", flat=True)
           if i not in done]
    stored = 0
    for start in range(0, len(ids), chunk):
        part = ids[start:start + chunk]
        rows = [EligibilityCheck(programme=programme, firm_id=f, as_of=day, eligible=ok, reason=reason[:500])
                for f, (ok, reason) in evaluate(pack, part, day).items()]
        EligibilityCheck.objects.bulk_create(rows, ignore_conflicts=True, batch_size=2000)
        stored += len(rows)
    return stored


__all__ = ["assess", "eligibility", "evaluate", "firms_in_region", "population", "precompute"]
