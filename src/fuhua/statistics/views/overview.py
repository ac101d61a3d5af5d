"""The bureau overview: per city, who has not submitted the year's report; aggregates for associations."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views import View

from fuhua.core.scoping import check
from fuhua.registry.models import Carrier

from .. import services
from ..definitions import form_for_year
from ..forms import YearRegionForm
from ..models import AnnualReport

# The aggregates shown to everyone who may see the carriers (associations see only these).
TOTAL_CODES = ["tenants", "tenants_new", "graduates_year", "tenant_employees", "tenant_revenue_fen",
               "financing_fen", "events"]


class Overview(LoginRequiredMixin, View):
    def get(self, request):
        if not check(request.user, "view", Carrier):
            raise PermissionDenied
        form = YearRegionForm(request.GET or None)
        year = form.year_value()
        rows = services.overview(request.user, year)
        definition = form_for_year(year)
        totals = services.totals(request.user, year, [c for c in TOTAL_CODES if c in definition.fields])
        summary = {k: sum(getattr(r, k) for r in rows) for k in
                   ("carriers", "missing", "draft", "returned", "submitted", "accepted")}
        return render(request, "statistics/overview.html", {
            "form": form, "year": year, "rows": rows, "summary": summary, "deadline": definition.deadline(year),
            "totals": [(definition.fields[c], definition.fields[c].to_display(v)) for c, v in totals.items()],
            "can_see_reports": bool(check(request.user, "view", AnnualReport)),
        })
