"""Autocomplete instead of huge selects: a widget for choice fields over searchable models (those with a
`search` column: name, pinyin and initials) and the scoped endpoint that answers it (htmx).

A form of 18,000 firms sends a text box and at most `LIMIT` options per keystroke instead of 1.3 MB of
`<option>`s. The field keeps its queryset, so what is submitted is still validated against the user's
scope; the endpoint only lists what `restrict(user, "view")` allows.
"""

from __future__ import annotations

from django import forms
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .scoping import check

LIMIT = 20
SUFFIX = "-autocomplete"  # the search box's name: `<field>-autocomplete`, never a form field itself


def is_searchable(model) -> bool:
    return any(f.name == "search" for f in model._meta.concrete_fields)


class AutocompleteSelect(forms.Widget):
    """A hidden input with the chosen primary key and a search box that asks the endpoint for options."""

    template_name = "core/widgets/autocomplete.html"

    def __init__(self, model, attrs=None):
        super().__init__(attrs)
        self.model = model

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        meta = self.model._meta
        chosen = None
        if value not in (None, ""):
            chosen = self.model._base_manager.filter(pk=value).first() if str(value).isdigit() else None
        context["widget"].update({
            "url": reverse("autocomplete", kwargs={"model": meta.label_lower}),
            "search_name": f"{name}{SUFFIX}",
            "chosen_label": str(chosen) if chosen else "",
            "placeholder": _("Type a name, pinyin or initials"),
        })
        return context

    def value_from_datadict(self, data, files, name):
        return data.get(name)


def use_autocomplete(form) -> None:
    """Give every single-choice field over a searchable model the autocomplete widget (idempotent)."""
    for field in form.fields.values():
        if isinstance(field, forms.ModelChoiceField) and not isinstance(field, forms.ModelMultipleChoiceField) \
                and isinstance(field.widget, forms.Select) and not field.widget.is_hidden \
                and getattr(field, "to_field_name", None) in (None, "pk", "id") \
                and is_searchable(field.queryset.model):
            field.widget = AutocompleteSelect(field.queryset.model, attrs=field.widget.attrs)


def options(request, model: str):
    """GET /autocomplete/<app_label.model>/?<field>-autocomplete=text → the matching options (htmx)."""
    try:
        target = apps.get_model(model)
    except (LookupError, ValueError) as exc:
        raise Http404 from exc
    if not is_searchable(target):
        raise Http404
    decision = check(request.user, "view", target)
    if not decision:
        raise PermissionDenied(decision.reason)
    text = next((v for k, v in request.GET.items() if k.endswith(SUFFIX)), request.GET.get("q", "")).strip()
    rows = []
    if text:
        qs = target.objects.restrict(request.user, "view").filter(search__icontains=text.lower())
        rows = list(qs.order_by("search", "pk")[:LIMIT])
    return render(request, "core/widgets/autocomplete_options.html", {"rows": rows, "text": text, "limit": LIMIT})
