"""Writes through relations and protected fields, generated from the OpenAPI schema and the role data.

- Every create (POST /<resource>) and update (PATCH /<resource>/{id}) is tried, for every foreign key or
  many-to-many its body can set and every user who may make that write, with a target outside the
  user's scope: it must answer 422 naming the field and change nothing (issue #9, F1).
- Every field `accounts.roles.PROTECTED_FIELDS` declares is written by a user of that role on an object
  it may otherwise change: 422 naming the field, nothing changed (F2).

The world comes from test_scope_matrix (built once per module).
"""

import datetime
import json

import pytest
from django.core.exceptions import ValidationError
from django.db import models

from fuhua.accounts.roles import PROTECTED_FIELDS, Role, protected_fields
from fuhua.api import api
from fuhua.core import services
from fuhua.core.models import ObjectChange
from fuhua.core.scoping import check
from fuhua.core.services import scoped_manager
from fuhua.core.tests.test_scope_matrix import RESOURCES, module_world, resource_of, state, token_clients, users
from fuhua.testing import credit_code

__all__ = ["module_world"]  # the fixture, used through `world`


def write_operations() -> list[tuple[str, str, tuple[str, ...]]]:
    """(method, path, body properties) of each create (POST /<resource>) and update (PATCH|PUT
    /<resource>/{id}) with a JSON body, read from the API's own operations: the OpenAPI components
    cannot be trusted for this, two different request bodies named alike share one component there."""
    out = []
    for prefix, router in api._routers:
        for path, view in router.path_operations.items():
            for op in view.operations:
                body = next((m for m in op.models if getattr(m, "__ninja_param_source__", None) == "body"), None)
                for method in op.methods:
                    if body is None or not ((method == "POST" and path == "") or (
                            method in ("PATCH", "PUT") and path == "/{id}")):
                        continue
                    payload = next(iter(body.model_fields.values())).annotation
                    payload = getattr(payload, "_wrapped_model", payload)  # ninja's PatchDict[Schema]
                    out.append((method, f"/api/v1{prefix.rstrip('/')}{path}", tuple(payload.model_fields)))
    return sorted(out)


WRITE_OPERATIONS = write_operations()


@pytest.fixture
def world(module_world, db):
    return module_world


def model_of(world, path: str):
    return type(RESOURCES[resource_of(path)].objects(world)[0])


def scoped_relations(model, properties) -> list:
    """The body's properties that set a foreign key or many-to-many to a model with a Scope."""
    fields = []
    for name in properties:
        try:
            field = model._meta.get_field(name)
        except Exception:
            continue
        if (field.many_to_one or field.many_to_many) and scoped_manager(field.related_model) is not None:
            fields.append(field)
    return fields


def outside(user, model, field, obj):
    """An object the field could point to, other than what `obj` points to now, outside the user's scope
    for the reference action (a write that keeps the current value writes nothing)."""
    related = field.related_model
    allowed = services.referable(user, model, field.name).values("pk")
    current = list(getattr(obj, field.name).values_list("pk", flat=True)) if field.many_to_many else [
        getattr(obj, field.attname)]
    return related._base_manager.exclude(pk__in=allowed).exclude(pk__in=current).order_by("pk").first()


NO_SUCH_ID = 2**62  # no object has it


def encode(field, value):
    pk = value.pk if isinstance(value, models.Model) else value
    return [pk] if field.many_to_many else pk


def json_value(value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def body_from(obj, properties) -> dict:
    """A create body copied from an existing object (what the user could legitimately send)."""
    body = {}
    for name in properties:
        try:
            field = obj._meta.get_field(name)
        except Exception:
            continue
        if field.many_to_many:
            body[name] = list(getattr(obj, name).values_list("pk", flat=True))
        elif field.concrete:
            body[name] = json_value(getattr(obj, field.attname))
    return body


def error_fields(response) -> set:
    return {e.get("field") for e in response.json().get("errors", [])}


def send(client, method, path, body):
    return client.generic(method, path, data=json.dumps(body), content_type="application/json")


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "properties"), WRITE_OPERATIONS,
                         ids=[f"{m} {p}" for m, p, _ in WRITE_OPERATIONS])
