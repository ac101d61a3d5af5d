"""Policy push on a beneficiary's data change, once the change is committed:

* a firm's new designation (高新技术企业, 专精特新, 小巨人 …), its annual figures (R&D spend, revenue), an
  investment or a founder (a doctorate, a talent title: the person policies) recomputes the published firm (and
  founders') policies for that firm (services.push.firm_changed);
* a team's founder: the published person policies for that founder (people_changed);
* a carrier (its operator) or a recognition of a carrier: the published operator policies for its operator
  (operator_changed) — an operator one recognition away is told so.

Bulk loads (demo, imports) write without signals and are followed by policy runs instead. A failure of the push
is logged, never undoes the registry write."""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models.signals import post_save

from fuhua.registry.models import Carrier, FirmDesignation, FirmYearFigures, Founder, Investment, Recognition

from .services.push import firm_changed, operator_changed, people_changed

log = logging.getLogger(__name__)


def _push(firm_id: int) -> None:
    try:
        firm_changed(firm_id)
    except Exception:
        log.exception("policy push for firm %s failed", firm_id)


def _push_operator(organisation_id: int) -> None:
    try:
        operator_changed(organisation_id)
    except Exception:
        log.exception("policy push for operator %s failed", organisation_id)


def _push_person(founder_id: int) -> None:
    try:
        people_changed([founder_id])
    except Exception:
        log.exception("policy push for person %s failed", founder_id)


def _on_save(sender, instance, raw=False, **kwargs) -> None:
    if raw:
        return
    if instance.firm_id:
        transaction.on_commit(lambda firm_id=instance.firm_id: _push(firm_id))
    elif sender is Founder:  # a team's founder
        transaction.on_commit(lambda pk=instance.pk: _push_person(pk))


def _on_carrier_save(sender, instance, raw=False, **kwargs) -> None:
    if raw:
        return
    operator_id = instance.operator_id if sender is Carrier else (
        Carrier.objects.filter(pk=instance.carrier_id).values_list("operator_id", flat=True).first())
    if operator_id:
        transaction.on_commit(lambda pk=operator_id: _push_operator(pk))


def register() -> None:
    for model in (FirmDesignation, FirmYearFigures, Investment, Founder):
        post_save.connect(_on_save, sender=model, dispatch_uid=f"policies.push.{model._meta.model_name}")
    for model in (Carrier, Recognition):
        post_save.connect(_on_carrier_save, sender=model, dispatch_uid=f"policies.push.{model._meta.model_name}")
