"""Automatic audit trail: every create, update and delete of every audited model becomes an ObjectChange.

Connected to Django's model signals once per audited model (sender=...), so no service has to remember
to log, and models that are not audited keep Django's fast delete (one DELETE, no objects loaded):
a handler connected for all senders would make every delete in the project load its rows (NetBox #4354).
Bulk operations (bulk_create, QuerySet.update) bypass signals; services that use them for imports
call `record_bulk` instead. Loading data (`raw` saves, `loaddata`, restores) is never audited.
The trail itself is append-only in the database (core.append_only); `prune_retained` deletes expired
entries of it and of every other prunable append-only table (the security log) in batches through the
narrow pruning exception.
"""

from __future__ import annotations

import contextlib
import datetime
import decimal
import uuid
from contextvars import ContextVar

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models.fields.files import FieldFile
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.utils import timezone

from .context import current_actor, current_reason

# Every model of Fuhua's own apps is audited, and the accounts of django.contrib.auth; third-party
# framework tables (sessions, migrations, login attempts, the task queue) are not. Exceptions:
NOT_AUDITED = {"core.objectchange": "the audit trail itself",
               "policies.payout": "the append-only ledger: each row is its own record (who, when, why)",
               "core.periodictaskstate": "scheduler bookkeeping (when each periodic task was last enqueued)",
               "accounts.securityevent": "the security log: each row is its own record (who, when, from where)",
               "steering.aggregate": "derived figures, rebuilt whole from the audited data by steering.refresh",
               "vouchers.settlemententry": "the append-only voucher ledger: each row is its own record",
               "vouchers.slot": "a batch's pre-allocated places, taken in the claim that the audited voucher records",
               "vouchers.eligibilitycheck": "a firm's eligibility as the rules computed it on a day (derived)"}
ALSO_AUDITED = {"auth.user", "auth.group"}
MASKED_FIELDS = {"password", "key_hash"}
PRUNE_BATCH = 5000  # audit rows deleted per statement (and transaction) when pruning

_suspended: ContextVar[bool] = ContextVar("fuhua_audit_suspended", default=False)


@contextlib.contextmanager
def suspended():
    """No audit entries inside the block: for loading data (loaddata, restore), never for changes."""
    token = _suspended.set(True)
    try:
        yield
    finally:
        _suspended.reset(token)


def is_audited(model) -> bool:
    meta = model._meta
    if meta.label_lower in NOT_AUDITED or meta.proxy or meta.app_config is None:
        return False
    return meta.app_config.name.startswith("fuhua.") or meta.label_lower in ALSO_AUDITED


def audited_models() -> list:
    return [m for m in apps.get_models() if is_audited(m)]


def _jsonable(value):
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return "<binary>"
    if isinstance(value, FieldFile):
        return value.name or ""  # an upload is recorded by its stored name
    return value


def snapshot(instance) -> dict:
    data = {}
    for field in instance._meta.concrete_fields:
        if field.name in ("created_at", "updated_at", "search"):
            continue
        value = field.value_from_object(instance)
        data[field.attname] = "********" if field.name in MASKED_FIELDS and value else _jsonable(value)
    return data


def _write(instance, action: str, before: dict | None, after: dict | None) -> None:
    from .models import ObjectChange

    actor = current_actor()
    ObjectChange.objects.create(
        user_id=actor.user_id,
        username=actor.username,
        request_id=actor.request_id,
        source=actor.source,
        ip=actor.ip or None,
        action=action,
        reason=current_reason()[:500],
        content_type=ContentType.objects.get_for_model(type(instance)),
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        before=before,
        after=after,
    )


def _pre_save(sender, instance, raw=False, **kwargs):
    if raw or _suspended.get() or not is_audited(sender) or instance._state.adding or instance.pk is None:
        return
    old = sender._base_manager.filter(pk=instance.pk).first()
    instance._audit_before = snapshot(old) if old is not None else None


def _post_save(sender, instance, created, raw=False, **kwargs):
    if raw or _suspended.get() or not is_audited(sender):
        return
    before = instance.__dict__.pop("_audit_before", None)
    after = snapshot(instance)
    if created or before is None:
        _write(instance, "create", None, after)
    elif before != after:
        _write(instance, "update", before, after)


def _pre_delete(sender, instance, **kwargs):
    if not _suspended.get() and is_audited(sender):
        instance._audit_before = snapshot(instance)


def _post_delete(sender, instance, **kwargs):
    if not _suspended.get() and is_audited(sender):
        _write(instance, "delete", instance.__dict__.pop("_audit_before", snapshot(instance)), None)


def _m2m_changed(sender, instance, action, model, pk_set, **kwargs):
    if action not in {"post_add", "post_remove", "post_clear"} or _suspended.get() or not is_audited(type(instance)):
        return
    field = next(
        (f.name for f in instance._meta.many_to_many if f.remote_field.through is sender), sender._meta.model_name
    )
    pks = sorted(pk_set or [])
    _write(instance, "update", {field: {"removed": pks}} if action != "post_add" else None,
           {field: {"added": pks}} if action == "post_add" else None)


