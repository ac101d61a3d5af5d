"""Voucher pages: thin views over `vouchers.services` (no view writes a voucher, order or redemption itself).

Scoped like every page (403 by role, 404 by scope). What a person sees depends on who they act for:
a firm (programmes open to it and why not, claim, its vouchers, order from the catalogue, accept or dispute
a delivery, rate), a provider (orders of its products, confirm, evidence and delivery, redemption), a bureau
(programmes and batches with the budget reconciliation, providers' volumes, redemptions reviewed in batches,
settlement, the audit sample and its findings, exports).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, F, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fuhua.core.exceptions import Conflict
from fuhua.core.exports import XLSX_CONTENT_TYPE, announce_export
from fuhua.core.scoping import check
from fuhua.core.uploads import size_problem
from fuhua.core.views import generic as g
from fuhua.marketplace.models import Product, Rating, ServiceCategory

from . import forms as f
from .models import (
    MAX_EVIDENCE_BYTES,
    AuditItem,
    AuditSample,
    Batch,
    BatchStatus,
    DeliveryEvidence,
    Order,
    OrderStatus,
    Redemption,
    RedemptionStatus,
    SettlementEntry,
    Voucher,
    VoucherProgramme,
    VoucherStatus,
)
from .services import audits, budget, claims, orders, programmes, redemptions
from .services.common import firm_of, terms
from .services.eligibility import assess
from .workflow import (
    AUDIT_ITEM_WORKFLOW,
    BATCH_WORKFLOW,
    ORDER_WORKFLOW,
    REDEMPTION_WORKFLOW,
    is_firm_of,
    is_provider_of,
)

PRODUCT_OPTIONS = 20  # products shown per keystroke in the order form's picker


def _errors(request, exc) -> None:
    for message in getattr(exc, "messages", None) or [str(exc)]:
        messages.error(request, message)


def acting_firm(user):
    """The firm the user acts for, or None (a bureau, a provider, a firm user holding several firms)."""
    try:
        return firm_of(user) if not user.is_superuser else None
    except (PermissionDenied, ValidationError):
        return None


class PostOnly:
    """An action page: a GET goes back to the object's page (the form lives there)."""

    def get(self, request, pk, **kwargs):
        return redirect(g.object_url(self.get_object()))


# --- programmes ------------------------------------------------------------------------------------


def _for_firm(programme, firm) -> str:
    check_ = assess(programme, firm)
    return _("yes, you may claim") if check_.eligible else check_.reason


class ProgrammeList(g.ObjectListView):
    model = VoucherProgramme
    search_paths = ("code", "title", "issuer")
    default_sort = "code"
    select_related = ("region",)
    columns = [g.Column("title", link=True, sort="title"), g.Column("issuer", sort="issuer"),
               g.Column("document_number"), g.Column("region", sort="region__code")]

    def get(self, request):
        firm = acting_firm(request.user)
        if firm is not None:  # the firm's page: may it claim, and if not why (the rule and its article)
            self.columns = [*type(self).columns, g.Column("code", gettext_lazy("for you"),
                                                          value=lambda p: _for_firm(p, firm))]
        return super().get(request)


def _term_rows(programme) -> list[dict]:
    """The programme's parameters in force today, each with its citation, for the programme page."""
    t = terms(programme)
    rows = []
    for name, label, kind in TERM_ROWS:
        if name not in t.values:
            continue
        value = t.values[name]
        rows.append({"name": name, "label": label, "value": value, "kind": kind, "source": t.cite(name)})
    return rows


TERM_ROWS = [
    ("face_value", gettext_lazy("face value of one voucher"), "fen"),
    ("per_claim_max", gettext_lazy("most per claim"), "fen"),
    ("held_max", gettext_lazy("most held at once"), "fen"),
    ("year_max", gettext_lazy("most claimed a year"), "fen"),
    ("eligible_categories", gettext_lazy("services the voucher pays for"), "categories"),
    ("copay_full_below", gettext_lazy("services up to this price are fully covered"), "fen"),
    ("copay_share", gettext_lazy("share of the price above it the voucher covers"), "share"),
    ("validity_days", gettext_lazy("days a voucher stays valid after the claim"), "days"),
    ("confirm_days", gettext_lazy("days the provider has to confirm an order"), "days"),
    ("accept_days", gettext_lazy("days the firm has to accept or dispute a delivery"), "days"),
    ("redemption_window_days", gettext_lazy("days after acceptance to apply for redemption"), "days"),
    ("audit_rate", gettext_lazy("audit sample rate"), "share"),
]