def test_writes_refuse_references_outside_scope(world, method, path, properties):
    model = model_of(world, path)
    relations = scoped_relations(model, properties)
    if not relations:
        pytest.skip(f"{path} sets no reference to a scoped model")
    clients, objects = token_clients(world), RESOURCES[resource_of(path)].objects(world)
    action = "add" if method == "POST" else "change"
    tried = 0
    for name, user in users(world).items():
        if not check(user, action, model):
            continue
        if method == "POST":
            template = next((o for o in objects if check(user, "view", o)), None)
            targets = [template] if template is not None else []
        else:
            targets = [o for o in objects if check(user, "change", o)][:1]
        for obj in targets:
            for field in relations:
                target = outside(user, model, field, obj)
                if target is None:
                    continue
                if method == "POST":
                    body, url = {**body_from(obj, properties), field.name: encode(field, target)}, path
                else:
                    body, url = {field.name: encode(field, target)}, path.replace("{id}", str(obj.pk))
                before = (state(obj), model._base_manager.count(), ObjectChange.objects.count())
                response = send(clients[name], method, url, body)
                # Refused exactly as a reference to nothing at all: nothing about the target leaks.
                nowhere = send(clients[name], method, url, {**body, field.name: encode(field, NO_SUCH_ID)})
                assert response.status_code in (404, 422), (name, field.name, str(target), response.content)
                assert (response.status_code, error_fields(response)) == (
                    nowhere.status_code, error_fields(nowhere)), (name, field.name, response.content)
                if response.status_code == 422:
                    assert field.name in error_fields(response), (name, field.name, response.content)
                assert (state(obj), model._base_manager.count(), ObjectChange.objects.count()) == before
                tried += 1
    if not tried:
        pytest.skip(f"{method} {path}: no writer has a reference target outside its scope in the world")


# --- protected fields, from the declaration -------------------------------------------------------


def _declared() -> list[tuple[str, str, str]]:
    return sorted((role, label, name) for role, models_ in PROTECTED_FIELDS.items()
                  for label, names in models_.items() if label != "*" for name in names)


def other_value(user, obj, field):
    """A valid value different from the current one, as the API spells it."""
    if field.many_to_many:
        current = list(getattr(obj, field.name).values_list("pk", flat=True))
        return [field.related_model._base_manager.exclude(pk__in=current).order_by("pk").first().pk]
    current = getattr(obj, field.attname)
    if field.is_relation:
        return field.related_model._base_manager.exclude(pk=current).order_by("pk").first().pk
    if field.choices:
        return next(value for value, _ in field.flatchoices if value != current)
    if field.name == "credit_code":
        return credit_code()
    raise AssertionError(f"add a way to make another value of {field} here")


def path_of_model(world, model) -> str | None:
    for resource, row in RESOURCES.items():
        objects = row.objects(world)
        if objects and type(objects[0]) is model and any(
                m == "PATCH" and p == f"/api/v1/{resource}/{{id}}" for m, p, _ in WRITE_OPERATIONS):
            return f"/api/v1/{resource}/{{id}}"
    return None


def user_of(world, role):
    return next(u for u in users(world).values() if not u.is_superuser and {g.role for g in u.role_grants.all()}
                == {role})


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "label", "name"), _declared())
def test_declared_protected_fields_are_refused(world, role, label, name):
    from django.apps import apps

    model = apps.get_model(label)
    field = model._meta.get_field(name)
    user = user_of(world, role)
    assert name in protected_fields(user, model, "change")
    obj = model._default_manager.restrict(user, "change").order_by("pk").first()
    if obj is None:
        pytest.skip(f"no {label} the {role} may change in the world")
    path, value = path_of_model(world, model), other_value(user, obj, field)
    before = (state(obj), ObjectChange.objects.count())
    if path is None:  # no generic update in the API: through the services every write path calls
        with pytest.raises(ValidationError) as refused:
            services.update_object(user, type(obj)._default_manager.get(pk=obj.pk), {name: value})
        assert name in refused.value.message_dict
    else:
        response = send(token_clients(world)[user.username], "PATCH", path.replace("{id}", str(obj.pk)),
                        {name: value})
        assert response.status_code == 422, (role, label, name, response.content)
        assert name in error_fields(response), response.content
    assert (state(obj), ObjectChange.objects.count()) == before


def test_every_editable_status_is_protected_from_all_but_the_bureau():
    """Status changes through workflows: a `status` a model leaves editable is written only by bureaus."""
    from django.apps import apps

    from fuhua.accounts.roles import PERMISSIONS, role_allows

    for model in apps.get_models():
        field = next((f for f in model._meta.concrete_fields if f.name == "status"), None)
        if field is None or not field.editable or not hasattr(model, "scope"):
            continue
        for role in PERMISSIONS:
            if role in (Role.BUREAU, Role.ADMIN) or not role_allows(role, model, "change"):
                continue
            declared = PROTECTED_FIELDS.get(role, {})
            assert "status" in declared.get("*", ()) | declared.get(model._meta.label_lower, frozenset()), (
                role, model._meta.label_lower)
