"""Forms as data: editions per year, inheritance, the whitelisted check syntax."""

import pytest

from fuhua.rules import ExpressionError
from fuhua.statistics.definitions import all_codes, form_for_year, get_form
from fuhua.statistics.validation import compile_check


def test_each_year_gets_its_edition():
    assert form_for_year(2023).code == "torch-2023"
    assert form_for_year(2024).code == "torch-2023"
    assert form_for_year(2025).code == "torch-2025"
    assert form_for_year(2030).code == "torch-2025"
    assert form_for_year(2010).code == "torch-2023"  # before the first edition: the earliest


def test_the_2025_edition_extends_2023():
    old, new = get_form("torch-2023"), get_form("torch-2025")
    assert set(old.fields) < set(new.fields)
    assert {"tenants_grown", "tenants_own_fund_equity"} == set(new.fields) - set(old.fields)
    assert len(new.checks) == len(old.checks) + 2
    assert new.deadline(2025).isoformat() == "2026-03-31"
    assert "tenants_grown" in all_codes()


def test_the_brief_fields_are_there():
    form = get_form("torch-2025")
    for code in ("incubation_area_m2", "tenants", "tenants_new", "graduates_year", "graduates_cumulative",
                 "tenant_employees", "fresh_graduates_hired", "tenant_revenue_fen", "tenant_rd_fen",
                 "patents_applied", "patents_granted", "tenants_with_ip", "financing_fen", "firms_financed",
                 "seed_fund_fen", "staff_total", "staff_professional", "mentors", "events", "income_total_fen",
                 "income_service_fen", "income_rent_fen", "workstations", "teams_entered", "teams_registered",
                 "incubation_cases", "fund_use_cases"):
        assert code in form.fields, code
    money = form.fields["income_total_fen"]
    assert money.unit.scale == 100000 and money.header == "载体总收入（千元）"


@pytest.mark.parametrize(("rule", "values", "expected"), [
    ("a <= b", {"a": 1, "b": 2}, True),
    ("a <= b", {"a": 3, "b": 2}, False),
    ("a + b <= c", {"a": 1, "b": 2, "c": 2}, False),
    ("a <= 0.75 * c", {"a": 75, "c": 100}, True),
    ("a - b >= 0", {"a": 1, "b": None}, None),  # an empty field: nothing to say
    # the rules engine's language, as in the packs: chained comparisons, products, functions, conditions
    ("a <= b <= c", {"a": 1, "b": 2, "c": 2}, True),
    ("a * b <= c", {"a": 2, "b": 3, "c": 5}, False),
    ("min(a, b) <= c and c > 0", {"a": 5, "b": 1, "c": 1}, True),
    ("a <= (c if c > 10 else 10)", {"a": 9, "c": 3}, True),
])
def test_checks(rule, values, expected):
    assert compile_check(rule, {"a", "b", "c"}).test(values) is expected


@pytest.mark.parametrize("rule", [
    "__import__('os').system('x') == 0", "a.b <= c", "a", "a + 1", "a <= unknown",
    "[a] <= b", "a <= (lambda: 1)()", "a <=", "a <= 'x'",
])
def test_anything_else_is_refused(rule):
    with pytest.raises(ExpressionError):
        compile_check(rule, {"a", "b", "c"})


def test_checks_of_many_rows_at_once_agree_with_one_by_one():
    check = compile_check("a + b <= c", {"a", "b", "c"})
    rows = [{"a": 1, "b": 1, "c": 2}, {"a": 2, "b": 1, "c": 2}, {"a": None, "b": 1, "c": 2}]
    assert check.test_many(rows) == [check.test(r) for r in rows] == [True, False, None]
    assert check.codes == ("a", "b", "c")
