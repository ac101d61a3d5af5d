"""Each demo account's main task, in Debian's chromium, on the small demo as of today, the way a person does
it: sign in, start from the to-do inbox, do the work, see the result. A screenshot of every page on the way
is saved under FUHUA_SCREENSHOTS (default ./var/screenshots; CI prints the folder) for a person to look at.

* operator: registers an applicant firm at its carrier and admits it
* city bureau: reviews (accepts) a submitted annual report reached from its inbox
* expert: scores an assigned evaluation review
* association: reads its member carriers' statistics in aggregate
* platform admin: invites a colleague
* security administrator (三员分立): unlocks an account locked by failed sign-ins
* audit administrator: reviews the week's security events
* firm: follows its own incubation (firm-level policies and their entitlements come with the firm policy
  service; today a firm's work is its incubation record)
"""

import datetime
import importlib
import os
import re
from pathlib import Path

import pytest
from django.utils import timezone

from fuhua.testing import credit_code

SHOTS = Path(os.environ.get("FUHUA_SCREENSHOTS", "var/screenshots"))

pytestmark = pytest.mark.browser


@pytest.fixture
def live_demo(transactional_db):
    from django.apps import apps

    from fuhua.demo.accounts import PASSWORD, ensure_demo_accounts
    from fuhua.demo.testing import small_demo

    # An earlier transactional test may have flushed the regions the registry ships as data: load them again.
    for migration in ("0002_regions", "0005_hardship_regions"):
        module = importlib.import_module(f"fuhua.registry.migrations.{migration}")
        (module.load if hasattr(module, "load") else module.mark)(apps, None)
    small_demo()  # today in Beijing, as the pages and the link crawl see it
    return PASSWORD, {row.username for row in ensure_demo_accounts().rows}




class Person:
    def __init__(self, page, base, password, username):
        self.page, self.base, self.username, self.shot = page, base, username, 0
        page.goto(f"{base}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        with page.expect_navigation():
            page.click("main form button[type=submit]")
        assert "/accounts/login/" not in page.url, f"{username} could not sign in"
        self.snap("dashboard")

    def snap(self, name):
        self.shot += 1
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=SHOTS / f"{self.username}-{self.shot:02d}-{name}.png", full_page=True)

    def inbox(self, key):
        """Follow the inbox item `key` from the dashboard; it must be there."""
        self.page.goto(f"{self.base}/")
        item = self.page.locator(f"[data-inbox='{key}'] a")
        assert item.count() == 1, f"{self.username}: no inbox item {key}"
        with self.page.expect_navigation():
            item.click()
        self.snap(key.replace(".", "-"))

    def open_first_row(self):
        with self.page.expect_navigation():
            self.page.locator("#results tbody tr a").first.click()

    def step(self, transition):
        with self.page.expect_navigation():
            self.page.click(f"form[data-transition={transition}] button[type=submit]")

    def message(self) -> str:
        return self.page.inner_text(".messages") if self.page.locator(".messages").count() else ""

    def sign_out(self):
        self.page.context.clear_cookies()


def test_each_demo_role_does_its_main_task(page, live_server, live_demo):
    password, accounts = live_demo
    base = live_server.url
    assert {"operator", "bureau_sz", "expert", "association", "admin", "firm", "secadmin_sz", "auditor"} <= accounts

    # Operator: register a new applicant firm at its carrier, then admit it.
    op = Person(page, base, password, "operator")
    page.goto(f"{base}/incubation/incubations/register/")
    code = credit_code("320500")
    if page.locator("#id_carrier option").count() > 1:  # its carrier (the first choice is "---------")
        page.select_option("#id_carrier", index=1)
    page.fill("#id_credit_code", code)
    page.fill("#id_name", "苏州演示新材料科技有限公司")
    page.fill("#id_founded", (timezone.localdate() - datetime.timedelta(days=200)).isoformat())
    page.select_option("#id_industry_field", "new_materials")
    page.select_option("#id_region", "320571")
    op.snap("register-form")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert re.search(r"/incubation/incubations/\d+/$", page.url), page.locator(".error").all_inner_texts()
    op.snap("registered")
    op.step("admit")
    assert "/incubation/incubations/" in page.url
    assert page.locator("form[data-transition=admit]").count() == 0  # admitted: the step is gone
    op.snap("admitted")
    op.inbox("incubation.applied")
    op.sign_out()

    # City bureau: the submitted report waiting in its inbox, reviewed and accepted.
    bureau = Person(page, base, password, "bureau_sz")
    bureau.inbox("statistics.review")
    bureau.open_first_row()
    report_url = page.url
    bureau.snap("report")
    bureau.step("accept")
    page.goto(report_url)
    assert page.locator("form[data-transition=accept]").count() == 0
    bureau.snap("report-accepted")
    bureau.sign_out()

    # Expert: an assigned review, scored indicator by indicator.
    expert = Person(page, base, password, "expert")
    expert.inbox("evaluation.reviews")
    expert.open_first_row()
    forms = page.locator("form[action*='/score/']")
    assert forms.count() >= 1
    first = forms.first
    first.locator("input[name=score]").fill("85")
    with page.expect_navigation():
        first.locator("button[type=submit]").click()
    expert.snap("scored")
    assert "85" in page.inner_text("main")
    expert.sign_out()

    # Association: its member carriers' statistics in aggregate.
    assoc = Person(page, base, password, "association")
    assoc.inbox("statistics.members")
    assert page.locator("main table").count() >= 1
    assoc.sign_out()

    # Platform admin: invite a colleague; the new account is listed, not yet active.
    admin = Person(page, base, password, "admin")
    page.goto(f"{base}/accounts/users/invite/")
    page.fill("#id_username", "zhang_wei")
    page.fill("#id_email", "zhang.wei@example.cn")
    page.fill("#id_last_name", "张")
    page.fill("#id_first_name", "伟")
    admin.snap("invite")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    admin.snap("invited")
    page.goto(f"{base}/accounts/users/?q=zhang_wei")
    assert "zhang_wei" in page.inner_text("main")
    admin.sign_out()

    # Security administrator (三员分立) of Suzhou: unlocks the account locked by failed sign-ins.
    sec = Person(page, base, password, "secadmin_sz")
    sec.inbox("accounts.locked")
    with page.expect_navigation():
        page.locator("main tbody tr a").first.click()
    sec.snap("locked-user")
    with page.expect_navigation():
        page.click("form[action$='/unlock/'] button[type=submit]")
    sec.snap("unlocked")
    assert page.locator("form[action$='/unlock/']").count() == 0
    sec.sign_out()

    # Audit administrator: the week's security events (failed sign-ins, the lockout, the unlock just made).
    auditor = Person(page, base, password, "auditor")
    auditor.inbox("accounts.security_review")
    assert page.locator("main table tbody tr").count() >= 1
    auditor.sign_out()

    # Firm: its own incubation, with the time limit and graduation conditions.
    firm = Person(page, base, password, "firm")
    firm.inbox("incubation.own")
    firm.open_first_row()
    firm.snap("incubation")
    assert "/incubation/incubations/" in page.url