class ProgrammeDetail(g.ObjectDetailView):
    model = VoucherProgramme
    template_name = "vouchers/programme_detail.html"
    fields = ["code", "title", "issuer", "document_number", "region", "pack_version", "illustrative"]

    def detail_context(self, obj, **extra):
        user = self.request.user
        firm = acting_firm(user)
        batches = list(Batch.objects.restrict(user).filter(programme=obj).order_by("number"))
        context = {
            "terms": _term_rows(obj),
            "categories": _category_labels(terms(obj).values.get("eligible_categories", [])),
            "batches": batches,
            "firm": firm,
            "is_bureau": bool(check(user, "change", obj)),
        }
        if firm is not None:
            context["eligibility"] = assess(obj, firm)
            context["claim_key"] = f.new_key()
            context["my_vouchers"] = list(Voucher.objects.restrict(user).filter(batch__programme=obj, firm=firm)
                                          .select_related("batch").order_by("-claimed_at")[:20])
        if context["is_bureau"]:
            context["budget"] = budget_report(user, obj)
            context["chart"] = budget_chart(context["budget"]["batches"])
            context["providers"] = provider_bars(budget.by_provider(user, obj)[:10])
            context["stages"] = STAGES
            context["audit_form"] = f.AuditDrawForm()
            context["samples"] = AuditSample.objects.restrict(user).filter(programme=obj).annotate(
                n=Count("items"), open=Count("items", filter=Q(items__status="pending")))[:10]
        return super().detail_context(obj, **context, **extra)


def _category_labels(codes) -> list[str]:
    labels = dict((c.code, c.label) for c in ServiceCategory.objects.filter(code__in=list(codes)))
    return [labels.get(code, code) for code in codes]


class ProgrammeHistory(g.ObjectHistoryView):
    model = VoucherProgramme


# --- batches ---------------------------------------------------------------------------------------


class BatchList(g.ObjectListView):
    model = Batch
    filter_form = f.BatchFilter
    search_paths = ("title", "programme__title")
    default_sort = "-opens_at"
    select_related = ("programme",)
    columns = [g.Column("programme", sort="programme__code"), g.Column("title", link=True, sort="title"),
               g.Column("budget_fen", sort="budget_fen"), g.Column("face_value_fen"),
               g.Column("opens_at", sort="opens_at"), g.Column("closes_at", sort="closes_at"),
               g.Column("status", sort="status")]


class BatchDetail(g.ObjectDetailView):
    model = Batch
    template_name = "vouchers/batch_detail.html"
    fields = ["programme", "number", "title", "budget_fen", "face_value_fen", "opens_at", "closes_at", "status"]

    def detail_context(self, obj, **extra):
        user = self.request.user
        firm = acting_firm(user)
        context = {"transitions": BATCH_WORKFLOW.available(user, obj), "firm": firm}
        if firm is not None:
            context["claim_key"] = f.new_key()
            context["window"] = claims.window(obj, timezone.now())
            context["eligibility"] = assess(obj.programme, firm)
        if check(user, "change", obj.programme):
            row = {**budget.batch_budget(obj), "draft": obj.status == BatchStatus.DRAFT}
            context.update(budget=True, budget_one={"batches": [row], "totals": row, "reconciles": row["reconciles"],
                                                    "issued": 0 if row["draft"] else 1,
                                                    "statement": statement([row], None)},
                           chart=budget_chart([row]), stages=STAGES)
        return super().detail_context(obj, **context, **extra)


class BatchClaim(PostOnly, BatchDetail):
    """The claim button: one voucher for the user's firm, answered at once (claimed, or why not). The form
    carries a request key made when the page was shown, so a double click or a retry never claims twice."""

    def post(self, request, pk):
        batch = self.get_object()
        form = f.ClaimForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("The claim form is incomplete: reload the page and claim again."))
            return redirect(g.object_url(batch))
        try:
            result = claims.claim(request.user, batch, form.cleaned_data["idempotency_key"])
        except (ValidationError, Conflict) as exc:
            _errors(request, exc)
            return redirect(g.object_url(batch))
        if not result.ok:
            messages.error(request, result.reason)
            return redirect(g.object_url(batch))
        voucher = result.voucher
        text = _("You hold voucher %(voucher)s of %(value)s yuan, valid until %(day)s.") % {
            "voucher": voucher.pk, "value": f"{voucher.face_value_fen / 100:,.2f}",
            "day": voucher.valid_until.isoformat()}
        messages.success(request, text if not result.replay else _("Already claimed with this request: ") + text)
        return redirect(g.object_url(voucher))


class BatchTransition(PostOnly, BatchDetail):
    action = "change"

    def post(self, request, pk):
        batch = self.get_object()
        form = f.StepForm(request.POST)
        if form.is_valid():
            step = form.cleaned_data["transition"]
            try:
                if step == "publish":
                    programmes.publish_batch(request.user, batch)
                elif step == "close":
                    programmes.close_batch(request.user, batch, form.cleaned_data["reason"])
                else:
                    raise ValidationError(_("Unknown step."))
            except (ValidationError, Conflict) as exc:
                _errors(request, exc)
            else:
                batch.refresh_from_db()
                messages.success(request, _("Status: %(s)s.") % {"s": batch.get_status_display()})
        return redirect(g.object_url(batch))


