"""The network page for administrators: this instance, its peers (position, last sync, lag, errors), the
sources of federated records with their freshness, and the packages received and sent."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fuhua.core.formatting import money
from fuhua.core.scoping import check
from fuhua.evaluation.chart import distribution_svg
from fuhua.evaluation.models import GRADE_ORDER, Grade

from .exchange import head_position
from .forms import PeerForm, TablesForm
from .models import Figure, FigureGroup, Instance, Origin, PackageLog, Peer
from .package import fingerprint
from .services import figure_totals, grade_distributions, register_peer, set_tables, source_names
from .tables import BY_KEY


def _require(user, action: str, model=Peer) -> None:
    decision = check(user, action, model)
    if not decision:
        raise PermissionDenied(decision.reason)


@login_required
def home(request):
    _require(request.user, "view")
    peers = list(Peer.objects.restrict(request.user, "view").select_related("region"))
    for peer in peers:
        peer.fingerprint = fingerprint(peer.public_key)
        peer.table_labels = [BY_KEY[t].label for t in peer.tables if t in BY_KEY]
    origins = list(Origin.objects.restrict(request.user, "view").select_related("via")
                   .annotate(held=Count("records", filter=Q(records__deleted=False, records__linked=False))))
    instance = Instance.objects.select_related("region").first()
    return render(request, "federation/home.html", {
        "instance": instance, "fingerprint": fingerprint(instance.public_key) if instance else "",
        "position": head_position(), "peers": peers, "origins": origins,
        "packages": PackageLog.objects.restrict(request.user, "view").select_related("peer")[:30],
        "federated_total": sum(origin.held for origin in origins),
        "can_add": check(request.user, "add", Peer), "can_change": check(request.user, "change", Peer),
        "form": PeerForm(), "tables_form": TablesForm,
    })


@login_required
@require_POST
def add_peer(request):
    _require(request.user, "add")
    form = PeerForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            peer = register_peer(request.user, relation=data["relation"], code=data["code"], name=data["name"],
                                 public_key=data["public_key"], region_code=data["region"] or None, url=data["url"],
                                 tables=data["tables"])
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Registered %(peer)s.") % {"peer": peer})
            return redirect("federation:home")
    messages.error(request, _("The peer was not registered: %(errors)s") % {
        "errors": "; ".join(f"{form.fields[k].label if k in form.fields else ''} {' '.join(v)}".strip()
                            for k, v in form.errors.items())})
    return redirect("federation:home")


@login_required
@require_POST
def peer_tables(request, code: str):
    _require(request.user, "change")
    peer = get_object_or_404(Peer.objects.restrict(request.user, "change"), code=code)
    form = TablesForm(request.POST)
    if form.is_valid():
        set_tables(request.user, peer, form.cleaned_data["tables"])
        messages.success(request, _("Shared tables of %(peer)s saved.") % {"peer": peer})
    return redirect("federation:home")


MEASURE_LABELS = {
    "payouts:amount_fen": _("amount paid"), "payouts:count": _("payouts"), "vouchers:claimed": _("vouchers claimed"),
    "vouchers:face_value_fen": _("face value"), "vouchers:settled_fen": _("settled"), "events:held": _("events held"),
    "events:attended": _("registrations attended"),
}


def measure_label(measure: str, year: int) -> tuple[str, object]:
    """A measure in words and how its total reads: a statistics field by its form's label (in the form's unit),
    a grade by the glossary's word, money in 元/万元."""
    group, _sep, code = measure.partition(":")
    if group == "statistics":
        from fuhua.statistics.definitions import form_for_year

        definition = form_for_year(year).fields.get(code)
        if definition is not None:
            return definition.label + f"（{definition.unit.label}）", definition.to_display
    if group == "evaluations" and code.startswith("grade_"):
        return _("carriers graded %(grade)s") % {"grade": dict(Grade.choices).get(code[6:], code[6:])}, None
    label = str(MEASURE_LABELS.get(measure, measure))
    return label, (money if measure.endswith("_fen") else None)


@login_required
def figures(request):
    """The parent's view of what its children share as totals, by measure and year, with each source's part and
    how fresh it is; with the evaluations (all kinds or that one), the grade distribution across the network per
    year (services.grade_distributions) drawn as the evaluation run pages draw theirs."""
    _require(request.user, "view", Figure)
    group = request.GET.get("group", "")
    group = group if group in FigureGroup.values else ""
    try:
        year = int(request.GET.get("year") or 0) or None
    except ValueError:
        year = None
    rows = figure_totals(request.user, group=group, year=year)
    names = source_names()
    for row in rows:
        row["label"], shown = measure_label(row["measure"], row["year"])
        row["shown"] = shown(row["total"]) if shown else row["total"]
        row["group_label"] = FigureGroup(row["group"]).label
        row["sources"] = [(names.get(code, code), shown(value) if shown else value) for code, value in row["sources"]]
    distributions = (grade_distributions(request.user, year=year)
                     if group in ("", FigureGroup.EVALUATIONS) else [])
    for section in distributions:  # one bar per source under the network's total
        bars = {_chart_name(s, section["sources"]): s["counts"] for s in section["sources"]}
        section["chart"] = distribution_svg(dict(zip(GRADE_ORDER, section["total"]["counts"], strict=True)), bars,
                                            _("network total"))
    years = sorted(set(Figure.objects.restrict(request.user, "view").values_list("year", flat=True)), reverse=True)
    return render(request, "federation/figures.html", {
        "rows": rows, "groups": FigureGroup.choices, "group": group, "year": year, "years": years,
        "distributions": distributions, "grades": Grade.choices,
    })


def _chart_name(source: dict, sources: list[dict]) -> str:
    """A source's bar label: its name, with its code when another source of the year has the same name."""
    same = sum(1 for s in sources if s["name"] == source["name"])
    return source["name"] if same == 1 else f"{source['name']} ({source['code']})"
