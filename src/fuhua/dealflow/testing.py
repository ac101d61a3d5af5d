"""Test helpers of deal flow: a fund, a stationed investor, a financing need and a deal in each city of
`fuhua.testing.world` (Suzhou: the world's investment institution; Nanjing: a second one), audit factories,
and the rows the generated scope tests read (SCOPE_RESOURCES, SCOPE_WEB_NAMES)."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

from fuhua import testing
from fuhua.core.system import SYSTEM

from . import services
from .models import Deal, FinancingNeed, Fund, Stationing

D = datetime.date


def fund(institution, name="元禾原点创业投资基金", **fields) -> Fund:
    values = {"size_fen": 50_000_000_000, "stages": ["angel", "a"], "industry_fields": ["ai"], "vintage": 2020,
              **fields}
    return Fund.objects.create(institution=institution, name=name, **values)


def dealflow_world(w) -> SimpleNamespace:
    cached = getattr(w, "_dealflow", None)
    if cached is not None:
        return cached
    institution_b = testing.organisation("南京紫金创业投资管理有限公司", w.regions.nj, kind="investor")
    fund_a, fund_b = fund(w.fund), fund(institution_b, "紫金科创基金", stages=["seed"], vintage=2018)
    stationing_a = Stationing.objects.create(investor=w.investor_a, carrier=w.carrier_a, since=D(2024, 1, 1))
    stationing_b = Stationing.objects.create(investor=w.investor_b, carrier=w.carrier_b, since=D(2024, 3, 1))
    need_a = services.post_need(SYSTEM, {"firm": w.firm_a, "amount_fen": 500_000_000, "stage": "a",
                                         "use": "扩大产线", "posted_on": D(2025, 1, 10)})
    need_b = services.post_need(SYSTEM, {"firm": w.firm_b, "amount_fen": 100_000_000, "stage": "angel",
                                         "use": "研发投入", "posted_on": D(2025, 1, 12)})
    deal_a = services.introduce(SYSTEM, {"need": need_a, "firm": w.firm_a, "institution": w.fund, "fund": fund_a,
                                         "contact": w.investor_a, "introduced_on": D(2025, 2, 1)})
    deal_b = services.introduce(SYSTEM, {"need": need_b, "firm": w.firm_b, "institution": institution_b,
                                         "fund": fund_b, "introduced_on": D(2025, 2, 3)})
    out = SimpleNamespace(institution_b=institution_b, fund_a=fund_a, fund_b=fund_b, stationing_a=stationing_a,
                          stationing_b=stationing_b, need_a=need_a, need_b=need_b, deal_a=deal_a, deal_b=deal_b)
    w._dealflow = out
    return out


def _d(w):
    return dealflow_world(w)


def audit_factories() -> dict[str, tuple]:
    """label → (create(world) of a new unreferenced instance, a change), for core/tests/test_audit.py."""
    return {
        "dealflow.fund": (lambda w: fund(w.fund, "审计基金"), {"name": "审计基金二期"}),
        "dealflow.stationing": (
            lambda w: Stationing.objects.create(investor=w.investor_a, carrier=w.carrier_b, since=D(2025, 1, 1)),
            {"until": D(2025, 12, 31)}),
        "dealflow.financingneed": (
            lambda w: FinancingNeed.objects.create(firm=w.firm_a, amount_fen=100_000, stage="seed", use="审计",
                                                   posted_on=D(2025, 1, 1)),
            {"use": "审计二"}),
        "dealflow.deal": (
            lambda w: Deal.objects.create(firm=w.firm_a, institution=w.fund, introduced_on=D(2025, 1, 1)),
            {"note": "审计备注"}),
    }


SCOPE_RESOURCES = {
    "funds": (lambda w: [_d(w).fund_a, _d(w).fund_b], {"name": "改名基金"}),
    "investor-stationings": (lambda w: [_d(w).stationing_a, _d(w).stationing_b], {"until": "2026-12-31"}),
    "financing-needs": (lambda w: [_d(w).need_a, _d(w).need_b], {"use": "新用途"}),
    "deals": (lambda w: [_d(w).deal_a, _d(w).deal_b], {"note": "新备注"}),
}
SCOPE_WEB_NAMES = {
    "dealflow:fund": "funds",
    "dealflow:stationing": "investor-stationings",
    "dealflow:financingneed": "financing-needs",
    "dealflow:deal": "deals",
}
