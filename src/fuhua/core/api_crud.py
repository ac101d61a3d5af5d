"""A small CRUD kit: one `Resource` declaration gives a model its list, detail, create, update,
delete and history endpoints.

Every query starts from `Model.objects.restrict(user, action)`: a role without the action gets 403,
an object outside the user's scope 404. Writes go through `core.services`, which validate, check
scope before and after, and run in one transaction (the audit signals record them).

    router = crud_router(Resource(Carrier, CarrierOut, CarrierIn, filters=CarrierFilters,
                                  ordering=("name", "established"), select_related=("region",)))
"""

# No `from __future__ import annotations` here: the endpoint functions below are declared inside
# `crud_router` and ninja reads their annotations, which refer to the resource's schemas.

import json
from collections.abc import Callable
from dataclasses import dataclass

import orjson
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections, models
from django.db.models import Q, prefetch_related_objects
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from ninja import Field, FilterSchema, PatchDict, Query, Router, Schema, Status
from ninja.responses import NinjaJSONEncoder
from pydantic import create_model, field_validator

from . import services
from .api_errors import COMMON_ERRORS, OBJECT_ERRORS, WRITE_ERRORS
from .compiled import INT_MARK, STR_MARK, Compiled, CompiledCount, json_default, memoised
from .schemas import ChangeOut, storable_text
from .scoping import check, history_check, history_filter, scope_memo

_ORJSON_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS


def render_json(data) -> bytes:
    """The API's JSON, UTF-8 with Chinese as itself: encoded by orjson, with dates, times and everything
    orjson does not know written as Django writes them (NinjaJSONEncoder: `2026-12-02`,
    `2026-12-02T07:36:12.345Z`); what orjson refuses (an integer beyond 64 bits) by the json module.
    fuhua.api's renderer and the kit's pre-shaped list rows both use it."""
    try:
        return orjson.dumps(data, default=json_default, option=_ORJSON_OPTIONS)
    except TypeError:
        return json.dumps(data, cls=NinjaJSONEncoder, ensure_ascii=False).encode()


class ListParams(Schema):
    q: str | None = Field(None, max_length=100, description="Search: name (Chinese), its pinyin or initials.")
    ordering: str | None = Field(
        None, max_length=200, description="Comma-separated sort keys, `-` for descending; see the operation."
    )
    limit: int = Field(50, ge=1, le=settings.API_PAGE_SIZE_MAX)
    offset: int = Field(0, ge=0, le=2_000_000_000)

    _storable_text = field_validator("q", "ordering", mode="after")(storable_text)


class PageParams(Schema):
    limit: int = Field(50, ge=1, le=settings.API_PAGE_SIZE_MAX)
    offset: int = Field(0, ge=0, le=2_000_000_000)


class NoFilters(FilterSchema):
    pass


def search_column(q: str) -> Q:
    """SearchableModel keeps name, pinyin and initials, lower-cased, in one `search` column."""
    return Q(search__icontains=q.lower())


@dataclass(frozen=True)
class ListRows:
    """How a list reads its rows as dicts: `values(queryset)` gives the `.values()` queryset of the row's
    columns (compiled once per grants and filters like the rest, core.compiled), `finish(rows)` turns a
    page of them into the output schema's rows (at most a query or two per page, for to-many relations)."""

    values: Callable[[models.QuerySet], models.QuerySet]
    finish: Callable[[list[dict]], list[dict]]
    # Date and datetime values read straight as their JSON text when compiled (core.compiled.as_json_text):
    # a page of 50 firms spent more on making datetimes and writing them out again than on its query.
    as_text: tuple[str, ...] = ()

    def __call__(self, page: models.QuerySet) -> list[dict]:
        return self.finish(list(self.values(page)))


@dataclass(frozen=True)
class Resource:
    model: type[models.Model]
    out: type[Schema]
    create: type[Schema] | None = None  # None: read-only (no POST, PATCH, DELETE)
    filters: type[FilterSchema] = NoFilters
    ordering: tuple[str, ...] = ("id",)  # the keys a client may sort by
    select_related: tuple[str, ...] = ()
    prefetch_related: tuple[str, ...] = ()
    search: Callable[[str], Q] | None = search_column
    # The list's rows as dicts in the output schema's shape (read with `.values()`, faster than model
    # instances); None: the list serialises instances like the detail does.
    list_rows: "ListRows | None" = None

    # The operations' names (OpenAPI operationId, URL name `api:<name>_list` …): the model's name, unless two
    # apps have a model of that name (policies.Application and events.Application): then the later one's.
    operation_name: str = ""

    @property
    def name(self) -> str:
        return self.operation_name or self.model._meta.model_name

    @property
    def label(self) -> str:
        return str(self.model._meta.verbose_name)

    def queryset(self, user, action: str):
        return (
            self.model._default_manager.restrict(user, action)
            .select_related(*self.select_related)
            .prefetch_related(*self.prefetch_related)
        )


