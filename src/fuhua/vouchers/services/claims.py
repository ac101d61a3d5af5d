"""The claim rush: first come, first served, never oversold, never twice for one request key.

One claim is one short transaction of a few statements (README, "The claim rush"):

1. the firm's advisory lock (PostgreSQL `pg_advisory_xact_lock`; SQLite serialises writers anyway), so
   two claims of the same firm — a retry racing its original, or two browser tabs — run one after the
   other and the per-firm limits hold;
2. one read (`_state`): the firm's region (the scope: the programme's region must hold it), the voucher
   this request key already claimed (a retry after a timeout gets the voucher its first attempt claimed,
   never a second one), the firm's eligibility stored for the day (`eligibility.precompute` evaluates a
   whole region in one engine run; a firm not in the stored set is evaluated on the spot and stored), and
   what the firm holds and claimed this year in the programme;
3. the scope, the batch's window and the programme's limits, decided in Python from that row;
4. the first free slot of the batch taken in one statement (PostgreSQL: `UPDATE … WHERE id = (SELECT …
   FOR UPDATE SKIP LOCKED LIMIT 1) RETURNING`, on the partial index of the free slots): concurrent claims
   take different rows instead of queueing on one counter row; the same statement tells "none free" (sold
   out) from "the free ones are all being claimed right now" (busy);
5. the voucher created (audited), committed with the slot.

The acting firm comes from the user's memoised grants (no query), the batch from the caller: the API reads
it by key with its programme and region (`claimable_batch`) and the claim decides the scope itself (the
batch's firm scope is "the programme's region holds the firm's region"), so a claim compiles no scoped
queryset.

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

from fuhua.core.compiled import INT_MARK, Compiled
from fuhua.core.context import acting_for
from fuhua.core.exceptions import Conflict
from fuhua.core.system import as_db_user
from fuhua.registry.models import Firm

from ..models import Batch, BatchStatus, Slot, Voucher, VoucherStatus
from .common import firm_id_of, require, terms, yuan
from .eligibility import eligibility

KEY = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
CLAIMED, SOLD_OUT, LIMIT_REACHED, NOT_ELIGIBLE, NOT_OPEN, CLOSED, BUSY = (
    "claimed", "sold_out", "limit_reached", "not_eligible", "not_open", "closed", "busy")
LOCK_NAMESPACE = 0x5643  # "VC": the advisory-lock class of voucher claims (firm id is the object)
HOLDING = (VoucherStatus.HELD, VoucherStatus.IN_USE)
# The slot pick on PostgreSQL: concurrent claims lock (and take) different free rows instead of queueing. One row
# (id, face value) when a slot was taken; one row (NULL, NULL) when free slots exist but every one is locked by a
# claim in flight (busy); no row when none is free (sold out). The free slots are found on a partial index.
TAKE_SLOT_SQL = (
    "WITH t AS (UPDATE vouchers_slot SET taken = true WHERE id = (SELECT id FROM vouchers_slot WHERE batch_id = %s "
    "AND NOT taken ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING id, face_value_fen) "
    "SELECT id, face_value_fen FROM t UNION ALL SELECT NULL, NULL WHERE NOT EXISTS (SELECT 1 FROM t) "
    "AND EXISTS (SELECT 1 FROM vouchers_slot WHERE batch_id = %s AND NOT taken)")
BUSY_SLOT = (None, None)
# Everything a claim reads before the slot, in one round trip (see `_state`).
STATE_SQL = (
    "SELECT (SELECT region_id FROM registry_firm WHERE id = %s), "
    "(SELECT id FROM vouchers_voucher WHERE firm_id = %s AND idempotency_key = %s), "
    "(SELECT batch_id FROM vouchers_voucher WHERE firm_id = %s AND idempotency_key = %s), "
    "(SELECT eligible FROM vouchers_eligibilitycheck WHERE programme_id = %s AND firm_id = %s AND as_of = %s), "
    "(SELECT reason FROM vouchers_eligibilitycheck WHERE programme_id = %s AND firm_id = %s AND as_of = %s), "
    "(SELECT COALESCE(SUM(x.face_value_fen), 0) FROM vouchers_voucher x JOIN vouchers_batch y ON y.id = x.batch_id "
    "WHERE x.firm_id = %s AND y.programme_id = %s AND x.status IN (%s, %s)), "
    "(SELECT COALESCE(SUM(x.face_value_fen), 0) FROM vouchers_voucher x JOIN vouchers_batch y ON y.id = x.batch_id "
    "WHERE x.firm_id = %s AND y.programme_id = %s AND x.claimed_at >= %s)")


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


def _take_slot(batch: Batch) -> tuple[int, int] | tuple[None, None] | None:
    """Take the first free slot of the batch: (slot id, face value); BUSY_SLOT when free slots exist but every
    one is being claimed at this instant; None when none is free (sold out).

    PostgreSQL: one statement, `UPDATE … WHERE id = (SELECT … FOR UPDATE SKIP LOCKED LIMIT 1) RETURNING`, so
    concurrent claims take different rows instead of queueing, which also answers busy or sold out when it
    took none. Elsewhere (SQLite serialises writers, nothing is ever in flight) the first free row, then a
    conditional UPDATE."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(TAKE_SLOT_SQL, [batch.pk, batch.pk])
            return cursor.fetchone()
    row = Slot.objects.filter(batch=batch, taken=False).order_by("id").values_list("id", "face_value_fen").first()
    if row is None:
        return None
    if not Slot.objects.filter(pk=row[0], taken=False).update(taken=True):
        return BUSY_SLOT
    return row


