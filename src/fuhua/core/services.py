"""Generic write services: validate, check scope, save, all in one transaction.

Pages, the API and the CLI call these (or a domain service built on them), so every write is
validated the same way, stays inside the user's scope, and is audited by the signals.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from .context import acting_for
from .exceptions import Conflict
from .models import ObjectChange
from .scoping import check


def _ensure_in_scope(user, instance, action: str) -> None:
    decision = check(user, action, instance)
    if not decision:
        raise PermissionDenied(decision.reason)


def apply_changes(instance, data: dict) -> None:
    """Set attributes by field name; unknown or non-editable fields are refused, naming them."""
    errors = {}
    for name, value in data.items():
        try:
            field = instance._meta.get_field(name)
        except Exception:
            errors[name] = _("unknown field")
            continue
        if not field.editable or (field.primary_key and not instance._state.adding):
            errors[name] = _("this field cannot be changed here")
            continue
        if field.many_to_many:
            continue
        by_key = field.is_relation and not isinstance(value, models.Model)
        setattr(instance, field.attname if by_key else name, value)
    if errors:
        raise ValidationError(errors)


def _set_many(instance, data: dict) -> None:
    errors = {}
    for field in instance._meta.many_to_many:
        if field.name not in data:
            continue
        ids = set(data[field.name] or [])
        # Checked here: SQLite would only notice unknown ids when the transaction commits.
        if field.related_model._default_manager.filter(pk__in=ids).count() != len(ids):
            errors[field.name] = _("Some of these ids do not exist.")
            continue
        getattr(instance, field.name).set(ids)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_object(user, model: type[models.Model], data: dict):
    with acting_for(user):
        return _create(user, model, data)


def _create(user, model, data):
    decision = check(user, "add", model)
    if not decision:
        raise PermissionDenied(decision.reason)
    instance = model()
    apply_changes(instance, data)
    instance.full_clean()
    try:
        instance.save()
    except IntegrityError as exc:  # a concurrent duplicate slipped past validate_unique
        raise Conflict(_("The change conflicts with data saved meanwhile; reload and try again.")) from exc
    _set_many(instance, data)
    _ensure_in_scope(user, instance, "add")
    return instance


@transaction.atomic
def update_object(user, instance, data: dict):
    with acting_for(user):
        return _update(user, instance, data)


def _update(user, instance, data):
    _ensure_in_scope(user, instance, "change")
    apply_changes(instance, data)
    instance.full_clean()
    try:
        instance.save()
    except IntegrityError as exc:
        raise Conflict(_("The change conflicts with data saved meanwhile; reload and try again.")) from exc
    _set_many(instance, data)
    # Moving an object out of one's own scope (e.g. into another city) is a write outside it.
    _ensure_in_scope(user, instance, "change")
    return instance


@transaction.atomic
def delete_object(user, instance) -> None:
    _ensure_in_scope(user, instance, "delete")
    try:
        with acting_for(user):
            instance.delete()
    except models.ProtectedError as exc:
        count = len(exc.protected_objects)
        raise Conflict(
            _("%(object)s is still referred to by %(count)d other record(s); remove those first.")
            % {"object": instance, "count": count}
        ) from exc


def history(user, instance):
    """The audit trail of one object, if the user may see the object."""
    _ensure_in_scope(user, instance, "view")
    return ObjectChange.objects.filter(
        content_type=ContentType.objects.get_for_model(type(instance)), object_id=str(instance.pk)
    ).select_related("user")