def record_bulk(model, action: str, objects, reason: str = "", before: dict | None = None) -> None:
    """Audit rows written by bulk_create or QuerySet.update, one entry per object.

    `before` maps a primary key to the object's snapshot() taken before an update, so bulk updates say
    what they changed like single saves do. Written with core.bulk (COPY / executemany): imports audit
    hundreds of thousands of rows, and an ObjectChange instance per row cost more than the import itself."""
    before = before or {}
    from django.db import connection

    adapt = connection.ops.adapt_json_value
    _insert_entries(model, action, reason,
                    ((str(obj.pk), str(obj)[:200], adapt(before[obj.pk], None) if obj.pk in before else None,
                      adapt(snapshot(obj), None) if action != "delete" else None) for obj in objects))


def record_entries(model, action: str, entries, reason: str = "") -> None:
    """Audit rows an import wrote without model instances: one entry per row, `entries` yielding
    (pk, text, before, after), `before`/`after` JSON-compatible dicts (or None) that say what the row holds,
    e.g. a received record as its package carries it, with its provenance (federation.exchange). The same
    ObjectChange rows as record_bulk (who, when, why, which object, the feed's ids), without a snapshot() of a
    model instance per row: for a province's import (140,000 rows) that snapshot was a quarter of the CPU.
    Serialised with orjson (the same JSON; on PostgreSQL COPY reads the text into jsonb)."""
    import orjson

    def dumped(value):
        return None if value is None else orjson.dumps(value, default=_jsonable).decode()

    _insert_entries(model, action, reason,
                    ((str(pk), str(text)[:200], dumped(before), dumped(after)) for pk, text, before, after in entries))


def _insert_entries(model, action: str, reason: str, rows) -> None:
    """ObjectChange rows of one model and action for the current actor: `rows` are (object id, object text,
    before, after) with before/after ready for the database."""
    from .bulk import insert_rows
    from .models import ObjectChange

    actor = current_actor()
    content_type = ContentType.objects.get_for_model(model)
    head = (timezone.now(), actor.user_id, actor.username, actor.request_id, actor.source, actor.ip or None, action,
            (reason or current_reason())[:500], content_type.pk)
    insert_rows(ObjectChange, ["time", "user_id", "username", "request_id", "source", "ip", "action", "reason",
                               "content_type_id", "object_id", "object_repr", "before", "after"],
                ((*head, *row) for row in rows))


def connect_all() -> None:
    """Connect the handlers for each audited model (and the through tables of their many-to-many fields)."""
    throughs = set()
    for model in audited_models():
        label = model._meta.label_lower
        pre_save.connect(_pre_save, sender=model, dispatch_uid=f"fuhua_audit_pre_save:{label}")
        post_save.connect(_post_save, sender=model, dispatch_uid=f"fuhua_audit_post_save:{label}")
        pre_delete.connect(_pre_delete, sender=model, dispatch_uid=f"fuhua_audit_pre_delete:{label}")
        post_delete.connect(_post_delete, sender=model, dispatch_uid=f"fuhua_audit_post_delete:{label}")
        throughs.update(field.remote_field.through for field in model._meta.many_to_many)
    for model in apps.get_models():  # relations declared on the other side (e.g. Group.user_set)
        throughs.update(f.remote_field.through for f in model._meta.many_to_many
                        if is_audited(f.related_model))
    for through in throughs:
        m2m_changed.connect(_m2m_changed, sender=through, dispatch_uid=f"fuhua_audit_m2m:{through._meta.label_lower}")


def prune_audit_trail(now: datetime.datetime | None = None, batch_size: int = PRUNE_BATCH) -> int:
    """Delete audit entries older than AUDIT_RETENTION_DAYS; returns how many went.

    In batches of `batch_size`, each one statement (DELETE ... WHERE id IN (SELECT id ... LIMIT n)) in
    its own short transaction: no row is loaded into Python, memory does not grow with the number of
    expired entries, and other writers (SQLite's single writer) get their turn between batches.
    The system check fuhua.E001 keeps the retention at six months or more (MLPS 2.0), and the
    database trigger refuses to delete anything younger than that whatever the caller asks.
    """
    from .models import ObjectChange

    return prune_expired(ObjectChange, "time", now, batch_size)


def prune_expired(model, field_name: str, now: datetime.datetime | None = None,
                  batch_size: int = PRUNE_BATCH) -> int:
    """Delete rows of an append-only `model` whose `field_name` is older than AUDIT_RETENTION_DAYS, in
    batches (see prune_audit_trail), through core.append_only's pruning exception; returns how many went."""
    from .append_only import pruning

    cutoff = (now or timezone.now()) - datetime.timedelta(days=settings.AUDIT_RETENTION_DAYS)
    expired = model._base_manager.filter(**{f"{field_name}__lt": cutoff}).order_by("pk")
    total = 0
    while True:
        with pruning(cutoff):
            batch = model._base_manager.filter(pk__in=expired.values("pk")[:batch_size])
            # _raw_delete: one DELETE statement, no collector (no related objects, no signals to send)
            deleted = batch._raw_delete(batch.db)
        total += deleted
        if deleted < batch_size:
            return total


def prune_retained(now: datetime.datetime | None = None, batch_size: int = PRUNE_BATCH) -> dict[str, int]:
    """Prune every append-only table that declares `append_only_prunable_by` (the audit trail, the
    security log, …) on the same retention; returns model label -> rows deleted."""
    from .append_only import append_only_models

    return {model._meta.label: prune_expired(model, field_name, now, batch_size)
            for model, field_name in append_only_models() if field_name}
