"""Helpers the voucher services share: the pack behind a programme, the acting firm, permission checks."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from fuhua.core.permissions import policy
from fuhua.core.scoping import check
from fuhua.registry.models import Firm

from .. import packs
from ..models import VoucherProgramme


def today(on: datetime.date | None = None) -> datetime.date:
    return on or timezone.localdate()


def pack_of(programme: VoucherProgramme) -> packs.ProgrammePack:
    return packs.get(programme.code)


def terms(programme: VoucherProgramme, on: datetime.date | None = None) -> packs.Terms:
    """The programme's parameters in force on `on` (today by default)."""
    return pack_of(programme).terms(today(on))


def require(user, action: str, obj_or_model) -> None:
    decision = check(user, action, obj_or_model)
    if not decision:
        raise PermissionDenied(decision.reason)


def firm_id_of(user, firm=None) -> int:
    """The id of the firm `user` acts for, from its memoised grants (no query): its firm grant (the one named
    by `firm` when it holds several); the platform (superuser, system) must name the firm."""
    if getattr(user, "is_superuser", False):
        if firm is None:
            raise ValidationError({"firm": _("Name the firm that claims.")})
        return getattr(firm, "pk", firm)
    grants = [g for g in policy().grants_of(user) if g.role == "firm" and g.firm_id]
    if not grants:
        raise PermissionDenied(_("Only a firm's account claims and orders vouchers."))
    wanted = getattr(firm, "pk", firm)
    chosen = [g for g in grants if wanted is None or g.firm_id == wanted]
    if not chosen:  # answered like a firm that does not exist: nothing about it leaks
        raise ValidationError({"firm": _("You do not act for this firm.")})
    if len(chosen) > 1:
        raise ValidationError({"firm": _("You act for several firms: name the one that claims.")})
    return chosen[0].firm_id


def firm_of(user, firm=None):
    """The firm `user` acts for (`firm_id_of`), read."""
    if getattr(user, "is_superuser", False) and isinstance(firm, Firm):
        return firm
    return Firm.objects.get(pk=firm_id_of(user, firm))


def share(amount_fen: int, fraction: float) -> int:
    """`amount_fen × fraction` rounded half up to the fen (四舍五入)."""
    return int((Decimal(amount_fen) * Decimal(str(fraction))).quantize(Decimal(1), ROUND_HALF_UP))


def yuan(fen: int) -> str:
    return f"{fen / 100:,.2f}"
