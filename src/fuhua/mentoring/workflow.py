"""The pairing's states as data: proposed → active (the mentor, or whoever may change it, accepts) →
completed; proposed or active → ended early, with the reason. Nothing goes back."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fuhua.core.workflow import Transition, Workflow

from .models import PairingStatus as S


def _ended(pairing, reason="", on=None, **kw):
    pairing.ended_on = on or timezone.localdate()
    pairing.end_reason = reason


def _completed(pairing, on=None, **kw):
    pairing.ended_on = on or timezone.localdate()


PAIRING_WORKFLOW = Workflow("status", [
    Transition("activate", _("start the pairing"), frozenset({S.PROPOSED}), S.ACTIVE),
    Transition("complete", _("complete"), frozenset({S.ACTIVE}), S.COMPLETED, effect=_completed),
    Transition("end", _("end early"), frozenset({S.PROPOSED, S.ACTIVE}), S.ENDED, needs_reason=True, effect=_ended),
], model="mentoring.pairing")
IRREVERSIBLE = {"complete", "end"}
