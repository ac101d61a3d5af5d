"""A voucher from claim to settlement in Debian's chromium, on the small demo as of today, the way the three
demo accounts do it: the firm claims a voucher and orders a service from the catalogue, the provider confirms,
attaches evidence and delivers, the firm accepts and rates, the provider applies for redemption, the Suzhou
bureau approves and settles it in a batch (after the confirmation page); a firm of Nanjing neither sees nor
claims the Suzhou programme. Screenshots of every page on the way go to FUHUA_SCREENSHOTS (var/screenshots)."""

import importlib
import os
from pathlib import Path

import pytest

from fuhua.testing import PASSWORD as TEST_PASSWORD
from fuhua.testing import make_user

SHOTS = Path(os.environ.get("FUHUA_SCREENSHOTS", "var/screenshots"))
SHOT = iter(range(1, 100))  # one numbering across the people, in the order of the story

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
    ensure_demo_accounts()
    return PASSWORD


class Person:
    def __init__(self, page, base, password, username):
        self.page, self.base, self.username = page, base, username
        page.context.clear_cookies()
        page.goto(f"{base}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        with page.expect_navigation():
            page.click("main form button[type=submit]")
        assert "/accounts/login/" not in page.url, f"{username} could not sign in"

    def snap(self, name):
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=SHOTS / f"vouchers-{next(SHOT):02d}-{self.username}-{name}.png", full_page=True)

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


