"""Template helpers for the generic object pages (cells, field lists, sort links, object URLs) and the
format filters every page uses (`|yuan`, `|wanyuan`, `|money`, `|year`, `|ymd`, `|bjtime`, `|pct`, `|m2`,
`|grade`, `|num`), all calling `fuhua.core.formatting`."""

from __future__ import annotations

from django import template
from django.apps import apps as django_apps
from django.db import models
from django.utils.html import format_html
from django.utils.translation import get_language

from fuhua.core import formatting as fmt
from fuhua.core import glossary
from fuhua.core.scoping import check
from fuhua.core.views.generic import display_value as _format
from fuhua.core.views.generic import object_url as _object_url
from fuhua.core.views.generic import resolve_path as resolve

register = template.Library()

HIDDEN_FIELDS = {"id", "search", "created_at", "updated_at", "user"}


@register.simple_tag(takes_context=True)
def cell(context, obj, column):
    """A list cell; only a `link=True` column links, and it links to the row object itself (the report,
    scorecard or application), never to a related object such as the carrier."""
    value = column.value(obj) if column.value else resolve(obj, column.path)
    text = value if isinstance(value, models.Model) else _format(value, column.path.split("__")[-1])
    if column.link:
        return _linked(context, obj, text, in_scope=True)
    return format_html("{}", text) if isinstance(value, models.Model) else text


def _linked(context, obj, text, *, in_scope: bool = False):
    """`text` linked to obj's page when the user may open it. `in_scope`: obj comes from a scoped query
    (a list row), so the role check suffices; otherwise (a related object) its own scope is checked too,
    so that no page shows a link that answers 403 or 404."""
    user = context["request"].user
    url = _object_url(obj)
    if url and (check(user, "view", type(obj)) if in_scope else check(user, "view", obj)):
        return format_html('<a href="{}">{}</a>', url, text)
    return format_html("{}", text)


@register.simple_tag(takes_context=True)
def may(context, action: str, model: str) -> bool:
    """`{% may "view" "policies.payout" as can_read_ledger %}`: the user's role allows `action` on the model."""
    return bool(check(context["request"].user, action, django_apps.get_model(model)))


@register.simple_tag(takes_context=True)
def object_link(context, model: str, pk, text):
    """A link to the page of `model` (app_label.model_name) `pk` if the user may open it, else the text."""
    obj = django_apps.get_model(model)._default_manager.filter(pk=pk).first() if pk else None
    return _linked(context, obj, text) if obj is not None else format_html("{}", text)


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
            value = _format(getattr(obj, field.name), field.name)
        label = fmt.money_label(field.verbose_name) if fmt.is_money_name(field.name) else field.verbose_name
        rows.append((label, value))
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
        label = column.label
    else:
        name = column.path.split("__")[0]
        try:
            label = model_meta.get_field(name).verbose_name
        except Exception:
            label = name
    return fmt.money_label(label) if fmt.is_money_name(column.path.split("__")[-1]) else label


@register.filter
def minutes(delta):
    """A timedelta as whole minutes (rounded up), for the lockout page."""
    try:
        return max(1, -(-int(delta.total_seconds()) // 60))
    except AttributeError:
        return delta


# --- format filters (one way everywhere; see fuhua.core.formatting) ---------------------------------

@register.filter
def yuan(fen):
    """Fen → "1,234.56" (元)."""
    return fmt.yuan(fen)


@register.filter
def wanyuan(fen):
    """Fen → "30" / "1,305.65" (万元)."""
    return fmt.wan_yuan(fen)


@register.filter
def money(fen, unit="auto"):
    """Fen → "30 万元" / "5,000 元" (English: "300,000 yuan")."""
    return fmt.money(fen, unit or "auto", get_language() or "zh")


@register.filter
def year(value):
    return fmt.year(value)


@register.filter
def ymd(value):
    return fmt.date(value)


@register.filter
def bjtime(value, seconds=False):
    return fmt.datetime(value, seconds=bool(seconds))


@register.filter
def pct(value, places=1):
    return fmt.percent(value, int(places))


@register.filter
def m2(value):
    return fmt.area_m2(value)


@register.filter
def grade(value):
    return fmt.grade(value)


@register.simple_tag
def trace_sentence(pack, trace, name=""):
    """A rule's result as a plain-language note (rules.engine.sentence), money in 元/万元, codes in words."""
    from fuhua.rules import explain_sentence

    if pack is None or trace is None:
        return ""
    data = trace.to_json() if hasattr(trace, "to_json") else trace
    lang = "en" if (get_language() or "zh").startswith("en") else "zh"
    return explain_sentence(pack, data, lang, name=name, money=fmt.money, word=glossary.word)


@register.filter
def word(code, domain=None):
    """A code in words from the glossary: {{ r.category|word:"evaluation_category" }} → 专业型."""
    return glossary.word(code, None, domain or None)


@register.filter
def key_words(key):
    """An entitlement key in words: recognition_award:provincial → 科创载体认定（备案）奖励（省级）."""
    return glossary.key_label(key)


@register.filter
def num(value, places=None):
    """A count or figure with thousands separators in every language."""
    return fmt.number(value, None if places in (None, "") else int(places))
