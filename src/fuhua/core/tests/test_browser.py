"""End-to-end in Debian's chromium: sign in, live search, edit, history, scope, language switch."""

import re

import pytest

from fuhua.testing import PASSWORD

FIRM = "苏州微纳传感科技有限公司"

pytestmark = pytest.mark.browser


@pytest.fixture
def live_world(transactional_db):
    """The `world` of fuhua.testing, committed so that the live server's thread sees it."""
    from fuhua.testing import world

    return world()




def sign_in(page, base, username):
    page.goto(f"{base}/")
    assert "/accounts/login/" in page.url
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form button[type=submit]:has-text('登录')")
    page.wait_for_url(f"{base}/")


def go(page, key):
    """Follow the navigation item `key`, opening its menu first when it sits in a group."""
    item = page.locator(f"[data-nav={key}]")
    if not item.is_visible():
        page.locator(".navgroup details", has=item).locator("summary").click()
    with page.expect_navigation():
        item.click()


def sign_out(page):
    page.click("header form button:has-text('退出登录')")
    page.wait_for_url(re.compile(r".*/accounts/login/.*"))


def live_search(page, text):
    page.fill("#id_q", text)
    rows = page.locator("#results tbody tr")
    page.wait_for_function("document.querySelectorAll('#results tbody tr').length === 1")
    return rows


def test_operator_edits_firm_and_other_city_gets_404(page, live_server, live_world):
    base = live_server.url
    sign_in(page, base, "operator_a")
    go(page, "firms")
    assert page.url == f"{base}/registry/firms/"

    # Live search (htmx) by pinyin initials, then by Chinese; the table updates without a reload.
    for query in ("szwncg", "微纳传感"):
        rows = live_search(page, query)
        assert FIRM in rows.first.inner_text()
    page.click(f"#results a:has-text('{FIRM}')")
    firm_url = page.url
    assert re.search(r"/registry/firms/\d+/$", firm_url)

    page.click("a.button:has-text('编辑')")
    page.select_option("#id_size_class", "small")
    page.click("button:has-text('保存')")
    page.wait_for_url(firm_url)
    assert "已保存" in page.inner_text(".messages")
    assert "小型" in page.inner_text("dl.fields")

    page.click("nav.tabs a:has-text('变更历史')")
    change = page.locator("table.history tbody tr").first
    assert "operator_a" in change.inner_text()
    assert change.locator("del").first.inner_text() == "微型"
    assert change.locator("ins").first.inner_text() == "小型"

    sign_out(page)
    sign_in(page, base, "bureau_nj")
    response = page.goto(firm_url)
    assert response.status == 404
    assert "未找到" in page.inner_text("main")


def test_language_switch_and_carrier_list_layout(page, live_server, live_world):
    base = live_server.url
    sign_in(page, base, "bureau_js")
    assert page.locator("[data-nav=carriers]").text_content() == "载体"
    with page.expect_navigation():  # the switch posts and redirects; wait for the new page
        page.click("form.langswitch button[value=en]")
    assert page.locator("[data-nav=carriers]").text_content() == "Carriers"
    assert page.locator("[data-nav=firms]").text_content() == "Firms"
    with page.expect_navigation():
        page.click("form.langswitch button[value=zh-hans]")
    assert page.locator("[data-nav=carriers]").text_content() == "载体"

    go(page, "carriers")
    page.wait_for_selector("#results table.data")
    assert page.locator("#results tbody tr").count() == 2
    # Cascading region picker: choosing the province reveals its cities; choosing Nanjing filters the table.
    page.select_option(".region-picker select >> nth=0", "320000")
    page.wait_for_selector(".region-picker select >> nth=1")
    page.select_option(".region-picker select >> nth=1", "320100")
    page.wait_for_function("document.querySelectorAll('#results tbody tr').length === 1")
    assert "南京紫金众创空间" in page.inner_text("#results")
    page.goto(f"{base}/registry/carriers/")
    page.screenshot(path="/tmp/fuhua-carriers.png", full_page=True)