class BatchHistory(g.ObjectHistoryView):
    model = Batch


# --- vouchers --------------------------------------------------------------------------------------


def _open_order(voucher):
    return voucher.orders.exclude(status__in=(OrderStatus.DECLINED, OrderStatus.CANCELLED)).first()


class VoucherList(g.ObjectListView):
    model = Voucher
    filter_form = f.VoucherFilter
    search_paths = ("firm__search", "batch__programme__title")
    default_sort = "-claimed_at"
    select_related = ("batch__programme", "firm")
    columns = [g.Column("id", gettext_lazy("voucher"), link=True, sort="id"),
               g.Column("batch__programme", gettext_lazy("programme"), sort="batch__programme__code"),
               g.Column("firm", sort="firm__search"), g.Column("face_value_fen", sort="face_value_fen"),
               g.Column("status", sort="status"), g.Column("claimed_at", sort="claimed_at"),
               g.Column("valid_until", sort="valid_until"),
               g.Column("remaining_fen", gettext_lazy("remaining (yuan)"), value=lambda v: remaining_fen(v))]


def remaining_fen(voucher) -> int:
    """What the voucher can still pay: its face value while held; nothing once it pays an order, is
    settled or lapsed (a voucher pays one order; the unused part returns to the batch on settlement)."""
    return voucher.face_value_fen if voucher.status == VoucherStatus.HELD else 0


class VoucherDetail(g.ObjectDetailView):
    model = Voucher
    template_name = "vouchers/voucher_detail.html"
    fields = ["batch", "firm", "face_value_fen", "status", "claimed_at", "valid_until", "settled_fen",
              "returned_fen", "lapsed_on"]

    def detail_context(self, obj, **extra):
        user = self.request.user
        may_order = obj.status == VoucherStatus.HELD and is_firm_of(user, obj.firm_id) and not user.is_superuser \
            and check(user, "add", Order)
        t = terms(obj.batch.programme)
        extra.setdefault("order_form", f.OrderForm(voucher=obj) if may_order else None)
        return super().detail_context(
            obj, orders=Order.objects.restrict(user).filter(voucher=obj).select_related("provider__organisation"),
            remaining_fen=remaining_fen(obj), copay_rule=copay_rule(t),
            categories=_category_labels(t.values.get("eligible_categories", [])), **extra)


def copay_rule(t) -> str:
    """The programme's co-payment rule in one sentence, with its article."""
    return _("services up to %(limit)s yuan are fully covered; above that the voucher covers %(limit)s yuan plus "
             "%(share)s of the rest, at most its face value (%(source)s)") % {
        "limit": f"{t.copay_full_below / 100:,.2f}", "share": f"{t.copay_share * 100:g}%",
        "source": t.cite("copay_share")}


def _products_for(user, voucher):
    """Published products the user sees that this voucher may pay for: an eligible category, accepting
    the voucher's programme."""
    programme = voucher.batch.programme
    t = terms(programme)
    return (Product.objects.restrict(user).filter(Product.public_q(), category__code__in=t.eligible_categories,
                                                  programmes__code=programme.code)
            .select_related("provider__organisation", "category").distinct())


class VoucherProducts(VoucherDetail):
    """The product picker's options (htmx): name, provider, price, and what the voucher covers."""

    def get(self, request, pk):
        voucher = self.get_object()
        text = next((v for k, v in request.GET.items() if k.endswith("-autocomplete")), "").strip()
        products = _products_for(request.user, voucher)
        # Typed text narrows by name, pinyin or initials; an empty box (on focus) offers the best rated first.
        products = (products.filter(search__icontains=text.lower()).order_by("search", "pk") if text
                    else products.order_by(F("rating_avg").desc(nulls_last=True), "search", "pk"))
        t = terms(voucher.batch.programme)
        rows = []
        for product in products[:PRODUCT_OPTIONS]:
            covered, pays, _rule = orders.copay(t, product.price_fen, voucher.face_value_fen)
            rows.append({"product": product, "covered_fen": covered, "pays_fen": pays})
        return render(request, "vouchers/widgets/product_options.html",
                      {"rows": rows, "text": text, "limit": PRODUCT_OPTIONS})


