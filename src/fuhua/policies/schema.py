"""The carrier attributes policies need beyond the national schema (filled by `population.py`).

Names are the contract between the policy packs (YAML) and the Django side. Levels and grades are
never missing: "none" stands for no recognition / no published grade, so `lookup` and `in` need no
guards in the packs.
"""

from __future__ import annotations

from fuhua.rules import Attribute, Schema, default_schema

A = Attribute

POLICY_ATTRIBUTES = [
    A("in_jurisdiction", "bool", "the carrier's region, or the administering region of an enclave, lies under the "
      "policy's region", default=False),
    A("operator_ownership", "str", "the operator's ownership type (state_owned, private, foreign, …), or none "
      "when not recorded"),
    A("highest_level", "str", "highest recognition level active on the as-of date, or none"),
    A("level_before", "str", "highest level granted before the period started (and not revoked), or none"),
    A("new_level", "str", "highest level newly granted in the period (up to the as-of date), or none"),
    *[A(f"new_{level}", "bool", f"{level} level newly granted in the period (every level reached counts, not "
        "only the highest)", default=False) for level in ("national", "provincial", "municipal", "county_city",
                                                          "district")],
    A("grade", "str", "published evaluation grade of the policy's evaluation period, or none"),
    A("approved_claim_fen", "int", "amount approved in the carrier's application for this policy", "fen", 0),
    A("recognised_since", "date", "earliest grant date of the recognitions active on the as-of date"),
]


def policy_schema(groups=(), offsets=()) -> Schema:
    """National schema + policy attributes + one paid-amount attribute per ledger group and offset."""
    extra = [A(f"paid_{g}_fen", "int", f"already paid under group {g} (ledger)", "fen", 0) for g in groups]
    extra += [A(name, "int", "paid or due under a policy this one does not stack with", "fen", 0) for name in offsets]
    return default_schema().extend("carrier", POLICY_ATTRIBUTES + extra)


# --- firm-level policies: firms and start-up teams as beneficiaries -------------------------------------
#
# Filled by `firm_population.py` from the registry's loaders (registry/rule_sources.py: firm_policy_columns,
# team_columns) on top of the national firm attributes. "Newly" means first granted in the calendar year of
# the as-of date, the period of a firm-level policy.

DESIGNATION_WORDS = {"high_tech": "高新技术企业", "srdi": "专精特新中小企业", "little_giant": "专精特新“小巨人”企业",
                     "gazelle": "瞪羚企业"}
