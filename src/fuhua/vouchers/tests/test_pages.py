"""The voucher pages, as each role uses them: a firm claims (once per request key) and orders from the catalogue,
the provider confirms, attaches evidence and delivers, the firm accepts and rates, the provider applies for
redemption, the bureau reviews and settles in batches (after a confirmation page), draws an audit sample and
claws back; lists filter and export; the inbox and the firm page show the work. The world is built once per
module (tests/conftest.py)."""

import datetime
import re

from django.urls import reverse
from django.utils import timezone, translation

from fuhua.core.inbox import inbox
from fuhua.testing import web_client
from fuhua.vouchers import services
from fuhua.vouchers.models import (
    AuditItemStatus,
    EligibilityCheck,
    EntryKind,
    Order,
    OrderStatus,
    Redemption,
    RedemptionStatus,
    SettlementEntry,
    Voucher,
    VoucherStatus,
)
from fuhua.vouchers.testing import evidence_file, open_batch


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def _follow(client, url, data=None, **kwargs):
    response = client.post(url, data or {}, follow=True, **kwargs)
    assert response.status_code == 200, response.status_code
    return response


def test_the_firm_sees_the_programme_of_its_region_and_may_claim(vworld, v):
    firm = web_client(vworld.users.firm_a)
    page = firm.get(reverse("vouchers:voucherprogramme_list"))
    assert page.status_code == 200
    row = page.context["rows"][0]
    assert row == v.prog_a and len(page.context["rows"]) == 1
    with translation.override("zh-hans"):
        assert page.context["columns"][-1].value(row) == translation.gettext("yes, you may claim")
    detail = firm.get(reverse("vouchers:voucherprogramme_detail", kwargs={"pk": v.prog_a.pk}))
    assert detail.context["eligibility"].eligible is True
    assert b'data-claim="%d"' % v.batch_a.pk in detail.content
    # The terms in force, each with its article.
    terms = {t["name"]: t for t in detail.context["terms"]}
    assert terms["held_max"]["value"] == 3_000_000 and "第三条" in terms["held_max"]["source"]
    assert "budget" not in detail.context  # the reconciliation is the bureau's


def test_showing_the_firm_its_eligibility_stores_nothing_and_the_claim_stores_it(vworld, v):
    EligibilityCheck.objects.filter(firm=vworld.firm_a).delete()
    firm = web_client(vworld.users.firm_a)
    assert firm.get(reverse("vouchers:voucherprogramme_list")).status_code == 200
    detail = firm.get(reverse("vouchers:voucherprogramme_detail", kwargs={"pk": v.prog_a.pk}))
    assert detail.context["eligibility"].eligible is True
    assert firm.get(reverse("vouchers:batch_detail", kwargs={"pk": v.batch_a.pk})).status_code == 200
    assert EligibilityCheck.objects.filter(firm=vworld.firm_a).count() == 0
    _follow(firm, reverse("vouchers:batch_claim", kwargs={"pk": v.batch_a.pk}), {"idempotency_key": "k-stored"})
    assert EligibilityCheck.objects.filter(firm=vworld.firm_a, programme=v.prog_a, eligible=True).count() == 1


def test_a_firm_of_another_region_neither_sees_nor_claims_it(vworld, v):
    firm_b = web_client(vworld.users.firm_b)
    page = firm_b.get(reverse("vouchers:voucherprogramme_list"))
    assert v.prog_a not in page.context["rows"]
    assert firm_b.get(reverse("vouchers:voucherprogramme_detail", kwargs={"pk": v.prog_a.pk})).status_code == 404
    before = Voucher.objects.count()
    response = firm_b.post(reverse("vouchers:batch_claim", kwargs={"pk": v.batch_a.pk}),
                           {"idempotency_key": "k-outsider-1"})
    assert response.status_code == 404
    assert Voucher.objects.count() == before


def test_a_claim_is_answered_at_once_and_a_double_click_claims_once(vworld, v):
    firm = web_client(vworld.users.firm_a)
    url = reverse("vouchers:batch_claim", kwargs={"pk": v.batch_a.pk})
    before = Voucher.objects.filter(firm=vworld.firm_a).count()
    first = _follow(firm, url, {"idempotency_key": "page-key-0001"})
    voucher = Voucher.objects.get(firm=vworld.firm_a, idempotency_key="page-key-0001")
    assert first.redirect_chain[-1][0] == reverse("vouchers:voucher_detail", kwargs={"pk": voucher.pk})
    again = _follow(firm, url, {"idempotency_key": "page-key-0001"})  # the double click: the same form's key
    assert again.redirect_chain[-1][0] == first.redirect_chain[-1][0]
    assert Voucher.objects.filter(firm=vworld.firm_a).count() == before + 1
    assert any(str(voucher.pk) in m for m in _messages(again))
    # The held-at-once limit (30,000 yuan: this one, the one in use, and one more): the reason names the rule.
    _follow(firm, url, {"idempotency_key": "page-key-0002"})
    refused = _follow(firm, url, {"idempotency_key": "page-key-0003"})
    assert Voucher.objects.filter(firm=vworld.firm_a).count() == before + 2
    [message] = _messages(refused)
    assert "30,000.00" in message and "第三条" in message, message