class VoucherOrder(PostOnly, VoucherDetail):
    """The firm orders a catalogue service paid with this voucher (vouchers.services.orders.place_order)."""

    def post(self, request, pk):
        voucher = self.get_object()
        form = f.OrderForm(request.POST, voucher=voucher)
        if form.is_valid():
            product = Product.objects.restrict(request.user).filter(pk=form.cleaned_data["product"]).first()
            if product is None:
                form.add_error("product", _("No such service product in the catalogue."))
            else:
                try:
                    order = orders.place_order(request.user, voucher, product, note=form.cleaned_data["note"])
                except (ValidationError, Conflict) as exc:
                    if hasattr(exc, "error_dict"):
                        for field, errs in exc.message_dict.items():
                            form.add_error(field if field in form.fields else None, errs)
                    else:
                        form.add_error(None, getattr(exc, "messages", [str(exc)]))
                else:
                    messages.success(request, _("Ordered: the voucher covers %(covered)s yuan, you pay %(pays)s yuan. "
                                                "The provider confirms by %(day)s.") % {
                        "covered": f"{order.covered_fen / 100:,.2f}", "pays": f"{order.firm_pays_fen / 100:,.2f}",
                        "day": order.confirm_by.isoformat()})
                    return redirect(g.object_url(order))
        return render(request, self.template_name, self.detail_context(voucher, order_form=form), status=400)


class VoucherHistory(g.ObjectHistoryView):
    model = Voucher


# --- orders ----------------------------------------------------------------------------------------


class OrderList(g.ObjectListView):
    model = Order
    filter_form = f.OrderFilter
    search_paths = ("firm__search", "product__search", "provider__organisation__search")
    default_sort = "-placed_at"
    select_related = ("firm", "provider__organisation", "voucher__batch__programme")
    columns = [g.Column("product_name", link=True, sort="product_name"), g.Column("firm", sort="firm__search"),
               g.Column("provider", sort="provider__organisation__search"),
               g.Column("price_fen", sort="price_fen"), g.Column("covered_fen", sort="covered_fen"),
               g.Column("firm_pays_fen"), g.Column("status", sort="status"),
               g.Column("placed_at", sort="placed_at"), g.Column("deliver_by", sort="deliver_by")]


# Steps a person takes on an order page; `deliver` has its own form (evidence and note).
ORDER_STEPS = ("confirm", "decline", "cancel", "accept", "dispute")


class OrderDetail(g.ObjectDetailView):
    model = Order
    template_name = "vouchers/order_detail.html"
    fields = ["voucher", "firm", "provider", "product", "price_fen", "covered_fen", "firm_pays_fen", "copay_note",
              "note", "status", "placed_at", "confirm_by", "deliver_by", "delivered_at", "accept_by", "accepted_at",
              "delivery_note", "dispute_reason", "status_reason"]

    def detail_context(self, obj, **extra):
        user = self.request.user
        steps = [t for t in ORDER_WORKFLOW.available(user, obj) if t.name in ORDER_STEPS] if check(
            user, "change", Order) else []
        provider = is_provider_of(user, obj.provider) and not user.is_superuser
        firm = is_firm_of(user, obj.firm_id) and not user.is_superuser
        extra.setdefault("evidence_form", f.EvidenceForm() if provider and obj.status in orders.DELIVERABLE else None)
        extra.setdefault("deliver_form", f.DeliverForm() if ORDER_WORKFLOW.can(user, obj, "deliver").code
                         in ("", "invalid") and provider and obj.status in orders.DELIVERABLE else None)
        rated = Rating.objects.filter(source=f"vouchers.order:{obj.pk}").first()
        extra.setdefault("rating_form", f.RatingForm() if firm and rated is None
                         and obj.status in orders.RATEABLE else None)
        return super().detail_context(
            obj, steps=steps, evidence=list(DeliveryEvidence.objects.restrict(user).filter(order=obj)),
            redemptions=list(Redemption.objects.restrict(user).filter(order=obj)), rating=rated,
            may_redeem=provider and ORDER_WORKFLOW.may(user, obj, "apply_redemption"), **extra)


class OrderTransition(PostOnly, OrderDetail):
    """Confirm or decline (provider), cancel (firm), accept or dispute (firm): the services decide. A step
    changes the order, so the role needs `change` on orders (the firm's and the provider's roles)."""

    action = "change"

    def post(self, request, pk):
        order = self.get_object()
        form = f.StepForm(request.POST)
        if form.is_valid():
            step, reason = form.cleaned_data["transition"], form.cleaned_data["reason"]
            try:
                if step == "confirm":
                    orders.confirm_order(request.user, order)
                elif step == "decline":
                    orders.decline_order(request.user, order, reason)
                elif step == "cancel":
                    orders.cancel_order(request.user, order, reason)
                elif step == "accept":
                    orders.accept(request.user, order)
                elif step == "dispute":
                    orders.dispute(request.user, order, reason)
                else:
                    raise ValidationError(_("Unknown step."))
            except (ValidationError, Conflict) as exc:
                _errors(request, exc)
            else:
                order.refresh_from_db()
                messages.success(request, _("Status: %(s)s.") % {"s": order.get_status_display()})
        return redirect(g.object_url(order))


