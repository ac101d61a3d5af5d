"""Both evaluators, their agreement on random populations, integer money."""

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuhua.rules import Population, evaluate_population, explain, load_registry
from fuhua.rules.engine.errors import EvaluationError, PopulationError
from fuhua.rules.engine.row_eval import RowEvaluator

from .helpers import language_pack

PACK = language_pack()
NATIONAL = load_registry()
FIELDS = ["bio", "ic", "software", None]
KINDS = ["incubator", "maker_space", "accelerator", None]
STATUSES = ["incubating", "graduated", "exited"]

dates = st.one_of(st.none(), st.dates(min_value=__import__("datetime").date(2005, 1, 1),
                                      max_value=__import__("datetime").date(2024, 12, 31)))


@st.composite
def populations(draw):
    n_carriers = draw(st.integers(1, 5))
    n_firms = draw(st.integers(1, 8))
    carriers = [{
        "id": i, "kind": draw(st.sampled_from(KINDS)), "industry_field": draw(st.sampled_from(FIELDS)),
        "specialised": draw(st.booleans()), "established": draw(dates),
        "incubation_area_m2": draw(st.one_of(st.none(), st.floats(0, 50_000, allow_nan=False))),
        "seed_fund_fen": draw(st.integers(0, 10**12)), "staff_total": draw(st.integers(0, 30)),
        "staff_professional": draw(st.integers(0, 30)), "mentors": draw(st.integers(0, 30)),
        "evaluation_grade_last": draw(st.sampled_from(["A", "B", "C", "D", None])),
        "hardship_region": draw(st.booleans()), "graduates_cumulative": draw(st.integers(0, 40)),
    } for i in range(n_carriers)]
    firms = [{
        "id": f"f{i}", "founded": draw(dates), "industry_field": draw(st.sampled_from(FIELDS)),
        "ip_valid": draw(st.integers(0, 5)), "patents_applied": draw(st.integers(0, 5)),
        "high_tech": draw(st.booleans()), "revenue_last_year_fen": draw(st.integers(0, 2 * 10**9)),
        "revenue_prev_year_fen": draw(st.integers(0, 2 * 10**9)),
    } for i in range(n_firms)]
    incubations = [{
        "id": i, "carrier_id": draw(st.integers(0, n_carriers)),  # n_carriers = dangling link
        "firm_id": f"f{draw(st.integers(0, n_firms - 1))}", "entered": draw(dates),
        "status": draw(st.sampled_from(STATUSES)), "financed": draw(st.booleans()),
    } for i in range(draw(st.integers(0, 25)))]
    return Population.from_records({"carrier": carriers, "firm": firms, "incubation": incubations})


def _same(a, b) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)
    return a == b


def _assert_agree(pack, pop, as_of):
    vector = evaluate_population(pack, pop, as_of, list(pack.definitions))
    rows = RowEvaluator(pack, pop, as_of)
    for name, d in pack.definitions.items():
        assert len(vector[name]) == len(pop[d.entity])
        for row in range(len(pop[d.entity])):
            value, _ = rows.definition(name, row, trace=False)
            value = rows.show(value, d.type)[0]
            v = vector[name][row]
            if d.type == "date":
                assert (np.isnat(v) and np.isnat(value)) or v == value, (name, row)
            else:
                plain = [x.item() if hasattr(x, "item") else x for x in (v, value)]
                assert _same(*plain), (name, row, v, value)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(populations(), st.dates(min_value=__import__("datetime").date(2015, 1, 1),
                               max_value=__import__("datetime").date(2024, 12, 31)))
def test_vector_and_row_evaluators_agree_on_random_populations(pop, as_of):
    _assert_agree(PACK, pop, np.datetime64(as_of, "D"))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(populations())
def test_evaluators_agree_on_the_national_packs(pop):
    for pack in NATIONAL.packs():
        as_of = pack.effective_from + np.timedelta64(400, "D")
        _assert_agree(pack, pop, as_of)


