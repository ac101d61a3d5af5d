"""Programmes and batches: sync from the packs, add a batch, publish it (cut the budget into slots), close it,
and cut returned value into new slots."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fuhua.core.context import acting_for
from fuhua.core.exceptions import Conflict
from fuhua.marketplace import services as marketplace
from fuhua.registry.models import Region

from .. import packs, tasks
from ..models import Batch, BatchStatus, Slot, VoucherProgramme
from ..workflow import BATCH_WORKFLOW
from .common import require, terms

ONE_DAY = datetime.timedelta(days=1)

SLOT_CHUNK = 5000


def _regions(programme: packs.ProgrammePack) -> Region:
    """The programme's region, creating the zones the registry does not ship (their parents must exist)."""
    for spec in programme.meta.regions:
        if not Region.objects.filter(pk=spec.code).exists():
            parent = Region.objects.filter(pk=spec.parent).first()
            if parent is None:
                raise ValidationError({"region": _("Region %(code)s is not in the registry.") % {"code": spec.parent}})
            Region.objects.create(code=spec.code, name=spec.name, level=spec.level, parent=parent)
    region = Region.objects.filter(pk=programme.meta.region).first()
    if region is None:
        raise ValidationError({"region": _("Region %(code)s is not in the registry.") % {
            "code": programme.meta.region}})
    return region


@transaction.atomic
def sync_programme(user, code: str) -> VoucherProgramme:
    """Create or update the programme row of pack `code`, its batches as drafts (batches already published
    keep their figures), and make it known to the marketplace's catalogue."""
    programme = packs.get(code)
    region = _regions(programme)
    with acting_for(user):
        row = VoucherProgramme.objects.filter(code=code).first()
        values = {"title": programme.title, "issuer": programme.meta.issuer,
                  "document_number": programme.pack.document.number, "region": region,
                  "pack_version": datetime.date.fromisoformat(str(programme.pack.effective_from)),
                  "illustrative": programme.meta.illustrative}
        if row is None:
            require(user, "add", VoucherProgramme)
            row = VoucherProgramme(code=code, **values)
        else:
            require(user, "change", row)
            for name, value in values.items():
                setattr(row, name, value)
        row.full_clean()
        row.save()
        for spec in programme.meta.batches:
            face = programme.terms(spec.opens_at.date()).face_value
            batch = Batch.objects.filter(programme=row, number=spec.number).first()
            if batch is None:
                batch = Batch(programme=row, number=spec.number)
            elif batch.status != BatchStatus.DRAFT:
                continue
            batch.title, batch.budget_fen, batch.face_value_fen = spec.title, spec.budget_fen, face
            batch.opens_at, batch.closes_at = spec.opens_at, spec.closes_at
            batch.full_clean()
            batch.save()
    marketplace.register_programme(code, programme.title)
    return row


def setup(user, codes=None) -> list[VoucherProgramme]:
    """Sync the bundled programme packs (all, or those named)."""
    return [sync_programme(user, code) for code in (codes or sorted(packs.bundled()))]


@transaction.atomic
def add_batch(user, programme: VoucherProgramme, *, number: int, title: str, budget_fen: int,
              opens_at: datetime.datetime, closes_at: datetime.datetime) -> Batch:
    """A further batch decided by the bureau (a draft): the face value is the pack's in force at opening."""
    require(user, "change", programme)
    require(user, "add", Batch)
    face = terms(programme, timezone.localdate(opens_at)).face_value
    if budget_fen is None or budget_fen <= 0:
        raise ValidationError({"budget_fen": _("The budget must be positive.")})
    if budget_fen % face:
        raise ValidationError({"budget_fen": _("The budget must be a whole number of vouchers of %(face)s yuan.") % {
            "face": f"{face / 100:,.2f}"}})
    if Batch.objects.filter(programme=programme, number=number).exists():
        raise ValidationError({"number": _("This programme already has a batch %(n)s.") % {"n": number}})
    with acting_for(user):
        batch = Batch(programme=programme, number=number, title=title, budget_fen=budget_fen, face_value_fen=face,
                      opens_at=opens_at, closes_at=closes_at)
        batch.full_clean()
        batch.save()
    return batch


def _cut(batch: Batch, amount_fen: int, reissue: bool) -> int:
    count = amount_fen // batch.face_value_fen
    for start in range(0, count, SLOT_CHUNK):
        Slot.objects.bulk_create([Slot(batch=batch, face_value_fen=batch.face_value_fen, reissue=reissue)
                                  for _ in range(min(SLOT_CHUNK, count - start))])
    return count


@transaction.atomic
def publish_batch(user, batch: Batch) -> Batch:
    """Publish a draft batch: its budget is cut into slots of the face value, claimable from `opens_at`."""
    batch = Batch.objects.select_for_update().get(pk=batch.pk)
    BATCH_WORKFLOW.can(user, batch, "publish").raise_if_refused()
    if batch.budget_fen % batch.face_value_fen:
        raise ValidationError({"budget_fen": _("The budget is not a whole number of vouchers.")})
    if Slot.objects.filter(batch=batch).exists():
        raise Conflict(_("This batch already has its vouchers."))
    _cut(batch, batch.budget_fen, reissue=False)
    published = BATCH_WORKFLOW.apply(user, batch, "publish")
    if timezone.localdate(batch.opens_at) <= timezone.localdate() < timezone.localdate(batch.closes_at) + ONE_DAY:
        # Claims start today: the firms' eligibility is stored in the background before the rush (the daily
        # 00:15 run covers batches opening on a later day).
        transaction.on_commit(tasks.precompute_eligibility.enqueue)
    return published


def close_batch(user, batch: Batch, reason: str) -> Batch:
    """Close a batch early (no further claims); vouchers already claimed stay valid."""
    return BATCH_WORKFLOW.apply(user, batch, "close", reason=reason)


def return_value(batch: Batch, amount_fen: int) -> None:
    """Value released by a voucher (lapsed, or the unused part when settled) goes back to the batch: into its
    returned pool, and while the batch takes claims as many full-value slots as the pool covers are cut.
    Call inside the transaction that released it."""
    if amount_fen <= 0:
        return
    locked = Batch.objects.select_for_update().get(pk=batch.pk)
    pool = locked.returned_fen + amount_fen
    reissued = 0
    if locked.status == BatchStatus.PUBLISHED and timezone.now() < locked.closes_at:
        reissued = _cut(locked, pool, reissue=True) * locked.face_value_fen
    Batch.objects.filter(pk=locked.pk).update(returned_fen=pool - reissued,
                                              reissued_fen=locked.reissued_fen + reissued)


__all__ = ["add_batch", "close_batch", "publish_batch", "return_value", "setup", "sync_programme"]
