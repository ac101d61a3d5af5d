"""The facts the rules read: investments, annual figures and IP rights of firms; seed funds and staffing
of carriers. Built per group after its tenants are written, from one query of that group's records.

A stream of its own per group (`seeded`), so adding facts does not change the rest of the demo.
Calibration: investments for ~20% of tenant firms (a few above 5,000,000 yuan in total), annual
figures for ~85% (a few above 10,000,000 yuan two years running), IP for ~50%, seed funds for most
national incubators, a staffing row per carrier and year.
"""

from __future__ import annotations

import datetime
import math

from fuhua.incubation.models import Incubation
from fuhua.registry.demo.calibration import as_of, last_year
from fuhua.registry.demo.context import Context, Row, Weighted, add_years, between, days, seeded
from fuhua.registry.demo.names import PARTS
from fuhua.registry.demo.plan import CarrierPlan
from fuhua.registry.models import (
    Carrier,
    CarrierStaffing,
    FirmYearFigures,
    IntellectualProperty,
    Investment,
    SeedFund,
)

YUAN = 100  # fen per yuan
FIGURE_YEARS = 3  # annual figures for the last three years (2023–2025)
STAFF_SINCE = 2021
# (chance of any seed fund, median total size in yuan) by carrier kind and level.
SEED_FUND = {
    ("incubator", "national"): (0.9, 8_000_000), ("incubator", "provincial"): (0.55, 4_000_000),
    ("incubator", "municipal"): (0.25, 2_000_000), ("maker_space", "national"): (0.4, 1_500_000),
    ("accelerator", "provincial"): (0.8, 20_000_000), ("university_park", "national"): (0.7, 10_000_000),
}
ROUNDS = [("angel", 3_000_000), ("pre_a", 8_000_000), ("a", 20_000_000), ("b", 60_000_000)]
IP_KINDS = (["utility", "invention", "software", "design", "ic_layout"], [40, 20, 30, 8, 2])
_IP_KIND = Weighted(*IP_KINDS)
_ROUND_COUNT = Weighted([1, 2, 3, 4], [55, 28, 12, 5])
_RIGHT_COUNT = Weighted([1, 2, 3, 5], [40, 30, 20, 10])
IP_PREFIX = {"invention": "ZL{y}1", "utility": "ZL{y}2", "design": "ZL{y}3", "software": "RZ{y}", "ic_layout": "BS{y}"}
REVENUE_BY_SIZE = {"micro": 400_000, "small": 2_000_000, "medium": 9_000_000, "large": 40_000_000}


def _lognormal(r, median: float, sigma: float = 0.6) -> int:
    return max(1, round(median * math.exp(r.gauss(0, sigma))))


