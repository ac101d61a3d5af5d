"""The incubation demo step: each carrier's tenant firms and start-up teams with their incubation records,
then the facts the rules read (investments, annual figures, IP, seed funds, staffing), group by group.

It continues the registry step (`run.shared["registry"]`): the same context, a stream of its own per group.
"""

from __future__ import annotations

from fuhua.core.demo import DemoRun

from .facts import build as build_facts
from .tenants import TenantBuilder

TENANT_CHUNK = 200  # carriers whose tenants are built and written together


def load_tenants(run: DemoRun) -> None:
    registry = run.shared["registry"]
    ctx = registry.ctx
    run.begin(registry.tenants)
    for group in registry.groups:
        ctx.rng.seed(f"{ctx.scale.seed}:{group.key}:tenants")
        ctx.names.taken = group.names_taken
        tenants = TenantBuilder(ctx, group.built)
        for start in range(0, len(group.built), TENANT_CHUNK):
            chunk = group.built[start : start + TENANT_CHUNK]
            for p, carrier in chunk:
                tenants.carrier(p, carrier)
            tenants.flush()
            run.advance(sum(p.tenants for p, _ in chunk))
        build_facts(ctx, group.key, group.built)
    ctx.sink.finish()
    run.note(f"incubation: {registry.tenants:,} planned tenants")
