"""Tenant firms and start-up teams with their incubation records, chains and designations."""

from __future__ import annotations

import datetime

from fuhua.incubation.models import Incubation
from fuhua.registry.demo import regions
from fuhua.registry.demo.calibration import (
    CURRENT_SHARE,
    FIRST_YEAR,
    INDUSTRY_WEIGHTS,
    LONG_INCUBATION_FIELDS,
    STUDENT_TEAM_SHARE,
    TEAM_SHARE,
    as_of,
)
from fuhua.registry.demo.context import Context, Row, Weighted, between, days
from fuhua.registry.demo.designations import designations
from fuhua.registry.demo.names import compose_search
from fuhua.registry.demo.plan import CarrierPlan
from fuhua.registry.models import Carrier, Firm, FirmDesignation, StartupTeam

_FIELDS, _FIELD_WEIGHTS = list(INDUSTRY_WEIGHTS), list(INDUSTRY_WEIGHTS.values())
_FIELD_PICK = Weighted(_FIELDS, _FIELD_WEIGHTS)
HISTORY_START = datetime.date(FIRST_YEAR, 1, 1)
GRADUATION_REASONS = ["累计获得天使或风险投资超过500万元", "连续两年营业收入超过1000万元", "被兼并、收购"]
EXIT_REASONS = ["迁出本载体，入驻其他园区", "经营不善，企业注销", "未按孵化协议开展研发活动，予以清退", "业务调整迁出"]
TEAM_EXIT_REASONS = ["团队解散", "项目终止", "未能按期注册企业"]
SIZES = ["micro", "small", "medium", "large"]
SIZE_WEIGHTS = {"current": [75, 22, 3, 0], "graduated": [35, 45, 17, 3], "left": [70, 25, 5, 0]}
_SIZE_PICK = {outcome: Weighted(SIZES, weights) for outcome, weights in SIZE_WEIGHTS.items()}
_ENDED = Weighted(["graduated", "exited", "expired"], [50, 35, 15])
_CURRENT = Weighted(["incubating", "admitted", "applied"], [96, 2, 2])


class Stay:
    """One planned incubation: where, when, how it ended."""

    __slots__ = ("applied", "carrier", "entered", "left", "reason", "status")

    def __init__(self, carrier, status, applied, entered=None, left=None, reason=""):
        self.carrier, self.status, self.applied = carrier, status, applied
        self.entered, self.left, self.reason = entered, left, reason

    @property
    def outcome(self) -> str:
        return "current" if self.left is None else "graduated" if self.status == "graduated" else "left"

    def record(self, **tenant) -> Row:
        return Row(carrier=self.carrier, status=self.status, applied_on=self.applied, entered_on=self.entered,
                          left_on=self.left, leave_reason=self.reason, **tenant)


