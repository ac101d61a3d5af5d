"""Search across carriers, firms and organisations, each restricted to the user's scope."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from fuhua.core.scoping import check
from fuhua.core.views.generic import model_url

from ..models import Carrier, Firm, Organisation

SEARCHED = [(Carrier, _("Carriers")), (Firm, _("Firms")), (Organisation, _("Organisations"))]
LIMIT = 20


@login_required
def search(request):
    query = request.GET.get("q", "").strip()
    groups = []
    if query:
        needle = query.lower()  # the search column is lower case: name, pinyin, initials, credit code
        for model, title in SEARCHED:
            if not check(request.user, "view", model):
                continue
            qs = model.objects.restrict(request.user).filter(search__icontains=needle).order_by("name")
            groups.append({"title": title, "count": qs.count(), "rows": qs[:LIMIT], "list_url": model_url(model)})
    return render(request, "registry/search.html", {"query": query, "groups": groups, "limit": LIMIT})
