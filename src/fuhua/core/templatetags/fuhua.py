"""Template helpers for the generic object pages: cells, field lists, sort links, object URLs."""

from __future__ import annotations

import datetime

from django import template
from django.db import models
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _

from fuhua.core.scoping import check
from fuhua.core.views.generic import object_url as _object_url

register = template.Library()

HIDDEN_FIELDS = {"id", "search", "created_at", "updated_at", "user"}


def _format(value):
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime.datetime):
        return date_format(value, "Y-m-d H:i")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, int):
        return f"{value:,}"
    return value


def resolve(obj, path: str):
    """Walk `a__b__c`; a choice field at the end gives its label."""
    *parts, last = path.split("__")
    for part in parts:
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    display = getattr(obj, f"get_{last}_display", None)
    value = display() if display else getattr(obj, last, None)
    return value() if callable(value) and not isinstance(value, models.Model) else value


@register.simple_tag(takes_context=True)
def cell(context, obj, column):
    value = column.value(obj) if column.value else resolve(obj, column.path)
    if isinstance(value, models.Model):
        return _linked(context, value, value)
    if column.link:
        return _linked(context, obj, _format(value))
    return _format(value)


def _linked(context, obj, text):
    user = context["request"].user
    url = _object_url(obj)
    if url and check(user, "view", type(obj)):
        return format_html('<a href="{}">{}</a>', url, text)
    return format_html("{}", text)


@register.simple_tag(takes_context=True)
def object_fields(context, obj, names=None):
    """(label, value) for each shown field; related objects link to their page when the user may view it."""
    fields = [f for f in obj._meta.fields if f.name not in HIDDEN_FIELDS]
    if names:
        by_name = {f.name: f for f in obj._meta.get_fields() if hasattr(f, "verbose_name")}
        fields = [by_name[n] for n in names if n in by_name]
    rows = []
    for field in fields:
        if field.many_to_many:
            related = list(getattr(obj, field.name).all())
            value = format_html(", ".join(["{}"] * len(related)), *related) if related else "—"
        elif field.is_relation:
            target = getattr(obj, field.name)
            value = _linked(context, target, target) if target is not None else "—"
        elif field.choices:
            value = _format(getattr(obj, f"get_{field.name}_display")())
        else:
            value = _format(getattr(obj, field.name))
        rows.append((field.verbose_name, value))
    return rows


@register.simple_tag
def object_url(obj, action="detail"):
    return _object_url(obj, action) or ""


@register.simple_tag(takes_context=True)
def sort_url(context, column):
    """The query string that sorts by `column` (toggling direction when it already does), from page 1."""
    request = context["request"]
    params = request.GET.copy()
    current = context.get("sort", "")
    params["sort"] = f"-{column.sort}" if current == column.sort else column.sort
    params.pop("page", None)
    return "?" + params.urlencode()


@register.simple_tag(takes_context=True)
def sort_state(context, column):
    current = context.get("sort", "")
    if current == column.sort:
        return "ascending"
    if current == f"-{column.sort}":
        return "descending"
    return "none"


@register.simple_tag(takes_context=True)
def page_url(context, number):
    params = context["request"].GET.copy()
    params["page"] = number
    return "?" + params.urlencode()


@register.filter
def column_label(column, model_meta):
    if column.label:
        return column.label
    name = column.path.split("__")[0]
    try:
        return model_meta.get_field(name).verbose_name
    except Exception:
        return name


@register.filter
def minutes(delta):
    """A timedelta as whole minutes (rounded up), for the lockout page."""
    try:
        return max(1, -(-int(delta.total_seconds()) // 60))
    except AttributeError:
        return delta
