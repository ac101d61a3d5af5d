"""The seed policy packs: their own test cases (written from the seed texts) and the loader's refusals."""

from pathlib import Path

import pytest

from fuhua.policies import packs
from fuhua.rules import run_pack_tests

SEED_POLICIES = ["sip-2020-rent-relief", "suzhou-2020-carriers", "suzhou-2022-action-plan", "taicang-2021-carriers"]
FIRM_POLICIES = ["jiangning-2020-rd-reward", "jiangsu-2021-student-teams", "suzhou-2022-first-financing",
                 "suzhou-2022-high-tech-reward", "suzhou-2022-srdi-reward"]
# Paying carrier operators and persons (founders under a talent programme): evaluated like firm-level policies.
OPERATOR_PERSON_POLICIES = ["jiangsu-2021-phd-founders", "suzhou-2021-brand-operators"]


def test_the_four_seed_policies_are_bundled_with_their_document_numbers():
    policies = packs.load_policies()
    assert sorted(code for code, p in policies.items() if not p.firm_level) == SEED_POLICIES
    assert sorted(code for code, p in policies.items() if p.beneficiary in ("firm", "team")) == FIRM_POLICIES
    assert sorted(code for code, p in policies.items()
                  if p.beneficiary in ("operator", "person")) == OPERATOR_PERSON_POLICIES
    assert policies["taicang-2021-carriers"].pack.document.number == "太政发〔2021〕26号"
    assert policies["suzhou-2022-action-plan"].pack.document.number == "苏府〔2022〕91号"
    # 2022 offsets against 2020 (不重复享受), so 2020 is computed first.
    order = packs.dependency_order(policies)
    assert order.index("suzhou-2020-carriers") < order.index("suzhou-2022-action-plan")


@pytest.mark.parametrize("code", SEED_POLICIES + FIRM_POLICIES + OPERATOR_PERSON_POLICIES)
def test_pack_cases_from_the_text_pass(code):
    results = run_pack_tests(packs.get(code).pack)
    assert results and all(r.passed for r in results), [(r.name, r.failures) for r in results if not r.passed]


def _text(code: str) -> str:
    return (packs.PACKS_DIR / f"{code}.yaml").read_text(encoding="utf-8")


def test_a_cap_below_a_fixed_amount_is_refused_with_a_clear_message():
    text = _text("suzhou-2020-carriers").replace("value: 1000000, citation: {article: 二、1, text: 单个",
                                                 "value: 400000, citation: {article: 二、1, text: 单个")
    with pytest.raises(packs.PolicyError) as error:
        packs.load_policy_text(text, "capped.yaml")
    message = str(error.value)
    assert "construction_cap (400,000.00 yuan) is below the fixed amount" in message
    assert "municipal = 500,000.00 yuan of incubator_construction" in message


def test_a_what_if_that_puts_a_cap_below_an_amount_is_refused_too():
    policy = packs.get("suzhou-2020-carriers")
    with pytest.raises(packs.PolicyError, match="below the fixed amount"):
        packs.check_caps("what-if", policy.pack, policy.meta, {"construction_cap": 100000})


def test_a_cycle_between_policies_is_refused(tmp_path: Path):
    a = _text("suzhou-2020-carriers").replace("  groups:\n    maker_space_construction",
                                              "  offsets:\n    - {into: x_fen, policy: suzhou-2022-action-plan, "
                                              "groups: [award], per: ever}\n  groups:\n    maker_space_construction")
    (tmp_path / "a.yaml").write_text(a, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(_text("suzhou-2022-action-plan"), encoding="utf-8")
    with pytest.raises(packs.PolicyError, match=r"offsets form a cycle: .*suzhou-2020-carriers → suzhou-2022"):
        packs.load_policies(tmp_path)


def test_an_offset_against_an_unknown_policy_is_refused(tmp_path: Path):
    (tmp_path / "b.yaml").write_text(_text("suzhou-2022-action-plan"), encoding="utf-8")
    with pytest.raises(packs.PolicyError, match="unknown policy 'suzhou-2020-carriers'"):
        packs.load_policies(tmp_path)


def test_the_policy_section_must_come_last_and_name_real_rules():
    text = _text("sip-2020-rent-relief")
    with pytest.raises(packs.PolicyError, match="must be the last top-level key"):
        packs.load_policy_text(text + "\nnotes: trailing\n", "x.yaml")
    with pytest.raises(packs.PolicyError, match="item no_such_rule is not a rule"):
        packs.load_policy_text(text.replace("    rent_relief_fen: {group", "    no_such_rule: {group"), "x.yaml")
    with pytest.raises(packs.PolicyError, match="unknown priority rule"):
        packs.load_policy_text(text.replace("priority: earliest_recognition_then_id", "priority: loudest"), "x.yaml")