class OrderEvidence(PostOnly, OrderDetail):
    """The provider uploads a delivery evidence file (size checked on the way in: core.uploads)."""

    def post(self, request, pk):
        order = self.get_object()
        form = f.EvidenceForm(request.POST, request.FILES)
        problem = size_problem(request, request.FILES.get("file"), MAX_EVIDENCE_BYTES)
        if problem:
            form.add_error("file", problem)
        elif form.is_valid():
            try:
                orders.add_evidence(request.user, order, form.cleaned_data["title"], form.cleaned_data["file"])
            except (ValidationError, Conflict) as exc:
                if hasattr(exc, "error_dict"):
                    for field, errs in exc.message_dict.items():
                        form.add_error(field if field in form.fields else None, errs)
                else:
                    form.add_error(None, getattr(exc, "messages", [str(exc)]))
            else:
                messages.success(request, _("Evidence attached."))
                return redirect(g.object_url(order))
        return render(request, self.template_name, self.detail_context(order, evidence_form=form), status=400)


class OrderDeliver(PostOnly, OrderDetail):
    def post(self, request, pk):
        order = self.get_object()
        form = f.DeliverForm(request.POST)
        if form.is_valid():
            try:
                orders.deliver(request.user, order, form.cleaned_data["delivery_note"])
            except (ValidationError, Conflict) as exc:
                _errors(request, exc)
            else:
                order.refresh_from_db()
                messages.success(request, _("Delivery recorded: the firm accepts or disputes by %(day)s.") % {
                    "day": order.accept_by.isoformat()})
        return redirect(g.object_url(order))


class OrderRate(PostOnly, OrderDetail):
    def post(self, request, pk):
        order = self.get_object()
        form = f.RatingForm(request.POST)
        if form.is_valid():
            try:
                orders.rate_order(request.user, order, form.cleaned_data["score"], form.cleaned_data["comment"])
            except (ValidationError, Conflict) as exc:
                _errors(request, exc)
            else:
                messages.success(request, _("Thank you: your rating is shown in the catalogue."))
        return redirect(g.object_url(order))


class OrderRedeem(PostOnly, OrderDetail):
    """The provider applies to redeem the voucher part of an accepted order."""

    def post(self, request, pk):
        order = self.get_object()
        try:
            redemption = redemptions.apply_redemption(request.user, order)
        except (ValidationError, Conflict) as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("Redemption of %(amount)s yuan applied for: the bureau reviews it.") % {
                "amount": f"{redemption.amount_fen / 100:,.2f}"})
        return redirect(g.object_url(order))


class OrderFile(OrderDetail):
    """Download one evidence file of the order (the order's scope decides)."""

    def get(self, request, pk):
        evidence = get_object_or_404(DeliveryEvidence.objects.restrict(request.user), order=self.get_object(),
                                     pk=request.GET.get("id") or 0)
        if not evidence.file:
            raise Http404
        return FileResponse(evidence.file.open("rb"), as_attachment=True, filename=evidence.file.name.rsplit("/")[-1])


class OrderHistory(g.ObjectHistoryView):
    model = Order


# --- budget ----------------------------------------------------------------------------------------

# The stages of a batch's budget as the reconciliation bar shows them (services.budget.LINES), with their colours.
STAGES = [
    ("remaining", gettext_lazy("remaining, not yet claimed"), "#d9dee4"),
    ("held", gettext_lazy("held, not yet used"), "#7fb3e0"),
    ("ordered", gettext_lazy("ordered, not yet delivered"), "#3d85c6"),
    ("delivered", gettext_lazy("delivered, not yet redeemed"), "#0b4f8a"),
    ("redeeming", gettext_lazy("redemption applied or approved"), "#9a6700"),
    ("settled", gettext_lazy("settled (paid to providers)"), "#1a7f37"),
    ("returned_pool", gettext_lazy("returned, not yet re-issued"), "#b42318"),
]
# The reconciliation statement, line by line (one column per batch): what was issued, where it stands, what
# the ledger paid. `sum` marks the lines that add up to the budget plus what was re-issued.
BUDGET_LINES = [
    ("budget", gettext_lazy("Budget (yuan)"), ""), ("reissued", gettext_lazy("Re-issued from returns (yuan)"), ""),
    ("claimed", gettext_lazy("Claimed (yuan)"), ""), ("vouchers", gettext_lazy("Vouchers claimed"), "count"),
    ("remaining", gettext_lazy("Remaining, not yet claimed (yuan)"), "sum"),
    ("held", gettext_lazy("Held, not yet used (yuan)"), "sum"),
    ("ordered", gettext_lazy("Ordered (yuan)"), "sum"), ("delivered", gettext_lazy("Delivered (yuan)"), "sum"),
    ("redeeming", gettext_lazy("Redemption applied or approved (yuan)"), "sum"),
    ("settled", gettext_lazy("Settled (yuan)"), "sum"),
    ("returned_pool", gettext_lazy("Returned, not yet re-issued (yuan)"), "sum"),
    ("lapsed", gettext_lazy("Lapsed (yuan)"), ""), ("paid", gettext_lazy("Paid by the ledger (yuan)"), ""),
    ("reversed", gettext_lazy("Reversed (yuan)"), ""), ("clawed_back", gettext_lazy("Clawed back (yuan)"), ""),
    ("paid_net", gettext_lazy("Paid, net (yuan)"), ""),
]


