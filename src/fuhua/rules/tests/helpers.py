"""Shared helpers for the rules tests: a small pack covering the whole language."""

from fuhua.rules.engine import load_pack_text

LANGUAGE_PACK = """
id: test-language
title: every construct of the language
document: {name: test}
effective_from: 2000-01-01
entity: carrier
parameters:
  bonus: {description: bonus, unit: yuan, values: [{from: 2000-01-01, value: 12.5, citation: {article: 第一条}}]}
  rate: {description: rate, unit: percent, values: [{from: 2000-01-01, value: 30, citation: {article: 第二条}},
                                                    {from: 2020-01-01, value: 50, citation: {article: 第二条}}]}
  fields: {description: fields, unit: list, values: [{from: 2000-01-01, value: [bio, ic], citation: {article: 第三条}}]}
  weights: {description: weights, unit: table,
            values: [{from: 2000-01-01, value: {bio: 3, ic: 2}, citation: {article: 第四条}}]}
  months: {description: months, unit: months, values: [{from: 2000-01-01, value: 24, citation: {article: 第五条}}]}
variables:
  current: {entity: incubation, expression: 'status == "incubating"'}
  age_at_entry: {entity: incubation, expression: 'months_between(firm.founded, entered)'}
  field_weight: {entity: incubation, expression: 'lookup(param.weights, firm.industry_field, 1)'}
  long_field: {entity: incubation, expression: 'firm.industry_field in param.fields'}
  same_field: {entity: incubation, expression: 'firm.industry_field == carrier.industry_field'}
  area_or_zero: {expression: 'coalesce(incubation_area_m2, 0.0)'}
rules:
  n_current: {expression: 'count(incubations, current)'}
  n_all: {expression: 'count(incubations)'}
  any_financed: {expression: 'any(incubations, financed)'}
  all_financed: {expression: 'all(incubations, financed)'}
  ip_total: {expression: 'sum(incubations, firm.ip_valid)'}
  weight_total: {expression: 'sum(incubations, field_weight)'}
  mean_age: {expression: 'mean(incubations, age_at_entry)'}
  fund_plus_bonus: {expression: 'seed_fund_fen + param.bonus * staff_total', unit: fen}
  fund_share: {expression: 'round(seed_fund_fen * param.rate)', unit: fen}
  fund_split: {expression: 'seed_fund_fen // max(staff_total, 1) + seed_fund_fen % 7', unit: fen}
  clipped: {expression: 'clip(staff_total - mentors, -3, 3) * 2 ** 2'}
  ratio: {expression: 'staff_professional / staff_total'}
  dense: {expression: 'n_current / (area_or_zero / 1000) if present(incubation_area_m2) else -1.0'}
  old: {expression: 'years_between(established, as_of) >= 3 and established < date("2019-06-30")'}
  chained: {expression: '0 < staff_total <= 20 != mentors'}
  kind_label: {expression: 'kind if kind != "maker_space" else "space"'}
  in_literal: {expression: 'kind in ("incubator", "accelerator") or not specialised'}
  latest_entry_ok: {expression: 'all(incubations, entered <= add_months(firm.founded, param.months))'}
  n_long: {expression: 'count(incubations, long_field and same_field)'}
  days_old: {expression: 'days_between(established, as_of)'}
  neg: {expression: '-abs(mentors - 5) + min(mentors, 2.5)'}
  graded: {expression: 'evaluation_grade_last in ("A", "B")'}
"""


def language_pack():
    return load_pack_text(LANGUAGE_PACK, "language.yaml")
