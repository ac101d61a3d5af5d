"""The run page lists its per-carrier results like every long list: pages, filters, sorting and export of the
filtered rows, never hundreds of rows at once."""

import io

import pytest
from django.test import Client
from python_calamine import CalamineWorkbook

from fuhua.evaluation.models import EvaluationResult
from fuhua.evaluation.testing import evaluation_world
from fuhua.testing import carrier


@pytest.fixture
def big_run(world):
    ev = evaluation_world(world)
    run = ev.run_sz
    for i in range(60):
        c = carrier(f"分页测试孵化器{i:02d}", world.carrier_a.operator, world.regions.sz)
        EvaluationResult.objects.create(run=run, carrier=c, category="comprehensive", completeness=100,
                                        total_milli=50_000 + i, rank=i + 2, grade="A" if i < 10 else "B")
    client = Client()
    client.force_login(world.users.bureau_js)
    return run, client


@pytest.mark.django_db
def test_the_run_page_shows_one_page_of_results(big_run):
    run, client = big_run
    html = client.get(f"/evaluation/runs/{run.pk}/").content.decode()
    assert "61 records" in html or "61 条记录" in html
    assert html.count("/evaluation/results/") - html.count('href="/evaluation/results/"') == 50  # one page of 50
    second = client.get(f"/evaluation/runs/{run.pk}/", {"page": 2}).content.decode()
    assert "分页测试孵化器59" in second and "分页测试孵化器10" not in second


@pytest.mark.django_db
def test_the_run_page_filters_sorts_and_exports_the_filtered_rows(big_run):
    run, client = big_run
    only_a = client.get(f"/evaluation/runs/{run.pk}/", {"grade": "A", "sort": "-total_milli"},
                        HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results").content.decode()
    assert "分页测试孵化器09" in only_a and "分页测试孵化器10" not in only_a
    assert only_a.index("分页测试孵化器09") < only_a.index("分页测试孵化器00")  # highest total first
    assert "<svg" not in only_a  # htmx gets the table alone
    export = client.get(f"/evaluation/runs/{run.pk}/", {"grade": "A", "export": "xlsx"})
    rows = CalamineWorkbook.from_filelike(io.BytesIO(export.content)).get_sheet_by_index(0).to_python()
    assert len(rows) == 1 + 10 and {r[4] for r in rows[1:]} == {"优秀"}  # grades in words
    found = client.get(f"/evaluation/runs/{run.pk}/", {"q": "分页测试孵化器07"}, HTTP_HX_REQUEST="true",
                       HTTP_HX_TARGET="results").content.decode()
    assert found.count("分页测试孵化器0") == 1


@pytest.mark.django_db
def test_the_run_page_stays_closed_outside_the_scope(world):
    ev = evaluation_world(world)
    operator = Client()
    operator.force_login(world.users.operator_a)
    assert operator.get(f"/evaluation/runs/{ev.run_sz.pk}/").status_code == 403
    city = Client()
    city.force_login(world.users.bureau_sz)
    assert city.get(f"/evaluation/runs/{ev.run_nj.pk}/").status_code == 404