def _state(batch: Batch, firm_id: int, key: str, day: datetime.date, year_start: datetime.datetime) -> tuple:
    """One round trip for everything a claim reads before taking a slot: the firm's region (NULL: no such firm),
    the voucher this key already claimed (id, batch), the firm's stored eligibility of the day (eligible,
    reason; NULL when not stored), and what the firm holds at once and claimed this year in the programme (fen)."""
    ops = connection.ops
    d, ys, p = ops.adapt_datefield_value(day), ops.adapt_datetimefield_value(year_start), batch.programme_id
    params = [firm_id, firm_id, key, firm_id, key, p, firm_id, d, p, firm_id, d, firm_id, p, *[str(h) for h in HOLDING],
              firm_id, p, ys]
    with connection.cursor() as cursor:
        cursor.execute(STATE_SQL, params)
        return cursor.fetchone()


def window(batch: Batch, now: datetime.datetime) -> ClaimResult | None:
    """Not open yet / closed, or None when the batch takes claims at `now`."""
    if batch.status == BatchStatus.CLOSED or now >= batch.closes_at:
        return ClaimResult(CLOSED, _("This batch closed at %(time)s.") % {
            "time": timezone.localtime(batch.closes_at).strftime("%Y-%m-%d %H:%M")})
    if batch.status != BatchStatus.PUBLISHED or now < batch.opens_at:
        return ClaimResult(NOT_OPEN, _("This batch opens at %(time)s.") % {
            "time": timezone.localtime(batch.opens_at).strftime("%Y-%m-%d %H:%M")})
    return None


def _year_start(now: datetime.datetime) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(timezone.localtime(now).year, 1, 1))


def _over_limit(t, face_fen: int, held: int, year: int) -> ClaimResult | None:
    if face_fen > t.per_claim_max:
        return ClaimResult(LIMIT_REACHED, _("A claim may be at most %(max)s yuan (%(source)s).") % {
            "max": yuan(t.per_claim_max), "source": t.cite("per_claim_max")})
    if held + face_fen > t.held_max:
        return ClaimResult(LIMIT_REACHED, _("You hold %(held)s yuan of vouchers; at most %(max)s yuan may be held "
                                            "at once (%(source)s).") % {
            "held": yuan(held), "max": yuan(t.held_max), "source": t.cite("held_max")})
    if year + face_fen > t.year_max:
        return ClaimResult(LIMIT_REACHED, _("You claimed %(year)s yuan this year; at most %(max)s yuan a year "
                                            "(%(source)s).") % {
            "year": yuan(year), "max": yuan(t.year_max), "source": t.cite("year_max")})
    return None


def limits(batch: Batch, firm, face_fen: int, now: datetime.datetime) -> ClaimResult | None:
    """The programme's per-claim, held-at-once and per-year limits (the pack's parameters in force today)."""
    t = terms(batch.programme, timezone.localdate(now))
    sums = Voucher.objects.filter(firm=firm, batch__programme_id=batch.programme_id).aggregate(
        held=Sum("face_value_fen", filter=Q(status__in=HOLDING)),
        year=Sum("face_value_fen", filter=Q(claimed_at__gte=_year_start(now))))
    return _over_limit(t, face_fen, sums["held"] or 0, sums["year"] or 0)


