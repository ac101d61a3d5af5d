"""Synthetic run inputs with plausible correlations, for the benchmark and tests (no database)."""

from __future__ import annotations

import numpy as np

from .inputs import InputTable
from .scheme import Scheme


def synthetic_inputs(scheme: Scheme, n: int, seed: int = 7, missing_share: float = 0.0) -> InputTable:
    rng = np.random.default_rng(seed)
    quality = rng.beta(2.2, 2.0, n)  # a latent "how good is this carrier" driving every figure
    area = np.round(rng.lognormal(9.3, 0.5, n)).astype(np.int64)
    tenants = np.maximum(np.round(area / 1000 * (1.5 + 5 * quality) * rng.uniform(0.7, 1.3, n)), 3).astype(np.int64)

    def share(base, spread=0.35):
        return np.clip(base * quality * rng.uniform(1 - spread, 1 + spread, n), 0, 1)

    employees = np.round(tenants * rng.uniform(6, 25, n) * (0.6 + quality)).astype(np.int64)
    revenue = np.round(employees * rng.lognormal(13.5, 0.6, n) * 100).astype(np.int64)
    staff = np.maximum(np.round(3 + tenants / 8 * rng.uniform(0.5, 1.5, n)), 2).astype(np.int64)
    values = {
        "tenant_area_m2": area, "incubation_area_m2": np.round(area * 1.25).astype(np.int64),
        "tenants": tenants, "teams": np.round(tenants * rng.uniform(0, 0.4, n)).astype(np.int64),
        "staff_total": staff, "staff_professional": np.round(staff * share(0.95)).astype(np.int64),
        "mentors": np.round(tenants / 10 * rng.uniform(0.2, 3.5, n) * (0.5 + quality)).astype(np.int64),
        "events": np.round(rng.uniform(2, 30, n) * (0.5 + quality)).astype(np.int64),
        "firms_financed": np.round(tenants * share(0.35)).astype(np.int64),
        "seed_fund_fen": np.round(rng.lognormal(15.5, 0.8, n) * (0.5 + quality) * 100).astype(np.int64),
        "fund_use_cases": rng.poisson(0.3 + 4 * quality, n).astype(np.int64),
        "graduates_year": rng.poisson(1 + 8 * quality, n).astype(np.int64),
        "tenants_with_ip": np.round(tenants * share(0.75)).astype(np.int64),
        "tenant_rd_fen": np.round(revenue * np.clip(rng.normal(0.03 + 0.1 * quality, 0.02, n), 0, 1)).astype(np.int64),
        "tenant_revenue_fen": revenue,
        "patents_applied": rng.poisson(tenants * (0.2 + 2 * quality)).astype(np.int64),
        "patents_granted": rng.poisson(tenants * (0.1 + quality)).astype(np.int64),
        "tenant_employees": employees,
        "fresh_graduates_hired": np.round(employees * share(0.22)).astype(np.int64),
        "income_total_fen": np.round(rng.lognormal(15.2, 0.7, n) * 100).astype(np.int64),
        "incubation_cases": rng.poisson(0.5 + 3 * quality, n).astype(np.int64),
        "teams_entered": rng.poisson(10 + 40 * quality, n).astype(np.int64),
        "teams_registered": rng.poisson(3 + 15 * quality, n).astype(np.int64),
        "workstations": rng.poisson(60 + 150 * quality, n).astype(np.int64),
        "staff_fulltime": np.round(staff * 0.8).astype(np.int64),
        "graduates_cumulative": rng.poisson(5 + 60 * quality, n).astype(np.int64),
    }
    service = share(0.45)
    values["income_service_fen"] = np.round(values["income_total_fen"] * service).astype(np.int64)
    values["income_rent_fen"] = np.round(values["income_total_fen"] * (1 - service) * rng.uniform(0.5, 0.95, n)
                                         ).astype(np.int64)
    columns, present = {}, {}
    for code in scheme.stats_codes():
        columns[code] = values.get(code, rng.poisson(10, n).astype(np.int64))
        present[code] = rng.random(n) >= missing_share
    kinds = np.array(scheme.kinds, dtype=object)
    columns["kind"] = kinds[rng.integers(0, len(kinds), n) % len(kinds)]
    columns["specialised"] = rng.random(n) < 0.3
    return InputTable(np.arange(1, n + 1, dtype=np.int64), columns, present)
