"""Paying from the ledger: budget-locked, in priority order, each entitlement key at most once.

Two payment runs at the same time serialise on the policy's budget row (`select_for_update`); should
anything get past that, the ledger's unique (policy, carrier, key) refuses the second payment.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from fuhua.core.context import acting_for
from fuhua.core.exceptions import Conflict
from fuhua.core.system import as_db_user
from fuhua.registry.models import Region

from .. import packs
from ..models import Budget, Entitlement, Payout, PayoutKind
from ..models.entitlement import EntitlementStatus as S
from ..workflow import ENTITLEMENT_WORKFLOW
from .runs import net_paid, priority_key, requeue, require, spent
from .sync import policy_row


@dataclass
class PayResult:
    paid: list[Payout] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # keys another run paid first
    remaining_fen: int = 0

    @property
    def total_fen(self) -> int:
        return sum(p.amount_fen for p in self.paid)


def _payment_key(e: Entitlement) -> str:
    """The entitlement key; after a reversal, a numbered re-payment key (still unique, still once)."""
    earlier = Payout.objects.filter(entitlement=e, kind=PayoutKind.PAYMENT).count()
    return e.key if earlier == 0 else f"{e.key}#{earlier + 1}"


def region_of(e: Entitlement) -> str:
    """The region a payment is booked under: the firm's or team's own, else the carrier's."""
    holder = e.firm or e.team or e.operator or (e.person and e.person.venture) or e.carrier
    return holder.region_id


def pay(user, policy_code: str, year: int, *, entitlement_ids=None, limit: int | None = None,
        paid_on: datetime.date | None = None, reference: str = "") -> PayResult:
    """Pay the year's confirmed entitlements (or those listed) in priority order, within the budget."""
    policy = policy_row(policy_code)
    require(user, "change", policy)
    require(user, "add", Payout)
    result = PayResult()
    with transaction.atomic(), acting_for(user):
        budget = Budget.objects.select_for_update().filter(policy=policy, year=year).first()
        if budget is None:
            raise Conflict(_("%(policy)s has no budget for %(year)s.") % {"policy": policy.code, "year": year})
        remaining = budget.amount_fen - spent(policy, year)
        # Lock the entitlements only (not the nullable carrier, firm or team they join for sorting).
        candidates = Entitlement.objects.select_for_update(of=("self",)).filter(policy=policy, period=year,
                                                                           status=S.CONFIRMED)
        if entitlement_ids is not None:
            candidates = candidates.filter(pk__in=list(entitlement_ids))
        rule = packs.get(policy_code).meta.priority
        paid = []
        for e in sorted(candidates.select_related("carrier", "firm", "team", "operator", "person__firm",
                                                  "person__team"), key=priority_key(rule)):
            if limit is not None and len(result.paid) >= limit:
                break
            if e.amount_fen > remaining:
                break  # strict priority: the rest wait for budget
            try:
                with transaction.atomic():
                    payout = Payout.objects.create(
                        policy=policy, carrier=e.carrier, firm=e.firm, team=e.team, operator=e.operator,
                        person=e.person, entitlement=e,
                        key=_payment_key(e), group=e.group, period=e.period, budget_year=year,
                        region_code=region_of(e), amount_fen=e.amount_fen,
                        paid_on=paid_on or timezone.localdate(), reference=reference, created_by=as_db_user(user))
            except IntegrityError:
                result.skipped.append(e.key)
                continue
            e.policy = policy
            paid.append(e)
            remaining -= e.amount_fen
            result.paid.append(payout)
        ENTITLEMENT_WORKFLOW.apply_bulk(user, paid, "pay", reason=_("Paid from the %(year)s budget%(ref)s.") % {
            "year": year, "ref": f" ({reference})" if reference else ""})
        requeue(user, policy, year)
        result.remaining_fen = remaining
    return result


def reverse(user, payout: Payout, reason: str) -> Payout:
    """Correct a payment with a reversing entry; the entitlement becomes payable again."""
    require(user, "change", payout)  # correcting = adding a reversing entry (rows never change)
    if payout.kind != PayoutKind.PAYMENT:
        raise Conflict(_("Only a payment can be reversed."))
    if not reason.strip():
        raise Conflict(_("Say why the payment is reversed."))
    with transaction.atomic(), acting_for(user):
        try:
            with transaction.atomic():
                entry = Payout.objects.create(
                    policy=payout.policy, carrier=payout.carrier, firm=payout.firm, team=payout.team,
                    operator=payout.operator, person=payout.person, entitlement=payout.entitlement,
                    key=f"{payout.key}:reversal", kind=PayoutKind.REVERSAL, group=payout.group, period=payout.period,
                    budget_year=payout.budget_year, region_code=payout.region_code, amount_fen=-payout.amount_fen,
                    reverses=payout, paid_on=timezone.localdate(), reason=reason[:200], created_by=as_db_user(user))
        except IntegrityError:
            raise Conflict(_("This payment has already been reversed.")) from None
        e = payout.entitlement
        if e is not None and net_paid(e) == 0 and e.status == S.PAID:
            ENTITLEMENT_WORKFLOW.apply(user, e, "reopen", reason=reason)
    return entry