class OutOfScope(PermissionDenied):
    """The batch is not among those the firm's account sees (the API answers 404, like for any object out of
    scope: nothing about the batch leaks)."""


_BATCH_BY_KEY: list = []  # the compiled query of `claimable_batch` (the same SQL for everyone: built once)


def claimable_batch(pk: int) -> Batch | None:
    """The batch by key with its programme and region, as `claim` reads them; `claim` decides the scope (an
    account that may not see the batch gets OutOfScope), so the caller needs no scoped queryset. The query is
    compiled once per process (core.compiled) and afterwards only run."""
    if not -(2**63) <= pk < 2**63:
        return None
    if not _BATCH_BY_KEY or _BATCH_BY_KEY[0].db != Batch.objects.db:
        _BATCH_BY_KEY[:] = [Compiled(Batch.objects.select_related("programme__region").filter(pk=INT_MARK)
                                     .order_by()[:1], [INT_MARK])]
    found = _BATCH_BY_KEY[0].fetch([pk])
    return found[0] if found else None


def _may_claim_in(user, region_id: str | None, batch: Batch) -> None:
    """The firm's account sees the batch: the programme's region holds the firm's (what the firm scope of
    Batch says, decided without its subqueries; OutOfScope, a PermissionDenied, otherwise)."""
    if region_id is None:
        raise ValidationError({"firm": _("You do not act for this firm.")})
    if getattr(user, "is_superuser", False):
        return
    if not region_id.startswith(batch.programme.region.code_prefix):
        raise OutOfScope(_("This batch is outside your scope."))


def claim(user, batch: Batch, idempotency_key: str, *, firm=None, now: datetime.datetime | None = None
          ) -> ClaimResult:
    """Claim one voucher of `batch` for the user's firm; answered at once (see the module docstring).

    Raises ValidationError for a malformed key, PermissionDenied for a user who does not act for a firm or
    may not see the batch, Conflict when the key was already used for another batch."""
    key = (idempotency_key or "").strip()
    if not KEY.match(key):
        raise ValidationError({"idempotency_key": _("A request key is 1 to 64 letters, digits or _ . : -")})
    firm_id = firm_id_of(user, firm)  # from the memoised grants: no query
    require(user, "view", Batch)
    require(user, "add", Voucher)
    now = now or timezone.now()
    day = timezone.localdate(now)
    refused = window(batch, now)  # from the batch in hand: no query
    with transaction.atomic(), acting_for(user):
        _lock_firm(firm_id)
        region_id, voucher_id, voucher_batch, eligible, reason, held, year = _state(
            batch, firm_id, key, day, _year_start(now))
        _may_claim_in(user, region_id, batch)
        if voucher_id is not None:
            if voucher_batch != batch.pk:
                raise Conflict(_("This request key was already used to claim a voucher of another batch."))
            voucher = Voucher.objects.get(pk=voucher_id)
            voucher.batch = batch  # with its programme: the answer names it without a query
            return ClaimResult(CLAIMED, voucher=voucher, replay=True)
        if refused is not None:
            return refused
        if eligible is None:  # not in the stored set of the day: evaluated on the spot (and stored)
            check = eligibility(batch.programme, firm if isinstance(firm, Firm) else Firm.objects.get(pk=firm_id),
                                day)
            eligible, reason = check.eligible, check.reason
        if not eligible:
            return ClaimResult(NOT_ELIGIBLE, reason)
        t = terms(batch.programme, day)
        refused = _over_limit(t, batch.face_value_fen, int(held), int(year))
        if refused is not None:
            return refused
        slot = _take_slot(batch)
        if slot is None:
            return ClaimResult(SOLD_OUT, _("All vouchers of this batch have been claimed."))
        if slot[0] is None:
            return ClaimResult(BUSY, _("Every remaining voucher is being claimed right now; try again with the "
                                       "same request key."))
        voucher = Voucher(
            slot_id=slot[0], batch=batch, firm_id=firm_id, face_value_fen=slot[1], claimed_at=now,
            valid_until=day + datetime.timedelta(days=t.validity_days), idempotency_key=key,
            claimed_by=as_db_user(user))
        voucher.save(force_insert=True)
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
    "OutOfScope",
    "claim",
    "claimable_batch",
    "limits",
    "window",
]
