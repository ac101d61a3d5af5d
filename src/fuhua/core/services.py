"""Generic write services: validate, check scope, save, all in one transaction.

Pages, the API and the CLI call these (or a domain service built on them), so every write is
validated the same way, stays inside the user's scope, and is audited by the signals. A write is
checked three ways before it is saved:

- the user's role may write each field it changes (`accounts.roles.PROTECTED_FIELDS`);
- every object a changed foreign key or many-to-many points to is within the user's scope for the
  action `accounts.roles.reference_action` names ("view", or "change" where the link grants access);
  an object outside it is answered like one that does not exist, so nothing about it leaks;
- the object itself is in scope, before the change and after it (moving it out is a write outside).
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from .context import acting_for
from .exceptions import Conflict
from .models import ObjectChange
from .permissions import policy
from .scoping import RestrictedQuerySet, check, history_check


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
        except FieldDoesNotExist:
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


def _ids(values) -> set:
    return {v.pk if isinstance(v, models.Model) else v for v in (values or [])}


def _values(instance) -> dict:
    return {f.attname: f.value_from_object(instance) for f in instance._meta.concrete_fields}


def written_fields(instance, data: dict, before: dict) -> list:
    """The fields of `data` whose value differs from `before` (attname → value; a new object's defaults)."""
    written = []
    for name in data:
        field = instance._meta.get_field(name)
        if field.many_to_many:
            current = set() if instance.pk is None else set(
                getattr(instance, name).values_list("pk", flat=True))
            if _ids(data[name]) != current:
                written.append(field)
        elif getattr(instance, field.attname) != before.get(field.attname):
            written.append(field)
    return written


def scoped_manager(model):
    """The model's manager if it knows scopes (`restrict`); None for models without a Scope (users)."""
    manager = model._default_manager
    return manager if isinstance(manager.get_queryset(), RestrictedQuerySet) and hasattr(model, "scope") else None


def referable(user, model, field_name: str):
    """The objects `user` may point `model.field_name` to (accounts.roles.REFERENCE_ACTIONS / _UNLESS);
    None when the related model has no Scope (the domain service checks those)."""
    reference_action, reference_unless = policy().reference_action, policy().reference_unless

    related = model._meta.get_field(field_name).related_model
    manager = scoped_manager(related)
    if manager is None:
        return None
    allowed = manager.restrict(user, reference_action(model, field_name))
    unless = reference_unless(model, field_name)
    if unless is not None:
        allowed = allowed | related._base_manager.exclude(**unless)
    return allowed


def check_write(user, instance, data: dict, fields: list, action: str) -> None:
    """Refuse, naming the field, a write of a protected field or a reference outside the user's scope."""
    protected_fields = policy().protected_fields

    model = type(instance)
    protected = protected_fields(user, model, action)
    errors = {}
    for field in fields:
        if field.name in protected:
            errors[field.name] = _("Your role may not change the %(field)s of a %(model)s.") % {
                "field": field.verbose_name, "model": model._meta.verbose_name}
            continue
        if not field.is_relation:
            continue
        related = field.related_model
        allowed = referable(user, model, field.name)
        if allowed is None:
            continue
        wanted = _ids(data[field.name]) if field.many_to_many else {getattr(instance, field.attname)} - {None}
        if wanted and allowed.filter(pk__in=wanted).count() != len(wanted):
            errors[field.name] = _("No such %(model)s in your scope.") % {"model": related._meta.verbose_name}
    if errors:
        raise ValidationError(errors)


def _set_many(instance, data: dict) -> None:
    errors = {}
    for field in instance._meta.many_to_many:
        if field.name not in data:
            continue
        ids = _ids(data[field.name])
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
    defaults = _values(instance)
    apply_changes(instance, data)
    check_write(user, instance, data, written_fields(instance, data, defaults), "add")
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
    before = _values(instance)
    apply_changes(instance, data)
    check_write(user, instance, data, written_fields(instance, data, before), "change")
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


class History:
    """An object's audit entries as one reader may see them (`accounts.roles.HISTORY_ACCESS`):
    sliceable and countable like a queryset, each entry redacted to what the reader needs."""

    def __init__(self, queryset, reader, level: str):
        self.reader, self.level = reader, level
        self.queryset = queryset.filter(user=reader) if level == "own" else queryset

    def _redact(self, change: ObjectChange) -> ObjectChange:
        if self.level == "full" or change.user_id == self.reader.pk:
            return change
        change.username, change.user_id, change.request_id, change.ip = _("another user"), None, "", None
        return change

    def count(self) -> int:
        return self.queryset.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, key):
        if isinstance(key, slice):
            return [self._redact(c) for c in self.queryset[key]]
        return self._redact(self.queryset[key])

    def __iter__(self):
        return (self._redact(c) for c in self.queryset)


def history(user, instance) -> History:
    """The audit trail of one object, if the user may see the object, as much as the user's role needs."""
    history_access = policy().history_access

    decision = history_check(user, instance)
    if not decision:
        raise PermissionDenied(decision.reason)
    changes = ObjectChange.objects.filter(
        content_type=ContentType.objects.get_for_model(type(instance)), object_id=str(instance.pk)
    ).select_related("user")
    return History(changes, user, history_access(user))
