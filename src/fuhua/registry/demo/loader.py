"""load_demo: plan, then write group by group (a Jiangsu city or another province) in one transaction."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.db import transaction

from fuhua.core.text import pad_display
from fuhua.evaluation.demo import load_evaluation
from fuhua.incubation.models import Incubation
from fuhua.policies.demo import load_policies
from fuhua.registry import models as registry
from fuhua.statistics.demo import load_statistics

from . import carriers, facts, people, regions
from .calibration import SCALES
from .context import Context
from .plan import CarrierPlan, plan_carriers
from .tenants import TenantBuilder

TENANT_CHUNK = 200  # carriers whose tenants are built and written together

SUMMARY_MODELS = [
    registry.Region, registry.Organisation, registry.Carrier, registry.Recognition, registry.AssociationMembership,
    registry.Firm, registry.FirmDesignation, registry.StartupTeam, Incubation, registry.MentorProfile,
    registry.InvestorProfile, registry.Investment, registry.FirmYearFigures, registry.IntellectualProperty,
    registry.SeedFund, registry.CarrierStaffing,
]


def counts() -> list[tuple[str, int]]:
    return [(str(m._meta.verbose_name_plural), m.objects.count()) for m in SUMMARY_MODELS]


def _table(rows: list[tuple[str, int]]) -> str:
    return "\n".join(f"  {pad_display(label, 24)} {n:>10,}" for label, n in rows)


def _groups(plans: list[CarrierPlan]) -> dict[str, list[CarrierPlan]]:
    groups: dict[str, list[CarrierPlan]] = {}
    for p in sorted(plans, key=lambda p: p.group):
        groups.setdefault(p.group, []).append(p)
    return groups


def _load_group(ctx: Context, key: str, plans: list[CarrierPlan]) -> int:
    ctx.start_group(key)
    built = list(zip(plans, carriers.build(ctx, plans), strict=True))
    row = regions.rows()[key]
    investors = people.providers_and_investors(ctx, key, row.short, len(plans))
    people.mentors(ctx, key, row.short, built, investors)
    tenants = TenantBuilder(ctx, built)
    for start in range(0, len(built), TENANT_CHUNK):
        for p, carrier in built[start : start + TENANT_CHUNK]:
            tenants.carrier(p, carrier)
        tenants.flush()
    facts.build(ctx, key, built)
    return sum(p.tenants for p in plans)


def load_demo(scale: str = "province", progress: Callable[[str], object] = print) -> str:
    """Fill an empty database with demo data of `scale`; with carriers present, load nothing.

    Returns a printable summary of the counts per model.
    """
    if registry.Carrier.objects.exists():
        return "The database already holds carriers, so no demo data was loaded. It contains:\n" + _table(counts())
    spec = SCALES[scale]
    started = time.perf_counter()
    plans = plan_carriers(spec)
    groups = _groups(plans)
    progress(f"Loading the {scale} demo: {len(plans):,} carriers in {len(groups)} groups …")
    ctx = Context(spec)
    with transaction.atomic():
        carriers.associations(ctx, sorted({p.province for p in plans}))
        for key, group in groups.items():
            n = _load_group(ctx, key, group)
            progress(f"  {regions.rows()[key].name}: {len(group):,} carriers, {n:,} tenants "
                     f"({time.perf_counter() - started:.1f} s)")
        load_statistics(progress)
        load_evaluation(progress)
        load_policies(progress)
    return (
        f"Demo data ({scale}) loaded in {time.perf_counter() - started:.1f} s. It was written by the system in bulk, "
        f"so these rows have no per-object audit history:\n" + _table(counts())
    )
