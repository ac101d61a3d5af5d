"""The grade distribution across the network on the shared figures page (issue 16 item 6): the published grades
received as figures (and this instance's own), per year and source with the network's total, scoped by region."""

import re

import pytest

from fuhua.accounts.roles import Role
from fuhua.federation.exchange import import_package
from fuhua.federation.models import Figure
from fuhua.federation.testing import Child, figure, identity
from fuhua.registry.models import Region
from fuhua.testing import make_user, web_client

pytestmark = pytest.mark.django_db

PART = "kind=incubator;level=national;specialisation=comprehensive"


def grade(source_id, letter, value, **values) -> dict:
    return figure(source_id, group="evaluations", measure=f"evaluations:grade_{letter}", value=value, **values)


def sections(html: str) -> list[tuple[int, str]]:
    return [(int(year), body) for year, body in
            re.findall(r'data-section="grade-distribution" data-dist-year="(\d+)">(.*?)</section>', html, re.S)]


def counts(body: str) -> dict[str, dict[str, int]]:
    """Each row of a section's table: source code ("network" for the total) → grade → carriers."""
    return {source: {g: int(n) for g, n in re.findall(r'data-grade="([ABCD])" data-count="(\d+)"', cells)}
            for source, cells in re.findall(r'<tr data-dist-source="([^"]+)">(.*?)</tr>', body, re.S)}


def page(user, query: str = "") -> str:
    response = web_client(user).get(f"/network/figures/{query}")
    assert response.status_code == 200
    return response.content.decode()


def test_the_grades_of_each_source_and_the_network_total_per_year(world, tmp_path):
    identity()  # 江苏省, the parent
    Figure.objects.create(source="320000", group="evaluations", measure="evaluations:grade_B", region=world.regions.js,
                          year=2025, value=4)  # this instance's own published results, refreshed as figures
    suzhou = Child(tables=["evaluations"])
    import_package(suzhou.package(tmp_path / "sz.tar.gz", {"evaluations": [
        grade(1, "A", 3), grade(2, "B", 5), grade(3, "C", 1, region="320500"),
        grade(4, "A", 3, breakdown=PART),  # a part of the total above: not counted twice
        grade(5, "A", 1, year=2024)]}))
    nanjing = Child("320100", "南京市", "320100", tables=["evaluations"])
    import_package(nanjing.package(tmp_path / "nj.tar.gz", {"evaluations": [
        grade(1, "A", 2, region="320102", origin="320100"), grade(2, "D", 1, region="320102", origin="320100")]}))

    html = page(world.users.bureau_js)
    assert [year for year, _body in sections(html)] == [2025, 2024]  # latest first
    body_2025 = sections(html)[0][1]
    assert counts(body_2025) == {
        "320000": {"A": 0, "B": 4, "C": 0, "D": 0},
        "320100": {"A": 2, "B": 0, "C": 0, "D": 1},
        "320500": {"A": 3, "B": 5, "C": 1, "D": 0},
        "network": {"A": 5, "B": 9, "C": 1, "D": 1},
    }
    assert re.search(r'data-dist-source="320500"><th scope="row">苏州市</th>', body_2025)  # the network's name
    assert "(31.2%)" in body_2025  # A's share of the total, 5 of 16
    assert 'class="grade-chart"' in body_2025 and "苏州市 (n=9)" in body_2025 and "南京市 (n=3)" in body_2025
    assert "优秀" in body_2025 and "不合格" in body_2025  # A … D in the glossary's words
    assert counts(sections(html)[1][1]) == {"320500": {"A": 1, "B": 0, "C": 0, "D": 0},
                                             "network": {"A": 1, "B": 0, "C": 0, "D": 0}}

    assert [year for year, _body in sections(page(world.users.bureau_js, "?year=2024"))] == [2024]
    assert sections(page(world.users.bureau_js, "?group=statistics")) == []
    assert [year for year, _body in sections(page(world.users.bureau_js, "?group=evaluations"))] == [2025, 2024]

    # a city's bureau: its own region's grades only, and a total of those
    nj = sections(page(world.users.bureau_nj))
    assert [year for year, _body in nj] == [2025]
    assert counts(nj[0][1]) == {"320100": {"A": 2, "B": 0, "C": 0, "D": 1},
                                "network": {"A": 2, "B": 0, "C": 0, "D": 1}}


def test_a_reader_scoped_to_one_province_sees_only_its_grades(world, tmp_path):
    zhejiang, _ = Region.objects.get_or_create(code="330000", defaults={"name": "浙江省", "level": "province"})
    Region.objects.get_or_create(code="330100", defaults={"name": "杭州市", "level": "prefecture", "parent": zhejiang})
    identity("CN", "全国", None)  # the nation, parent of both provinces
    js = Child("320000", "江苏省", "320000", tables=["evaluations"])
    import_package(js.package(tmp_path / "js.tar.gz", {"evaluations": [
        grade(1, "A", 7, origin="320000"), grade(2, "C", 3, region="320100", origin="320000")]}, target="CN"))
    zj = Child("330000", "浙江省", "330000", tables=["evaluations"])
    import_package(zj.package(tmp_path / "zj.tar.gz", {"evaluations": [
        grade(1, "B", 6, region="330100", origin="330000")]}, target="CN"))
    bureau_zj = make_user("bureau_zj", Role.BUREAU, region=zhejiang)

    (year, body), = sections(page(world.users.bureau_js))
    assert year == 2025
    assert counts(body) == {"320000": {"A": 7, "B": 0, "C": 3, "D": 0}, "network": {"A": 7, "B": 0, "C": 3, "D": 0}}
    assert "浙江省" not in body
    (_year, body), = sections(page(bureau_zj))
    assert counts(body) == {"330000": {"A": 0, "B": 6, "C": 0, "D": 0}, "network": {"A": 0, "B": 6, "C": 0, "D": 0}}
    assert "江苏省" not in body
    (_year, body), = sections(page(world.users.admin))
    assert counts(body)["network"] == {"A": 7, "B": 6, "C": 3, "D": 0}


def test_no_distribution_without_grade_figures(world, tmp_path):
    identity()
    suzhou = Child()
    import_package(suzhou.package(tmp_path / "sz.tar.gz", {
        "statistics": [figure(1, value=60)],
        "evaluations": [grade(2, "A", 0)],  # a grade withdrawn since: its figure went to zero
    }))
    html = page(world.users.bureau_js)
    assert 'data-measure="statistics:tenants"' in html
    assert sections(html) == [] and "grade-chart" not in html
