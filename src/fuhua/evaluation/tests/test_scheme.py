"""Schemes: the bundled ones load; bad schemes are refused with file:line: reason."""

import re

import pytest

from fuhua.evaluation.normalise import Normalisation
from fuhua.evaluation.scheme import SCHEMES_DIR, SchemeError, all_schemes, load_scheme_text
from fuhua.rules import PackError

BASE = (SCHEMES_DIR / "maker-space-2024.yaml").read_text("utf-8")


def test_bundled_schemes_load_with_weights_adding_up():
    schemes = {s.id: s for s in all_schemes()}
    assert {"js-incubator-2024", "maker-space-2024"} <= set(schemes)
    js = schemes["js-incubator-2024"]
    assert set(js.groups) == {"service", "performance", "sustainability"}
    assert set(js.vetoes) == {"veto_few_tenants", "veto_small_area", "veto_no_seed_investment"}
    for category in js.categories:
        assert sum(i.weights[category] for i in js.indicators.values()) == 100_000
    assert js.assumed_count == len(js.indicators)  # every weight is marked as assumed
    assert js.qualitative and js.bonuses and js.quotas == {"A": 15}


def test_weights_that_do_not_add_up_are_refused():
    text = BASE.replace("weights: {maker_space: 15, specialised: 12}", "weights: {maker_space: 14, specialised: 12}")
    with pytest.raises(SchemeError, match=r"weights of category maker_space add up to 99, not 100"):
        load_scheme_text(text, "bad.yaml")


def test_a_floor_not_below_the_target_is_refused():
    text = BASE.replace("{method: linear, floor: 20, target: 80}", "{method: linear, floor: 80, target: 80}")
    with pytest.raises(SchemeError, match=r"bad.yaml:\d+: indicator entries_this_year: linear normalisation needs "
                                          r"floor < target"):
        load_scheme_text(text, "bad.yaml")


def test_an_indicator_over_a_missing_field_is_refused():
    text = BASE.replace("expression: firms_financed}", "expression: firms_funded}")
    with pytest.raises(PackError, match=re.escape("firms_funded")):
        load_scheme_text(text, "bad.yaml")


def test_an_indicator_over_tenant_records_is_refused():
    text = BASE.replace("expression: firms_financed}", "expression: count(incubations)}")
    with pytest.raises(SchemeError, match="only use the carrier's own statistics"):
        load_scheme_text(text, "bad.yaml")


def test_a_weight_for_an_unknown_category_and_bad_grading_are_refused():
    with pytest.raises(SchemeError, match="unknown category 'incubator'"):
        load_scheme_text(BASE.replace("{maker_space: 8, specialised: 10}", "{incubator: 8, specialised: 10}"), "b")
    with pytest.raises(SchemeError, match="must fall from A to B to C"):
        load_scheme_text(BASE.replace("{A: 80, B: 65, C: 50}", "{A: 60, B: 65, C: 50}"), "b")


def test_normalisations():
    cohort = [1.0, 2.0, 3.0, 4.0, 5.0]
    linear = Normalisation.parse({"method": "linear", "floor": 1, "target": 5})
    assert linear.fraction([0, 3, 9, float("nan")], cohort).tolist() == [0, 0.5, 1, 0]
    bands = Normalisation.parse({"method": "bands", "bands": [{"min": 2, "score": 50}, {"min": 4, "score": 100}]})
    assert bands.fraction([1, 2, 3.9, 4], cohort).tolist() == [0, 0.5, 0.5, 1]
    assert Normalisation.parse({"method": "minmax"}).fraction([1, 3, 5], cohort).tolist() == [0, 0.5, 1]
    assert Normalisation.parse({"method": "percentile"}).fraction([1, 3, 5], cohort).tolist() == [0, 0.5, 1]
    assert Normalisation.parse({"method": "median_ratio", "at": 2}).fraction([3, 6, 9], cohort).tolist() == [0.5, 1, 1]
    with pytest.raises(ValueError, match="rising minimums"):
        Normalisation.parse({"method": "bands", "bands": [{"min": 4, "score": 50}, {"min": 2, "score": 100}]})


@pytest.mark.parametrize("raw", [
    {"method": "linear", "floor": 1, "target": 5}, {"method": "percentile"}, {"method": "median_ratio"},
    {"method": "bands", "bands": [{"min": 2, "score": 50}, {"min": 4, "score": 100}]}, {"method": "minmax"},
])
def test_needed_inverts_the_normalisation(raw):
    n = Normalisation.parse(raw)
    cohort = [1.0, 2.0, 3.0, 4.0, 5.0]
    needed = n.needed(1000, 1.0, cohort, 0)
    assert needed is not None
    moved = list(cohort)
    moved[0] = needed
    assert round(n.fraction([needed], moved)[0] * 1000) >= 1000
