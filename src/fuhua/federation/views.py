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

from fuhua.core.scoping import check

from .exchange import head_position
from .forms import PeerForm, TablesForm
from .models import Instance, Origin, PackageLog, Peer
from .package import fingerprint
from .services import register_peer, set_tables
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
