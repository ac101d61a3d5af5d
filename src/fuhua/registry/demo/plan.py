"""The carrier plan: every carrier's kind, place, level, recognition ladder, areas and tenant count.

Pure (no database), so the calibration of the province and national scales is testable in a second.
"""

from __future__ import annotations

import datetime
import math
import random
from dataclasses import dataclass, field

from . import authorities, regions
from .calibration import (
    AREA_MARGIN,
    CITY_WEIGHTS,
    EVALUATED_KINDS,
    EVALUATED_LEVELS,
    FIRST_YEAR,
    FLAGSHIPS,
    INDUSTRY_WEIGHTS,
    LEVELS,
    OTHER_KIND_SHARES,
    PROVINCE_WEIGHTS,
    SPECIALISED_SHARE,
    TENANT_FLOOR,
    VETO_AREA,
    VETO_TENANTS,
    WEAK_SHARE,
    Scale,
    as_of,
    last_year,
)
from .context import seeded
from .names import PARTS, Name, NameMaker

LEVEL_ORDER = ("district", "municipal", "provincial", "national")
# National recognition years per kind (the batches that existed), in Jiangsu and elsewhere.
NATIONAL_YEARS = {
    "incubator": range(2015, 2026), "maker_space": range(2015, 2022), "university_park": range(2015, 2024),
    "rural_star": range(2016, 2020), "demo_base": (2016, 2017, 2020),
}
# Median incubation area (m²) per kind and level; lognormal spread around it.
MEDIAN_AREA = {
    ("incubator", "national"): 26000, ("incubator", "provincial"): 13000, ("incubator", "municipal"): 6500,
    ("incubator", "district"): 4000, ("maker_space", "national"): 2600, ("maker_space", "provincial"): 1800,
    ("maker_space", "municipal"): 1200, ("maker_space", "district"): 900, "accelerator": 40000,
    "university_park": 80000, "rural_star": 2000, "demo_base": 150000, "community": 20000, "enclave": 1500,
    "offshore": 800, "returnee_park": 15000,
}
MIN_AREA = {"incubator": 1000, "maker_space": 300}


@dataclass
class CarrierPlan:
    kind: str
    level: str
    province: str
    region: str  # a Jiangsu county, or the province elsewhere
    group: str  # the generation chunk: a Jiangsu city or another province
    place: str  # the place name that begins the carrier's and its tenants' names
    name: Name = ()
    industry: str = ""  # set for specialised carriers
    demo_base_type: str = ""
    university: str = ""
    operator: str = ""  # fixed operator name (flagships)
    ladder: list[tuple[str, int]] = field(default_factory=list)  # (level, year), lowest first
    established: datetime.date = field(default_factory=as_of)
    incubation_area: int = 0
    tenant_area: int = 0
    workstations: int = 0
    tenant_weight: float = 1.0
    tenant_floor: int = 0  # the fewest planned tenants (recognised carriers the evaluation grades)
    tenant_pin: int = 0  # exactly this many planned tenants (the weak few among those)
    tenants: int = 0

    @property
    def full_name(self) -> str:
        return "".join(self.name)


def largest_remainder(total: int, weights: dict) -> dict:
    """Split `total` in proportion to `weights` into integers that add up to it exactly."""
    s = sum(weights.values())
    raw = {k: total * w / s for k, w in weights.items()}
    counts = {k: math.floor(v) for k, v in raw.items()}
    for k in sorted(raw, key=lambda k: raw[k] - counts[k], reverse=True)[: total - sum(counts.values())]:
        counts[k] += 1
    return counts


def _kind_level_list(kinds: dict[str, int], levels: dict) -> list[tuple[str, str]]:
    out = []
    for kind, n in kinds.items():
        for level, count in largest_remainder(n, levels[kind]).items():
            out += [(kind, level)] * count
    return out


def _areas(p: CarrierPlan, r: random.Random) -> None:
    median = MEDIAN_AREA.get((p.kind, p.level)) or MEDIAN_AREA[p.kind]
    area = int(r.lognormvariate(math.log(median), 0.45))
    area = max(area, MIN_AREA.get(p.kind, 300))
    if p.kind == "incubator" and p.level == "national" and r.random() < 0.95:
        area = max(area, 10000 + r.randrange(4000))  # the national threshold, met by nearly all
    ratio = r.uniform(0.75, 0.92) if r.random() < 0.88 else r.uniform(0.55, 0.75)
    p.incubation_area, p.tenant_area = area, int(area * ratio)
    per_seat = r.uniform(6, 12) if p.kind in ("maker_space", "rural_star", "enclave", "offshore") else r.uniform(15, 30)
    p.workstations = max(20, int(p.tenant_area / per_seat))