def recover(user, clawback: Entitlement, reason: str = "") -> Payout:
    """Record the money recovered for a clawback proposal (a negative ledger entry)."""
    require(user, "add", Payout)
    require(user, "change", clawback.policy)
    if clawback.status != S.CLAWBACK or clawback.reverses is None:
        raise Conflict(_("This is not an open clawback proposal."))
    original = clawback.reverses.payouts.filter(kind=PayoutKind.PAYMENT).order_by("id").last()
    with transaction.atomic(), acting_for(user):
        entry = Payout.objects.create(
            policy=clawback.policy, carrier=clawback.carrier, firm=clawback.firm, team=clawback.team,
            operator=clawback.operator, person=clawback.person, entitlement=clawback, key=clawback.key,
            kind=PayoutKind.RECOVERY, group=clawback.group, period=clawback.period,
            budget_year=original.budget_year if original else clawback.period, region_code=region_of(clawback),
            amount_fen=clawback.amount_fen, reverses=original, paid_on=timezone.localdate(),
            reason=(reason or clawback.explanation)[:200], created_by=as_db_user(user))
        ENTITLEMENT_WORKFLOW.apply(user, clawback, "recover", reason=reason or _("Money recovered."))
    return entry


# --- totals and export ------------------------------------------------------------------------------


def ledger_totals(queryset) -> dict:
    """Totals per policy × year × city and the grand total; `reconciles` checks they add up."""
    rows = list(queryset.order_by().values("policy__code", "budget_year", "region_code")
                .annotate(total_fen=Sum("amount_fen"), entries=Count("pk")))
    by_city: dict[tuple, dict] = {}
    for row in rows:
        key = (row["policy__code"], row["budget_year"], row["region_code"][:4] + "00")
        agg = by_city.setdefault(key, {"policy": key[0], "year": key[1], "city": key[2], "total_fen": 0, "entries": 0})
        agg["total_fen"] += row["total_fen"]
        agg["entries"] += row["entries"]
    grand = queryset.aggregate(s=Sum("amount_fen"))["s"] or 0
    lines = sorted(by_city.values(), key=lambda r: (r["policy"], r["year"], r["city"]))
    names = dict(Region.objects.filter(code__in={r["city"] for r in lines}).values_list("code", "name"))
    for line in lines:
        line["city_name"] = names.get(line["city"], line["city"])  # "320500" → 苏州市 on screen
    return {"rows": lines, "total_fen": grand, "reconciles": sum(r["total_fen"] for r in lines) == grand}


def budget_status(policy, budgets=None) -> list[dict]:
    """Budget, spend and remainder per year; `budgets`: the policy's budget rows a reader may see
    (`Budget.objects.restrict(user)`), all of them when None (services that pay)."""
    budgets = policy.budgets.all() if budgets is None else budgets.filter(policy=policy)
    rows = []
    for b in budgets.order_by("year"):
        paid = spent(policy, b.year)
        rows.append({"year": b.year, "budget_fen": b.amount_fen, "spent_fen": paid,
                     "remaining_fen": b.amount_fen - paid})
    return rows


LEDGER_COLUMNS = ["id", "paid_on", "policy", "document", "carrier", "region", "key", "kind", "group", "period",
                  "budget_year", "amount_yuan", "reference", "reason"]


def export_xlsx(queryset) -> bytes:
    """Finance export: the ledger rows and the totals per policy, year and city (with a reconciliation)."""
    from fuhua.core.exports import safe_workbook, write_safe_row

    buffer = io.BytesIO()
    book = safe_workbook(buffer, in_memory=True)  # names and references are text, never formulas
    money = book.add_format({"num_format": "#,##0.00"})
    sheet = book.add_worksheet("ledger")
    write_safe_row(sheet, 0, 0, LEDGER_COLUMNS)
    for i, p in enumerate(queryset.select_related("policy", "carrier", "firm", "team", "operator", "person")
                          .order_by("id"), 1):
        holder = p.firm or p.team or p.operator or p.person or p.carrier
        write_safe_row(sheet, i, 0, [p.pk, p.paid_on.isoformat(), p.policy.code, p.policy.document_number,
                                     holder.name, p.region_code, p.key, p.kind, p.group, p.period, p.budget_year])
        sheet.write_number(i, 11, p.amount_fen / 100, money)
        write_safe_row(sheet, i, 12, [p.reference, p.reason])
    totals = ledger_totals(queryset)
    sheet = book.add_worksheet("totals")
    sheet.write_row(0, 0, ["policy", "year", "city", "entries", "total_yuan"])
    for i, row in enumerate(totals["rows"], 1):
        write_safe_row(sheet, i, 0, [row["policy"], row["year"], row["city"], row["entries"]])
        sheet.write_number(i, 4, row["total_fen"] / 100, money)
    last = len(totals["rows"]) + 1
    sheet.write(last, 0, "total")
    sheet.write_number(last, 4, totals["total_fen"] / 100, money)
    sheet.write(last + 1, 0, "reconciles" if totals["reconciles"] else "DOES NOT RECONCILE")
    book.close()
    return buffer.getvalue()
