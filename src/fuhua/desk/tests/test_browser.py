"""The desk in Debian's chromium: a firm opens a service request, the Suzhou steward answers and resolves it,
the firm rates it; the Nanjing steward cannot see it. Screenshots under FUHUA_SCREENSHOTS."""

import os
import re
from pathlib import Path

import pytest

SHOTS = Path(os.environ.get("FUHUA_SCREENSHOTS", "var/screenshots"))

pytestmark = pytest.mark.browser


@pytest.fixture
def live_world(transactional_db):
    from fuhua.core import services as core_services
    from fuhua.core.system import SYSTEM
    from fuhua.desk.models import Steward
    from fuhua.testing import world

    w = world()
    core_services.create_object(SYSTEM, Steward, {"user": w.users.bureau_sz, "region": w.regions.sz})
    core_services.create_object(SYSTEM, Steward, {"user": w.users.bureau_nj, "region": w.regions.nj})
    return w


class Person:
    shots = 0  # numbered across the whole flow, in order

    def __init__(self, page, base, username):
        from fuhua.testing import PASSWORD

        self.page, self.base, self.username = page, base, username
        page.context.clear_cookies()
        page.goto(f"{base}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        with page.expect_navigation():
            page.click("main form button[type=submit]")
        assert "/accounts/login/" not in page.url, f"{username} could not sign in"

    def snap(self, name):
        Person.shots += 1
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=SHOTS / f"desk-{Person.shots:02d}-{self.username}-{name}.png", full_page=True)

    def inbox(self, key):
        self.page.goto(f"{self.base}/")
        item = self.page.locator(f"[data-inbox='{key}'] a")
        assert item.count() == 1, f"{self.username}: no inbox item {key}"
        self.snap("inbox")
        with self.page.expect_navigation():
            item.click()

    def submit(self, selector):
        with self.page.expect_navigation():
            self.page.click(selector)


def test_a_firm_asks_the_steward_answers_and_resolves_the_firm_rates(page, live_server, live_world):
    base = live_server.url

    firm = Person(page, base, "firm_a")
    page.goto(f"{base}/desk/requests/new/")
    page.select_option("#id_topic", "application")
    page.fill("#id_title", "专精特新中小企业申报辅导")
    page.fill("#id_body", "我司计划申报省级专精特新中小企业，希望服务管家指导申报书填写并预审材料。")
    firm.snap("open-form")
    firm.submit("main form button[type=submit]")
    assert re.search(r"/desk/requests/\d+/$", page.url), page.locator(".errorlist").all_inner_texts()
    request_url = page.url
    assert "bureau_sz" in page.inner_text(".workflow")  # routed to the Suzhou steward
    firm.snap("opened")

    steward = Person(page, base, "bureau_sz")
    steward.inbox("desk.steward_new")
    with page.expect_navigation():
        page.locator("#results tbody tr a").first.click()
    assert page.url == request_url
    page.fill("form.message-form textarea[name=body]",
              "您好，我是您的服务管家。请先准备近两年的审计报告和知识产权清单。")
    steward.submit("form.message-form button[type=submit]")
    page.fill("form[data-transition=resolve] input[name=reason]", "申报书已逐项辅导，材料预审通过，可在系统中提交。")
    steward.submit("form[data-transition=resolve] button[type=submit]")
    assert page.locator("form[data-transition=resolve]").count() == 0
    steward.snap("resolved")

    other = Person(page, base, "bureau_nj")
    response = page.goto(request_url)
    assert response.status == 404
    page.goto(f"{base}/desk/requests/")
    assert "专精特新中小企业申报辅导" not in page.inner_text("main")
    other.snap("not-visible")

    firm = Person(page, base, "firm_a")
    firm.inbox("desk.to_rate")
    with page.expect_navigation():
        page.locator("#results tbody tr a").first.click()
    assert "服务管家" in page.inner_text(".thread")
    page.select_option("form[data-transition=rate] select[name=rating]", "5")
    page.fill("form[data-transition=rate] input[name=comment]", "响应及时，辅导很细致。")
    firm.snap("rate")
    firm.submit("form[data-transition=rate] button[type=submit]")
    text = page.inner_text(".workflow")
    assert "5/5" in text and "响应及时" in text
    firm.snap("rated")
