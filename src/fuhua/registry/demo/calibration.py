"""What each demo scale holds, calibrated to published figures (Jiangsu 2021: 《江苏科技创业孵化发展报告（2022）》;
China 2023: the Ministry of Industry and Information Technology's 2025 press conference on incubators).

Counts are for Jiangsu unless named otherwise; `national` adds the other mainland provinces.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

_AS_OF = [datetime.date(2025, 12, 31)]  # the demo's "today" (set_as_of): every generated date is on or before it


def as_of() -> datetime.date:
    """The day the demo is generated for: its history ends here, so deadlines and time limits fall around it."""
    return _AS_OF[0]


def last_year() -> int:
    """The last complete year: annual facts (recognition batches, figures, staffing) go up to it."""
    day = as_of()
    return day.year if (day.month, day.day) == (12, 31) else day.year - 1


def set_as_of(day: datetime.date) -> None:
    _AS_OF[0] = day

OPERATOR_CARRIER = "苏州纳米城科技企业孵化器"  # the flagship whose operator is the demo's operator account
FIRST_YEAR = 2015  # recognitions and incubation histories start here

# Jiangsu carriers per kind at province scale: 1,070 incubators and 1,075 maker spaces (《江苏科技创业孵化发展
# 报告（2022）》, end of 2021) plus
# the other kinds, which the statistics count separately.
PROVINCE_KINDS = {
    "incubator": 1070, "maker_space": 1075, "accelerator": 20, "university_park": 15, "rural_star": 25,
    "demo_base": 8, "community": 4, "enclave": 3, "offshore": 1, "returnee_park": 3,
}
# Highest level reached, per kind (province scale); other scales keep the proportions.
LEVELS = {
    "incubator": {"national": 244, "provincial": 380, "municipal": 390, "district": 56},
    "maker_space": {"national": 280, "provincial": 420, "municipal": 330, "district": 45},
    "accelerator": {"provincial": 8, "municipal": 10, "district": 2},
    "university_park": {"national": 15},
    "rural_star": {"national": 15, "provincial": 10},
    "demo_base": {"national": 8},
    "community": {"municipal": 4},
    "enclave": {"municipal": 2, "district": 1},
    "offshore": {"municipal": 1},
    "returnee_park": {"provincial": 2, "municipal": 1},
}
# Specialised (专业) carriers: 309 incubators and 226 maker spaces in Jiangsu (《江苏科技创业孵化发展报告（2022）》).
SPECIALISED_SHARE = {"incubator": 309 / 1070, "maker_space": 226 / 1075, "accelerator": 0.7}

# Share of Jiangsu's carriers per city: Suzhou, Nanjing, Wuxi and Changzhou lead.
CITY_WEIGHTS = {
    "320500": 25, "320100": 18, "320200": 11, "320400": 10, "320600": 7, "320300": 5, "321000": 4,
    "321100": 4, "321200": 4, "320900": 4, "320800": 3, "320700": 2.5, "321300": 2.5,
}
# Other mainland provinces' share of carriers at national scale (roughly the Torch statistics' order).
PROVINCE_WEIGHTS = {
    "440000": 14, "330000": 9, "370000": 9, "110000": 5, "310000": 4, "420000": 5, "410000": 5, "510000": 5,
    "130000": 5, "350000": 4, "340000": 4, "430000": 3.5, "210000": 3, "610000": 3, "360000": 2.5,
    "120000": 2.5, "500000": 2.5, "140000": 2, "220000": 1.5, "230000": 1.5, "450000": 1.5, "530000": 1.5,
    "520000": 1.2, "150000": 1.2, "650000": 1, "620000": 1, "460000": 0.6, "640000": 0.5, "630000": 0.4,
    "540000": 0.2,
}
# Kind mix and national shares outside Jiangsu (China 2023: ~16,000 carriers).
OTHER_KIND_SHARES = {
    "incubator": 0.41, "maker_space": 0.55, "accelerator": 0.012, "university_park": 0.008, "rural_star": 0.014,
    "demo_base": 0.003, "community": 0.001, "offshore": 0.001, "returnee_park": 0.001,
}

INDUSTRY_WEIGHTS = {
    "electronic_info": 18, "ai": 10, "integrated_circuits": 6, "biomedicine": 14, "advanced_manufacturing": 15,
    "new_materials": 9, "new_energy": 7, "environment": 5, "modern_agriculture": 3, "aerospace": 1,
    "digital_creative": 6, "modern_services": 5, "other": 1,
}
# Fields whose incubation may last 60 instead of 48 months (国科发区〔2018〕300号).
LONG_INCUBATION_FIELDS = {"biomedicine", "modern_agriculture", "integrated_circuits"}

# The provincial evaluation (js-incubator-2024) grades these kinds once recognised provincial or national, and
# vetoes any with fewer than 15 firms in incubation on 31 December (specialised: 10) or less than 5,000 m² in
# tenants' use (specialised: 3,000); published evaluations fail 1-3% (Jiangsu 2020: 8 of 617).
EVALUATED_KINDS = ("incubator", "accelerator", "university_park")
EVALUATED_LEVELS = ("provincial", "national")
VETO_TENANTS = {"comprehensive": 15, "specialised": 10}
VETO_AREA = {"comprehensive": 5000, "specialised": 3000}
# A carrier's planned tenants are its whole history since 2015: about 58% of them (42% at worst) are firms in
# incubation at the end of 2024. So recognised carriers get at least 2.6-3.4 times the veto threshold, and
# 5-60% more area in use than it, except for the weak few (short of tenants or, a third of them, of area).
TENANT_FLOOR = (2.6, 3.4)
AREA_MARGIN = (1.05, 1.6)
WEAK_SHARE = 0.01

# Per tenant kind: share of start-up teams (not yet registered) and share still in incubation.
TEAM_SHARE = {"maker_space": 0.55, "rural_star": 0.3, "incubator": 0.03}
CURRENT_SHARE = {"maker_space": 0.66, "incubator": 0.74}
STUDENT_TEAM_SHARE = 0.5


@dataclass(frozen=True)
class Flagship:
    """A well-known carrier the demo always has (demo accounts and docs refer to them by name)."""

    name: str
    kind: str
    level: str
    region: str
    operator: str
    field: str = ""
    area: int = 0
    tenant_weight: float = 1.0


FLAGSHIPS = [
    Flagship("苏州纳米城科技企业孵化器", "incubator", "national", "320571", "苏州纳米科技发展有限公司",
             "new_materials", 120000, 1.5),
    Flagship("苏州国际科技园科技企业孵化器", "incubator", "national", "320571", "苏州工业园区科技发展有限公司",
             "", 60000, 2.0),
    Flagship("苏州生物医药产业园孵化器", "incubator", "national", "320571", "苏州生物纳米科技有限公司",
             "biomedicine", 80000, 2.0),
    Flagship("南京紫金（玄武）科技创业特别社区众创空间", "maker_space", "national", "320102",
             "南京玄武紫金科技创业发展有限公司", "", 6000, 2.0),
    Flagship("南京徐庄软件园科技企业孵化器", "incubator", "national", "320102", "南京徐庄高新技术产业发展有限公司",
             "electronic_info", 50000, 2.0),
]


@dataclass(frozen=True)
class Scale:
    name: str
    kinds: dict[str, int]  # Jiangsu carriers per kind
    tenants: int  # Jiangsu tenant firms and teams
    cities: tuple[str, ...] = tuple(CITY_WEIGHTS)
    national_carriers: int = 0  # all of China, Jiangsu included; 0 for Jiangsu only
    national_tenants: int = 0

    @property
    def seed(self) -> str:
        return f"fuhua-demo-{self.name}"


SCALES = {
    "small": Scale(
        "small",
        {"incubator": 18, "maker_space": 17, "accelerator": 1, "university_park": 2, "rural_star": 1, "demo_base": 1},
        tenants=1000, cities=("320500", "320100"),
    ),
    "province": Scale("province", PROVINCE_KINDS, tenants=77_000),
    "national": Scale("national", PROVINCE_KINDS, tenants=77_000, national_carriers=16_000, national_tenants=500_000),
}