def _tenant_weight(p: CarrierPlan, r: random.Random) -> float:
    if p.kind == "incubator":  # capped: the largest parks do not host hundreds of start-ups each
        w = min(p.tenant_area, 40000) / 1000 * r.uniform(2.2, 4.5)
    elif p.kind == "maker_space":
        w = p.workstations / 10 * r.uniform(1.0, 2.5)
    elif p.kind in ("accelerator", "university_park", "returnee_park", "community"):
        w = min(p.tenant_area, 40000) / 1000 * r.uniform(1.0, 2.0)
    else:
        w = r.uniform(10, 30)
    return w * p.tenant_weight


def _ladder(p: CarrierPlan, r: random.Random) -> None:
    """Recognitions from the lowest level up to the highest, in order, all from FIRST_YEAR on."""
    top = LEVEL_ORDER.index(p.level)
    years = NATIONAL_YEARS[p.kind] if p.level == "national" else range(FIRST_YEAR, last_year() + 1)
    year = r.choice(years)
    ladder = [(p.level, year)]
    for level in reversed(LEVEL_ORDER[1:top]):  # provincial, municipal below a higher level
        if level == "municipal" and r.random() < 0.4:
            continue
        year = max(FIRST_YEAR, year - r.choice((0, 1, 1, 2, 3)))
        ladder.append((level, year))
    ladder.reverse()
    p.ladder = ladder
    first = authorities.recognition(ladder[0][0], p.kind, ladder[0][1], p.region, p.province)["granted_on"]
    top_date = authorities.recognition(p.level, p.kind, ladder[-1][1], p.region, p.province)["granted_on"]
    # Operating ≥ 3 years before national recognition of an incubator, ≥ 18 months for a maker space.
    latest = first - datetime.timedelta(days=r.randint(120, 1500))
    if p.level == "national":
        latest = min(latest, top_date - datetime.timedelta(days=3 * 365 + r.randint(10, 1500)))
    p.established = max(datetime.date(1995, 1, 1), latest)


def _jiangsu_entries(scale: Scale) -> list[CarrierPlan]:
    r = seeded(f"{scale.seed}:plan:jiangsu")
    entries = _kind_level_list(scale.kinds, LEVELS)
    weights = {c: CITY_WEIGHTS[c] for c in scale.cities}
    cities = [c for c, n in largest_remainder(len(entries), weights).items() for _ in range(n)]
    r.shuffle(entries)
    plans = []
    for (kind, level), city in zip(entries, cities, strict=True):
        counties = regions.children(city)
        county = r.choices(counties, [3 if c.code == regions.SIP else 1 for c in counties])[0]
        city_row = regions.rows()[city]
        place = r.choice([city_row.short, county.short]) if county.name[-1] in "市县" else city_row.short
        plans.append(CarrierPlan(kind, level, regions.JIANGSU, county.code, city, place))
    return plans


def _other_entries(scale: Scale, jiangsu_total: int) -> list[CarrierPlan]:
    r = seeded(f"{scale.seed}:plan:other")
    per_province = largest_remainder(scale.national_carriers - jiangsu_total, PROVINCE_WEIGHTS)
    plans = []
    for province, n in per_province.items():
        place = regions.rows()[province].short
        capital = authorities.PROVINCES[province][1]
        for kind, count in largest_remainder(n, OTHER_KIND_SHARES).items():
            # No prefecture regions outside Jiangsu: district level folds into municipal.
            levels = {lv: c for lv, c in LEVELS[kind].items() if lv != "district"} or {"municipal": 1}
            for _, level in _kind_level_list({kind: count}, {kind: levels}):
                plans.append(CarrierPlan(kind, level, province, province, province, r.choice([place, capital])))
    return plans


def _specialise(plans: list[CarrierPlan], r: random.Random) -> None:
    fields = [f for f in INDUSTRY_WEIGHTS if f != "other"]
    for kind, share in SPECIALISED_SHARE.items():
        of_kind = [p for p in plans if p.kind == kind]
        for p in r.sample(of_kind, round(len(of_kind) * share)):
            p.industry = r.choices(fields, [INDUSTRY_WEIGHTS[f] for f in fields])[0]


def _apply_flagships(plans: list[CarrierPlan]) -> None:
    used = set()
    for f in FLAGSHIPS:
        city = regions.rows()[f.region].parent
        match = next((i for i, p in enumerate(plans) if i not in used and p.group == city and p.kind == f.kind
                      and not p.university and p.level == f.level and bool(p.industry) == bool(f.field)), None)
        if match is None:
            continue  # the scale leaves that city out
        used.add(match)
        p = plans[match]
        p.region, p.name, p.operator, p.industry = f.region, (f.name,), f.operator, f.field
        p.place = regions.rows()[city].short
        p.tenant_weight = f.tenant_weight
        p.incubation_area, p.tenant_area = f.area, int(f.area * 0.85)


