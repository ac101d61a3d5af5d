"""What the events browser tests share: the small demo loaded as of today, and a person signed in."""

import importlib
import os
from itertools import count
from pathlib import Path

import pytest

SHOTS = Path(os.environ.get("FUHUA_SCREENSHOTS", "var/screenshots"))
SHOT = count(1)  # one numbering across the people, in the order of the story


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
    ensure_demo_accounts()
    return PASSWORD


class Person:
    def __init__(self, page, base, password, username, story):
        self.page, self.base, self.username, self.story = page, base, username, story
        page.context.clear_cookies()
        page.goto(f"{base}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        with page.expect_navigation():
            page.click("main form button[type=submit]")
        assert "/accounts/login/" not in page.url, f"{username} could not sign in"

    def snap(self, name):
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=SHOTS / f"{self.story}-{next(SHOT):02d}-{self.username}-{name}.png",
                             full_page=True)

    def go(self, path):
        self.page.goto(f"{self.base}{path}")

    def inbox(self, key):
        self.go("/")
        item = self.page.locator(f"[data-inbox='{key}'] a")
        assert item.count() == 1, f"{self.username}: no inbox item {key}"
        with self.page.expect_navigation():
            item.click()
        self.snap(key.replace(".", "-"))

    def submit(self, selector):
        with self.page.expect_navigation():
            self.page.click(selector)

    def message(self) -> str:
        return self.page.inner_text(".messages") if self.page.locator(".messages").count() else ""
