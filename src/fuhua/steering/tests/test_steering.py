"""Steering on fuhua.testing.world (Suzhou's national incubator carrier_a, Nanjing's provincial maker space
carrier_b): metrics, targets and their bad inputs, region reach through every region endpoint, the annual report
(snapshot, checksum, HTML/PDF/XLSX, a year without data, a template with an unknown metric), the aggregates and
the dashboard charts. The world and its accepted 2024 and 2025 statistics are built once for the module."""

import datetime
import io
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from django.db import transaction
from django.test import override_settings

from fuhua.core.system import SYSTEM
from fuhua.steering import aggregates, report, services
from fuhua.steering.metrics import Frame, parse_catalogue
from fuhua.steering.models import ReportSnapshot, Target, parse_period
from fuhua.steering.testing import target
from fuhua.steering.yamlfile import DataFileError
from fuhua.testing import api_client, web_client

TODAY = datetime.date(2026, 12, 2)


@pytest.fixture(scope="module")
def module_world(django_db_setup, django_db_blocker):
    from fuhua.statistics.testing import report as stats_report
    from fuhua.testing import world as build

    with django_db_blocker.unblock(), override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            w = build()
            for year, tenants in ((2024, 20), (2025, 26)):
                stats_report(w.carrier_a, year, status="accepted", tenants=tenants, tenants_new=7,
                             tenant_employees=300)
                stats_report(w.carrier_b, year, status="accepted", tenants=10, tenants_new=4, tenant_employees=100,
                             incubation_area_m2=3000, tenant_area_m2=2400)
            w.snapshot = report.build_snapshot(SYSTEM, w.regions.js, 2025)
            yield w
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def world(module_world, db):
    return module_world


def errors_of(response) -> dict:
    return {e["field"]: e["message"] for e in response.json()["errors"]}


# --- periods and metrics -------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "years"), [("2024", (2024, 2024)), ("2022-2024", (2022, 2024)),
                                             ("2022–2024", (2022, 2024)), ("2022至2024年", (2022, 2024))])
def test_periods_parse(text, years):
    assert parse_period(text) == years


@pytest.mark.parametrize("text", ["", "24", "2024-2022", "二〇二四", "2024/2025", "1999"])
def test_bad_periods_do_not_parse(text):
    with pytest.raises(ValueError):
        parse_period(text)


def test_metrics_of_the_province_and_its_cities(world):
    frame = Frame(world.users.bureau_js, world.regions.js)
    national = frame.value("national_carriers", 2025)
    assert national.value == 1 and national.by_child["320500"] == 1 and national.by_child["320100"] == 0
    assert frame.value("provincial_plus_carriers", 2025).value == 2
    assert frame.value("new_provincial_plus", 2019).value == 1  # carrier_a, national since December 2019
    assert frame.value("new_provincial_plus", 2020).value == 1  # carrier_b, provincial since June 2020
    assert frame.value("tenants", 2025).value == 36 and frame.value("tenants", 2024).value == 30
    assert frame.value("tenants", 2023).value is None  # no accepted report: no figure, not a zero
    assert frame.value("carriers_growth", 2025).value == 0
    assert frame.value("specialised_share", 2025).value == 0.0


def test_a_bureau_sees_only_its_region_in_the_figures(world):
    frame = Frame(world.users.bureau_sz, world.regions.js)  # Jiangsu asked for, Suzhou's carriers seen
    assert frame.value("carriers", 2025).value == 1


