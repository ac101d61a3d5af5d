"""Pack validation errors name the file and line; the registry never serves a broken pack."""

import textwrap

import numpy as np
import pytest

from fuhua.rules import PackError, load_pack_file, load_registry
from fuhua.rules.engine.errors import RulesError

GOOD = """\
id: demo
title: demo pack
document: {{name: demo, number: 示例〔2020〕1号}}
effective_from: {start}
{end}entity: carrier
parameters:
  min_area:
    description: minimum area
    unit: m2
    values:
      - {{from: {start}, value: {area}, citation: {{article: 第一条, text: 面积}}}}
variables:
  big:
    expression: incubation_area_m2 >= param.min_area
rules:
  ok:
    label_zh: 面积达标
    expression: big and staff_total >= 1
"""


def write(tmp_path, name="demo.yaml", start="2020-01-01", end="", area=100, text=None):
    path = tmp_path / name
    end = f"effective_to: {end}\n" if end else ""
    path.write_text(text if text is not None else GOOD.format(start=start, end=end, area=area), encoding="utf-8")
    return path


def error_of(path) -> PackError:
    with pytest.raises(PackError) as err:
        load_pack_file(path)
    return err.value


def test_good_pack_loads(tmp_path):
    pack = load_pack_file(write(tmp_path))
    assert pack.rules == ["ok"] and pack.parameters["min_area"].values[0].citation.article == "第一条"


@pytest.mark.parametrize("old, new, line, reason", [
    ("unit: m2", "unit: m2\n    oops: [", 12, "YAML syntax error"),  # where the parser notices
    ("incubation_area_m2 >= param.min_area", "incubation_area_m2 >= = 1", 14, "big: syntax error"),
    ("incubation_area_m2 >= param.min_area", "incubation_area_m2.__class__", 14, "not allowed"),
    ("incubation_area_m2 >= param.min_area", "incubation_aera_m2 > 1", 14, "unknown name 'incubation_aera_m2'"),
    ("incubation_area_m2 >= param.min_area", "param.nope > 1", 14, "unknown name 'param.nope'"),
    ("incubation_area_m2 >= param.min_area", "ok", 18, "cycle between variables: big → ok → big"),
    ("incubation_area_m2 >= param.min_area", "incubation_area_m2 + 1", 18, "needs bool"),
    (", citation: {article: 第一条, text: 面积}", "", 11, "has no citation"),
    ("unit: m2", "unit: acres", 9, "unknown unit 'acres'"),
    ("title: demo pack", "title: demo pack\ntitle: again", 3, "duplicate key"),
    ("entity: carrier", "entity: spaceship", 5, "unknown entity"),
    ("rules:", "bogus: 1\nrules:", 15, "unknown top-level key 'bogus'"),
])
def test_broken_packs_fail_with_file_line_and_reason(tmp_path, old, new, line, reason):
    text = GOOD.format(start="2020-01-01", end="", area=100)
    assert old in text
    path = write(tmp_path, text=text.replace(old, new, 1))
    err = error_of(path)
    assert err.file == str(path) and reason in err.reason, err
    assert err.line == line, err


def test_money_must_be_whole_fen(tmp_path):
    text = GOOD.format(start="2020-01-01", end="", area=100).replace("unit: m2", "unit: yuan")
    assert load_pack_file(write(tmp_path, text=text.replace("value: 100", "value: 12.34")))
    err = error_of(write(tmp_path, text=text.replace("value: 100", "value: 12.345")))
    assert "not a whole number of fen" in err.reason and err.line == 11
    err = error_of(write(tmp_path, text=text.replace("unit: yuan", "unit: fen").replace("value: 100", "value: 1.5")))
    assert "not a whole number of fen" in err.reason


def test_money_variables_must_stay_integral(tmp_path):
    text = GOOD.format(start="2020-01-01", end="", area=100).replace(
        "    expression: big and staff_total >= 1", "    expression: seed_fund_fen * 0.5\n    unit: fen")
    err = error_of(write(tmp_path, text=text))
    assert "money (fen) must stay integral" in err.reason
    ok = text.replace("seed_fund_fen * 0.5", "round(seed_fund_fen * 0.5)")
    assert load_pack_file(write(tmp_path, text=ok)).definitions["ok"].type == "int"


def test_incomplete_pack_needs_todo(tmp_path):
    text = GOOD.format(start="2020-01-01", end="", area=100)
    text = text.replace("entity: carrier", "complete: false\nentity: carrier")
    assert "needs a 'todo' list" in error_of(write(tmp_path, text=text)).reason


def test_registry_picks_version_by_date_and_rejects_overlaps(tmp_path):
    write(tmp_path, "v1.yaml", start="2018-01-01", end="2019-12-31", area=100)
    write(tmp_path, "v2.yaml", start="2020-01-01", area=200)
    reg = load_registry(tmp_path)
    assert reg.errors == []
    assert reg.get("demo", "2019-06-01").parameters["min_area"].values[0].value == 100.0
    assert reg.get("demo", "2024-06-01").parameters["min_area"].values[0].value == 200.0
    with pytest.raises(RulesError, match="no version in force on 2017-01-01"):
        reg.get("demo", "2017-01-01")
    write(tmp_path, "v3.yaml", start="2019-06-01", area=300)  # overlaps v1 and v2
    errors = reg.reload()
    assert any("overlap" in e.reason for e in errors)
    assert len(reg.versions("demo")) == 2


def test_reload_keeps_last_good_version_of_a_broken_pack(tmp_path):
    path = write(tmp_path, area=100)
    reg = load_registry(tmp_path)
    path.write_text(path.read_text().replace("param.min_area", "param.min_aera"), encoding="utf-8")
    errors = reg.reload()
    assert len(errors) == 1 and errors[0].file == str(path) and errors[0].line == 14
    assert reg.get("demo", "2021-01-01").definitions["big"].expression.endswith("param.min_area")
    path.write_text(GOOD.format(start="2020-01-01", end="", area=500), encoding="utf-8")
    assert reg.reload() == []
    assert reg.get("demo", "2021-01-01").parameters["min_area"].values[0].value == 500.0


def test_a_never_good_broken_pack_is_not_served(tmp_path):
    write(tmp_path, text="id: x\ntitle: [")
    reg = load_registry(tmp_path)
    assert reg.ids() == [] and reg.errors[0].line is not None


def test_parameter_value_in_force_on_the_date(tmp_path):
    text = GOOD.format(start="2020-01-01", end="", area=100).replace(
        "      - {from: 2020-01-01, value: 100, citation: {article: 第一条, text: 面积}}",
        textwrap.indent("- {from: 2020-01-01, value: 100, citation: {article: 第一条}}\n"
                        "- {from: 2022-07-01, value: 150, citation: {article: 第一条, text: 修订}}", "      "))
    pack = load_pack_file(write(tmp_path, text=text))
    assert pack.resolve_params("2022-06-30")["min_area"].value == 100.0
    assert pack.resolve_params("2022-07-01")["min_area"].value == 150.0
    assert pack.resolve_params(np.datetime64("2022-07-01"))["min_area"].citation.text == "修订"