class FactBuilder:
    def __init__(self, ctx: Context, key: str, built: list[tuple[CarrierPlan, Carrier]]):
        self.ctx, self.key, self.built = ctx, key, built
        self.r = seeded(f"{ctx.scale.seed}:{key}:facts")
        self.funds: dict[int, datetime.date] = {}  # carrier id → date its first fund was set up
        self.ip_serial = 0

    def build(self) -> None:
        sink = self.ctx.sink
        platforms = [c.pk for p, c in self.built if p.industry and self.r.random() < 0.7]
        Carrier.objects.filter(pk__in=platforms).update(has_tech_platform=True)
        sink.save(SeedFund, self._seed_funds())
        sink.save(CarrierStaffing, self._staffing())
        investments, figures, rights = [], [], []
        for firm_id, founded, size, field, stays in self._firms():
            investments += self._investments(firm_id, founded, stays)
            figures += self._figures(firm_id, founded, size)
            rights += self._rights(firm_id, founded, field)
        sink.save(Investment, investments)
        sink.save(FirmYearFigures, figures)
        sink.save(IntellectualProperty, rights)

    def _seed_funds(self) -> list[SeedFund]:
        out = []
        for p, carrier in self.built:
            chance, median = SEED_FUND.get((p.kind, p.level), (0.05, 1_000_000))
            if self.r.random() >= chance:
                continue
            established = between(self.r, p.established, min(as_of(), add_years(p.established, 3)))
            self.funds[carrier.pk] = established
            shares = [1.0] if self.r.random() < 0.7 else [0.6, 0.4]
            total = _lognormal(self.r, median)
            for i, share in enumerate(shares):
                out.append(SeedFund(
                    carrier=carrier, name=f"{carrier.name[:40]}{'种子资金' if i == 0 else '合作孵化基金'}",
                    size_fen=round(total * share) * YUAN, ownership="own" if i == 0 else "partner",
                    established_on=established if i == 0 else between(self.r, established, as_of()),
                ))
        return out

    def _staffing(self) -> list[CarrierStaffing]:
        out = []
        for p, carrier in self.built:
            base = max(3, round(p.tenants / self.r.uniform(6, 12)))
            for year in range(max(STAFF_SINCE, p.established.year), last_year() + 1):
                total = max(2, base + self.r.randint(-2, 2))
                professional = min(total, round(total * self.r.uniform(0.6, 0.95)))
                fulltime = min(total, round(total * self.r.uniform(0.5, 0.9)))
                out.append(CarrierStaffing(carrier=carrier, year=year, staff_total=total,
                                           staff_professional=professional, staff_fulltime=fulltime))
        return out

    def _firms(self):
        """(firm, founded, size, field, [(carrier, entered, left)]) for the firms this group incubated."""
        rows = (Incubation.objects.filter(carrier__in=[c.pk for _, c in self.built], firm__isnull=False)
                .order_by("firm_id", "pk")
                .values_list("firm_id", "firm__founded", "firm__size_class", "firm__industry_field", "carrier_id",
                             "entered_on", "left_on"))
        current = None
        for firm_id, founded, size, field, carrier, entered, left in rows:
            if current is None or current[0] != firm_id:
                if current is not None:
                    yield current
                current = (firm_id, founded, size, field, [])
            current[4].append((carrier, entered, left))
        if current is not None:
            yield current

    def _investments(self, firm_id: int, founded: datetime.date, stays: list) -> list[Investment]:
        r = self.r
        if r.random() >= 0.2 or (as_of() - founded).days < 120:
            return []
        out, day = [], between(r, founded + days(90), as_of())
        for name, median in ROUNDS[: _ROUND_COUNT.pick(r)]:
            if day > as_of():
                break
            fund = next((c for c, entered, left in stays if c in self.funds and entered and entered <= day
                         and (left is None or day <= left) and self.funds[c] <= day), None)
            own = fund is not None and r.random() < 0.4
            out.append(Row(
                firm_id=firm_id, date=day, amount_fen=_lognormal(r, median if not own else 1_000_000) * YUAN,
                round=name, investor_name=f"{r.choice(PARTS['surnames'])}氏创业投资合伙企业（有限合伙）",
                from_carrier_fund=own, carrier_id=fund if own else None,
            ))
            day += days(r.randint(200, 700))
        return out

    def _figures(self, firm_id: int, founded: datetime.date, size: str) -> list[FirmYearFigures]:
        r = self.r
        if r.random() >= 0.85:
            return []
        out, revenue = [], _lognormal(r, REVENUE_BY_SIZE[size], 0.8)
        for year in range(max(founded.year, last_year() - FIGURE_YEARS + 1), last_year() + 1):
            revenue = max(0, round(revenue * r.uniform(0.8, 1.5)))
            out.append(Row(
                firm_id=firm_id, year=year, revenue_fen=revenue * YUAN,
                rd_spend_fen=round(revenue * r.uniform(0.03, 0.25)) * YUAN,
                employees=max(1, round(revenue / r.uniform(300_000, 800_000))),
            ))
        return out

    def _rights(self, firm_id: int, founded: datetime.date, field: str) -> list[IntellectualProperty]:
        r = self.r
        if r.random() >= 0.5 or (as_of() - founded).days < 60:
            return []
        out = []
        for _ in range(_RIGHT_COUNT.pick(r)):
            kind = "ic_layout" if field == "integrated_circuits" and r.random() < 0.3 else _IP_KIND.pick(r)
            applied = between(r, founded + days(30), as_of())
            wait = {"invention": (500, 1100), "software": (30, 90)}.get(kind, (150, 400))
            granted = applied + days(r.randint(*wait))
            granted = granted if granted <= as_of() and r.random() < 0.8 else None
            lapsed = None
            if granted and r.random() < 0.05:
                lapsed = between(r, granted + days(1), as_of()) if granted < as_of() else None
            self.ip_serial += 1
            number = IP_PREFIX[kind].format(y=applied.year) + f"{self.key}{self.ip_serial:07d}"
            out.append(Row(firm_id=firm_id, kind=kind, number=number, applied_on=applied,
                                            granted_on=granted, lapsed_on=lapsed))
        return out


def build(ctx: Context, key: str, built: list[tuple[CarrierPlan, Carrier]]) -> None:
    FactBuilder(ctx, key, built).build()