def test_a_catalogue_with_an_unknown_reference_is_refused_with_its_line(tmp_path):
    path = tmp_path / "metrics.yaml"
    path.write_text("metrics:\n  a:\n    label: 甲\n    label_en: A\n    unit: 家\n    kind: carriers\n    note: n\n"
                    "  b:\n    label: 乙\n    label_en: B\n    unit: '%'\n    kind: share\n    note: n\n"
                    "    numerator: a\n    denominator: missing\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=rf"{path}:8: metric b: denominator 'missing' is not in the catalogue"):
        parse_catalogue(path)


# --- targets -------------------------------------------------------------------------------------------


def test_a_bureau_adds_a_target_and_sees_its_progress(world):
    client = api_client(world.users.bureau_sz)
    body = {"metric": "tenants", "region": "320500", "period": "2024-2025", "mode": "each_year", "value": 25,
            "plan_title": "苏州市孵化载体提升行动方案", "plan_number": "苏府〔2022〕91号"}
    response = client.post("/api/v1/targets", json.dumps(body), content_type="application/json")
    assert response.status_code == 201, response.content
    created = response.json()
    assert (created["first_year"], created["last_year"]) == (2024, 2025)
    progress = client.get(f"/api/v1/targets/{created['id']}/progress").json()
    assert [(y["year"], y["actual"], y["met"]) for y in progress["years"]] == [(2024, 20.0, False), (2025, 26.0, True)]
    assert progress["completion"] == 80.0  # each year: the weakest year, 20 of 25
    assert {r["code"]: r["value"] for r in progress["by_region"]}["320571"] == 26.0


@pytest.mark.parametrize(("field", "change"), [
    ("metric", {"metric": "no_such_metric"}),
    ("region", {"region": "999999"}),
    ("period", {"period": "sometime"}),
])
def test_bad_target_inputs_name_their_field(world, field, change):
    body = {"metric": "tenants", "region": "320500", "period": "2025", "value": 10, "plan_title": "方案", **change}
    response = api_client(world.users.bureau_sz).post("/api/v1/targets", json.dumps(body),
                                                      content_type="application/json")
    assert response.status_code == 422, response.content
    assert field in errors_of(response), response.json()
    assert Target.objects.filter(plan_title="方案").count() == 0


def test_a_target_outside_the_region_is_refused(world):
    body = {"metric": "tenants", "region": "320100", "period": "2025", "value": 10, "plan_title": "越界方案"}
    response = api_client(world.users.bureau_sz).post("/api/v1/targets", json.dumps(body),
                                                      content_type="application/json")
    assert response.status_code == 403 and not Target.objects.filter(plan_title="越界方案").exists()


def test_the_service_names_every_bad_field_at_once(world):
    with pytest.raises(Exception) as caught:
        services.create_target(world.users.bureau_sz, {"metric": "x", "region": "999999", "period": "later",
                                                       "value": 1, "plan_title": "方案"})
    assert set(caught.value.message_dict) == {"metric", "region", "period"}


def test_the_forecast_lists_carriers_below_national_level_with_what_they_lack(world):
    t = target(world.regions.nj, metric="national_carriers", period="2024-2026", value=2)
    p = services.progress(world.users.bureau_nj, t, today=TODAY)
    assert p.current == 0 and p.completion == 0.0
    assert p.forecast["gap"] == 2.0 and p.forecast["pack"]
    assert p.forecast["judged"] == 0  # Nanjing's only carrier is a maker space: no incubator to judge


# --- region reach through every region endpoint -------------------------------------------------------------


@pytest.mark.parametrize("url", ["/api/v1/steering/regions/320100/figures", "/api/v1/steering/regions/320100/overview",
                                 "/api/v1/steering/regions/320100/index"])
def test_region_api_outside_the_scope_is_404(world, url):
    assert api_client(world.users.bureau_sz).get(url).status_code == 404
    assert api_client(world.users.bureau_nj).get(url).status_code == 200
    assert api_client(world.users.firm_a).get(url).status_code == 403


def test_building_a_report_outside_the_scope_is_404(world):
    body = json.dumps({"region": "320100", "year": 2025})
    response = api_client(world.users.bureau_sz).post("/api/v1/development-reports", body,
                                                      content_type="application/json")
    assert response.status_code == 404
    assert not ReportSnapshot.objects.filter(region_id="320100").exists()


@pytest.mark.parametrize(("name", "method"), [("steering:region", "get"), ("steering:report_build", "post")])
def test_region_pages_outside_the_scope_are_404(world, name, method):
    from django.urls import reverse

    url = reverse(name, kwargs={"code": "320100"})
    response = getattr(web_client(world.users.bureau_sz), method)(url, {"year": 2025})
    assert response.status_code == 404
    assert web_client(world.users.bureau_nj).get(reverse("steering:region", kwargs={"code": "320100"})) \
        .status_code == 200


def test_region_figures_match_the_report(world):
    body = api_client(world.users.bureau_js).get("/api/v1/steering/regions/320000/figures",
                                                 {"year": 2025, "metric": ["tenants", "national_carriers"]}).json()
    figures = {f["metric"]: f for f in body["figures"]}
    assert figures["tenants"]["value"] == world.snapshot.data["values"]["tenants"]["2025"] == 36
    assert figures["national_carriers"]["by_region"]["320500"] == 1
    assert figures["tenants"]["definition"].startswith("metrics.yaml:")


# --- the report ---------------------------------------------------------------------------------------------


def test_a_year_without_data_gets_a_clear_message(world):
    response = api_client(world.users.bureau_js).post("/api/v1/development-reports",
                                                      json.dumps({"region": "320000", "year": 2019}),
                                                      content_type="application/json")
    assert response.status_code == 422
    assert "2019" in errors_of(response)["year"] and "江苏省" in errors_of(response)["year"]


def test_a_template_with_an_unknown_metric_is_refused_with_file_and_line(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("code: bad\ntitle: 报告\nchapters:\n  - key: a\n    title: 一\n    figures: [carriers, nope]\n",
                    encoding="utf-8")
    with pytest.raises(DataFileError, match=rf"{path}:6: unknown metric 'nope'"):
        report.parse_template(path)
    path.write_text("code: bad\ntitle: 报告\nchapters:\n  - key: a\n    title: 一\n    sentences:\n"
                    "      - zh: \"共有{carriers}，{ghost.change}\"\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=rf"{path}:7: unknown metric 'ghost'"):
        report.parse_template(path)


def test_a_second_snapshot_of_unchanged_data_has_the_same_checksum(world):
    again = report.build_snapshot(SYSTEM, world.regions.js, 2025)
    assert again.pk != world.snapshot.pk and again.checksum == world.snapshot.checksum
    assert report.verify(again)
    tampered = ReportSnapshot.objects.get(pk=again.pk)
    tampered.data["values"]["carriers"]["2025"] += 1
    assert not report.verify(tampered)


def test_the_snapshot_regenerates_identically(world):
    s = ReportSnapshot.objects.get(pk=world.snapshot.pk)
    assert report.verify(s)
    first, second = report.render(s, "html"), report.render(s, "html")
    assert first == second
    html = first.decode()
    text = re.sub(r"<[^>]+>", "", html)
    assert "江苏省科技创业孵化发展报告（2025）" in html and s.checksum in html
    assert "截至2025年底，江苏省共有孵化载体2家" in text
    assert "在孵企业36家" in text and "当年新增在孵企业11家，比上年持平" in text


def test_the_report_links_each_figure_to_its_query(world):
    response = web_client(world.users.bureau_js).get(f"/steering/reports/{world.snapshot.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '/api/v1/steering/regions/320000/figures?year=2025&amp;metric=tenants' in html


def test_the_english_report(world):
    text = re.sub(r"<[^>]+>", "", report.render(world.snapshot, "html", "en").decode())
    assert "At the end of 2025, 江苏省 had 2 carriers" in text


def test_the_xlsx_holds_every_table_and_chart(world):
    body = report.render(world.snapshot, "xlsx")
    with zipfile.ZipFile(io.BytesIO(body)) as z:
        names = z.namelist()
        workbook = z.read("xl/workbook.xml").decode()
    for sheet in ("scale_table", "scale_trend", "scale_regions", "growth_years", "jobs_table", "policies_years"):
        assert f'name="{sheet}"' in workbook
    assert sum(n.startswith("xl/charts/chart") for n in names) == 7
    assert 'name="index_table"' in workbook


def _tools():
    missing = [t for t in ("pdftoppm", "pdftotext") if not shutil.which(t)]
    if missing:
        pytest.skip(f"poppler-utils not installed ({', '.join(missing)}): apt-get install poppler-utils")
    pytest.importorskip("weasyprint", reason="WeasyPrint not installed (pip install weasyprint)")


def test_the_pdf_reads_as_a_publication(world, tmp_path):
    _tools()
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(report.render(world.snapshot, "pdf"))
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "江苏省科技创业孵化发展报告（2025）" in text
    assert "目录" in text and "一、发展规模" in text and "指标口径说明" in text
    assert "截至2025年底，江苏省共有孵化载体2家" in text.replace("\n", "").replace(" ", "")
    assert "36家" in text
    pages = text.count("\f")
    assert f"3 / {pages}" in text  # page numbers ("n / total") in the footer
    subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "3", str(pdf), str(tmp_path / "page")],
                   check=True)
    pngs = sorted(Path(tmp_path).glob("page-*.png"))
    assert len(pngs) == 3 and all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in pngs)


def test_downloads_need_reach(world):
    url = f"/steering/reports/{world.snapshot.pk}/download/?format=xlsx"
    assert web_client(world.users.bureau_js).get(url).status_code == 200
    assert web_client(world.users.bureau_sz).get(url).status_code == 404


# --- aggregates and the dashboard ---------------------------------------------------------------------------


def test_aggregates_match_the_frame_and_state_their_freshness(world):
    built = aggregates.rebuild(TODAY)
    assert built["rows"] > 0
    province = aggregates.read("320000")
    assert province["tenants"][2025] == 36 and province["national_carriers"][2025] == 1
    assert aggregates.read("320500")["carriers"][2025] == 1
    assert aggregates.read("320571")["carriers"][2025] == 1  # districts too
    response = web_client(world.users.bureau_js).get("/")
    html = response.content.decode()
    assert 'data-freshness' in html and "data-chart-card=\"map\"" in html
    assert html.count("data-chart-card=") == 5
    xlsx = web_client(world.users.bureau_js).get("/steering/charts.xlsx", {"chart": "map", "metric": "tenants"})
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert web_client(world.users.firm_a).get("/").content.decode().count("data-chart-card=") == 0


# --- the 双创指数 -------------------------------------------------------------------------------------------


def test_the_index_compares_the_cities_with_its_method(world):
    rows = api_client(world.users.bureau_js).get("/api/v1/steering/regions/320000/index", {"year": 2025}).json()["rows"]
    top = {r["code"]: r for r in rows}
    # Suzhou leads every dimension but specialisation (no specialised carrier anywhere: all equal, 100 each).
    assert top["320500"]["rank"] == 1 and top["320500"]["index"] == 100.0
    nanjing = top["320100"]["dimensions"]  # 1 carrier (as Suzhou), not national, 4 of 7 new tenants, 100 of 300 jobs
    assert {k: v for k, v in nanjing.items() if k != "finance"} == {
        "scale": 100.0, "quality": 0.0, "growth": 57.1, "specialisation": 100.0, "jobs": 33.3}
    weighted = 0.2 * 100 + 0.2 * 0 + 0.15 * (400 / 7) + 0.15 * 100 + 0.15 * (100 / 3) + 0.15 * nanjing["finance"]
    assert abs(top["320100"]["index"] - weighted) < 0.1
    assert top["320200"]["dimensions"]["scale"] == 0.0  # Wuxi: no carrier in the world


def test_the_index_in_the_report_is_reproduced_from_the_snapshot(world):
    from fuhua.steering.report import View

    view = View(ReportSnapshot.objects.get(pk=world.snapshot.pk).data)
    assert view.index_rows()[0]["name"] == "苏州市" and view.index_rows()[0]["index"] == 100.0
    assert "2025年苏州市以100.0分居首" in re.sub(r"<[^>]+>", "", report.render(world.snapshot, "html").decode())


def test_index_weights_must_add_up(tmp_path):
    from fuhua.steering.index import parse_method

    path = tmp_path / "index.yaml"
    path.write_text("code: x\nnormalisation: minmax\ndimensions:\n"
                    "  - {key: a, label: 甲, metric: carriers, weight: 0.5}\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=rf"{path}:3: the weights add up to 0.5, not 1"):
        parse_method(path)
