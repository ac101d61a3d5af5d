"""Policy push on a firm's data change: a new designation (高新技术企业, 专精特新, 小巨人 …), its annual figures
(R&D spend, revenue), an investment or a founder (a doctorate, a talent title: the person policies)
recomputes the published firm (and founders') policies for that firm, once the change
is committed (services.push.firm_changed). Bulk loads (demo, imports) write without signals and are followed
by policy runs instead. A failure of the push is logged, never undoes the registry write."""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models.signals import post_save

from fuhua.registry.models import FirmDesignation, FirmYearFigures, Founder, Investment

from .services.push import firm_changed

log = logging.getLogger(__name__)


def _push(firm_id: int) -> None:
    try:
        firm_changed(firm_id)
    except Exception:
        log.exception("policy push for firm %s failed", firm_id)


def _on_save(sender, instance, raw=False, **kwargs) -> None:
    if raw or not instance.firm_id:
        return
    transaction.on_commit(lambda firm_id=instance.firm_id: _push(firm_id))


def register() -> None:
    for model in (FirmDesignation, FirmYearFigures, Investment, Founder):
        post_save.connect(_on_save, sender=model, dispatch_uid=f"policies.push.{model._meta.model_name}")
