"""Generic scoped views: list, detail, create/edit, delete and history for any FuhuaModel.

Every view answers 403 when the user's role lacks the action on the model and 404 when the object is
outside the user's scope (`Model.objects.restrict`), so existence never leaks. Writes go through
`core.services`, never `form.save()`, so pages validate, scope and audit exactly like the API.
"""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from fuhua.core import extensions, services
from fuhua.core import formatting as fmt
from fuhua.core.exports import announce_export, export_response
from fuhua.core.forms import add_service_errors
from fuhua.core.scoping import check, history_check, history_filter

from .history import history_rows

PAGE_SIZE = 50
PAGE_SIZES = (25, 50, 100, 200)  # the page-size choice under every list
EXPORT_LIMIT = 100_000  # rows in one list export; a larger selection is refused with a hint to filter


@dataclass(frozen=True)
class Column:
    """A table column: `path` walks attributes (`carrier__region`); choice fields show their label."""

    path: str
    label: str = ""
    sort: str | None = None  # the order_by key, when the column is sortable
    link: bool = False  # link the cell to the row object's detail page
    value: Callable | None = None  # computes the cell from the row instead of `path`


@dataclass
class Section:
    """A related-records table on a detail page."""

    title: str
    columns: list[Column]
    rows: list
    add_url: str | None = None


