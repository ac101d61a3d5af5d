"""Packs' `label` / `explain` texts: validated on load, rendered as a clerk's note (no Django)."""

import pytest

from fuhua.rules import explain
from fuhua.rules.engine.errors import PackError
from fuhua.rules.engine.loader import load_pack_text
from fuhua.rules.engine.sentence import explain_sentence, template_fields

PACK = """
id: award-test
title: 测试奖励
document: {name: 关于科创载体的若干政策, number: 太政发〔2021〕26号}
effective_from: 2021-01-01
parameters:
  award:
    description: 省级众创空间奖励 / provincial maker space award
    unit: yuan
    values:
      - {from: 2021-01-01, value: 300000, citation: {article: 一是, text: 给予30万元奖励, verified: false}}
  min_area:
    label: {zh: 最低场地面积, en: minimum floor area}
    description: 面积
    unit: m2
    values:
      - {from: 2021-01-01, value: 500, citation: {article: 第三条, text: 不低于500平方米}}
rules:
  award_fen:
    label: {zh: 认定奖励, en: recognition award}
    explain:
      zh: "{name} 获{kind}认定，按{document} {article}，奖励 {award}；应发 {value}"
      en: "{name}: {value} due under {document} ({article})"
    expression: param.award if kind == "maker_space" else 0
    unit: fen
  area_ok:
    label_zh: 场地面积达标
    expression: incubation_area_m2 >= param.min_area
"""


def money(fen, unit="auto", lang="zh"):
    return f"{fen // 1_000_000} 万元" if lang == "zh" else f"{fen // 100:,} yuan"


def word(code, lang="zh"):
    return {"maker_space": "众创空间"}.get(code, code) if lang == "zh" else code


@pytest.fixture(scope="module")
def pack():
    return load_pack_text(PACK)


def trace_of(pack, rule, **attrs):
    record = {"id": 1, "kind": "maker_space", "incubation_area_m2": 400.0, **attrs}
    return explain(pack, "carrier", record, None, rule, "2023-06-30").to_json()


def test_labels_and_templates_load(pack):
    rule = pack.definitions["award_fen"]
    assert (rule.label_zh, rule.label_en) == ("认定奖励", "recognition award")
    assert rule.explain["zh"].startswith("{name} 获{kind}认定")
    assert pack.parameters["award"].label == {"zh": "省级众创空间奖励", "en": "provincial maker space award"}
    assert pack.parameters["min_area"].label["en"] == "minimum floor area"


def test_template_renders_a_clerks_note(pack):
    note = explain_sentence(pack, trace_of(pack, "award_fen"), "zh", name="太仓未来港众创空间", money=money,
                            word=word)
    assert note.text == "太仓未来港众创空间 获众创空间认定，按太政发〔2021〕26号 一是，奖励 30 万元；应发 30 万元"
    assert note.unverified and note.note == "条款号以原文为准"
    assert note.figures == [("省级众创空间奖励", "30 万元")]
    english = explain_sentence(pack, trace_of(pack, "award_fen"), "en", name="Future Port", money=money, word=word)
    assert english.text == "Future Port: 300,000 yuan due under 太政发〔2021〕26号 (一是)"


def test_a_check_without_template_names_its_figures(pack):
    note = explain_sentence(pack, trace_of(pack, "area_ok"), "zh", name="x")
    assert note.text == ("场地面积达标：不满足（可自主支配的孵化场地面积 400 m²，要求不低于 500 m²），"
                         "依据太政发〔2021〕26号 第三条")
    assert not note.unverified and note.note == ""


@pytest.mark.parametrize("bad, message", [
    ('zh: "{nme}"', "unknown name {nme}"),
    ('zh: "{param.award}"', "only {name} or {name:spec}"),
    ('zh: "{award:.2f}"', "unknown format"),
    ('en: "only English"', "needs a Chinese text"),
])
def test_bad_templates_are_refused_with_their_line(bad, message):
    text = PACK.replace('''      zh: "{name} 获{kind}认定，按{document} {article}，奖励 {award}；应发 {value}"
      en: "{name}: {value} due under {document} ({article})"''', f"      {bad}")
    with pytest.raises(PackError) as exc:
        load_pack_text(text)
    assert message in str(exc.value) and ":" in str(exc.value)


def test_label_and_label_zh_together_are_refused():
    with pytest.raises(PackError, match="either 'label' or 'label_zh'"):
        load_pack_text(PACK.replace("    label: {zh: 认定奖励, en: recognition award}",
                                    "    label: {zh: 认定奖励}\n    label_zh: 奖励"))


def test_template_fields_parse():
    assert template_fields("{a} 和 {b:year}") == [("a", ""), ("b", "year")]
    with pytest.raises(ValueError):
        template_fields("{a!r}")