FIRM_POLICY_ATTRIBUTES = [
    A("in_jurisdiction", "bool", "registered (or incubated) under the policy's region", default=False),
    *[A(f"{kind}_active", "bool", f"{word}: designation active on the as-of date", default=False)
      for kind, word in DESIGNATION_WORDS.items()],
    *[A(f"{kind}_new", "bool", f"{word}: first granted in the period", default=False)
      for kind, word in DESIGNATION_WORDS.items()],
    *[A(f"{kind}_since", "date", f"{word}: first grant date") for kind, word in DESIGNATION_WORDS.items()],
    A("region_code", "str", "region the firm is registered in"),
    A("tenant", "bool", "incubated at a carrier on the as-of date", default=False),
    A("tenant_region_code", "str", "region of the carrier incubating the firm"),
    A("tenant_in_jurisdiction", "bool", "incubated at a carrier under the policy's region", default=False),
    A("first_investment_on", "date", "date of the first financing"),
    A("first_investment_fen", "int", "amount of the first financing", "fen", 0),
    A("first_financed_in_period", "bool", "first financing in the period", default=False),
    A("student_founded", "bool", "founded by students (a student team that registered as the firm)", default=False),
]
TEAM_ATTRIBUTES = [
    A("in_jurisdiction", "bool", "the team's region lies under the policy's region", default=False),
    A("region_code", "str", "region of the team"),
    A("student_founded", "bool", "founded by students", default=False),
    A("formed_on", "date", "date the team was formed"),
    A("registered", "bool", "registered as a firm", default=False),
    A("hosted", "bool", "incubated at a carrier on the as-of date", default=False),
    A("host_in_jurisdiction", "bool", "incubated at a carrier under the policy's region", default=False),
    A("host_carrier", "int", "the carrier hosting the team (0: none)", "", 0),
    A("host_region_code", "str", "region of the hosting carrier"),
]
OPERATOR_ATTRIBUTES = [
    A("in_jurisdiction", "bool", "the operator is registered under the policy's region", default=False),
    A("region_code", "str", "region the operator is registered in"),
    A("ownership", "str", "ownership type of the operator, or none when not recorded"),
    A("carriers", "int", "carriers it operates (established by the as-of date)", "count", 0),
    A("recognised_carriers", "int", "of those, carriers holding an active recognition", "count", 0),
    A("provincial_plus_carriers", "int", "of those, carriers holding a national or provincial recognition",
      "count", 0),
    A("new_recognitions", "int", "recognitions of its carriers granted in the period", "count", 0),
    A("enclave_carriers", "int", "enclave carriers (飞地) it operates", "count", 0),
]
PERSON_ATTRIBUTES = [
    A("in_jurisdiction", "bool", "the person's firm (or team) lies under the policy's region", default=False),
    A("region_code", "str", "region of the person's firm (or team)"),
    A("of_firm", "bool", "a founder or key person of a registered firm (not of a team)", default=False),
    A("founder", "bool", "founder or co-founder (not only a key person)", default=False),
    A("doctorate", "bool", "holds a doctorate (博士)", default=False),
    A("overseas_returnee", "bool", "returned from study abroad (海外留学归国)", default=False),
    A("student", "bool", "an enrolled student (在校大学生)", default=False),
    A("talent_title", "str", "talent title held (gusu_leading, taicang_leading, js_shuangchuang, "
      "js_shuangchuang_phd), or none"),
    A("talent_title_new", "bool", "talent title granted in the period", default=False),
    A("venture_founded", "date", "date the person's firm was founded (or team formed)"),
    A("venture_tenant", "bool", "the person's firm (or team) is incubated at a carrier", default=False),
    A("venture_tenant_region_code", "str", "region of that carrier"),
    A("venture_tenant_in_jurisdiction", "bool", "incubated at a carrier under the policy's region", default=False),
    A("venture_host_carrier", "int", "a team founder: the carrier hosting the team (0: none)", "", 0),
]
FIRM_LABELS = {  # the attributes in words, for the "would be entitled if" sentences
    "in_jurisdiction": "在政策区域内", "tenant": "在孵企业", "tenant_in_jurisdiction": "在本区域载体内孵化",
    "first_financed_in_period": "本年度获得首次融资", "student_founded": "大学生创办",
    "registered": "已注册企业", "founder": "创始人或联合创始人", "doctorate": "具有博士学位",
    "overseas_returnee": "海外留学归国", "student": "在校大学生", "of_firm": "所创企业已注册",
    "venture_tenant": "所创企业在孵", "venture_tenant_in_jurisdiction": "所创企业在本区域载体内孵化",
    "talent_title_new": "本年度新入选人才计划", "hosted": "入驻孵化载体", "host_in_jurisdiction": "入驻本区域孵化载体",
    **{f"{kind}_active": f"{word}资格有效" for kind, word in DESIGNATION_WORDS.items()},
    **{f"{kind}_new": f"本年度新认定为{word}" for kind, word in DESIGNATION_WORDS.items()},
}


def firm_policy_schema(entity: str, groups=()) -> Schema:
    """National schema + the firm-level policy attributes (firm), the team, operator and person entities + paid
    amounts per group."""
    extra = [A(f"paid_{g}_fen", "int", f"already paid under group {g} (ledger)", "fen", 0) for g in groups]
    # when the money of the group was first paid (while some of it is still held): clawbacks on leaving the
    # region within a period after payment read it
    extra += [A(f"paid_{g}_on", "date", f"first payment under group {g} still held (ledger)") for g in groups]
    schema = default_schema().extend("firm", FIRM_POLICY_ATTRIBUTES + extra)
    schema = schema.extend("team", TEAM_ATTRIBUTES + extra,
                           doc="创业团队 — a start-up team not (yet) registered as a firm")
    schema = schema.extend("operator", OPERATOR_ATTRIBUTES + extra,
                           doc="载体运营机构 — the organisation that runs one or more carriers")
    return schema.extend("person", PERSON_ATTRIBUTES + extra,
                         doc="人才 — a founder or key person of a firm or team (registry.Founder)")