class _UniversityPool:
    """Real university names per Jiangsu city; invented ones (浙江理工大学-like) elsewhere; never twice."""

    _SUFFIXES = ("大学", "理工大学", "科技大学", "工业大学", "师范大学", "农业大学", "医科大学", "财经大学")

    def __init__(self):
        self.pools = {c: list(u) for c, u in PARTS["universities"].items()}
        self.used: set[str] = set()

    def take(self, p: CarrierPlan) -> str:
        pool = self.pools.setdefault(p.group, [])
        candidates = pool + [f"{p.place}{s}" for s in self._SUFFIXES] + [f"{p.place}第{i}学院" for i in range(1, 99)]
        name = next(n for n in candidates if n not in self.used)
        self.used.add(name)
        return name


def plan_carriers(scale: Scale) -> list[CarrierPlan]:
    plans = _jiangsu_entries(scale)
    jiangsu_total = len(plans)
    if scale.national_carriers:
        plans += _other_entries(scale, jiangsu_total)
    r = seeded(f"{scale.seed}:plan:details")
    _specialise(plans[:jiangsu_total], r)  # per part, so Jiangsu's counts are exact at every scale
    _specialise(plans[jiangsu_total:], r)
    names = NameMaker(r)
    names.taken.update(f.name for f in FLAGSHIPS)
    universities = _UniversityPool()
    for p in plans:
        if p.kind == "university_park" or (p.kind == "demo_base" and r.random() < 0.3):
            p.university = universities.take(p)
            p.demo_base_type = "university" if p.kind == "demo_base" else ""
        elif p.kind == "demo_base":
            p.demo_base_type = r.choice(["regional", "regional", "enterprise"])
        _areas(p, r)
        if p.kind == "demo_base" and p.demo_base_type == "enterprise":
            p.place = "".join(names.brand()) + "集团"
        p.name = names.carrier(p.kind, p.place, p.industry, p.university)
    _apply_flagships(plans)
    _meet_evaluation(plans, seeded(f"{scale.seed}:plan:evaluation"))
    for p in plans:
        _ladder(p, r)
        p.tenant_weight = _tenant_weight(p, r)
    _allocate_tenants(plans, scale, jiangsu_total)
    return plans


def _meet_evaluation(plans: list[CarrierPlan], r: random.Random) -> None:
    """Recognised carriers that the provincial evaluation grades clear its veto thresholds (tenants, area in
    use) with a margin, but for a weak few (WEAK_SHARE) that fall short. Own random stream, so the rest of the
    plan (names, places, areas of other carriers) does not depend on it."""
    graded = [p for p in plans if p.kind in EVALUATED_KINDS and p.level in EVALUATED_LEVELS]
    flagships = {f.name for f in FLAGSHIPS}  # and no real university's park among the weak
    weak = [id(p) for p in r.sample([p for p in graded if p.full_name not in flagships and not p.university],
                                    round(len(graded) * WEAK_SHARE))]
    short_of_area = set(weak[: len(weak) // 3])
    for p in graded:
        category = "specialised" if p.industry else "comprehensive"
        min_tenants, min_area = VETO_TENANTS[category], VETO_AREA[category]
        if id(p) in weak and id(p) not in short_of_area:  # 42-80% of these are in incubation at the end of 2024
            p.tenant_pin = round(min_tenants * r.uniform(0.8, 1.25))
        else:
            p.tenant_floor = round(min_tenants * r.uniform(*TENANT_FLOOR))
        if id(p) in short_of_area:
            p.tenant_area = min(p.tenant_area, int(min_area * r.uniform(0.7, 0.97)))
            continue
        in_use = int(min_area * r.uniform(*AREA_MARGIN))
        if p.tenant_area < in_use:
            p.workstations = max(p.workstations, int(p.workstations * in_use / max(p.tenant_area, 1)))
            p.tenant_area = in_use
            p.incubation_area = max(p.incubation_area, int(in_use / r.uniform(0.75, 0.92)))


def _allocate_tenants(plans: list[CarrierPlan], scale: Scale, jiangsu_total: int) -> None:
    parts = [(plans[:jiangsu_total], scale.tenants)]
    if scale.national_carriers:
        parts.append((plans[jiangsu_total:], scale.national_tenants - scale.tenants))
    for part, total in parts:
        counts = _allocate_with_floors(
            total, {i: p.tenant_weight for i, p in enumerate(part)},
            floors={i: p.tenant_floor for i, p in enumerate(part) if p.tenant_floor},
            pins={i: p.tenant_pin for i, p in enumerate(part) if p.tenant_pin},
        )
        for i, p in enumerate(part):
            p.tenants = counts[i]


def _allocate_with_floors(total: int, weights: dict, floors: dict, pins: dict) -> dict:
    """Like `largest_remainder`, but pinned keys get exactly their pin and no key gets less than its floor:
    keys whose share falls short are raised to their floor and the rest shares what remains."""
    fixed = dict(pins)
    while True:
        free = {k: w for k, w in weights.items() if k not in fixed}
        counts = largest_remainder(total - sum(fixed.values()), free)
        short = [k for k, n in counts.items() if n < floors.get(k, 0)]
        if not short:
            return counts | fixed
        fixed.update((k, floors[k]) for k in short)