def test_a_batch_not_yet_open_says_when_it_opens(vworld, v):
    later = open_batch(v.prog_a, 12, vouchers=2, opens_in=datetime.timedelta(days=3))
    firm = web_client(vworld.users.firm_a)
    page = firm.get(reverse("vouchers:batch_detail", kwargs={"pk": later.pk}))
    assert page.context["window"].code == "not_open"
    refused = _follow(firm, reverse("vouchers:batch_claim", kwargs={"pk": later.pk}), {"idempotency_key": "k-early"})
    opens = timezone.localtime(later.opens_at).strftime("%Y-%m-%d %H:%M")
    assert any(opens in m for m in _messages(refused)), (opens, _messages(refused))
    assert not Voucher.objects.filter(batch=later).exists()


def test_the_order_form_offers_what_the_voucher_pays_for_with_the_copayment(vworld, v):
    firm = web_client(vworld.users.firm_a)
    claimed = _follow(firm, reverse("vouchers:batch_claim", kwargs={"pk": v.batch_a.pk}),
                      {"idempotency_key": "page-order-1"})
    held = claimed.context["object"]
    assert claimed.context["order_form"] is not None
    options = firm.get(reverse("vouchers:voucher_products", kwargs={"pk": held.pk}),
                       {"product-autocomplete": "zl"})  # pinyin initials of 专利
    rows = options.context["rows"]
    assert [r["product"] for r in rows] == [v.marketplace.product_a]  # Nanjing's product is not offered
    price = v.marketplace.product_a.price_fen
    assert rows[0]["covered_fen"] + rows[0]["pays_fen"] == price
    assert rows[0]["covered_fen"] == min(price, held.face_value_fen)
    # Ordering a product the voucher does not pay for is refused on the form, nothing written.
    refused = firm.post(reverse("vouchers:voucher_order", kwargs={"pk": held.pk}),
                        {"product": v.marketplace.product_b.pk})
    assert refused.status_code == 400 and refused.context["order_form"].errors["product"]
    ordered = _follow(firm, reverse("vouchers:voucher_order", kwargs={"pk": held.pk}),
                      {"product": v.marketplace.product_a.pk, "note": "请尽快联系"})
    order = Order.objects.get(voucher=held)
    assert ordered.redirect_chain[-1][0] == reverse("vouchers:order_detail", kwargs={"pk": order.pk})
    assert order.status == OrderStatus.PLACED and order.note == "请尽快联系"


