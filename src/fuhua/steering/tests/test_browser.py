"""The start page's charts in Debian's chromium: every chart drawn (SVG with marks), its table and XLSX link
present, the map recoloured by another metric, no console error or failed request; the report page too."""

import pytest

from fuhua.testing import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def live_world(transactional_db):
    from fuhua.core.system import SYSTEM
    from fuhua.statistics.testing import report as stats_report
    from fuhua.steering import aggregates, report
    from fuhua.testing import world

    w = world()
    for year in (2024, 2025):
        stats_report(w.carrier_a, year, status="accepted")
        stats_report(w.carrier_b, year, status="accepted", incubation_area_m2=3000, tenant_area_m2=2400)
    aggregates.rebuild()
    w.snapshot = report.build_snapshot(SYSTEM, w.regions.js, 2025)
    return w


def test_dashboard_charts_render_without_console_errors(page, live_server, live_world):
    base = live_server.url
    problems = []
    # The site has no favicon (base.html links none): Chromium's own request for it is not the charts' error.
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text} {m.location}")
            if m.type == "error" and not m.location.get("url", "").endswith("/favicon.ico") else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))
    page.goto(f"{base}/")
    page.fill("#id_username", "bureau_js")
    page.fill("#id_password", PASSWORD)
    page.click("form button[type=submit]:has-text('登录')")
    page.wait_for_url(f"{base}/")
    cards = page.locator("[data-chart-card]")
    assert cards.count() == 5
    for key in ("trend", "growth", "map", "regions", "money"):
        chart = page.locator(f"svg[data-chart={key}]")
        assert chart.is_visible(), key
        box = chart.bounding_box()
        assert box["width"] > 200 and box["height"] > 80, (key, box)
    assert page.locator("svg[data-chart=trend] polyline").count() >= 1
    assert page.locator("svg[data-chart=map] rect").count() == 13  # Jiangsu's 13 cities as tiles
    assert "数据截至" in page.locator("[data-freshness]").inner_text()
    page.select_option("#steering-metric", "tenants")
    page.click("[data-section=steering-charts] button[type=submit]")
    page.wait_for_url("**metric=tenants**")
    assert "在孵企业数" in page.locator("[data-chart-card=map] figcaption").inner_text()
    page.goto(f"{base}/steering/reports/{live_world.snapshot.pk}/")
    assert page.locator("svg.chart").count() == 7
    assert not problems, problems