def test_money_stays_int64_in_both_evaluators():
    pop = Population.from_records({"carrier": [{"id": 1, "seed_fund_fen": 10**15 + 1, "staff_total": 3}]})
    out = evaluate_population(PACK, pop, "2021-01-01", ["fund_plus_bonus", "fund_share", "fund_split"])
    assert all(v.dtype == np.int64 for v in out.values())
    assert out["fund_plus_bonus"][0] == 10**15 + 1 + 1250 * 3  # 12.5 yuan = 1250 fen, exact
    value, _ = RowEvaluator(PACK, pop, "2021-01-01").definition("fund_plus_bonus", 0, trace=False)
    assert value.dtype == np.int64 and value[0] == out["fund_plus_bonus"][0]


def test_collections_count_sum_mean_and_dangling_links():
    pop = Population.from_records({
        "carrier": [{"id": 1}, {"id": 2}],
        "firm": [{"id": "a", "ip_valid": 2, "industry_field": "bio"}, {"id": "b", "ip_valid": 3}],
        "incubation": [{"id": 1, "carrier_id": 1, "firm_id": "a", "status": "incubating", "financed": True},
                       {"id": 2, "carrier_id": 1, "firm_id": "b", "status": "exited"},
                       {"id": 3, "carrier_id": 99, "firm_id": "b", "status": "incubating"}],
    })
    out = evaluate_population(PACK, pop, "2021-01-01")
    assert list(out["n_current"]) == [1, 0] and list(out["n_all"]) == [2, 0]
    assert list(out["ip_total"]) == [5, 0] and list(out["weight_total"]) == [4, 0]
    assert list(out["any_financed"]) == [True, False] and list(out["all_financed"]) == [False, True]
    assert math.isnan(out["mean_age"][1])  # no members → missing


def test_missing_values_are_explicit():
    pop = Population.from_records({"carrier": [{"id": 1, "staff_total": 0}]})
    out = evaluate_population(PACK, pop, "2021-01-01", ["ratio", "dense", "old", "kind_label"])
    assert math.isnan(out["ratio"][0])  # 0/0 is missing, not inf
    assert out["dense"][0] == -1.0  # guarded with present()
    assert not out["old"][0]  # comparisons with a missing date are false
    assert out["kind_label"][0] is None


def test_int_and_bool_attributes_cannot_be_missing_without_default():
    from fuhua.rules import Attribute, default_schema

    schema = default_schema().extend("carrier", [Attribute("score", "int")])
    with pytest.raises(PopulationError, match="score is missing and has no default"):
        Population.from_records({"carrier": [{"id": 1}]}, schema)
    with pytest.raises(PopulationError, match="must be an integer"):
        Population.from_records({"carrier": [{"id": 1, "seed_fund_fen": 1.5}]})
    with pytest.raises(PopulationError, match="unknown field"):
        Population.from_records({"carrier": [{"id": 1, "seed_fund": 1}]})


def test_missing_to_one_link_for_an_int_attribute_is_an_error():
    pop = Population.from_records({"carrier": [{"id": 1}], "firm": [],
                                   "incubation": [{"id": 1, "carrier_id": 1, "firm_id": "zz"}]})
    with pytest.raises(EvaluationError, match="has no firm"):
        evaluate_population(PACK, pop, "2021-01-01", ["ip_total"])


def test_explain_shows_values_params_citations_and_branch():
    pop = Population.from_records({"carrier": [{"id": 7, "seed_fund_fen": 100, "staff_total": 2,
                                                "incubation_area_m2": 2000.0}]})
    trace = explain(PACK, "carrier", 7, pop, "fund_plus_bonus", "2021-01-01")
    data = trace.to_json()
    assert data["value"] == 100 + 2 * 1250
    assert data["params_used"][0]["citation"]["article"] == "第一条"
    assert "12.50 元" in trace.render("zh")
    dense = explain(PACK, "carrier", 7, pop, "dense", "2021-01-01")
    assert "branch taken: if" in dense.render("en")
    chained = explain(PACK, "carrier", {"id": 9, "staff_total": 25, "mentors": 3}, None, "chained", "2021-01-01")
    assert chained.value[0] == np.False_ and "staff_total (25) <= 20 (20)" in chained.render()


def test_explain_rejects_wrong_entity_or_rule():
    pop = Population.from_records({"carrier": [{"id": 1}]})
    with pytest.raises(Exception, match="rule of carrier"):
        explain(PACK, "incubation", 1, pop, "n_current", "2021-01-01")
    with pytest.raises(Exception, match="no rule or variable"):
        explain(PACK, "carrier", 1, pop, "nope", "2021-01-01")
