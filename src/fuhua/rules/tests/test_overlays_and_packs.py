"""What-if overlays, as-of selection on the national packs, and every pack's YAML test cases."""

import json

import numpy as np
import pytest
from click.testing import CliRunner

from fuhua.rules import Population, evaluate_population, explain, load_registry, run_pack_tests
from fuhua.rules.cli import rules as rules_cli
from fuhua.rules.engine.errors import EvaluationError

REGISTRY = load_registry()
CASES = [(pack, case) for pack in REGISTRY.packs() for case in pack.tests]


def test_bundled_packs_load_without_errors():
    assert REGISTRY.errors == []
    assert set(REGISTRY.ids()) >= {"cn-most-2018", "cn-miit-2025", "cn-maker-space-2017"}
    assert not REGISTRY.get("cn-miit-2025", "2025-12-31").complete


@pytest.mark.parametrize("pack, case", CASES, ids=[f"{p.id}:{c.get('name')}" for p, c in CASES])
def test_pack_case(pack, case):
    from fuhua.rules.engine.testing import run_case

    result = run_case(pack, case)
    assert result.passed, f"{result.where()}: " + "; ".join(result.failures)


def test_run_pack_tests_reports_failures_with_location():
    pack = REGISTRY.get("cn-most-2018", "2020-01-01")
    broken = dict(pack.tests[0])
    broken["expect"] = {"carrier": {"c1": {"eligible_national": False}}}
    pack_copy = type(pack)(**{**pack.__dict__, "tests": [broken]})
    [result] = run_pack_tests(pack_copy)
    assert not result.passed and "eligible_national = True, expected False" in result.failures[0]


def test_overrides_do_not_mutate_the_pack():
    pack = REGISTRY.get("cn-most-2018", "2020-01-01")
    pop = Population.from_records({"carrier": [{"id": 1, "incubation_area_m2": 9000.0, "tenant_area_m2": 8000.0}]})
    base = evaluate_population(pack, pop, "2020-01-01", ["area_ok"])["area_ok"]
    what_if = evaluate_population(pack, pop, "2020-01-01", ["area_ok"], {"min_incubation_area": 8000})["area_ok"]
    assert not base[0] and what_if[0]
    assert pack.resolve_params("2020-01-01")["min_incubation_area"].value == 10000.0
    trace = explain(pack, "carrier", 1, pop, "area_ok", "2020-01-01", {"min_incubation_area": 8000})
    assert trace.to_json()["overrides"] == {"min_incubation_area": 8000} and "override" in trace.render("en")
    with pytest.raises(EvaluationError, match="unknown parameter"):
        evaluate_population(pack, pop, "2020-01-01", overrides={"nope": 1})
    with pytest.raises(EvaluationError, match="whole number of fen"):
        evaluate_population(pack, pop, "2020-01-01", overrides={"min_seed_fund": 0.001})


def test_pack_version_in_force_is_chosen_by_date():
    assert REGISTRY.get("cn-most-2018", "2018-12-14").id == "cn-most-2018"
    with pytest.raises(Exception, match="no version in force"):
        REGISTRY.get("cn-most-2018", "2018-12-13")
    with pytest.raises(Exception, match="no version in force"):
        REGISTRY.get("cn-most-2018", "2025-07-01")


def test_trace_is_json_serialisable_with_chinese_labels():
    pack = REGISTRY.get("cn-most-2018", "2021-06-30")
    pop = Population.from_records({"carrier": [{"id": "c", "hardship_region": True}]})
    trace = explain(pack, "carrier", "c", pop, "eligible_national", "2021-06-30")
    data = json.loads(trace.dumps())
    assert data["value"] is False and data["root"]["label_zh"] == "具备国家级科技企业孵化器认定条件"
    assert any(p["name"] == "hardship_reduction" and p["citation"]["article"] == "第十条" for p in data["params_used"])
    assert trace.render("zh").count("条款号以原文为准") == 1 and trace.failed()


def test_evaluate_population_arrays_align_with_ids():
    pack = REGISTRY.get("cn-most-2018", "2021-06-30")
    pop = Population.from_columns({"carrier": {"id": np.array([5, 3]), "revocation_due": None} if False else
                                   {"id": np.array([5, 3]), "evaluation_grade_last": np.array(["D", "A"], object),
                                    "evaluation_grade_prev": np.array(["D", "D"], object)}})
    out = evaluate_population(pack, pop, "2021-06-30", ["revocation_due"])
    assert list(out["revocation_due"]) == [True, False]


def test_cli_list_show_test(tmp_path):
    runner = CliRunner()
    listed = runner.invoke(rules_cli, ["list"])
    assert listed.exit_code == 0 and "cn-most-2018" in listed.output and "[incomplete]" in listed.output
    shown = runner.invoke(rules_cli, ["show", "cn-most-2018", "--as-of", "2020-01-01"])
    assert shown.exit_code == 0 and "5,000,000 元" in shown.output
    tested = runner.invoke(rules_cli, ["test"])
    assert tested.exit_code == 0 and "pack test cases passed" in tested.output
    (tmp_path / "bad.yaml").write_text("id: bad\ntitle: [\n", encoding="utf-8")
    failed = runner.invoke(rules_cli, ["--packs", str(tmp_path), "test"])
    assert failed.exit_code == 1 and "bad.yaml:" in failed.output


def test_cli_show_without_as_of_shows_a_superseded_pack_with_a_note():
    runner = CliRunner()
    shown = runner.invoke(rules_cli, ["show", "cn-most-2018"])  # ended 2025-06-30
    assert shown.exit_code == 0, shown.output
    assert "NO LONGER IN FORCE: ended 2025-06-30; superseded by cn-miit-2025" in shown.output
    assert "as of 2025-06-30" in shown.output and "min_seed_fund" in shown.output
    # an explicit date outside every version is still an error, and so is an unknown pack
    assert runner.invoke(rules_cli, ["show", "cn-most-2018", "--as-of", "2026-01-01"]).exit_code == 1
    assert runner.invoke(rules_cli, ["show", "no-such-pack"]).exit_code == 1
    current = runner.invoke(rules_cli, ["show", "cn-miit-2025"])
    assert current.exit_code == 0 and "IN FORCE:" not in current.output