def budget_report(user, programme) -> dict:
    """services.budget.programme_budget with each batch's status: a draft batch has issued nothing yet (its
    budget is not cut into vouchers), so it is shown as such and left out of the totals and the check."""
    report = budget.programme_budget(user, programme)
    for row in report["batches"]:
        row["draft"] = row["status"] == BatchStatus.DRAFT
    issued = [row for row in report["batches"] if not row["draft"]]
    totals = {name: sum(row[name] for row in issued) for name in report["totals"]}
    report = {**report, "totals": totals, "reconciles": all(row["reconciles"] for row in issued),
              "issued": len(issued)}
    return {**report, "statement": statement(report["batches"], totals if len(issued) > 1 else None)}


def statement(rows: list[dict], totals: dict | None) -> list[dict]:
    """The reconciliation statement: one line per BUDGET_LINES entry, one cell per batch (and the total)."""
    return [{"key": key, "label": label, "kind": kind,
             "cells": [None if row.get("draft") and key != "budget" else row[key] for row in rows],
             "total": totals[key] if totals else None}
            for key, label, kind in BUDGET_LINES]


def budget_chart(rows: list[dict]) -> list[dict]:
    """One stacked bar per issued batch: each stage's share of the budget (percent of the bar's width)."""
    chart = []
    for row in rows:
        if row.get("draft"):
            continue
        total = max(row["budget"] + row["reissued"], 1)
        parts, offset = [], 0.0
        for key, label, colour in STAGES:
            if row[key] > 0:
                width = round(100 * row[key] / total, 3)
                parts.append({"key": key, "label": label, "colour": colour, "fen": row[key], "pct": width,
                              "offset": round(offset, 3)})
                offset += width
        chart.append({"row": row, "parts": parts})
    return chart


def provider_bars(rows: list[dict]) -> list[dict]:
    """The providers' rows with the width of their bar (the value their vouchers cover, against the largest)."""
    top = max([r["covered"] for r in rows] + [1])
    return [{**r, "bar": round(100 * r["covered"] / top, 2)} for r in rows]


class ProgrammeBudget(ProgrammeDetail):
    """The programme's budget in full: per batch (reconciled), per provider, per firm; XLSX export."""

    action = "change"
    template_name = "vouchers/programme_budget.html"

    def get(self, request, pk):
        programme = self.get_object()
        if request.GET.get("export") == "xlsx":
            body = budget.export_xlsx(request.user, programme)
            response = HttpResponse(body, content_type=XLSX_CONTENT_TYPE)
            response["Content-Disposition"] = content_disposition_header(
                True, f"vouchers-budget-{programme.code}-{timezone.localdate().isoformat()}.xlsx")
            announce_export(request, "vouchers.voucherprogramme", len(budget.by_firm(request.user, programme)),
                            filters={"programme": programme.code})
            return response
        report = budget_report(request.user, programme)
        firms = Paginator(budget.by_firm(request.user, programme), g.PAGE_SIZE).get_page(request.GET.get("page"))
        return render(request, self.template_name, self.base_context(
            object=programme, budget=report, chart=budget_chart(report["batches"]), stages=STAGES,
            providers=provider_bars(budget.by_provider(request.user, programme)), firms=firms,
            actions=g.object_actions(request.user, programme), tab="budget"))


# --- redemptions, settlement and the ledger --------------------------------------------------------


class RedemptionList(g.ObjectListView):
    """Providers follow their applications; the bureau reviews them in batches (tick, decide, confirm)."""

    model = Redemption
    template_name = "vouchers/redemption_list.html"
    table_template = "vouchers/_redemption_table.html"
    filter_form = f.RedemptionFilter
    search_paths = ("provider__organisation__search", "order__firm__search", "order__product_name")
    default_sort = "-applied_at"
    select_related = ("provider__organisation", "order__firm", "order__voucher__batch__programme")
    columns = [g.Column("id", gettext_lazy("redemption"), link=True, sort="id"),
               g.Column("order__product_name", gettext_lazy("service")),
               g.Column("order__firm", gettext_lazy("firm")),
               g.Column("provider", sort="provider__organisation__search"),
               g.Column("amount_fen", sort="amount_fen"), g.Column("status", sort="status"),
               g.Column("applied_at", sort="applied_at"), g.Column("review_note")]

    def base_context(self, **extra):
        context = super().base_context(**extra)
        user = self.request.user
        context["may_review"] = bool(check(user, "change", VoucherProgramme)) and bool(
            check(user, "add", SettlementEntry))
        context["settle_form"] = f.SettleForm(initial={"paid_on": timezone.localdate()})
        return context