# --- shared helpers, also used by hand-written endpoints -------------------------------------------


def require(user, action: str, model) -> None:
    """403 with the reason when the user's role lacks `action` on `model` altogether."""
    decision = check(user, action, model)
    if not decision:
        raise PermissionDenied(decision.reason)


_INT64 = range(-(2**63), 2**63)


def _scoped_one(resource: Resource, user, pk, action: str):
    """The object with this pk among those the user may do `action` on, or None. With a per-grants memo
    (API tokens) the query is compiled once per resource and action and only run afterwards
    (core.compiled); the relations of `prefetch_related` are fetched after it as usual."""
    field = resource.model._meta.pk
    mark = INT_MARK if isinstance(pk, int) else STR_MARK
    compiled = None
    if not isinstance(pk, int) or pk in _INT64:
        compiled = memoised(scope_memo(user), ("get", resource.model, action), lambda: Compiled(
            resource.queryset(user, action).prefetch_related(None).filter(pk=mark).order_by()[:1], [mark]))
    if compiled is None:
        return next(iter(resource.queryset(user, action).filter(pk=pk).order_by()[:1]), None)  # no ORDER BY
    found = compiled.fetch([field.get_db_prep_value(field.get_prep_value(pk), connections[compiled.db])])
    if found and resource.prefetch_related:
        prefetch_related_objects(found, *resource.prefetch_related)
    return found[0] if found else None


def get_scoped(resource: Resource, user, pk, action: str = "view"):
    """The object if the user may do `action` on it; 404 if they cannot even see it."""
    require(user, action, resource.model)
    obj = _scoped_one(resource, user, pk, action)
    if obj is not None:
        return obj
    if action != "view" and resource.model._default_manager.restrict(user, "view").filter(pk=pk).exists():
        raise PermissionDenied(_("You may see this %(name)s but not %(action)s it.") % {
            "name": resource.label, "action": action})
    raise Http404


def history_object(resource: Resource, user, pk):
    """The object if the user may read its history (its readers; the audit administrator within its
    grant: core.scoping.history_check); 403 without the role, 404 outside the scope."""
    decision = history_check(user, resource.model)
    if not decision:
        raise PermissionDenied(decision.reason)
    q = history_filter(resource.model, user)
    manager = resource.model._default_manager
    obj = (manager.filter(pk=pk) if q is None else manager.filter(q, pk=pk)).first()
    if obj is None:
        raise Http404
    return obj


def order_keys(allowed: tuple[str, ...], ordering: str | None, default: list[str]) -> list[str]:
    if not ordering:
        return [*default, "pk"]
    keys = [k.strip() for k in ordering.split(",") if k.strip()]
    unknown = [k for k in keys if k.lstrip("-") not in allowed]
    if unknown:
        raise ValidationError({"ordering": _("Cannot sort by %(keys)s; use %(allowed)s (prefix - to reverse).") % {
            "keys": ", ".join(unknown), "allowed": ", ".join(allowed)}})
    return [*keys, "pk"]  # pk last: a stable order, so pages do not overlap


def known_count(items: list, limit: int, offset: int) -> int | None:
    """The list's total when the page itself tells it (a page that is not full is the last one): exact,
    without a COUNT query; None when it must be counted."""
    if len(items) < limit and (items or offset == 0):
        return offset + len(items)
    return None


def paginate(queryset, limit: int, offset: int, rows: Callable[[models.QuerySet], list] = list) -> dict:
    """A page: `count` is always the exact number of matching rows (counted only when the page is full
    or empty past the end), `items` the rows from `offset`."""
    items = rows(queryset[offset : offset + limit])
    count = known_count(items, limit, offset)
    return {"count": queryset.count() if count is None else count, "limit": limit, "offset": offset, "items": items}


def scoped_page(resource: Resource, user, key, build: Callable[[], models.QuerySet], limit: int, offset: int) -> dict:
    """A page of the list `build()` makes (scoped, filtered, ordered). With a per-grants memo (API tokens)
    its row and count queries are compiled once per `key` (what the request chose: filters, search, sort)
    and only run afterwards (core.compiled); rows and prefetches as `paginate` gives them."""

    def compile_page():
        queryset = build()
        if resource.list_rows is None:
            return Compiled(queryset.prefetch_related(None), paged=True), CompiledCount(queryset)
        rows = resource.list_rows.values(queryset)
        return Compiled(rows, paged=True, as_text=resource.list_rows.as_text), CompiledCount(queryset)

    compiled = memoised(scope_memo(user), ("list", resource, *key), compile_page)
    if compiled is None:
        return paginate(build(), limit, offset, resource.list_rows or list)
    rows, counter = compiled
    items = rows.fetch(page=(limit, offset))
    if resource.list_rows is not None:
        items = resource.list_rows.finish(items)
    elif items and resource.prefetch_related:
        prefetch_related_objects(items, *resource.prefetch_related)
    count = known_count(items, limit, offset)
    return {"count": counter.fetch() if count is None else count, "limit": limit, "offset": offset, "items": items}


