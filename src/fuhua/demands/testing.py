"""Test helpers of the demands: an open demand, an open challenge and a response in each city of
`fuhua.testing.world`; and the rows the generated scope and audit tests read (SCOPE_RESOURCES, SCOPE_WEB_NAMES,
SCOPE_NOT_RESOURCES, AUDIT_FACTORIES)."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

from django.utils import timezone

from fuhua.core.system import SYSTEM
from fuhua.registry.testing import expert_world

from . import services
from .models import Challenge, ChallengeResponse, Demand


def ahead(days: int = 120) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def open_demand(firm, **fields) -> Demand:
    data = {"firm": firm, "kind": "technology", "title": "MEMS传感器封装工艺攻关",
            "description": "寻求MEMS压力传感器晶圆级封装工艺合作，解决良率与温漂问题",
            "industry_field": firm.industry_field,
            "region": firm.region, "budget_fen": 50_000_000, "deadline": ahead()}
    data.update(fields)
    demand = services.post_demand(SYSTEM, data)
    services.transition(SYSTEM, demand, "publish")
    return demand


def open_challenge(region, firm=None, **fields) -> Challenge:
    data = {"title": "高精度MEMS传感器温漂补偿算法", "description": "征集MEMS传感器温度漂移补偿的技术解决方案",
            "industry_field": "ai", "region": region, "firm": firm, "reward_fen": 100_000_000,
            "deadline": ahead(60)}
    data.update(fields)
    challenge = services.create_challenge(SYSTEM, data)
    services.challenge_transition(SYSTEM, challenge, "publish")
    return challenge


def demands_world(w) -> SimpleNamespace:
    cached = getattr(w, "_demands", None)
    if cached is not None:
        return cached
    experts = expert_world(w)
    demand_a = open_demand(w.firm_a)
    demand_b = open_demand(w.firm_b, kind="financing", stage="angel", title="天使轮融资500万元",
                           description="智算云平台产品已有首批客户，寻求天使轮融资用于研发与市场拓展")
    challenge_a = open_challenge(w.regions.sz)
    challenge_b = open_challenge(w.regions.nj, firm=w.firm_b, title="边缘计算调度系统",
                                 industry_field="electronic_info",
                                 description="征集边缘计算节点的任务调度方案")
    response_a = services.respond(SYSTEM, {"challenge": challenge_a, "organisation": w.provider,
                                           "proposal": "基于温度分段标定与神经网络补偿", "price_fen": 80_000_000})
    response_b = services.respond(SYSTEM, {"challenge": challenge_b, "expert": experts.expert_b,
                                           "proposal": "基于强化学习的调度算法"})
    out = SimpleNamespace(demand_a=demand_a, demand_b=demand_b, challenge_a=challenge_a, challenge_b=challenge_b,
                          response_a=response_a, response_b=response_b)
    w._demands = out
    return out


def _d(w):
    return demands_world(w)


SCOPE_RESOURCES = {
    "demands": (lambda w: [_d(w).demand_a, _d(w).demand_b], {"title": "新标题"}),
    "challenges": (lambda w: [_d(w).challenge_a, _d(w).challenge_b], {"title": "新榜单"}),
    "challenge-responses": (lambda w: [_d(w).response_a, _d(w).response_b], {"proposal": "新方案"}),
}
SCOPE_WEB_NAMES = {
    "demands:demand": "demands",
    "demands:challenge": "challenges",
    "demands:challengeresponse": "challenge-responses",
}
SCOPE_NOT_RESOURCES = {"demand-fits": "the calling mentor's or investor's fitting needs: a list scoped by "
                                      "Demand.objects.restrict inside (demands/tests)"}
AUDIT_FACTORIES = {  # written directly: the services act as their caller; the audit test checks its own actor
    "demands.demand": (lambda w: Demand.objects.create(
        firm=w.firm_a, kind="service", title="审计需求", description="代理记账", industry_field="ai",
        region=w.regions.sip, deadline=ahead()), {"title": "改"}),
    "demands.challenge": (lambda w: Challenge.objects.create(
        title="审计榜单", description="x", industry_field="ai", region=w.regions.sz, reward_fen=100,
        deadline=ahead()), {"title": "改"}),
    "demands.challengeresponse": (lambda w: ChallengeResponse.objects.create(
        challenge=Challenge.objects.create(title="审计榜单", description="x", industry_field="ai",
                                           region=w.regions.sz, reward_fen=100, deadline=ahead()),
        organisation=w.provider, proposal="方案", submitted_on=timezone.localdate()), {"proposal": "改"}),
}