def test_provider_delivers_firm_accepts_and_rates_bureau_settles(vworld, v):
    users = vworld.users
    firm, provider, bureau = web_client(users.firm_a), web_client(users.provider), web_client(users.bureau_sz)
    order = v.open_a  # placed in the world, waiting for the provider
    step = reverse("vouchers:order_transition", kwargs={"pk": order.pk})
    _follow(provider, step, {"transition": "confirm"})
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED and order.deliver_by is not None
    # Delivery without evidence: refused, naming the evidence.
    no_evidence = _follow(provider, reverse("vouchers:order_deliver", kwargs={"pk": order.pk}), {"delivery_note": "x"})
    with translation.override("zh-hans"):  # the pages speak the default language
        expected = translation.gettext("Attach the delivery evidence first (a report, receipt or certificate).")
    assert _messages(no_evidence) == [expected]
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    _follow(provider, reverse("vouchers:order_evidence", kwargs={"pk": order.pk}),
            {"title": "检索报告", "file": evidence_file()})
    _follow(provider, reverse("vouchers:order_deliver", kwargs={"pk": order.pk}), {"delivery_note": "报告已交付"})
    order.refresh_from_db()
    assert order.status == OrderStatus.DELIVERED
    page = firm.get(reverse("vouchers:order_detail", kwargs={"pk": order.pk}))
    assert [t.name for t in page.context["steps"]] == ["accept", "dispute"]
    evidence = page.context["evidence"][0]
    download = firm.get(reverse("vouchers:order_file", kwargs={"pk": order.pk}), {"id": evidence.pk})
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    # A dispute needs its reason; without one nothing changes.
    _follow(firm, step, {"transition": "dispute"})
    order.refresh_from_db()
    assert order.status == OrderStatus.DELIVERED and order.dispute_reason == ""
    _follow(firm, step, {"transition": "accept"})
    _follow(firm, reverse("vouchers:order_rate", kwargs={"pk": order.pk}), {"score": "4", "comment": "及时"})
    rated = firm.get(reverse("vouchers:order_detail", kwargs={"pk": order.pk}))
    assert rated.context["rating"].score == 4 and rated.context["rating_form"] is None
    _follow(provider, reverse("vouchers:order_redeem", kwargs={"pk": order.pk}))
    redemption = Redemption.objects.get(order=order, status=RedemptionStatus.APPLIED)
    assert redemption.amount_fen == order.covered_fen

    # The bureau: the redemption waits in its inbox; ticked, approved after the confirmation page.
    assert _inbox(users.bureau_sz)["vouchers.review"] == 1
    listing = bureau.get(reverse("vouchers:redemption_list"), {"status": "applied"})
    assert listing.context["may_review"] and [r.pk for r in listing.context["rows"]] == [redemption.pk]
    review = reverse("vouchers:redemption_review")
    confirm = bureau.post(review, {"ids": [redemption.pk], "decision": "approve"})
    assert confirm.status_code == 200 and confirm.context["chosen"] == [redemption]
    redemption.refresh_from_db()
    assert redemption.status == RedemptionStatus.APPLIED  # nothing decided before the confirmation
    _follow(bureau, review, {"ids": [redemption.pk], "decision": "approve", "confirmed": "1"})
    redemption.refresh_from_db()
    assert redemption.status == RedemptionStatus.APPROVED
    settle = reverse("vouchers:redemption_settle")
    today = timezone.localdate().isoformat()
    assert bureau.post(settle, {"ids": [redemption.pk], "paid_on": today}).context["total_fen"] == order.covered_fen
    _follow(bureau, settle, {"ids": [redemption.pk], "paid_on": today, "reference": "BK-1", "confirmed": "1"})
    entry = SettlementEntry.objects.get(redemption=redemption)
    assert (entry.kind, entry.amount_fen, entry.reference) == (EntryKind.PAYMENT, order.covered_fen, "BK-1")
    order.refresh_from_db()
    assert order.status == OrderStatus.SETTLED
    # Settling again pays nothing twice: the redemption is no longer approved, so nothing is ticked.
    again = _follow(bureau, settle, {"ids": [redemption.pk], "paid_on": today, "confirmed": "1"})
    assert SettlementEntry.objects.filter(redemption=redemption).count() == 1
    assert _messages(again)


def test_a_rejection_needs_a_reason_and_reaches_the_provider(vworld, v):
    users = vworld.users
    bureau = web_client(users.bureau_sz)
    order = v.open_a
    # Take the open order to a redemption through the services the pages call (the pages are tested above).
    services.confirm_order(users.provider, order)
    services.add_evidence(users.provider, order, "报告", evidence_file())
    services.deliver(users.provider, order)
    services.accept(users.firm_a, order)
    redemption = services.apply_redemption(users.provider, order)
    review = reverse("vouchers:redemption_review")
    without = _follow(bureau, review, {"ids": [redemption.pk], "decision": "reject", "confirmed": "1"})
    with translation.override("zh-hans"):
        expected = translation.gettext("Give the reason for the rejection: the provider reads it.")
    assert _messages(without) == [expected]
    redemption.refresh_from_db()
    assert redemption.status == RedemptionStatus.APPLIED
    _follow(bureau, review, {"ids": [redemption.pk], "decision": "reject", "reason": "发票不符", "confirmed": "1"})
    redemption.refresh_from_db()
    assert (redemption.status, redemption.review_note) == (RedemptionStatus.REJECTED, "发票不符")
    assert _inbox(users.provider)["vouchers.rejected"] == 1
    # A provider cannot decide redemptions: refused, nothing changed.
    refused = web_client(users.provider).post(review, {"ids": [redemption.pk], "decision": "approve",
                                                       "confirmed": "1"}, follow=True)
    redemption.refresh_from_db()
    assert refused.status_code == 200 and redemption.status == RedemptionStatus.REJECTED