class TenantBuilder:
    """Builds the tenants of a group's carriers; `flush` writes them (memory stays bounded by the chunk)."""

    def __init__(self, ctx: Context, group: list[tuple[CarrierPlan, Carrier]]):
        self.ctx = ctx
        self.feeders = {kind: [(p, c) for p, c in group if p.kind == kind] for kind in ("maker_space", "incubator")}
        self.firms, self.teams, self.records, self.designations = [], [], [], []

    def flush(self) -> None:
        sink = self.ctx.sink
        sink.save(Firm, self.firms)
        sink.save(StartupTeam, self.teams)  # after firms: a team links to the firm it became
        sink.save(FirmDesignation, self.designations)
        sink.save(Incubation, self.records)
        self.firms, self.teams, self.records, self.designations = [], [], [], []

    def carrier(self, p: CarrierPlan, carrier: Carrier) -> None:
        share = CURRENT_SHARE["maker_space" if p.kind in ("maker_space", "rural_star") else "incubator"]
        current = round(p.tenants * share)
        for i in range(p.tenants):
            self._tenant(p, carrier, i < current)

    def _tenant(self, p: CarrierPlan, carrier: Carrier, current: bool) -> None:
        r = self.ctx.rng
        field = p.industry if p.industry and r.random() < 0.8 else _FIELD_PICK.pick(r)
        months = 60 if field in LONG_INCUBATION_FIELDS else 48
        stay = self._stay(p, carrier, current, months)
        if r.random() < TEAM_SHARE.get(p.kind, 0):
            self._team(p, stay, field, months)
        else:
            self._firm(p, field, months, [*self._chain(p, stay), stay])

    def _entered(self, carrier, status, entered, left=None) -> Stay:
        return Stay(carrier, status, entered - days(self.ctx.rng.randint(7, 60)), entered, left)

    def _stay(self, p: CarrierPlan, carrier: Carrier, current: bool, months: int) -> Stay:
        r = self.ctx.rng
        start = max(p.established, HISTORY_START)
        if not current:
            status = _ENDED.pick(r)
            length = {"graduated": r.randint(300, months * 30), "exited": r.randint(60, 1000),
                      "expired": months * 30 + r.randint(0, 20)}[status]
            if (as_of() - start).days > length + 30:  # else the carrier is too young for this history
                entered = between(r, start, as_of() - days(length + 1))
                return self._entered(carrier, status, entered, entered + days(length))
        status = _CURRENT.pick(r)
        if status != "incubating":  # not yet moved in
            return Stay(carrier, status, between(r, as_of() - days(60), as_of() - days(1)))
        today = as_of()
        return self._entered(carrier, status, between(r, max(start, today - days(months * 30 - 30)), today - days(20)))

    def _chain(self, p: CarrierPlan, stay: Stay) -> list[Stay]:
        """Earlier stays at carriers of the earlier stages (孵化链条): maker space → incubator → accelerator."""
        r = self.ctx.rng
        chance = {"incubator": 0.1, "accelerator": 0.5}.get(p.kind, 0)
        feeder = "maker_space" if p.kind == "incubator" else "incubator"
        if stay.entered is None or r.random() >= chance or not self.feeders[feeder]:
            return []
        prior_plan, prior = r.choice(self.feeders[feeder])
        entered = stay.entered - days(r.randint(200, 720) if feeder == "maker_space" else r.randint(700, 1400))
        if entered < max(prior_plan.established, HISTORY_START):
            return []
        earlier = self._entered(prior, "graduated", entered, stay.entered - days(r.randint(0, 60)))
        earlier.reason = "完成孵化，进入下一阶段"
        return [*self._chain(prior_plan, earlier), earlier]

    def _firm(self, p: CarrierPlan, field: str, months: int, stays: list[Stay], founded=None) -> Row:
        r, ctx = self.ctx.rng, self.ctx
        if founded is None:
            founded = stays[0].applied - days(r.randint(30, 720) if r.random() < 0.9 else r.randint(731, 2200))
        place = p.place if p.province != regions.JIANGSU or r.random() < 0.8 else regions.rows()[p.group].short
        parts, code = ctx.names.firm(place, field), ctx.codes.credit_code(p.region)
        last = stays[-1] if stays else None
        outcome = last.outcome if last else "graduated"
        firm = Row(
            name="".join(parts), credit_code=code, founded=founded, industry_field=field, region_id=p.region,
            size_class=_SIZE_PICK[outcome].pick(r), search=compose_search(parts, code),
        )
        held = designations(ctx, firm, outcome, last.left if last else None)
        if last:
            self._close(firm, last, months, held)
        self.designations += held
        self.firms.append(firm)
        self.records += [s.record(firm=firm) for s in stays]
        return firm

    def _close(self, firm: Row, stay: Stay, months: int, held: list[Row]) -> None:
        """The last stay's leave reason, and what it implies for the firm (acquisition, listing, deregistration)."""
        r = self.ctx.rng
        if stay.status == "graduated":
            high_tech = any(d.kind == "high_tech" and d.granted_on <= stay.left for d in held)
            stay.reason = "认定为高新技术企业" if high_tech else r.choice(GRADUATION_REASONS)
            if stay.reason == "被兼并、收购":
                firm.acquired_on = stay.left
            elif r.random() < 0.02 and (as_of() - firm.founded).days > 3 * 365:
                firm.listing_board = r.choices(["neeq", "star", "chinext", "bse", "main"], [35, 25, 20, 15, 5])[0]
                firm.listed_on = between(r, max(stay.left, firm.founded + days(3 * 365)), as_of())
        elif stay.status == "exited":
            stay.reason = r.choice(EXIT_REASONS)
            if stay.reason.startswith("经营不善"):
                firm.deregistered_on = between(r, stay.left, min(as_of(), stay.left + days(300)))
        elif stay.status == "expired":
            stay.reason = f"孵化期满（{months}个月）"

    def _team(self, p: CarrierPlan, stay: Stay, field: str, months: int) -> None:
        r, ctx = self.ctx.rng, self.ctx
        parts = ctx.names.team(field)
        team = Row(
            name="".join(parts), leader="".join(ctx.names.person()), members=r.randint(2, 8), industry_field=field,
            formed_on=(stay.entered or stay.applied) - days(r.randint(0, 400)),
            student_founded=r.random() < STUDENT_TEAM_SHARE, region_id=p.region, search=compose_search(parts),
        )
        if stay.status == "graduated":
            stay.reason = "注册成立企业"
            if r.random() < 0.5:  # the firm it became; some move on to an incubator of the same city
                team.firm = self._firm(p, field, months, self._after_team(stay.left), founded=stay.left)
        elif stay.status == "exited":
            stay.reason = r.choice(TEAM_EXIT_REASONS)
        elif stay.status == "expired":
            stay.reason = f"孵化期满（{months}个月）"
        self.teams.append(team)
        self.records.append(stay.record(team=team))

    def _after_team(self, founded: datetime.date) -> list[Stay]:
        r = self.ctx.rng
        if not self.feeders["incubator"] or r.random() >= 0.3 or (as_of() - founded).days < 60:
            return []
        plan, incubator = r.choice(self.feeders["incubator"])
        entered = between(r, founded + days(30), min(as_of(), founded + days(180)))
        return [self._entered(incubator, "incubating", entered)] if entered > plan.established else []
