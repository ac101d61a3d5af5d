"""Budget visibility: per batch and programme, issued → claimed → held → in use (ordered, delivered,
redeeming) → settled, lapsed and returned, remaining — reconciling to the fen; per provider and per firm;
an XLSX export (core.exports, formula-injection safe).

The identity every batch satisfies (`reconciles`):

    budget = unissued + remaining (free slots) + held + ordered + delivered + redeeming + settled + returned pool

with `unissued` the budget of a batch not yet published (not cut into slots), remaining counting re-issued
slots; and the ledger's payments equal the settled vouchers' redeemed
amounts (reversals and clawbacks are shown beside them, net of which the ledger's total is `paid_net`).
"""

from __future__ import annotations

import io

from django.db.models import Count, Q, Sum

from fuhua.core.exports import safe_workbook, write_safe_row

from ..models import (
    Batch,
    EntryKind,
    Order,
    OrderStatus,
    SettlementEntry,
    Slot,
    Voucher,
    VoucherProgramme,
    VoucherStatus,
)

ORDERED = (OrderStatus.PLACED, OrderStatus.CONFIRMED)
DELIVERED = (OrderStatus.DELIVERED, OrderStatus.DISPUTED, OrderStatus.ACCEPTED)
REDEEMING = (OrderStatus.REDEEMING, OrderStatus.REDEEMED)
LINES = ("budget", "unissued", "reissued", "remaining", "claimed", "held", "ordered", "delivered", "redeeming",
         "settled", "lapsed", "returned_pool", "paid", "reversed", "clawed_back", "paid_net")


def _sum(qs, field="face_value_fen", **filters) -> int:
    return qs.filter(**filters).aggregate(s=Sum(field))["s"] or 0


def batch_budget(batch: Batch) -> dict:
    """Every fen of one batch (see the module docstring); `reconciles` is the identity."""
    batch = Batch.objects.select_related("programme").get(pk=batch.pk)  # the pool as committed
    vouchers = Voucher.objects.filter(batch=batch)
    in_use = Order.objects.filter(voucher__batch=batch, voucher__status=VoucherStatus.IN_USE)
    v = vouchers.aggregate(
        claimed=Sum("face_value_fen"), count=Count("pk"),
        held=Sum("face_value_fen", filter=Q(status=VoucherStatus.HELD)),
        in_use=Sum("face_value_fen", filter=Q(status=VoucherStatus.IN_USE)),
        settled=Sum("settled_fen", filter=Q(status=VoucherStatus.SETTLED)),
        lapsed=Sum("face_value_fen", filter=Q(status=VoucherStatus.LAPSED)))
    stage = {name: _sum(in_use, "voucher__face_value_fen", status__in=statuses)
             for name, statuses in (("ordered", ORDERED), ("delivered", DELIVERED), ("redeeming", REDEEMING))}
    ledger = SettlementEntry.objects.filter(batch=batch)
    e = ledger.aggregate(paid=Sum("amount_fen", filter=Q(kind=EntryKind.PAYMENT)),
                         reversed=Sum("amount_fen", filter=Q(kind=EntryKind.REVERSAL)),
                         clawed=Sum("amount_fen", filter=Q(kind=EntryKind.CLAWBACK)))
    slots = Slot.objects.filter(batch=batch).aggregate(all=Sum("face_value_fen"),
                                                       free=Sum("face_value_fen", filter=Q(taken=False)))
    row = {
        "batch_id": batch.pk, "programme": batch.programme.code, "number": batch.number, "title": batch.title,
        "status": batch.status, "budget": batch.budget_fen, "reissued": batch.reissued_fen,
        "unissued": batch.budget_fen - ((slots["all"] or 0) - batch.reissued_fen),
        "remaining": slots["free"] or 0,
        "claimed": v["claimed"] or 0, "vouchers": v["count"], "held": v["held"] or 0, **stage,
        "settled": v["settled"] or 0, "lapsed": v["lapsed"] or 0, "returned_pool": batch.returned_fen,
        "paid": e["paid"] or 0, "reversed": -(e["reversed"] or 0), "clawed_back": -(e["clawed"] or 0),
    }
    row["paid_net"] = row["paid"] - row["reversed"] - row["clawed_back"]
    in_use_total = v["in_use"] or 0
    row["unstaged"] = in_use_total - sum(stage.values())  # in use without an active order: always 0
    row["reconciles"] = (
        row["budget"] == row["unissued"] + row["remaining"] + row["held"] + in_use_total + row["settled"]
        + row["returned_pool"]
        and row["paid"] == row["settled"] and row["unstaged"] == 0)
    return row