def test_a_voucher_from_claim_to_settlement(page, live_server, live_demo, tmp_path):
    from fuhua.accounts.models import RoleGrant
    from fuhua.marketplace.models import Product
    from fuhua.registry.models import Firm
    from fuhua.vouchers.models import Order, OrderStatus, Redemption, SettlementEntry, Voucher, VoucherProgramme

    base, password = live_server.url, live_demo
    programme = VoucherProgramme.objects.get(code="suzhou-demo-voucher")
    provider_org = RoleGrant.objects.get(user__username="provider").organisation_id
    product = (Product.objects.filter(provider__organisation_id=provider_org, programmes__code=programme.code,
                                      status="published").order_by("price_fen", "pk").first())
    assert product is not None, "the demo provider has no product accepting the demo programme"
    firm_id = RoleGrant.objects.get(user__username="firm").firm_id

    # The firm: the programme, why it may claim, one voucher claimed.
    firm = Person(page, base, password, "firm")
    firm.go(f"/vouchers/programmes/{programme.pk}/")
    assert page.locator("[data-eligible=yes]").count() == 1
    firm.snap("programme")
    before = Voucher.objects.filter(firm_id=firm_id).count()
    firm.submit("form[data-claim] button[type=submit]")
    assert "/vouchers/vouchers/" in page.url, firm.message()
    voucher = Voucher.objects.filter(firm_id=firm_id).order_by("-pk").first()
    assert Voucher.objects.filter(firm_id=firm_id).count() == before + 1
    firm.snap("claimed")

    # …orders the provider's service from the catalogue: the picker shows what the voucher covers.
    page.click("[data-picker=product] input[type=search]")
    page.fill("[data-picker=product] input[type=search]", product.name)
    option = page.locator(f"button[data-product='{product.pk}']")
    option.wait_for()
    firm.snap("picker")
    option.click()
    firm.submit("form[data-form=order] button[type=submit]")
    order = Order.objects.get(voucher=voucher)
    assert page.url.endswith(f"/vouchers/orders/{order.pk}/"), firm.message()
    firm.snap("ordered")

    # The provider: confirms from its inbox, attaches the evidence, records the delivery.
    provider = Person(page, base, password, "provider")
    provider.inbox("vouchers.confirm")
    provider.go(f"/vouchers/orders/{order.pk}/")
    provider.submit("form[data-transition=confirm] button[type=submit]")
    evidence = tmp_path / "检测报告.pdf"
    evidence.write_bytes(b"%PDF-1.4\n% a test report\n")
    page.fill("form[data-form=evidence] input[name=title]", "检测报告")
    page.set_input_files("form[data-form=evidence] input[type=file]", str(evidence))
    provider.submit("form[data-form=evidence] button[type=submit]")
    page.fill("form[data-transition=deliver] textarea", "检测已完成，报告见附件。")
    provider.submit("form[data-transition=deliver] button[type=submit]")
    order.refresh_from_db()
    assert order.status == OrderStatus.DELIVERED, provider.message()
    provider.snap("delivered")

    # The firm accepts the delivery from its inbox and rates the service.
    firm = Person(page, base, password, "firm")
    firm.inbox("vouchers.accept")
    firm.go(f"/vouchers/orders/{order.pk}/")
    firm.submit("form[data-transition=accept] button[type=submit]")
    page.select_option("form[data-form=rate] select[name=score]", "5")
    firm.submit("form[data-form=rate] button[type=submit]")
    assert page.locator("[data-rating='5']").count() == 1
    firm.snap("accepted-rated")

    # The provider applies for redemption.
    provider = Person(page, base, password, "provider")
    provider.go(f"/vouchers/orders/{order.pk}/")
    provider.submit("form[data-transition=redeem] button[type=submit]")
    redemption = Redemption.objects.get(order=order)
    provider.snap("redemption-applied")

    # The bureau: ticks it among the redemptions to review, approves after the confirmation, then settles.
    bureau = Person(page, base, password, "bureau_sz")
    bureau.inbox("vouchers.review")
    page.check(f"input[data-redemption='{redemption.pk}']")
    bureau.submit("button[data-decision=approve]")
    bureau.snap("confirm-approval")
    bureau.submit("form[data-form=confirm] button[type=submit]")
    redemption.refresh_from_db()
    assert redemption.status == "approved", bureau.message()
    bureau.go("/vouchers/redemptions/?status=approved")
    page.check(f"input[data-redemption='{redemption.pk}']")
    page.fill("[data-section=decide] input[name=reference]", "SZKJ-BROWSER-1")
    bureau.submit("button[data-decision=settle]")
    bureau.snap("confirm-settlement")
    bureau.submit("form[data-form=confirm] button[type=submit]")
    entry = SettlementEntry.objects.get(redemption=redemption)
    assert (entry.amount_fen, entry.reference) == (order.covered_fen, "SZKJ-BROWSER-1")
    bureau.go(f"/vouchers/programmes/{programme.pk}/")
    assert page.locator("[data-table=budget] .status-incubating").count() >= 1  # reconciles to the fen
    bureau.snap("budget")

    # A firm of Nanjing: the Suzhou programme is neither listed nor open to it, and its claim is refused.
    nanjing = Firm.objects.filter(region__code__startswith="3201").order_by("pk").first()
    make_user("firm_nanjing", "firm", firm=nanjing)
    outsider = Person(page, base, TEST_PASSWORD, "firm_nanjing")
    outsider.go("/vouchers/programmes/")
    assert programme.title not in page.inner_text("main")
    outsider.snap("programmes")
    response = page.goto(f"{base}/vouchers/programmes/{programme.pk}/")
    assert response.status == 404
    claimed = Voucher.objects.filter(firm=nanjing).count()
    batch = programme.batches.get(number=1)
    outsider.go("/vouchers/programmes/")  # a page of its own, for the form token a claim would carry
    status = page.evaluate("""async (url) => {
        const token = JSON.parse(document.body.getAttribute('hx-headers'))['X-CSRFToken'];
        const r = await fetch(url, {method: 'POST', headers: {'X-CSRFToken': token},
                                    body: new URLSearchParams({idempotency_key: 'outsider-1'})});
        return r.status; }""", f"{base}/vouchers/batches/{batch.pk}/claim/")
    assert status == 404
    assert Voucher.objects.filter(firm=nanjing).count() == claimed
