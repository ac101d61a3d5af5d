"""Operators, carriers, their recognitions and association memberships, from the carrier plan."""

from __future__ import annotations

import datetime
import zlib

from fuhua.registry.models import AssociationMembership, Carrier, Organisation, Recognition

from . import authorities, regions
from .calibration import as_of
from .context import Context, add_years, between, days
from .names import PARTS, compose_search
from .plan import CarrierPlan

# Likelihood of membership of the provincial association, by the carrier's highest level.
MEMBERSHIP = {"national": 0.95, "provincial": 0.75, "municipal": 0.35, "district": 0.15}


# Ownership of enterprise operators, drawn from the credit code (not the random stream, so the rest of the
# demo stays as it was): mostly private, some state-owned, foreign and HK/Macao/Taiwan-invested.
_ENTERPRISE_OWNERSHIP = (("private", 78), ("state_owned", 12), ("foreign", 5), ("hk_macao_taiwan", 3), ("mixed", 2))
_OWNERSHIP_BY_KIND = {"university": "public_institution", "public_institution": "public_institution",
                      "association": "social", "government": "government"}


def _ownership(kind: str, code: str) -> str:
    if kind != "enterprise":
        return _OWNERSHIP_BY_KIND.get(kind, "")
    point = zlib.crc32(code.encode()) % 100
    for ownership, share in _ENTERPRISE_OWNERSHIP:
        if point < share:
            return ownership
        point -= share
    return "private"


def organisation(ctx: Context, parts: tuple[str, ...], kind: str, region: str, founded=None) -> Organisation:
    code = ctx.codes.credit_code(region, kind)
    return Organisation(
        name="".join(parts), credit_code=code, kind=kind, ownership=_ownership(kind, code), region_id=region,
        founded=founded, legal_representative="".join(ctx.names.person()), search=compose_search(parts, code),
    )


def associations(ctx: Context, provinces: list[str]) -> None:
    """One incubator association per province that has carriers (Jiangsu's is 江苏省科技企业孵化器协会)."""
    for code in provinces:
        name = regions.rows()[code].name
        ctx.associations[code] = organisation(
            ctx, (name, "科技企业孵化器协会"), "association", code, datetime.date(2006, 3, 1)
        )
    ctx.sink.save(Organisation, list(ctx.associations.values()))


def _operator(ctx: Context, p: CarrierPlan, group_operators: list, new: list) -> Organisation:
    r = ctx.rng
    founded = p.established - days(r.randint(0, 400))
    if p.university:
        if p.university not in ctx.universities:
            org = organisation(ctx, (p.university,), "university", p.region, datetime.date(1952, 10, 1))
            ctx.universities[p.university] = org
            new.append(org)
        return ctx.universities[p.university]
    if group_operators and not p.operator and r.random() < 0.15:
        return r.choice(group_operators)  # one operator running several carriers
    if p.operator:
        org = organisation(ctx, (p.operator,), "enterprise", p.region, founded)
    elif r.random() < 0.12:
        org = organisation(ctx, ctx.names.organisation(p.place, "public_suffixes"), "public_institution",
                           p.region, founded)
    else:
        org = organisation(ctx, ctx.names.organisation(p.place, "operator_suffixes"), "enterprise", p.region, founded)
    group_operators.append(org)
    new.append(org)
    return org


def _address(ctx: Context, p: CarrierPlan) -> str:
    region = regions.rows()[p.region]
    return f"{region.name}{ctx.rng.choice(PARTS['roads'])}{ctx.rng.randint(1, 999)}号"


def _recognitions(ctx: Context, p: CarrierPlan, carrier: Carrier) -> list[Recognition]:
    r = ctx.rng
    out = []
    for level, year in p.ladder:
        batch = authorities.recognition(level, p.kind, year, p.region, p.province)
        if level == "district" and regions.rows()[p.region].name.endswith("市"):
            level = "county_city"  # 太仓市级, 昆山市级 …: issued by a county-level city, not a district
        rec = Recognition(
            carrier=carrier, level=level, kind="filing" if p.kind == "maker_space" else "recognition",
            carrier_kind=p.kind, **batch,
        )
        if level in ("municipal", "county_city", "district"):
            rec.valid_until = add_years(rec.granted_on, 3) - days(1)  # local recognitions run for 3 years
        if level == "national" and p.kind == "incubator" and year >= authorities.MIIT_FROM_YEAR:
            rec.national_grade = "excellence" if r.random() < 0.15 else "standard"
        if level in ("national", "provincial") and year <= 2022 and r.random() < 0.02:
            rec.revoked_on = between(r, add_years(rec.granted_on, 2), as_of())
            rec.revoked_reason = r.choice(authorities.REVOCATION_REASONS)
        out.append(rec)
    return out


def build(ctx: Context, plans: list[CarrierPlan]) -> list[Carrier]:
    """Write the group's operators, carriers, recognitions and memberships; return the carriers."""
    r = ctx.rng
    group_operators, new_orgs, carriers = [], [], []
    for p in plans:
        operator = _operator(ctx, p, group_operators, new_orgs)
        carriers.append(Carrier(
            name=p.full_name, kind=p.kind, demo_base_type=p.demo_base_type, operator=operator,
            region_id=p.region, address=_address(ctx, p), established=p.established,
            incubation_area_m2=p.incubation_area, tenant_area_m2=p.tenant_area, workstations=p.workstations,
            specialisation="specialised" if p.industry else "comprehensive", industry_field=p.industry,
            status="suspended" if r.random() < 0.01 else "operating", search=compose_search(p.name),
        ))
    ctx.sink.save(Organisation, new_orgs)
    ctx.sink.save(Carrier, carriers)
    recognitions, memberships = [], []
    for p, carrier in zip(plans, carriers, strict=True):
        recognitions += _recognitions(ctx, p, carrier)
        if r.random() < MEMBERSHIP[p.level]:
            joined = between(r, max(p.established, datetime.date(2008, 1, 1)), as_of())
            memberships.append(AssociationMembership(
                association=ctx.associations[p.province], carrier=carrier, joined_on=joined
            ))
    ctx.sink.save(Recognition, recognitions)
    ctx.sink.save(AssociationMembership, memberships)
    return carriers