def programme_budget(user, programme: VoucherProgramme) -> dict:
    """Each batch the user may see, and their totals."""
    rows = [batch_budget(b) for b in Batch.objects.restrict(user).filter(programme=programme).order_by("number")]
    totals = {name: sum(r[name] for r in rows) for name in (*LINES, "vouchers")}
    return {"programme": programme.code, "batches": rows, "totals": totals,
            "reconciles": all(r["reconciles"] for r in rows)}


def by_provider(user, programme: VoucherProgramme) -> list[dict]:
    """Per provider: orders, value ordered (covered by vouchers), redeemed and paid (net of the ledger)."""
    orders = Order.objects.restrict(user).filter(voucher__batch__programme=programme)
    rows = {}
    for r in (orders.values("provider_id", "provider__organisation__name")
              .annotate(orders=Count("pk"), covered=Sum("covered_fen", filter=~Q(status__in=("declined", "cancelled"))),
                        firm_paid=Sum("firm_pays_fen", filter=~Q(status__in=("declined", "cancelled"))))):
        rows[r["provider_id"]] = {"provider_id": r["provider_id"], "provider": r["provider__organisation__name"],
                                  "orders": r["orders"], "covered": r["covered"] or 0,
                                  "firm_paid": r["firm_paid"] or 0, "paid_net": 0}
    for r in (SettlementEntry.objects.restrict(user).filter(programme=programme).values("provider_id")
              .annotate(net=Sum("amount_fen"))):
        if r["provider_id"] in rows:
            rows[r["provider_id"]]["paid_net"] = r["net"] or 0
    return sorted(rows.values(), key=lambda r: (-r["covered"], r["provider_id"]))


def by_firm(user, programme: VoucherProgramme) -> list[dict]:
    """Per firm: vouchers claimed, value held, in use, settled and lapsed."""
    vouchers = Voucher.objects.restrict(user).filter(batch__programme=programme)
    return [{"firm_id": r["firm_id"], "firm": r["firm__name"], "vouchers": r["n"], "claimed": r["claimed"] or 0,
             "held": r["held"] or 0, "in_use": r["in_use"] or 0, "settled": r["settled"] or 0,
             "lapsed": r["lapsed"] or 0}
            for r in vouchers.values("firm_id", "firm__name").annotate(
                n=Count("pk"), claimed=Sum("face_value_fen"),
                held=Sum("face_value_fen", filter=Q(status=VoucherStatus.HELD)),
                in_use=Sum("face_value_fen", filter=Q(status=VoucherStatus.IN_USE)),
                settled=Sum("settled_fen", filter=Q(status=VoucherStatus.SETTLED)),
                lapsed=Sum("face_value_fen", filter=Q(status=VoucherStatus.LAPSED))).order_by("-claimed", "firm_id")]


def export_xlsx(user, programme: VoucherProgramme) -> bytes:
    """The programme's budget per batch (with the reconciliation), per provider and per firm, in yuan."""
    buffer = io.BytesIO()
    book = safe_workbook(buffer, in_memory=True)
    money = book.add_format({"num_format": "#,##0.00"})

    def sheet(name, header, rows, money_from):
        ws = book.add_worksheet(name)
        write_safe_row(ws, 0, 0, header)
        for i, values in enumerate(rows, 1):
            write_safe_row(ws, i, 0, values[:money_from])
            for j, fen in enumerate(values[money_from:], money_from):
                ws.write_number(i, j, fen / 100, money)
        return ws

    report = programme_budget(user, programme)
    ws = sheet("batches", ["batch", "title", "vouchers", *[f"{n}_yuan" for n in LINES]],
               [[b["number"], b["title"], b["vouchers"], *[b[n] for n in LINES]] for b in report["batches"]], 3)
    last = len(report["batches"]) + 1
    write_safe_row(ws, last, 0, ["total", "", report["totals"]["vouchers"]])
    for j, name in enumerate(LINES, 3):
        ws.write_number(last, j, report["totals"][name] / 100, money)
    ws.write(last + 1, 0, "reconciles" if report["reconciles"] else "DOES NOT RECONCILE")
    sheet("providers", ["provider", "orders", "covered_yuan", "firm_paid_yuan", "paid_net_yuan"],
          [[r["provider"], r["orders"], r["covered"], r["firm_paid"], r["paid_net"]]
           for r in by_provider(user, programme)], 2)
    sheet("firms", ["firm", "vouchers", "claimed_yuan", "held_yuan", "in_use_yuan", "settled_yuan", "lapsed_yuan"],
          [[r["firm"], r["vouchers"], r["claimed"], r["held"], r["in_use"], r["settled"], r["lapsed"]]
           for r in by_firm(user, programme)], 2)
    book.close()
    return buffer.getvalue()


__all__ = ["batch_budget", "by_firm", "by_provider", "export_xlsx", "programme_budget"]