def test_budget_page_reconciles_and_exports(vworld, v):
    bureau = web_client(vworld.users.bureau_sz)
    detail = bureau.get(reverse("vouchers:voucherprogramme_detail", kwargs={"pk": v.prog_a.pk}))
    assert detail.context["budget"]["reconciles"] is True
    [row] = [b for b in detail.context["budget"]["batches"] if b["batch_id"] == v.batch_a.pk]
    bar = next(c for c in detail.context["chart"] if c["row"]["batch_id"] == v.batch_a.pk)
    assert sum(p["fen"] for p in bar["parts"]) == row["budget"] + row["reissued"]
    page = bureau.get(reverse("vouchers:voucherprogramme_budget", kwargs={"pk": v.prog_a.pk}))
    assert page.status_code == 200
    assert [r["provider_id"] for r in page.context["providers"]] == [v.marketplace.provider_a.pk]
    assert page.context["firms"].paginator.count == 1
    export = bureau.get(reverse("vouchers:voucherprogramme_budget", kwargs={"pk": v.prog_a.pk}), {"export": "xlsx"})
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    assert export.content[:2] == b"PK"
    # Firms and providers do not read the programme's budget.
    budget = reverse("vouchers:voucherprogramme_budget", kwargs={"pk": v.prog_a.pk})
    assert web_client(vworld.users.firm_a).get(budget).status_code == 403
    assert web_client(vworld.users.bureau_nj).get(budget).status_code == 404


def test_lists_filter_and_export(vworld, v):
    provider = web_client(vworld.users.provider)
    placed = provider.get(reverse("vouchers:order_list"), {"status": "placed"})
    assert [o.pk for o in placed.context["rows"]] == [v.open_a.pk]
    csv = provider.get(reverse("vouchers:order_list"), {"status": "placed", "export": "csv"})
    assert csv.status_code == 200 and v.open_a.product_name in csv.content.decode("utf-8-sig")
    firm = web_client(vworld.users.firm_a)
    mine = firm.get(reverse("vouchers:voucher_list"), {"status": "in_use"})
    assert [x.pk for x in mine.context["rows"]] == [v.held_a.pk]
    ledger = web_client(vworld.users.bureau_sz).get(reverse("vouchers:settlemententry_list"), {"export": "xlsx"})
    assert ledger.status_code == 200 and ledger.content[:2] == b"PK"


def test_audit_sample_finding_claws_back(vworld, v):
    bureau = web_client(vworld.users.bureau_sz)
    item = v.item_a
    listing = bureau.get(reverse("vouchers:audititem_list"), {"sample": item.sample_id})
    assert listing.context["reproduced"] is True and item.pk in listing.context["decide"]
    assert _inbox(vworld.users.bureau_sz)["vouchers.audit"] == 1
    decide = reverse("vouchers:audititem_decide", kwargs={"pk": item.pk})
    _follow(bureau, decide, {"transition": "find", "finding": "合同与报告不符", "clawback_fen": "10.00"})
    item.refresh_from_db()
    assert (item.status, item.clawback_fen) == (AuditItemStatus.FINDING, 1000)
    clawback = SettlementEntry.objects.get(kind=EntryKind.CLAWBACK, redemption=item.redemption)
    assert clawback.amount_fen == -1000
    # Drawing a new sample from the programme page: nothing settled is left unsampled in this world.
    drawn = _follow(bureau, reverse("vouchers:voucherprogramme_audit", kwargs={"pk": v.prog_a.pk}), {"seed": "7"})
    assert _messages(drawn)


def _inbox(user) -> dict[str, int]:
    return {e.key: e.count for e in inbox(user, {g.role for g in user.role_grants.all()}, timezone.localdate())}


def test_inbox_and_firm_page_show_the_work(vworld, v):
    users = vworld.users
    assert _inbox(users.provider)["vouchers.confirm"] == 1
    assert "vouchers.confirm" not in _inbox(users.firm_a)
    # A voucher expiring within 14 days shows in the firm's inbox, and its link lists exactly it.
    Voucher.objects.filter(pk=v.held_a.pk).update(status=VoucherStatus.HELD,
                                                  valid_until=timezone.localdate() + datetime.timedelta(days=5))
    entries = {e.key: e for e in inbox(users.firm_a, {"firm"}, timezone.localdate())}
    assert entries["vouchers.expiring"].count == 1
    listed = web_client(users.firm_a).get(entries["vouchers.expiring"].url)
    assert [x.pk for x in listed.context["rows"]] == [v.held_a.pk]
    page = web_client(users.bureau_sz).get(reverse("registry:firm_detail", kwargs={"pk": vworld.firm_a.pk}))
    titles = [s.title for s in page.context["sections"]]
    with translation.override("zh-hans"):
        assert translation.gettext("Innovation vouchers") in [str(t) for t in titles]
    assert re.search(rb'href="/vouchers/vouchers/%d/"' % v.voucher_a.pk, page.content)
