"""Audit sampling: a reproducible random sample of a programme's settled redemptions, at least the pack's rate;
a finding claws back through a negative ledger entry (never by changing a payment)."""

from __future__ import annotations

import datetime
import math
import random
import secrets
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from fuhua.core.context import acting_for
from fuhua.core.exceptions import Conflict
from fuhua.core.system import as_db_user

from ..models import (
    AuditItem,
    AuditSample,
    EntryKind,
    Redemption,
    RedemptionStatus,
    SettlementEntry,
    VoucherProgramme,
)
from ..workflow import AUDIT_ITEM_WORKFLOW
from .common import require, terms, today, yuan
from .redemptions import net_paid


def sample_ids(population_ids: list[int], seed: int, rate: float) -> list[int]:
    """The sample a seed draws from a population: ceil(rate × n) ids (at least one of a non-empty population),
    the same ids for the same seed and population, in ascending order."""
    ids = sorted(population_ids)
    if not ids:
        return []
    size = min(len(ids), max(1, math.ceil(len(ids) * rate - 1e-9)))
    return sorted(random.Random(seed).sample(ids, size))  # noqa: S311 (reproducible by design, not a secret)


@transaction.atomic
def draw_sample(user, programme: VoucherProgramme, *, seed: int | None = None, rate_percent=None,
                on: datetime.date | None = None) -> AuditSample:
    """Draw the sample of the programme's settled redemptions not sampled before; `rate_percent` may raise the
    pack's audit rate, never lower it."""
    require(user, "change", programme)
    require(user, "add", AuditSample)
    t = terms(programme, today(on))
    floor = Decimal(str(round(t.audit_rate * 100, 2)))
    rate = floor if rate_percent is None else Decimal(str(rate_percent))
    if rate < floor or rate > 100:
        raise ValidationError({"rate_percent": _("The sample rate must be between the programme's %(floor)s%% "
                                                 "(%(source)s) and 100%%.") % {"floor": floor,
                                                                              "source": t.cite("audit_rate")}})
    seed = secrets.randbelow(2**62) if seed is None else int(seed)
    sampled = AuditItem.objects.filter(sample__programme=programme).values("redemption_id")
    population = list(Redemption.objects.filter(order__voucher__batch__programme=programme,
                                                status=RedemptionStatus.SETTLED)
                      .exclude(pk__in=sampled).order_by("pk").values_list("pk", flat=True))
    if not population:
        raise Conflict(_("No settled redemption of this programme is left to sample."))
    chosen = sample_ids(population, seed, float(rate) / 100)
    with acting_for(user):
        sample = AuditSample.objects.create(programme=programme, seed=seed, rate_percent=rate,
                                            population_size=len(population), drawn_on=today(on),
                                            drawn_by=as_db_user(user), population_ids=population)
        AuditItem.objects.bulk_create([AuditItem(sample=sample, redemption_id=pk) for pk in chosen])
    return sample


def redraw(sample: AuditSample) -> list[int]:
    """Draw the sample again from its stored seed and population: the same redemptions (the reproducibility check)."""
    return sample_ids(sample.population_ids, sample.seed, float(sample.rate_percent) / 100)


@transaction.atomic
def pass_item(user, item: AuditItem, note: str = "") -> AuditItem:
    item = AuditItem.objects.select_for_update().get(pk=item.pk)
    item.finding = (note or "")[:500]
    return AUDIT_ITEM_WORKFLOW.apply(user, item, "pass", reason=note)


@transaction.atomic
def record_finding(user, item: AuditItem, finding: str, clawback_fen: int, on: datetime.date | None = None
                   ) -> AuditItem:
    """A finding on a sampled redemption: claw back up to what the ledger paid for it (a negative entry)."""
    item = AuditItem.objects.select_for_update().select_related("redemption__order__voucher__batch__programme").get(
        pk=item.pk)
    if not isinstance(clawback_fen, int) or isinstance(clawback_fen, bool) or clawback_fen < 0:
        raise ValidationError({"clawback_fen": _("The amount to claw back is a number of fen, zero or more.")})
    AUDIT_ITEM_WORKFLOW.can(user, item, "find", reason=finding).raise_if_refused()
    redemption = item.redemption
    paid = net_paid(redemption)
    if clawback_fen > paid:
        raise ValidationError({"clawback_fen": _("%(amount)s yuan is more than the %(paid)s yuan paid for this "
                                                 "redemption.") % {"amount": yuan(clawback_fen), "paid": yuan(paid)}})
    item.finding, item.clawback_fen = finding[:500], clawback_fen
    with acting_for(user):
        if clawback_fen:
            voucher = redemption.order.voucher
            SettlementEntry.objects.create(
                programme=voucher.batch.programme, batch=voucher.batch, voucher=voucher, redemption=redemption,
                provider_id=redemption.provider_id, firm_id=redemption.order.firm_id, key=f"audit:{item.pk}",
                kind=EntryKind.CLAWBACK, amount_fen=-clawback_fen, paid_on=today(on), reason=finding[:300],
                created_by=as_db_user(user))
        return AUDIT_ITEM_WORKFLOW.apply(user, item, "find", reason=finding)


__all__ = ["draw_sample", "pass_item", "record_finding", "redraw", "sample_ids"]
