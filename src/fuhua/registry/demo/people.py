"""Service providers, investment institutions with their contacts, and the mentors serving carriers."""

from __future__ import annotations

import math

from fuhua.registry.models import InvestorProfile, MentorProfile, Organisation

from .calibration import CURRENT_SHARE, INDUSTRY_WEIGHTS
from .carriers import organisation
from .context import Context
from .names import PARTS, compose_search

_FIELDS = [f for f in INDUSTRY_WEIGHTS if f != "other"]


def providers_and_investors(ctx: Context, region: str, place: str, n_carriers: int) -> list[Organisation]:
    """Write the group's service providers and investment institutions (with 2–4 contacts each)."""
    r, names = ctx.rng, ctx.names
    providers = [organisation(ctx, names.organisation(place, "provider_suffixes"), "service_provider", region)
                 for _ in range(max(2, n_carriers // 15))]
    investors = [organisation(ctx, names.organisation(place, "investor_suffixes"), "investor", region)
                 for _ in range(max(2, n_carriers // 12))]
    ctx.sink.save(Organisation, providers + investors)
    contacts = []
    for institution in investors:
        for _ in range(r.randint(2, 4)):
            parts = names.person()
            contacts.append(InvestorProfile(
                name="".join(parts), institution=institution, position=r.choice(PARTS["investor_positions"]),
                focus_field=r.choice(_FIELDS), region_id=region, search=compose_search(parts),
            ))
    ctx.sink.save(InvestorProfile, contacts)
    return investors


def _employer(ctx: Context, place: str, investors: list[Organisation]) -> str:
    r = ctx.rng
    roll = r.random()
    if roll < 0.3:
        return r.choice(investors).name
    if roll < 0.55:
        return r.choice(_UNIVERSITIES)
    return f"{place}{''.join(ctx.names.brand())}{r.choice(['科技有限公司', '咨询有限公司', '会计师事务所'])}"


_UNIVERSITIES = [u for names in PARTS["universities"].values() for u in names]


def mentors(ctx: Context, region: str, place: str, carriers: list, investors: list[Organisation]) -> None:
    """Mentors for each carrier: ≥ 1 per 10 tenants at national and provincial carriers, some shared."""
    r = ctx.rng
    pool: list[MentorProfile] = []
    links: dict[tuple[int, int], None] = {}  # (mentor index, carrier pk), ordered and without repeats
    for p, carrier in carriers:
        current = p.tenants * CURRENT_SHARE.get(p.kind, 0.7)
        per = r.uniform(6, 10) if p.level in ("national", "provincial") else r.uniform(10, 25)
        wanted = min(60, max(3 if p.kind == "maker_space" or p.level == "national" else 1, math.ceil(current / per)))
        for _ in range(wanted):
            if pool and r.random() < 0.3:
                index = r.randrange(len(pool))  # a mentor serving several carriers of the city
            else:
                parts = ctx.names.person()
                pool.append(MentorProfile(
                    name="".join(parts), title=r.choice(PARTS["mentor_titles"]),
                    employer=_employer(ctx, place, investors), industry_field=p.industry or r.choice(_FIELDS),
                    region_id=region, full_time=r.random() < 0.2, search=compose_search(parts),
                ))
                index = len(pool) - 1
            links[(index, carrier.pk)] = None
    ctx.sink.save(MentorProfile, pool)
    through = MentorProfile.carriers.through
    ctx.sink.save(through, [through(mentorprofile_id=pool[i].pk, carrier_id=c) for i, c in links])
