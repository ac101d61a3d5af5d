"""Entity schema for the rules engine: what a rule pack may refer to.

An entity kind is a columnar table (one row per entity).  Attributes have a
type; relations link tables:

* ``one``  — this table has a foreign-key column ``fk`` holding the id of one
  row of ``target`` (e.g. ``incubation.firm`` via ``firm_id``).  Rules write
  ``firm.high_tech`` inside the incubation scope.
* ``many`` — rows of ``target`` whose ``fk`` column holds this row's id
  (e.g. ``carrier.incubations`` = incubation rows with ``carrier_id`` = the
  carrier).  Rules aggregate them with ``count/sum/any/all/mean``.

Types: ``bool``, ``int`` (int64; money is int64 **fen**), ``float``,
``date`` (datetime64[D]), ``str``.  Missing values: ``float`` → NaN,
``date`` → NaT, ``str`` → None; ``int``/``bool`` cannot be missing, so they
either declare a ``default`` or the population builder rejects the record.

Callers extend the schema without touching the engine::

    schema = default_schema().extend("carrier", [Attribute("rent_cut_fen", "int", default=0)])

The Django adapter fills these tables from its models; the names below are
the contract between the two sides.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

TYPES = ("bool", "int", "float", "date", "str")
_NO_DEFAULT = object()


@dataclass(frozen=True)
class Attribute:
    name: str
    type: str
    doc: str = ""
    unit: str = ""
    default: object = _NO_DEFAULT

    def __post_init__(self) -> None:
        if self.type not in TYPES:
            raise ValueError(f"attribute {self.name}: unknown type {self.type!r}")

    @property
    def has_default(self) -> bool:
        return self.default is not _NO_DEFAULT


@dataclass(frozen=True)
class Relation:
    name: str
    target: str
    kind: str  # "one" | "many"
    fk: str  # "one": column on this table; "many": column on the target table
    doc: str = ""


@dataclass(frozen=True)
class EntityKind:
    name: str
    attributes: dict[str, Attribute] = field(default_factory=dict)
    relations: dict[str, Relation] = field(default_factory=dict)
    doc: str = ""


class Schema:
    """Registry of entity kinds; immutable — ``extend`` returns a new schema."""

    def __init__(self, kinds: dict[str, EntityKind]):
        self.kinds = dict(kinds)

    def __getitem__(self, name: str) -> EntityKind:
        return self.kinds[name]

    def __contains__(self, name: object) -> bool:
        return name in self.kinds

    def extend(self, kind: str, attributes=(), relations=(), doc: str = "") -> Schema:
        old = self.kinds.get(kind, EntityKind(kind, doc=doc))
        attrs = dict(old.attributes) | {a.name: a for a in attributes}
        rels = dict(old.relations) | {r.name: r for r in relations}
        kinds = dict(self.kinds)
        kinds[kind] = replace(old, attributes=attrs, relations=rels)
        return Schema(kinds)


def _kind(name: str, doc: str, attrs: list[Attribute], rels: list[Relation]) -> EntityKind:
    return EntityKind(name, {a.name: a for a in attrs}, {r.name: r for r in rels}, doc)


A = Attribute

CARRIER = _kind(
    "carrier",
    "孵化载体 — incubator, maker space, accelerator, … (one row per carrier)",
    [
        A("kind", "str", "incubator | maker_space | accelerator | university_park | …"),
        A("specialised", "bool", "专业孵化器/专业化众创空间 (else comprehensive 综合)", default=False),
        A("industry_field", "str", "main industry field code of a specialised carrier"),
        A("has_tech_platform", "bool", "own public technical service platform", default=False),
        A("independent_legal_entity", "bool", "operator has independent legal personality", default=False),
        A("established", "date", "registration/operation start date"),
        A("stats_years_consecutive", "int", "consecutive years of Torch statistics reported", "years", 0),
        A("hardship_region", "bool", "全国艰苦边远地区 (MOHRSS list)", default=False),
        A("incubation_area_m2", "float", "self-controlled incubation area", "m2"),
        A("tenant_area_m2", "float", "area used by tenants incl. public service area", "m2"),
        A("workstations", "int", "workstations offered (maker spaces)", "count", 0),
        A("workstation_public_area_m2", "float", "workstation + public service area (maker spaces)", "m2"),
        A("seed_fund_fen", "int", "own or partner seed/incubation fund", "fen", 0),
        A("fund_use_cases", "int", "cases of seed-fund use", "count", 0),
        A("staff_total", "int", "operator staff", "count", 0),
        A("staff_professional", "int", "professional incubation staff", "count", 0),
        A("staff_fulltime", "int", "full-time staff with professional service skills", "count", 0),
        A("mentors", "int", "start-up mentors", "count", 0),
        A("graduates_cumulative", "int", "firms graduated since establishment", "count", 0),
        A("teams_entered_last_year", "int", "teams and firms entering by agreement, last year", "count", 0),
        A("teams_registered_firms_last_year", "int", "teams that registered a firm, last year", "count", 0),
        A("teams_financed_last_year", "int", "teams/firms that obtained financing, last year", "count", 0),
        A("incubation_cases_last_year", "int", "typical incubation cases, last year", "count", 0),
        A("events_last_year", "int", "salons, roadshows, contests, trainings, last year", "count", 0),
        A("has_clear_model", "bool", "clear direction and model (reviewer judgement)", default=False),
        A("dedicated_operator", "bool", "dedicated operating organisation", default=False),
        A("stats_reported", "bool", "statistics reported as required, truthfully", default=False),
        A("stats_reports_missed_consecutive", "int", "consecutive missed statistics reports", "count", 0),
        A("evaluation_grade_last", "str", "latest evaluation grade A/B/C/D"),
        A("evaluation_grade_prev", "str", "evaluation grade the year before"),
        A("income_total_fen", "int", "total income, prior year", "fen", 0),
        A("income_rent_property_fen", "int", "rent and property-fee income, prior year", "fen", 0),
        A("incubation_income_separate", "bool", "incubation-service income accounted separately", default=False),
        A("tenant_vouchers_claimed_this_year", "int", "innovation vouchers the current tenants claimed this year",
          "count", 0),
        A("tenant_voucher_value_claimed_fen", "int", "face value of those vouchers", "fen", 0),
        A("tenant_voucher_services", "int", "services the current tenants bought with vouchers this year",
          "count", 0),
        A("tenant_voucher_services_value_fen", "int", "what the vouchers paid for those services", "fen", 0),
    ],
    [Relation("incubations", "incubation", "many", "carrier_id", "all incubation records at this carrier")],
)

FIRM = _kind(
    "firm",
    "企业 — a (tenant) firm",
    [
        A("founded", "date", "registration date"),
        A("industry_field", "str", "industry field code, e.g. biomedicine, ic, modern_agriculture"),
        A("tech_sme", "bool", "科技型中小企业", default=False),
        A("high_tech", "bool", "recognised 高新技术企业", default=False),
        A("vc_investment_cumulative_fen", "int", "cumulative angel/VC investment", "fen", 0),
        A("revenue_last_year_fen", "int", "revenue, last full year", "fen", 0),
        A("revenue_prev_year_fen", "int", "revenue, the year before", "fen", 0),
        A("rd_spend_last_year_fen", "int", "R&D spend, last full year", "fen", 0),
        A("rd_spend_prev_year_fen", "int", "R&D spend, the year before", "fen", 0),
        A("listed", "bool", "listed or quoted on a capital market", default=False),
        A("merged_or_acquired", "bool", "merged or acquired", default=False),
        A("patents_applied", "int", "patent applications filed", "count", 0),
        A("ip_valid", "int", "valid IP rights held", "count", 0),
        A("vouchers_claimed_this_year", "int", "innovation vouchers claimed this calendar year", "count", 0),
        A("voucher_value_claimed_fen", "int", "face value of the vouchers claimed this year", "fen", 0),
        A("voucher_services", "int", "services bought with vouchers and accepted this year", "count", 0),
        A("voucher_services_value_fen", "int", "what the vouchers paid for those services", "fen", 0),
    ],
    [Relation("incubations", "incubation", "many", "firm_id", "the firm's incubation chain")],
)

INCUBATION = _kind(
    "incubation",
    "孵化记录 — firm × carrier stay",
    [
        A("entered", "date", "date the firm entered the carrier"),
        A("left", "date", "date it left (NaT while incubating)"),
        A("status", "str", "applied | admitted | incubating | graduated | exited | expired"),
        A("registered_on_site", "bool", "firm registered and working on site", default=False),
        A("financed", "bool", "obtained investment/financing while incubated (reporting period)", default=False),
        A("own_fund_equity", "bool", "received equity from the carrier's own or co-founded fund", default=False),
    ],
    [
        Relation("carrier", "carrier", "one", "carrier_id", "the carrier"),
        Relation("firm", "firm", "one", "firm_id", "the firm"),
    ],
)


def default_schema() -> Schema:
    """The national schema (carrier, firm, incubation)."""
    return Schema({k.name: k for k in (CARRIER, FIRM, INCUBATION)})


# The attributes in words (zh, en), for explanations and readiness pages: a person never reads `seed_fund_fen`.
ATTRIBUTE_LABELS: dict[str, tuple[str, str]] = {
    "kind": ("载体类型", "carrier kind"),
    "specialised": ("专业孵化器（专业化众创空间）", "specialised carrier"),
    "industry_field": ("产业领域", "industry field"),
    "has_tech_platform": ("专业技术服务平台", "technical service platform"),
    "independent_legal_entity": ("独立法人", "independent legal entity"),
    "established": ("成立日期", "date established"),
    "stats_years_consecutive": ("连续报送统计数据年数", "consecutive years of statistics"),
    "hardship_region": ("艰苦边远地区", "hardship region"),
    "incubation_area_m2": ("可自主支配的孵化场地面积", "self-controlled incubation area"),
    "tenant_area_m2": ("在孵企业使用面积（含公共服务面积）", "area used by tenants incl. public services"),
    "workstations": ("创业工位数", "workstations"),
    "workstation_public_area_m2": ("创业工位和公共服务场地面积", "workstation and public service area"),
    "seed_fund_fen": ("孵化资金规模", "seed fund"),
    "fund_use_cases": ("资金使用案例数", "cases of fund use"),
    "staff_total": ("机构人员数", "staff"),
    "staff_professional": ("专业孵化服务人员数", "professional incubation staff"),
    "staff_fulltime": ("具备专业服务能力的专职人员数", "full-time professional staff"),
    "mentors": ("创业导师数", "mentors"),
    "graduates_cumulative": ("累计毕业企业数", "cumulative graduates"),
    "teams_entered_last_year": ("上年协议入驻创业团队和企业数", "teams and firms entered last year"),
    "teams_registered_firms_last_year": ("上年注册新企业的团队数", "teams that registered a firm last year"),
    "teams_financed_last_year": ("上年获得融资的团队和企业数", "teams and firms financed last year"),
    "incubation_cases_last_year": ("上年典型孵化案例数", "typical incubation cases last year"),
    "events_last_year": ("上年创业活动场次", "events last year"),
    "has_clear_model": ("发展方向明确、模式清晰", "clear direction and model"),
    "dedicated_operator": ("专门运营管理机构", "dedicated operating organisation"),
    "stats_reported": ("按要求报送统计数据", "statistics reported"),
    "stats_reports_missed_consecutive": ("连续未报送统计数据次数", "consecutive missed statistics reports"),
    "evaluation_grade_last": ("最近一次考核评价等级", "latest evaluation grade"),
    "evaluation_grade_prev": ("上一次考核评价等级", "previous evaluation grade"),
    "income_total_fen": ("总收入", "total income"),
    "income_rent_property_fen": ("房租和物业费收入", "rent and property-fee income"),
    "incubation_income_separate": ("孵化服务收入单独核算", "incubation-service income accounted separately"),
    "tenant_vouchers_claimed_this_year": ("在孵企业本年申领创新券张数", "vouchers claimed by tenants this year"),
    "tenant_voucher_value_claimed_fen": ("在孵企业本年申领创新券面值", "voucher value claimed by tenants this year"),
    "tenant_voucher_services": ("在孵企业本年用券购买服务数", "services tenants bought with vouchers this year"),
    "tenant_voucher_services_value_fen": ("在孵企业本年用券抵扣金额", "voucher-paid value of tenants' services"),
    "founded": ("企业成立日期", "date founded"),
    "tech_sme": ("科技型中小企业", "technology-based SME"),
    "high_tech": ("高新技术企业", "high-tech enterprise"),
    "vc_investment_cumulative_fen": ("累计获得天使投资或风险投资", "cumulative angel/VC investment"),
    "revenue_last_year_fen": ("上年营业收入", "revenue last year"),
    "revenue_prev_year_fen": ("前一年营业收入", "revenue the year before"),
    "rd_spend_last_year_fen": ("上年研发投入", "R&D spend last year"),
    "rd_spend_prev_year_fen": ("前一年研发投入", "R&D spend the year before"),
    "listed": ("已上市", "listed"),
    "merged_or_acquired": ("被兼并收购", "merged or acquired"),
    "patents_applied": ("专利申请数", "patent applications"),
    "ip_valid": ("有效知识产权数", "valid IP rights"),
    "vouchers_claimed_this_year": ("本年申领创新券张数", "vouchers claimed this year"),
    "voucher_value_claimed_fen": ("本年申领创新券面值", "voucher value claimed this year"),
    "voucher_services": ("本年用券购买服务数", "services bought with vouchers this year"),
    "voucher_services_value_fen": ("本年用券抵扣金额", "voucher-paid value of services this year"),
    "entered": ("入孵日期", "date entered"),
    "left": ("离孵日期", "date left"),
    "status": ("孵化状态", "incubation status"),
    "registered_on_site": ("在孵化场地注册并办公", "registered and working on site"),
    "financed": ("获得投融资", "financed"),
    "own_fund_equity": ("获自有或合作基金股权投资", "equity from the carrier's own or co-founded fund"),
}


def attribute_label(name: str, lang: str = "zh") -> str:
    """An attribute (or `firm.founded`) in words; the name without `_fen` when the schema was extended."""
    base = str(name).split(".")[-1]
    words = ATTRIBUTE_LABELS.get(base)
    if words is None:
        return base.removesuffix("_fen")
    return words[1] if str(lang).startswith("en") else words[0]
