"""The deal's stages as data: introduced → meeting → due diligence → term sheet → invested, one stage at a
time; any open stage → declined, with the reason. No step goes back or skips a stage: each step starts only
from the stage before it (a refused step says from which stage it was tried). The financing need: open →
closed (with the date)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fuhua.core.workflow import Transition, Workflow, invalid
from fuhua.registry.choices import InvestmentRound

from .models import OPEN_STAGES, STAGE_DATES
from .models import DealStatus as S
from .models import NeedStatus as N


def _dated(target):
    def effect(deal, on=None, **kw):
        day = on or timezone.localdate()
        setattr(deal, STAGE_DATES[target], day)
    return effect


def _declined(deal, reason="", on=None, **kw):
    deal.declined_on = on or timezone.localdate()
    deal.decline_reason = reason


def _invested(deal, amount_fen=None, round="", on=None, **kw):
    deal.invested_on = on or timezone.localdate()
    deal.amount_fen = amount_fen
    deal.round = round


def _not_before(user, deal, on=None, **kw):
    """A stage's date is not before the previous stage's, nor in the future."""
    if on is None:
        return True
    if on > timezone.localdate():
        return invalid(_("This date cannot be in the future."), "on")
    last = max((d for d in (getattr(deal, f) for f in STAGE_DATES.values()) if d), default=None)
    if last and on < last:
        return invalid(_("The date cannot be before the previous stage (%(date)s).") % {"date": last}, "on")
    return True


def _amount_and_round(user, deal, amount_fen=None, round="", **kw):
    if not amount_fen or amount_fen <= 0:
        return invalid(_("Give the amount invested (a positive number)."), "amount_fen")
    if round not in InvestmentRound.values:
        return invalid(_("Choose the round of the investment."), "round")
    return True


DEAL_WORKFLOW = Workflow("status", [
    Transition("meet", _("first meeting held"), frozenset({S.INTRODUCED}), S.MEETING, effect=_dated(S.MEETING),
               validators=(_not_before,)),
    Transition("diligence", _("start due diligence"), frozenset({S.MEETING}), S.DUE_DILIGENCE,
               effect=_dated(S.DUE_DILIGENCE), validators=(_not_before,)),
    Transition("term_sheet", _("term sheet signed"), frozenset({S.DUE_DILIGENCE}), S.TERM_SHEET,
               effect=_dated(S.TERM_SHEET), validators=(_not_before,)),
    Transition("invest", _("invested"), frozenset({S.TERM_SHEET}), S.INVESTED, effect=_invested,
               validators=(_not_before, _amount_and_round)),
    Transition("decline", _("decline"), frozenset(OPEN_STAGES), S.DECLINED, needs_reason=True, effect=_declined,
               validators=(_not_before,)),
], model="dealflow.deal")


def _closed(need, on=None, **kw):
    need.closed_on = on or timezone.localdate()


NEED_WORKFLOW = Workflow("status", [
    Transition("close", _("close the need"), frozenset({N.OPEN}), N.CLOSED, effect=_closed),
], model="dealflow.financingneed")
IRREVERSIBLE = {"invest", "decline", "close"}
