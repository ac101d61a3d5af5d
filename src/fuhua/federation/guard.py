"""Federated copies are read-only: only an import may change or delete them.

Connected to the model signals of the shared tables (federation/apps.py): a save or delete of a row that a
`FederatedRecord` maps to another instance is refused unless it happens inside `importing()`. The copy is
corrected at its source, and the correction arrives with the next sync.
"""

from __future__ import annotations

import contextlib
from contextvars import ContextVar

from django.core.exceptions import PermissionDenied
from django.db.models.signals import pre_delete, pre_save
from django.utils.translation import gettext as _

_importing: ContextVar[bool] = ContextVar("fuhua_federation_importing", default=False)


@contextlib.contextmanager
def importing():
    token = _importing.set(True)
    try:
        yield
    finally:
        _importing.reset(token)


def source_of(instance):
    """The FederatedRecord that makes `instance` a read-only copy, or None for a local record."""
    from .models import FederatedRecord

    if instance.pk is None:
        return None
    return (FederatedRecord.objects.select_related("origin", "peer")
            .filter(model=instance._meta.label_lower, local_id=str(instance.pk), linked=False, deleted=False).first())


def _refuse(instance) -> None:
    if _importing.get() or getattr(instance, "_state", None) is None:
        return
    record = source_of(instance)
    if record is not None:
        raise PermissionDenied(_("%(object)s is a copy of a record of %(origin)s (one network): it is read-only "
                                 "here; correct it at its source.") % {"object": instance, "origin": record.origin})


def _pre_save(sender, instance, raw=False, **kwargs):
    if not raw and not instance._state.adding:
        _refuse(instance)


def _pre_delete(sender, instance, **kwargs):
    _refuse(instance)


def connect(models) -> None:
    for model in models:
        label = model._meta.label_lower
        pre_save.connect(_pre_save, sender=model, dispatch_uid=f"fuhua_federation_guard_save:{label}")
        pre_delete.connect(_pre_delete, sender=model, dispatch_uid=f"fuhua_federation_guard_delete:{label}")