def page_schema(item: type[Schema]) -> type[Schema]:
    return create_model(f"{item.__name__}Page", __base__=Schema, count=(int, ...), limit=(int, ...),
                        offset=(int, ...), items=(list[item], ...))


ChangePage = page_schema(ChangeOut)


# --- the router ------------------------------------------------------------------------------------


def operation(name: str, summary: str, **extra) -> dict:
    """Decorator arguments naming an operation once: OpenAPI operationId and URL name `api:<name>`."""
    return {"operation_id": name, "url_name": name, "summary": summary, **extra}


def crud_router(res: Resource, tag: str | None = None) -> Router:
    router = Router(tags=[tag or str(res.model._meta.verbose_name_plural)])
    Out, Filters, Page = res.out, res.filters, page_schema(res.out)
    pk_type = str if isinstance(res.model._meta.pk, models.CharField) else int
    with override("en"):  # OpenAPI summaries in one language: English source strings, never "Get one 地区"
        name, label, plural = res.name, str(res.label), str(res.model._meta.verbose_name_plural)

    @router.get("", response={200: Page, **COMMON_ERRORS},
                **operation(f"{name}_list", f"List {plural}", description=f"Sort keys: {', '.join(res.ordering)}."))
    def list_objects(request, filters: Query[Filters], params: Query[ListParams]):
        user = request.auth_user
        require(user, "view", res.model)
        q = params.q.strip() if params.q and res.search else ""

        def build():
            queryset = filters.filter(res.queryset(user, "view"))
            if q:
                queryset = queryset.filter(res.search(q))
            return queryset.order_by(*order_keys(res.ordering, params.ordering, list(res.model._meta.ordering)))

        # What the SQL depends on besides the grants: the filters, search and sort, and today (filters
        # such as "holds this designation today" compare with it).
        key = (tuple(filters.model_dump().items()), q, params.ordering or "", timezone.localdate())
        page = scoped_page(res, user, key, build, params.limit, params.offset)
        if res.list_rows is None:
            return page
        # Rows already in the output schema's shape, held to it by their tests (and the schema fuzz):
        # rendered as they are instead of validated again field by field.
        return HttpResponse(render_json(page), content_type="application/json; charset=utf-8")

    @router.get("/{id}", response={200: Out, **OBJECT_ERRORS}, **operation(f"{name}_detail", f"Get one {label}"))
    def get_object(request, id: pk_type):
        return get_scoped(res, request.auth_user, id)

    @router.get("/{id}/history", response={200: ChangePage, **OBJECT_ERRORS},
                **operation(f"{name}_history", f"Change history of one {label}"))
    def object_history(request, id: pk_type, params: Query[PageParams]):
        obj = history_object(res, request.auth_user, id)
        return paginate(services.history(request.auth_user, obj), params.limit, params.offset)

    if res.create is None:
        return router
    In = res.create

    def fresh(obj):  # re-read with the relations the output schema shows
        manager = res.model._default_manager
        return manager.select_related(*res.select_related).prefetch_related(*res.prefetch_related).get(pk=obj.pk)

    @router.post("", response={201: Out, **WRITE_ERRORS}, **operation(f"{name}_create", f"Create a {label}"))
    def create_object(request, payload: In):
        data = payload.model_dump(exclude_unset=True)
        require(request.auth_user, "add", res.model)
        obj = services.create_object(request.auth_user, res.model, data)
        return Status(201, fresh(obj))

    @router.patch("/{id}", response={200: Out, **WRITE_ERRORS},
                  **operation(f"{name}_update", f"Change some fields of a {label}"))
    def update_object(request, id: pk_type, payload: PatchDict[In]):
        obj = get_scoped(res, request.auth_user, id, "change")
        services.update_object(request.auth_user, obj, payload)
        return fresh(obj)

    @router.delete("/{id}", response={204: None, **WRITE_ERRORS}, **operation(f"{name}_delete", f"Delete a {label}"))
    def delete_object(request, id: pk_type):
        obj = get_scoped(res, request.auth_user, id, "delete")
        services.delete_object(request.auth_user, obj)
        return Status(204, None)

    return router
