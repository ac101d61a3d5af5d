"""Turns audit rows (attname → JSON value) into labelled before → after pairs for people."""

from __future__ import annotations

from django.utils.translation import gettext

from fuhua.core import formatting
from fuhua.core.scoping import history_filter


def _display(field, value, names):
    if value is None or value == "":
        return "—"
    if field is not None and field.choices:
        return dict(field.flatchoices).get(value, value)
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, dict):  # many-to-many changes: {"added": [...]} / {"removed": [...]}
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    if field is not None and field.is_relation:
        return names.get((field.attname, str(value)), f"#{value}")  # not visible to the reader: its id only
    if field is not None:
        shown = formatting.field_value(field.name, value)  # money in 元, years without a separator
        if shown is not None:
            return shown
    if isinstance(value, (int, float)):
        return formatting.number(value)
    return value


def _related_names(model, changes, user) -> dict:
    """(attname, id) → str(related object) for the referenced objects `user` may view (their scope, or for
    the audit administrator what it audits: core.scoping.history_filter), one query per referenced model
    whatever the number of changes and fields. Objects outside the reader's scope, and models without a
    scope (accounts), are left out: shown by id."""
    fks = {f.attname: f for f in model._meta.concrete_fields if f.is_relation}
    wanted: dict[type, dict[str, set]] = {}  # related model → attname → ids
    for change in changes:
        for key, before, after in change.changed_fields:
            if key in fks:
                ids = wanted.setdefault(fks[key].related_model, {}).setdefault(key, set())
                ids.update(str(v) for v in (before, after) if v not in (None, ""))
    names = {}
    for related_model, by_attname in wanted.items():
        if not hasattr(related_model._default_manager, "restrict"):
            continue
        ids, q = set().union(*by_attname.values()), history_filter(related_model, user)
        readable = related_model._default_manager.filter(pk__in=ids)
        visible = {str(obj.pk): str(obj) for obj in (readable if q is None else readable.filter(q))}
        for attname, attname_ids in by_attname.items():
            names.update({(attname, pk): visible[pk] for pk in attname_ids if pk in visible})
    return names


def history_rows(model, changes, user) -> list[tuple[object, list[tuple[str, object, object]]]]:
    """Each change with its (label, before, after) rows as `user` may read them."""
    changes = list(changes)
    names = _related_names(model, changes, user)
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    by_name = {f.name: f for f in model._meta.many_to_many}
    result = []
    for change in changes:
        rows = []
        for key, before, after in change.changed_fields:
            field = by_attname.get(key) or by_name.get(key)
            label = str(field.verbose_name) if field is not None else key
            if field is not None and formatting.is_money_name(field.name):
                label = formatting.money_label(label)
            rows.append((label, _display(field, before, names), _display(field, after, names)))
        result.append((change, rows))
    return result
