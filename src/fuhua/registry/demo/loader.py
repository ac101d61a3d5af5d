"""The registry's demo step: plan the carriers, then write group by group (a Jiangsu city or another
province) the associations, carriers with their recognitions, service providers, investors and mentors.

What the later steps build on (the context with its random streams and name makers, and each group's
plans and written carriers) is left in `run.shared["registry"]`; the incubation step adds the tenants.
"""

from __future__ import annotations

from dataclasses import dataclass

from fuhua.core.demo import DemoRun

from . import carriers, people, regions
from .calibration import SCALES, set_as_of
from .context import Context
from .plan import CarrierPlan, plan_carriers


@dataclass
class Group:
    key: str
    plans: list[CarrierPlan]
    built: list  # (plan, carrier) pairs, in plan order
    names_taken: set  # the group's firm names so far (names are unique per group)


@dataclass
class RegistryDemo:
    ctx: Context
    groups: list[Group]

    @property
    def tenants(self) -> int:
        return sum(p.tenants for g in self.groups for p in g.plans)


def _groups(plans: list[CarrierPlan]) -> dict[str, list[CarrierPlan]]:
    groups: dict[str, list[CarrierPlan]] = {}
    for p in sorted(plans, key=lambda p: p.group):
        groups.setdefault(p.group, []).append(p)
    return groups


def load_registry(run: DemoRun) -> None:
    set_as_of(run.today)
    spec = SCALES[run.scale]
    plans = plan_carriers(spec)
    by_group = _groups(plans)
    run.begin(len(plans))
    ctx = Context(spec)
    carriers.associations(ctx, sorted({p.province for p in plans}))
    groups = []
    for key, group in by_group.items():
        ctx.start_group(key)
        built = list(zip(group, carriers.build(ctx, group), strict=True))
        row = regions.rows()[key]
        investors = people.providers_and_investors(ctx, key, row.short, len(group))
        people.mentors(ctx, key, row.short, built, investors)
        groups.append(Group(key, group, built, ctx.names.taken))
        run.advance(len(group))
    ctx.sink.finish()
    run.shared["registry"] = RegistryDemo(ctx, groups)
    run.note(f"registry: {len(plans):,} carriers in {len(groups)} groups")
