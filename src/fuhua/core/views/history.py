"""Turns audit rows (attname → JSON value) into labelled before → after pairs for people."""

from __future__ import annotations

from django.utils.translation import gettext

from fuhua.core import formatting


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
        return names.get((field.attname, str(value)), value)
    if field is not None:
        shown = formatting.field_value(field.name, value)  # money in 元, years without a separator
        if shown is not None:
            return shown
    if isinstance(value, (int, float)):
        return formatting.number(value)
    return value


def _related_names(model, changes) -> dict:
    """(attname, id) → str(related object), one query per foreign key that appears in the changes."""
    wanted: dict[str, set] = {}
    fks = {f.attname: f for f in model._meta.concrete_fields if f.is_relation}
    for change in changes:
        for key, before, after in change.changed_fields:
            if key in fks:
                wanted.setdefault(key, set()).update(v for v in (before, after) if v not in (None, ""))
    names = {}
    for attname, ids in wanted.items():
        related = fks[attname].related_model._base_manager.in_bulk(list(ids))
        names.update({(attname, str(pk)): str(obj) for pk, obj in related.items()})
    return names


def history_rows(model, changes) -> list[tuple[object, list[tuple[str, object, object]]]]:
    changes = list(changes)
    names = _related_names(model, changes)
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
