"""Scoring without the database: integer milli-points, quotas, incomplete data, snapshots, and the
"what would raise the grade" answers checked by re-scoring."""

import math

import numpy as np

from fuhua.evaluation import compute
from fuhua.evaluation.explain import raise_options
from fuhua.evaluation.inputs import InputTable, checksum
from fuhua.evaluation.scheme import get_scheme
from fuhua.evaluation.synthetic import synthetic_inputs

SCHEME = get_scheme("js-incubator-2024", 2024)


def _qualitative(n, value=75_000):
    return {i.code: np.full(n, value, np.int64) for i in SCHEME.qualitative}


def test_scores_are_integers_that_add_up_and_quotas_hold():
    inputs = synthetic_inputs(SCHEME, 3000)
    out = compute.score(SCHEME, inputs, 2024, _qualitative(3000))
    parts = sum(out.points[c] for c in SCHEME.indicators) + out.bonus
    graded = ~out.incomplete
    assert (out.total[graded] == parts[graded]).all()
    assert out.total.dtype == np.int64
    assert (out.grade[graded] != "").all()
    assert (out.grade == "A").sum() <= 15 * graded.sum() // 100
    vetoed = np.zeros(3000, bool)
    for mask in out.vetoes.values():
        vetoed |= mask
    assert (out.grade[vetoed] == "D").all()
    assert (out.rank[graded & ~vetoed] <= (graded & ~vetoed).sum()).all()


def test_rescoring_from_a_snapshot_reproduces_every_number():
    inputs = synthetic_inputs(SCHEME, 2000, missing_share=0.01)
    data = inputs.to_bytes()
    again = InputTable.from_bytes(data)
    assert checksum(data) == checksum(again.to_bytes())
    a = compute.score(SCHEME, inputs, 2024, _qualitative(2000))
    b = compute.score(SCHEME, again, 2024, _qualitative(2000))
    for code in a.points:
        assert np.array_equal(a.points[code], b.points[code])
    assert np.array_equal(a.total, b.total) and np.array_equal(a.grade, b.grade) and np.array_equal(a.rank, b.rank)


def test_carriers_with_incomplete_data_are_marked_not_scored():
    inputs = synthetic_inputs(SCHEME, 500)
    inputs.present["tenants"][:10] = False  # tenants feed several indicators and a veto
    out = compute.score(SCHEME, inputs, 2024, _qualitative(500))
    assert out.incomplete[:10].all() and not out.incomplete[10:].any()
    assert (out.grade[:10] == "").all() and (out.total[:10] == 0).all() and (out.rank[:10] == 0).all()
    assert out.missing_at(0) == ["tenants"]


def test_trimmed_mean_and_half_up_rounding():
    assert compute.aggregate_expert_scores([60_000, 80_000, 100_000, 0], "trimmed_mean", 1) == 70_000
    assert compute.aggregate_expert_scores([1, 2], "mean", 1) == 2  # 1.5 rounds half up
    assert compute.aggregate_expert_scores([], "mean", 1) == compute.NOT_REVIEWED


def test_the_smallest_change_found_really_raises_the_grade():
    inputs = synthetic_inputs(SCHEME, 1500, seed=3)
    out = compute.score(SCHEME, inputs, 2024, _qualitative(1500))
    checked = 0
    for row in np.flatnonzero(np.isin(out.grade, ["B", "C"])):
        answer = raise_options(SCHEME, out, int(row))
        direct = [o for o in answer["options"] if SCHEME.indicators[o["indicator"]].expression
                  in SCHEME.indicators[o["indicator"]].stats_inputs]  # indicator = one statistics field
        if not direct:
            continue
        option = direct[0]
        code = SCHEME.indicators[option["indicator"]].stats_inputs[0]
        changed = InputTable(inputs.carrier_ids, {k: v.copy() for k, v in inputs.columns.items()}, inputs.present)
        changed.columns[code][row] = math.ceil(option["needed"])
        again = compute.score(SCHEME, changed, 2024, _qualitative(1500))
        assert "ABCD".index(again.grade[row]) < "ABCD".index(out.grade[row]), (option, answer)
        checked += 1
        if checked == 5:
            break
    assert checked
