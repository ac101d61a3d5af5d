"""The dashboard: the to-do inbox that apps register (core.inbox) and counts within the user's scope, each one
aggregate query on a restricted queryset."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Case, Count, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Substr
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from fuhua.accounts.roles import Role, roles_of
from fuhua.core.db_router import replica_reads
from fuhua.core.extensions import panels_for
from fuhua.core.inbox import inbox
from fuhua.core.scoping import check
from fuhua.incubation.models import Incubation, IncubationStatus
from fuhua.registry.choices import CarrierKind, RecognitionLevel
from fuhua.registry.models import Carrier, Firm, Recognition, Region
from fuhua.registry.models.carrier import LEVEL_RANK

_RANK_TO_LEVEL = {rank: level for level, rank in LEVEL_RANK.items()}


def _top_level_subquery(today):
    """Rank of each carrier's highest active recognition (4 national … 1 district), NULL if none."""
    rank = Case(*(When(level=lvl, then=Value(r)) for lvl, r in LEVEL_RANK.items()), output_field=IntegerField())
    active = Recognition.objects.active(today).filter(carrier=OuterRef("pk"))
    return Subquery(active.annotate(rank=rank).order_by("-rank").values("rank")[:1])


def carrier_counts(user, today) -> dict:
    carriers = Carrier.objects.restrict(user)
    by_kind = dict(carriers.order_by().values_list("kind").annotate(n=Count("pk")))
    by_rank = dict(
        carriers.annotate(top=_top_level_subquery(today)).order_by().values_list("top").annotate(n=Count("pk"))
    )
    return {
        "total": sum(by_kind.values()),
        "by_kind": [(label, by_kind[value]) for value, label in CarrierKind.choices if by_kind.get(value)],
        "by_level": [(label, by_rank.get(LEVEL_RANK[value], 0)) for value, label in RecognitionLevel.choices]
        + [(None, by_rank.get(None, 0))],
    }


def incubation_counts(user, today) -> dict:
    return Incubation.objects.restrict(user).aggregate(
        incubating=Count("pk", filter=Q(status=IncubationStatus.INCUBATING)),
        graduated_this_year=Count("pk", filter=Q(status=IncubationStatus.GRADUATED, left_on__year=today.year)),
    )


def carriers_per_city(user) -> list[dict]:
    """One row per prefecture city: carriers, incubating tenants (two grouped queries, one name lookup)."""
    carriers = (
        Carrier.objects.restrict(user).order_by().annotate(city=Substr("region_id", 1, 4))
        .values("city").annotate(carriers=Count("pk"))
    )
    tenants = dict(
        Incubation.objects.restrict(user).filter(status=IncubationStatus.INCUBATING).order_by()
        .annotate(city=Substr("carrier__region_id", 1, 4)).values_list("city").annotate(n=Count("pk"))
    )
    names = dict(Region.objects.filter(code__in=[f"{c['city']}00" for c in carriers]).values_list("code", "name"))
    rows = [
        {"code": f"{c['city']}00", "name": names.get(f"{c['city']}00", f"{c['city']}00"),
         "carriers": c["carriers"], "incubating": tenants.get(c["city"], 0)}
        for c in carriers
    ]
    return sorted(rows, key=lambda r: r["code"])


# Roles that see the network's aggregates (carriers, firms, tenants); a firm or a mentor sees its own work only.
AGGREGATE_ROLES = {Role.ADMIN, Role.BUREAU, Role.ASSOCIATION, Role.OPERATOR}


def _panels(request) -> tuple[list, dict | None]:
    """The panels registered for the start page (core.extensions, key "dashboard") with their context, and the
    counts one of them provides from aggregates kept current in the background (`dashboard_figures`: the
    national admin's, so that no request counts the whole country)."""
    shown = panels_for(request, "dashboard")
    provided = next((extra["dashboard_figures"] for _panel, extra in shown if extra.get("dashboard_figures")), None)
    return shown, provided


@login_required
def dashboard(request):
    user = request.user
    today = timezone.localdate()
    roles = roles_of(user)
    context = {"today": today, "inbox": inbox(user, roles, today), "has_roles": bool(roles)}
    aggregates = bool(roles & AGGREGATE_ROLES)
    shown, provided = _panels(request)
    if provided is not None and aggregates:
        context.update(provided)  # carriers, firm_count, incubations, cities and when they were computed
        aggregates = False
    with replica_reads():  # the network's counts may come from the read replica (core/db_router.py)
        if aggregates and check(user, "view", Carrier):
            context["carriers"] = carrier_counts(user, today)
        if aggregates and check(user, "view", Firm):
            context["firm_count"] = Firm.objects.restrict(user).count()
        if aggregates and check(user, "view", Incubation):
            context["incubations"] = incubation_counts(user, today)
    if context.get("attention") is None and roles & {Role.OPERATOR, Role.BUREAU, Role.ADMIN} and check(
            user, "view", Incubation):
        # Rule-driven work lists (graduation proposals, overdue tenants): the rules engine evaluates the
        # whole scope, which takes seconds for a province, so the page fetches the counts after it renders.
        context["attention_url"] = reverse("incubation:incubation_attention")
    # Associations see aggregates only; the per-city table is for the administrations.
    if aggregates and roles & {Role.BUREAU, Role.ADMIN} and check(user, "view", Carrier):
        with replica_reads():
            context["cities"] = carriers_per_city(user)
    context["panels_html"] = mark_safe("".join(  # noqa: S308 - each panel is a template rendered with autoescaping
        render_to_string(panel.template, {**context, "object": "dashboard", **extra}, request=request)
        for panel, extra in shown))
    return render(request, "dashboard/dashboard.html", context)