def _chosen(request, statuses) -> list:
    ids = [int(i) for i in request.POST.getlist("ids") if str(i).isdigit()]
    return list(Redemption.objects.restrict(request.user).filter(pk__in=ids, status__in=statuses).order_by("pk"))


class RedemptionReview(g.ScopedMixin, g.View):
    """The bureau approves or rejects the ticked redemptions at once (all or nothing, a reason to reject);
    a GET shows what was ticked and asks to confirm (the page works without JavaScript)."""

    model = Redemption

    def get(self, request):
        return redirect(reverse("vouchers:redemption_list") + "?status=applied")

    def post(self, request):
        chosen = _chosen(request, (RedemptionStatus.APPLIED,))
        form = f.ReviewForm(request.POST, choices=[r.pk for r in chosen])
        if not form.is_valid():
            for errors in form.errors.values():
                for message in errors:
                    messages.error(request, message)
            return redirect(request.POST.get("next") or reverse("vouchers:redemption_list") + "?status=applied")
        approve = form.cleaned_data["decision"] == "approve"
        if not request.POST.get("confirmed"):
            return render(request, "vouchers/redemption_confirm.html", {
                "chosen": chosen, "form": form, "approve": approve, "step": "review",
                "total_fen": sum(r.amount_fen for r in chosen), "next": request.POST.get("next", "")})
        try:
            done = redemptions.review(request.user, chosen, approve, form.cleaned_data["reason"])
        except (ValidationError, Conflict, PermissionDenied) as exc:
            _errors(request, exc)
        else:
            text = _("%(n)s redemptions approved (%(total)s yuan).") if approve else _(
                "%(n)s redemptions rejected (%(total)s yuan).")
            messages.success(request, text % {"n": len(done), "total": f"{sum(r.amount_fen for r in done) / 100:,.2f}"})
        return redirect(request.POST.get("next") or reverse("vouchers:redemption_list") + "?status=applied")


class RedemptionSettle(g.ScopedMixin, g.View):
    """Pay the ticked approved redemptions: one ledger payment each (irreversible; confirmed first)."""

    model = SettlementEntry
    action = "add"

    def get(self, request):
        return redirect(reverse("vouchers:redemption_list") + "?status=approved")

    def post(self, request):
        chosen = _chosen(request, (RedemptionStatus.APPROVED,))
        form = f.SettleForm(request.POST)
        back = request.POST.get("next") or reverse("vouchers:redemption_list") + "?status=approved"
        if not chosen:
            messages.error(request, _("Tick the approved redemptions to settle first."))
            return redirect(back)
        if not form.is_valid():
            messages.error(request, _("Give the payment date."))
            return redirect(back)
        if not request.POST.get("confirmed"):
            return render(request, "vouchers/redemption_confirm.html", {
                "chosen": chosen, "form": form, "step": "settle", "total_fen": sum(r.amount_fen for r in chosen),
                "next": request.POST.get("next", "")})
        try:
            entries = redemptions.settle(request.user, chosen, form.cleaned_data["reference"],
                                         on=form.cleaned_data["paid_on"])
        except (ValidationError, Conflict, PermissionDenied) as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("%(n)s redemptions settled: %(total)s yuan written to the ledger.") % {
                "n": len(entries), "total": f"{sum(e.amount_fen for e in entries) / 100:,.2f}"})
        return redirect(back)


class RedemptionDetail(g.ObjectDetailView):
    model = Redemption
    template_name = "vouchers/redemption_detail.html"
    fields = ["order", "provider", "amount_fen", "status", "applied_at", "reviewed_at", "review_note"]

    def detail_context(self, obj, **extra):
        user = self.request.user
        return super().detail_context(
            obj, may_review=REDEMPTION_WORKFLOW.may(user, obj, "approve"),
            may_settle=REDEMPTION_WORKFLOW.may(user, obj, "settle") and bool(check(user, "add", SettlementEntry)),
            settle_form=f.SettleForm(initial={"paid_on": timezone.localdate()}),
            ledger=SettlementEntry.objects.restrict(user).filter(redemption=obj), **extra)


class RedemptionHistory(g.ObjectHistoryView):
    model = Redemption


class LedgerList(g.ObjectListView):
    model = SettlementEntry
    filter_form = f.LedgerFilter
    search_paths = ("provider__organisation__search", "firm__search", "key", "reference")
    default_sort = "-paid_on"
    select_related = ("programme", "provider__organisation", "firm")
    columns = [g.Column("paid_on", link=True, sort="paid_on"), g.Column("programme", sort="programme__code"),
               g.Column("provider", sort="provider__organisation__search"), g.Column("firm", sort="firm__search"),
               g.Column("kind", sort="kind"), g.Column("amount_fen", sort="amount_fen"),
               g.Column("reference"), g.Column("reason")]


