"""Readiness pages: one carrier's criteria (scoped like its detail page) and a bureau's region overview."""

from __future__ import annotations

import datetime

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from fuhua.accounts.roles import Role, roles_of
from fuhua.core.views import generic as g
from fuhua.registry.models import Carrier
from fuhua.rules import RulesError
from fuhua.rules.adapter.packs import registry

from ..readiness import PACK_KINDS, carrier_readiness, default_pack, region_readiness


def _as_of(request) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(request.GET.get("as_of", ""))
    except ValueError:
        return None


class CarrierReadiness(g.ObjectDetailView):
    model = Carrier
    template_name = "registry/carrier_readiness.html"

    def get(self, request, pk):
        carrier = self.get_object()
        context = self.detail_context(carrier, pack_ids=sorted(PACK_KINDS))
        try:
            context["result"] = carrier_readiness(carrier, request.GET.get("pack") or None, _as_of(request))
        except RulesError as exc:
            context["error"] = str(exc)
        asked = bool(request.GET.get("pack") or request.GET.get("as_of"))  # no pack for the kind is no error
        return render(request, self.template_name, context, status=400 if "error" in context and asked else 200)


class RegionReadiness(LoginRequiredMixin, View):
    """Bureau staff: which carriers in their region meet the national criteria, and the closest others."""

    template_name = "registry/readiness_region.html"

    def get(self, request):
        if not roles_of(request.user) & {Role.BUREAU, Role.ADMIN}:
            raise PermissionDenied(_("Only bureau staff see the region's readiness."))
        as_of = _as_of(request)
        pack_id = request.GET.get("pack") or default_pack("incubator", as_of or timezone.localdate())
        context = {"pack_ids": sorted(set(registry().ids()) & set(PACK_KINDS))}
        try:
            data = region_readiness(Carrier.objects.restrict(request.user, "view"), pack_id, as_of)
        except RulesError as exc:
            context["error"] = str(exc)
        else:
            context["data"] = data
            context["failing"] = [(data["labels"][n], data["failing_counts"][n]) for n in data["criteria"]]
        return render(request, self.template_name, context, status=400 if "error" in context else 200)
