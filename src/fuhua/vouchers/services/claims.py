"""The claim rush: first come, first served, never oversold, never twice for one request key.

One claim is one transaction:

1. the firm's advisory lock (PostgreSQL `pg_advisory_xact_lock`; SQLite serialises writers anyway), so
   two claims of the same firm — a retry racing its original, or two browser tabs — run one after the
   other and the per-firm limits hold;
2. the request key: a voucher already claimed with it is the answer (a retry after a timeout gets the
   voucher its first attempt claimed, never a second one);
3. the batch's window, the firm's stored eligibility (`eligibility.eligibility`), the programme's limits;
4. the first free slot of the batch, `SELECT … FOR UPDATE SKIP LOCKED`: concurrent claims lock different
   rows instead of queueing on one counter row; none left = sold out;
5. the slot marked taken and the voucher created (audited), committed together.

Refusals are answers, not errors: `ClaimResult.code` is one of sold_out, limit_reached, not_eligible,
not_open, closed, busy (every remaining slot is being claimed at this instant; retry with the same key).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from fuhua.core.context import acting_for
from fuhua.core.exceptions import Conflict
from fuhua.core.system import as_db_user

from ..models import Batch, BatchStatus, Slot, Voucher, VoucherStatus
from .common import firm_of, require, terms, yuan
from .eligibility import eligibility

KEY = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
CLAIMED, SOLD_OUT, LIMIT_REACHED, NOT_ELIGIBLE, NOT_OPEN, CLOSED, BUSY = (
    "claimed", "sold_out", "limit_reached", "not_eligible", "not_open", "closed", "busy")
LOCK_NAMESPACE = 0x5643  # "VC": the advisory-lock class of voucher claims (firm id is the object)
HOLDING = (VoucherStatus.HELD, VoucherStatus.IN_USE)


@dataclass
class ClaimResult:
    code: str
    reason: str = ""
    voucher: Voucher | None = None
    replay: bool = False  # the same key claimed this voucher before

    @property
    def ok(self) -> bool:
        return self.code == CLAIMED


def _lock_firm(firm_id: int) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_NAMESPACE, firm_id])


def _free_slot(batch: Batch) -> Slot | None:
    free = Slot.objects.filter(batch=batch, taken=False).order_by("id")
    if connection.features.has_select_for_update_skip_locked:
        free = free.select_for_update(skip_locked=True)
    return free.only("id", "face_value_fen").first()


def window(batch: Batch, now: datetime.datetime) -> ClaimResult | None:
    """Not open yet / closed, or None when the batch takes claims at `now`."""
    if batch.status == BatchStatus.CLOSED or now >= batch.closes_at:
        return ClaimResult(CLOSED, _("This batch closed at %(time)s.") % {
            "time": timezone.localtime(batch.closes_at).strftime("%Y-%m-%d %H:%M")})
    if batch.status != BatchStatus.PUBLISHED or now < batch.opens_at:
        return ClaimResult(NOT_OPEN, _("This batch opens at %(time)s.") % {
            "time": timezone.localtime(batch.opens_at).strftime("%Y-%m-%d %H:%M")})
    return None


def limits(batch: Batch, firm, face_fen: int, now: datetime.datetime) -> ClaimResult | None:
    """The programme's per-claim, held-at-once and per-year limits (the pack's parameters in force today)."""
    t = terms(batch.programme, timezone.localdate(now))
    if face_fen > t.per_claim_max:
        return ClaimResult(LIMIT_REACHED, _("A claim may be at most %(max)s yuan (%(source)s).") % {
            "max": yuan(t.per_claim_max), "source": t.cite("per_claim_max")})
    year_start = timezone.make_aware(datetime.datetime(timezone.localtime(now).year, 1, 1))
    sums = Voucher.objects.filter(firm=firm, batch__programme_id=batch.programme_id).aggregate(
        held=Sum("face_value_fen", filter=Q(status__in=HOLDING)),
        year=Sum("face_value_fen", filter=Q(claimed_at__gte=year_start)))
    held, year = sums["held"] or 0, sums["year"] or 0
    if held + face_fen > t.held_max:
        return ClaimResult(LIMIT_REACHED, _("You hold %(held)s yuan of vouchers; at most %(max)s yuan may be held "
                                            "at once (%(source)s).") % {
            "held": yuan(held), "max": yuan(t.held_max), "source": t.cite("held_max")})
    if year + face_fen > t.year_max:
        return ClaimResult(LIMIT_REACHED, _("You claimed %(year)s yuan this year; at most %(max)s yuan a year "
                                            "(%(source)s).") % {
            "year": yuan(year), "max": yuan(t.year_max), "source": t.cite("year_max")})
    return None


def _may_claim_in(user, firm, batch: Batch) -> None:
    """The firm's account sees the batch: the programme's region holds the firm's (what the firm scope of
    Batch says, decided without its subqueries; PermissionDenied like `check` otherwise)."""
    require(user, "view", Batch)
    require(user, "add", Voucher)
    if getattr(user, "is_superuser", False):
        return
    if not firm.region_id.startswith(batch.programme.region.code_prefix):
        raise PermissionDenied(_("This batch is outside your scope."))


def claim(user, batch: Batch, idempotency_key: str, *, firm=None, now: datetime.datetime | None = None
          ) -> ClaimResult:
    """Claim one voucher of `batch` for the user's firm; answered at once (see the module docstring).

    Raises ValidationError for a malformed key, PermissionDenied for a user who does not act for a firm or
    may not see the batch, Conflict when the key was already used for another batch."""
    key = (idempotency_key or "").strip()
    if not KEY.match(key):
        raise ValidationError({"idempotency_key": _("A request key is 1 to 64 letters, digits or _ . : -")})
    firm = firm_of(user, firm)
    _may_claim_in(user, firm, batch)
    now = now or timezone.now()
    with transaction.atomic(), acting_for(user):
        _lock_firm(firm.pk)
        existing = Voucher.objects.filter(firm=firm, idempotency_key=key).first()
        if existing is not None:
            if existing.batch_id != batch.pk:
                raise Conflict(_("This request key was already used to claim a voucher of another batch."))
            return ClaimResult(CLAIMED, voucher=existing, replay=True)
        refused = window(batch, now)
        if refused is not None:
            return refused
        check = eligibility(batch.programme, firm, timezone.localdate(now))
        if not check.eligible:
            return ClaimResult(NOT_ELIGIBLE, check.reason)
        refused = limits(batch, firm, batch.face_value_fen, now)
        if refused is not None:
            return refused
        slot = _free_slot(batch)
        if slot is None:
            if Slot.objects.filter(batch=batch, taken=False).exists():
                return ClaimResult(BUSY, _("Every remaining voucher is being claimed right now; try again with the "
                                           "same request key."))
            return ClaimResult(SOLD_OUT, _("All vouchers of this batch have been claimed."))
        Slot.objects.filter(pk=slot.pk, taken=False).update(taken=True)
        t = terms(batch.programme, timezone.localdate(now))
        voucher = Voucher.objects.create(
            slot_id=slot.pk, batch=batch, firm=firm, face_value_fen=slot.face_value_fen, claimed_at=now,
            valid_until=timezone.localdate(now) + datetime.timedelta(days=t.validity_days),
            idempotency_key=key, claimed_by=as_db_user(user))
    return ClaimResult(CLAIMED, voucher=voucher)


__all__ = [
    "BUSY",
    "CLAIMED",
    "CLOSED",
    "LIMIT_REACHED",
    "NOT_ELIGIBLE",
    "NOT_OPEN",
    "SOLD_OUT",
    "ClaimResult",
    "claim",
    "limits",
    "window",
]
