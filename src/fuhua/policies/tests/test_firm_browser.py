"""In Debian's chromium: a firm user sees the policies that fit it (entitled with the article, a near miss),
confirms the payment details of its entitlement (a wrong opening branch is named), is paid through the
ledger and rates the policy."""

import datetime
import re

import pytest

from fuhua.testing import PASSWORD

pytestmark = pytest.mark.browser
D = datetime.date


@pytest.fixture
def live_world(transactional_db):
    from fuhua.policies import services
    from fuhua.policies.testing import high_tech
    from fuhua.testing import world

    w = world()
    services.sync_policies()
    high_tech(w.firm_a, D(2025, 6, 1))
    for code in ("suzhou-2022-high-tech-reward", "suzhou-2022-srdi-reward"):
        services.publish(w.users.bureau_sz, code, D(2025, 12, 31))
    return w


def sign_in(page, base, username):
    page.goto(f"{base}/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form button[type=submit]:has-text('登录')")
    page.wait_for_url(f"{base}/")


def test_firm_sees_fits_confirms_is_paid_and_rates(page, live_server, live_world):
    from fuhua.policies import services

    w, base = live_world, live_server.url
    sign_in(page, base, "firm_a")
    page.goto(f"{base}/policies/fit/?as_of=2025-12-31")
    entitled = page.locator("[data-fit=entitled]")
    assert "新认定高新技术企业奖励" in entitled.inner_text() and "200,000.00" in entitled.inner_text()
    assert "科技服务业主体培育" in entitled.locator("[data-citation]").first.inner_text()
    close = page.locator("[data-fit=close]")
    assert close.locator("[data-missing]").inner_text() == "本年度首次认定为专精特新中小企业"
    assert "苏府〔2022〕91号" in close.locator("[data-citation]").first.inner_text()

    with page.expect_navigation():
        entitled.locator("[data-entitlement]").click()
    page.fill("#id_account_name", w.firm_a.name)
    page.fill("#id_bank_name", "中国工商银行")
    page.fill("#id_branch", "园区")  # not a branch
    page.fill("#id_account_number", "1102 0000 0000 1234")
    with page.expect_navigation():
        page.click("button:has-text('确认收款信息'), button:has-text('Confirm payment details')")
    assert "开户行" in page.locator(".messages, [role=alert], .errorlist, main").first.inner_text()
    page.fill("#id_account_name", w.firm_a.name)
    page.fill("#id_bank_name", "中国工商银行")
    page.fill("#id_branch", "中国工商银行苏州工业园区支行")
    page.fill("#id_account_number", "1102 0000 0000 1234")
    with page.expect_navigation():
        page.click("button:has-text('确认收款信息'), button:has-text('Confirm payment details')")
    assert re.search(r"/policies/entitlements/\d+/$", page.url)

    paid = services.pay(w.users.bureau_sz, "suzhou-2022-high-tech-reward", 2025, paid_on=D(2026, 1, 10))
    assert paid.total_fen == 20_000_000
    page.reload()
    page.select_option("#id_rating", "5")
    page.fill("#id_comment", "无需申报，直接到账")
    with page.expect_navigation():
        page.click("button:has-text('提交评价'), button:has-text('Send feedback')")
    assert "5/5" in page.locator("[data-feedback]").inner_text()
