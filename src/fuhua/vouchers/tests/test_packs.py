"""The programme packs: every bundled pack loads, passes its own test cases and cites its figures; a pack with
a drafting error is refused naming the file and the reason."""

import datetime
from pathlib import Path

import pytest

from fuhua.rules import run_pack_tests
from fuhua.vouchers import packs

HEFEI = Path(packs.PACKS_DIR) / "hefei-hechuang.yaml"


def test_bundled_programmes_load_and_pass_their_cases():
    bundled = packs.bundled()
    assert set(bundled) == {"hefei-hechuang", "wuhan-east-lake", "suzhou-demo-voucher", "nanjing-demo-voucher"}
    for programme in bundled.values():
        assert [c.failures for c in run_pack_tests(programme.pack)] == [[]] * len(programme.pack.tests)
    assert [b.budget_fen for b in bundled["hefei-hechuang"].meta.batches] == [3_000_000_000, 2_000_000_000]
    assert [b.budget_fen for b in bundled["wuhan-east-lake"].meta.batches] == [5_000_000_000]
    assert bundled["suzhou-demo-voucher"].meta.illustrative and not bundled["hefei-hechuang"].meta.illustrative
    first = bundled["hefei-hechuang"].meta.batches[0]
    assert "534" in first.citation["text"] and first.citation["source"] == (
        "双创示范基地经验总结汇编·《安徽省合肥高新区双创经验总结》四、（一）合创券")


def test_terms_are_the_parameters_in_force_with_their_citation():
    t = packs.get("hefei-hechuang").terms(datetime.date(2017, 5, 1))
    assert (t.face_value, t.held_max, t.copay_full_below, t.copay_share, t.validity_days) == (
        2_000_000, 10_000_000, 1_000_000, 0.5, 90)
    assert t.eligible_categories == ("ip_agency", "testing", "tech_finance", "incubation")
    assert t.cite("face_value") == "《安徽省合肥高新区双创经验总结》四、（一）合创券"


@pytest.mark.parametrize(("change", "reason"), [
    (("budget: 30000000", "budget: 30010000"), "not a whole number of vouchers"),
    (("checks: [in_region, small_or_micro", "checks: [nowhere, small_or_micro"), "'nowhere' is not a rule"),
    (("  copay_share:\n", "  copay_shares:\n"), "missing parameter 'copay_share'"),
    (('      closes_at: "2017-12-31T17:00:00+08:00"\n      citation: {article: 四、（一）合创券, text: 今年4月',
      '      closes_at: "2017-04-01T17:00:00+08:00"\n      citation: {article: 四、（一）合创券, text: 今年4月'),
     "closes_at is not after opens_at"),
])
def test_a_drafting_error_is_refused_naming_the_file(change, reason):
    text = HEFEI.read_text(encoding="utf-8")
    assert change[0] in text
    with pytest.raises(packs.ProgrammeError) as exc:
        packs.load_programme_text(text.replace(change[0], change[1], 1), "broken.yaml")
    assert exc.value.file == "broken.yaml" and reason in exc.value.reason


def test_the_voucher_section_must_come_last():
    text = HEFEI.read_text(encoding="utf-8")
    with pytest.raises(packs.ProgrammeError) as exc:
        packs.load_programme_text(text + "extra: 1\n", "late.yaml")
    assert "last top-level key" in exc.value.reason