def display_value(value, name: str = ""):
    """A cell's text; `name` (the field name) tells money in fen (→ 元) and years (no separator)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    by_name = fmt.field_value(name, value)
    if by_name is not None:
        return by_name
    if isinstance(value, datetime.datetime):
        return fmt.datetime(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, (int, float, decimal.Decimal)):
        return fmt.number(value)  # separators, never a 16-digit float
    return value


def resolve_path(obj, path: str):
    """Walk `a__b__c`; a choice field at the end gives its label."""
    *parts, last = path.split("__")
    for part in parts:
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    display = getattr(obj, f"get_{last}_display", None)
    value = display() if display else getattr(obj, last, None)
    return value() if callable(value) and not isinstance(value, models.Model) else value


def column_text(obj, column: Column) -> str:
    """A cell as plain text, for exports: the same words and formats as on the page."""
    value = column.value(obj) if column.value else resolve_path(obj, column.path)
    if isinstance(value, models.Model):
        return str(value)
    text = display_value(value, column.path.split("__")[-1])
    return "" if text == "—" else str(text)


def column_title(column: Column, meta) -> str:
    if column.label:
        label = column.label
    else:
        try:
            label = meta.get_field(column.path.split("__")[0]).verbose_name
        except Exception:
            label = column.path
    return fmt.money_label(label) if fmt.is_money_name(column.path.split("__")[-1]) else str(label)


def page_size(requested) -> int:
    try:
        size = int(requested)
    except (TypeError, ValueError):
        return PAGE_SIZE
    return size if size in PAGE_SIZES else PAGE_SIZE


def object_url(obj, action: str = "detail") -> str | None:
    meta = obj._meta
    try:
        return reverse(f"{meta.app_label}:{meta.model_name}_{action}", kwargs={"pk": obj.pk})
    except NoReverseMatch:
        return None


def model_url(model, action: str = "list") -> str | None:
    meta = model._meta
    try:
        return reverse(f"{meta.app_label}:{meta.model_name}_{action}")
    except NoReverseMatch:
        return None


class ScopedMixin(LoginRequiredMixin):
    """Login, then the role check on the model (403), then the scope on the object (404)."""

    model = None
    action = "view"
    addable = True  # False: new objects are made from another page (e.g. a score sheet from its round)

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        decision = self.role_check(request.user)
        if not decision:
            raise PermissionDenied(decision.reason)
        return super().dispatch(request, *args, **kwargs)

    def role_check(self, user):
        return check(user, self.action, self.model)

    def get_queryset(self):
        return self.model.objects.restrict(self.request.user, self.action)

    def get_object(self):
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def base_context(self, **extra):
        meta = self.model._meta
        user = self.request.user
        return {
            "model_meta": meta,
            "list_url": model_url(self.model),
            "can_add": self.addable and bool(check(user, "add", self.model)) and model_url(self.model, "create"),
            **extra,
        }


class ObjectListView(ScopedMixin, View):
    """Filterable, searchable, sortable, paginated table; htmx requests get the table alone."""

    template_name = "core/object_list.html"
    table_template = "core/_object_table.html"
    columns: list[Column] = []
    filter_form = None  # a Form whose `filter(queryset)` applies its cleaned data
    search_paths: tuple[str, ...] = ("search",)  # lower-cased search columns (name, pinyin, initials)
    default_sort = "name"
    select_related: tuple[str, ...] = ()

    def get(self, request):
        qs = self.get_queryset().select_related(*self.select_related)
        form = self.filter_form(request.GET or None, user=request.user) if self.filter_form else None
        if form is not None and form.is_valid():
            qs = form.filter(qs)
        query = request.GET.get("q", "").strip()
        if query:
            match = Q()
            for path in self.search_paths:
                match |= Q(**{f"{path}__icontains": query.lower()})
            qs = qs.filter(match)
        sort = self._sort(request.GET.get("sort", ""))
        qs = qs.order_by(self._order_key(sort), "pk")
        if request.GET.get("export") in ("csv", "xlsx"):
            return self.export(qs, request.GET["export"])
        per_page = page_size(request.GET.get("per_page"))
        page = Paginator(qs, per_page).get_page(request.GET.get("page"))
        context = self.base_context(
            form=form, query=query, columns=self.columns, page=page, sort=sort, rows=page.object_list,
            table_template=self.table_template, per_page=per_page, page_sizes=PAGE_SIZES,
            export_formats=("xlsx", "csv"),
        )
        partial = request.htmx and not request.htmx.boosted and request.htmx.target == "results"
        return render(request, self.table_template if partial else self.template_name, context)

    def export(self, qs, fmt_: str):
        """The list as filtered and sorted, every page, as CSV or XLSX (formula-safe, see core.exports)."""
        total = qs.count()
        if total > EXPORT_LIMIT:
            messages.error(self.request, _("%(total)s rows is more than one export can hold (%(limit)s): "
                                           "filter the list first.") % {"total": fmt.number(total),
                                                                        "limit": fmt.number(EXPORT_LIMIT)})
            params = self.request.GET.copy()
            params.pop("export")
            return redirect(f"{self.request.path}?{params.urlencode()}")
        meta = self.model._meta
        headers = [column_title(c, meta) for c in self.columns]
        rows = ([column_text(obj, c) for c in self.columns] for obj in qs.iterator(chunk_size=2000))
        name = f"{meta.verbose_name_plural}-{timezone.localdate().isoformat()}"
        response = export_response(name, headers, rows, fmt_)
        announce_export(self.request, meta.label_lower, total, fmt=fmt_)
        return response

    def _sort(self, requested: str) -> str:
        allowed = {c.sort for c in self.columns if c.sort}
        return requested if requested.lstrip("-") in allowed else self.default_sort

    def _order_key(self, sort: str) -> str:
        """Names sort by pinyin: a searchable model's `search` column starts with the name's pinyin."""
        descending, key = sort.startswith("-"), sort.lstrip("-")
        if key == "name" and any(f.name == "search" for f in self.model._meta.concrete_fields):
            key = "search"
        return f"-{key}" if descending else key


class ObjectDetailView(ScopedMixin, View):
    template_name = "core/object_detail.html"
    fields: list[str] | None = None  # None: every concrete field but internals

    def get(self, request, pk):
        obj = self.get_object()
        return render(request, self.template_name, self.detail_context(obj))

    def detail_context(self, obj, **extra):
        user = self.request.user
        return self.base_context(
            object=obj,
            field_names=self.fields,
            sections=[*self.sections(obj), *extensions.sections_for(user, obj)],  # others' via core.extensions
            tab="detail",
            actions=object_actions(user, obj),
            **extra,
        )

    def sections(self, obj) -> list[Section]:
        return []


def object_actions(user, obj) -> dict:
    """Which of edit/delete/history this user may use on obj: checked on the object itself, since a readable
    object need not be changeable (an expert of a pool shared with a city is read there, changed at home)."""
    return {
        "edit": object_url(obj, "edit") if check(user, "change", obj) else None,
        "delete": object_url(obj, "delete") if check(user, "delete", obj) else None,
        "history": object_url(obj, "history"),
        "detail": object_url(obj, "detail"),
    }


class ObjectHistoryView(ScopedMixin, View):
    """An object's change history for those who may read it (core.scoping.history_check): the readers of
    the object, and the audit administrator within its grant though it may not open the object itself."""

    template_name = "core/object_history.html"

    def role_check(self, user):
        return history_check(user, self.model)

    def get_queryset(self):
        q = history_filter(self.model, self.request.user)
        return self.model._default_manager.all() if q is None else self.model._default_manager.filter(q)

    def get(self, request, pk):
        obj = self.get_object()
        changes = services.history(request.user, obj)
        return render(request, self.template_name, self.base_context(
            object=obj, tab="history", actions=object_actions(request.user, obj),
            changes=history_rows(type(obj), changes[:500], request.user),
        ))


class ObjectFormView(ScopedMixin, View):
    """Create (no pk) or edit (pk) through `core.services`; their ValidationErrors land on the fields."""

    template_name = "core/object_form.html"
    form_class = None

    def get(self, request, pk=None):
        obj = self.get_object() if pk is not None else None
        form = self.form_class(instance=obj, user=request.user, initial=self.get_initial())
        return self.render_form(form, obj)

    def post(self, request, pk=None):
        obj = self.get_object() if pk is not None else None
        form = self.form_class(request.POST, instance=obj, user=request.user)
        if form.is_valid():
            data = form.service_data()
            try:
                if obj is None:
                    obj = services.create_object(request.user, self.model, data)
                else:
                    obj = services.update_object(request.user, obj, data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect(object_url(obj))
        return self.render_form(form, obj, status=400)

    def get_initial(self) -> dict:
        return {}

    def render_form(self, form, obj, status=200):
        context = self.base_context(form=form, object=obj, cancel_url=object_url(obj) if obj else model_url(self.model))
        return render(self.request, self.template_name, context, status=status)


class ObjectCreateView(ObjectFormView):
    action = "add"

    def get_initial(self) -> dict:
        # Prefill from the query string, e.g. ?carrier=12 from the carrier page's "add recognition".
        return {k: v for k, v in self.request.GET.items() if k in self.form_class.base_fields}


class ObjectEditView(ObjectFormView):
    action = "change"


class ObjectDeleteView(ScopedMixin, View):
    action = "delete"
    template_name = "core/object_confirm_delete.html"

    def get(self, request, pk):
        return self._render(self.get_object())

    def post(self, request, pk):
        obj = self.get_object()
        try:
            services.delete_object(request.user, obj)
        except ValidationError as exc:
            return self._render(obj, errors=exc.messages, status=400)
        messages.success(request, _("Deleted %(object)s.") % {"object": obj})
        return redirect(model_url(self.model) or "dashboard")

    def _render(self, obj, errors=(), status=200):
        context = self.base_context(object=obj, errors=errors, cancel_url=object_url(obj))
        return render(self.request, self.template_name, context, status=status)


_ROUTES = {
    "list": "", "create": "new/", "detail": "<int:pk>/", "edit": "<int:pk>/edit/",
    "delete": "<int:pk>/delete/", "history": "<int:pk>/history/",
}


def object_urls(prefix: str, model_name: str, views: dict) -> list:
    """The standard URLs `<model>_<action>`; every object page takes `pk` (the scope tests rely on it)."""
    return [
        path(f"{prefix}/{_ROUTES[action]}", view.as_view(), name=f"{model_name}_{action}")
        for action, view in views.items()
    ]
