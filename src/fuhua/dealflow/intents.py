"""Investment intents recorded at a roadshow (events.InvestmentIntent) become deal-flow records.

Events and deal flow are independent domain apps: neither imports the other. Deal flow listens for the new
intent by Django's model signal with a lazy sender ("events.InvestmentIntent", resolved by the app registry),
so events knows nothing of deals. The receiver runs inside the transaction that records the intent, acting as
whoever recorded it (the audit names them): a deal refused here undoes the intent.

- A firm's intent opens a deal at "introduced" with the investor's institution and the investor as contact,
  the intended amount and notes in the deal's note; an open deal of the same firm and institution is reused
  (the intent is linked to it) instead of a second one.
- A start-up team's intent (no firm yet) opens no deal.
The intent keeps a reference to its deal (events.InvestmentIntent.followup), written here.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models.signals import post_save
from django.utils import timezone
from django.utils.translation import gettext as _

from fuhua.core.formatting import money

from .models import OPEN_STAGES, Deal

SENDER = "events.InvestmentIntent"


def _note(intent) -> str:
    parts = [_("Investment intent recorded at the roadshow %(event)s for %(project)s.") % {
        "event": intent.event, "project": intent.application.project}]
    if intent.amount_fen:
        parts.append(_("Intended amount: %(amount)s.") % {"amount": money(intent.amount_fen)})
    if intent.note.strip():
        parts.append(intent.note.strip())
    return " ".join(parts)


def deal_from_intent(intent) -> Deal | None:
    """The deal an intent opens (or the open deal it joins); None for a start-up team."""
    firm_id = intent.application.firm_id
    if firm_id is None:
        return None
    institution_id = intent.investor.institution_id
    deal = Deal.objects.filter(firm_id=firm_id, institution_id=institution_id, status__in=OPEN_STAGES).first()
    if deal is None:
        deal = Deal(firm_id=firm_id, institution_id=institution_id, contact_id=intent.investor_id,
                    introduced_on=timezone.localdate(), note=_note(intent))
        deal.full_clean()
        deal.save()  # attributed to the person recording the intent (the current actor)
        from .services import notify

        transaction.on_commit(lambda: notify(deal, _("New deal from a roadshow investment intent")))
    type(intent)._base_manager.filter(pk=intent.pk).update(
        followup_type=ContentType.objects.get_for_model(Deal), followup_id=deal.pk)
    intent.followup_type_id, intent.followup_id = ContentType.objects.get_for_model(Deal).pk, deal.pk
    return deal


def _on_intent(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        deal_from_intent(instance)


def connect() -> None:
    post_save.connect(_on_intent, sender=SENDER, dispatch_uid="dealflow.intents")