class LedgerDetail(g.ObjectDetailView):
    model = SettlementEntry
    template_name = "vouchers/settlemententry_detail.html"

    def detail_context(self, obj, **extra):
        user = self.request.user
        may_reverse = (obj.kind == "payment" and not obj.reversed_by.exists()
                       and bool(check(user, "change", obj)) and bool(check(user, "add", SettlementEntry)))
        return super().detail_context(obj, may_reverse=may_reverse, **extra)


class LedgerHistory(g.ObjectHistoryView):
    model = SettlementEntry


class LedgerReverse(PostOnly, LedgerDetail):
    action = "change"

    def post(self, request, pk):
        entry = self.get_object()
        try:
            reversal = redemptions.reverse_entry(request.user, entry, request.POST.get("reason", ""))
        except (ValidationError, Conflict) as exc:
            _errors(request, exc)
            return redirect(g.object_url(entry))
        messages.success(request, _("Reversed with a correcting entry of %(amount)s yuan.") % {
            "amount": f"{reversal.amount_fen / 100:,.2f}"})
        return redirect(g.object_url(reversal))


# --- audits ----------------------------------------------------------------------------------------


class ProgrammeAudit(PostOnly, ProgrammeDetail):
    """Draw the programme's audit sample (a seed makes it reproducible)."""

    action = "change"

    def post(self, request, pk):
        programme = self.get_object()
        form = f.AuditDrawForm(request.POST)
        if form.is_valid():
            try:
                sample = audits.draw_sample(request.user, programme, seed=form.cleaned_data["seed"])
            except (ValidationError, Conflict) as exc:
                _errors(request, exc)
            else:
                messages.success(request, _("%(n)s of %(total)s settled redemptions drawn for the audit (seed "
                                            "%(seed)s).") % {"n": sample.items.count(),
                                                             "total": sample.population_size, "seed": sample.seed})
                return redirect(f"{reverse('vouchers:audititem_list')}?sample={sample.pk}")
        return redirect(g.object_url(programme))


class AuditItemList(g.ObjectListView):
    """The sampled redemptions: by sample (with the reproducibility check) or status; the bureau records
    each one's outcome in the row (no finding, or a finding that claws back)."""

    model = AuditItem
    template_name = "vouchers/audititem_list.html"
    table_template = "vouchers/_audititem_table.html"
    filter_form = f.AuditItemFilter
    search_paths = ("redemption__provider__organisation__search", "redemption__order__firm__search")
    default_sort = "-sample__drawn_on"
    select_related = ("sample__programme", "redemption__provider__organisation", "redemption__order__firm")
    columns = [g.Column("sample", sort="sample__drawn_on"), g.Column("redemption", sort="redemption_id"),
               g.Column("redemption__provider", gettext_lazy("provider")),
               g.Column("redemption__order__firm", gettext_lazy("firm")),
               g.Column("redemption__amount_fen", gettext_lazy("amount (fen)")),
               g.Column("status", sort="status"), g.Column("finding"), g.Column("clawback_fen", sort="clawback_fen")]

    def base_context(self, **extra):
        context = super().base_context(**extra)
        user, form = self.request.user, extra.get("form")
        sample = form.cleaned_data.get("sample") if form is not None and form.is_valid() else None
        if sample is not None:
            drawn = sorted(AuditItem.objects.filter(sample=sample).values_list("redemption_id", flat=True))
            context.update(sample=sample, reproduced=audits.redraw(sample) == drawn)
        rows = extra.get("rows") or []
        context["decide"] = {i.pk for i in rows if AUDIT_ITEM_WORKFLOW.may(user, i, "pass")}
        return context


class AuditItemDecide(PostOnly, g.ObjectDetailView):
    """No finding, or a finding that claws back through a negative ledger entry."""

    model = AuditItem

    def get(self, request, pk):
        return redirect(self._back(self.get_object()))

    @staticmethod
    def _back(item) -> str:
        return f"{reverse('vouchers:audititem_list')}?sample={item.sample_id}"

    def post(self, request, pk):
        item = self.get_object()
        form = f.FindingForm(request.POST)
        if form.is_valid():
            try:
                if form.cleaned_data["transition"] == "pass":
                    audits.pass_item(request.user, item, form.cleaned_data["finding"])
                else:
                    audits.record_finding(request.user, item, form.cleaned_data["finding"],
                                          form.cleaned_data["clawback_fen"] or 0)
            except (ValidationError, Conflict) as exc:
                _errors(request, exc)
            else:
                item.refresh_from_db()
                messages.success(request, _("Recorded: %(s)s.") % {"s": item.get_status_display()})
        else:
            messages.error(request, _("Give the finding."))
        return redirect(self._back(item))
