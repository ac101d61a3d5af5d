"""The cascading province → city → district picker used by list filters (htmx swaps it in place).

Registered with core (core.extensions.register_region) so that core's list filters offer it without
knowing the Region model.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from ..models import Region


def code_prefix(code: str) -> str:
    """320000 → 32, 320500 → 3205, 320571 → 320571: the prefix shared by the region and all below it."""
    code = code.strip()
    while len(code) > 2 and code.endswith("00"):
        code = code[:-2]
    return code


def chosen_region_prefix(values: list[str]) -> str:
    """The deepest consistent choice among the picker's selects (or a typed code).

    A city left over from a previously chosen province is ignored, so the table and the picker agree
    even when both refresh on the same change event.
    """
    chosen = ""
    for value in values:
        value = value.strip()
        if not value:  # "all" at this level: deeper selects are stale
            break
        if value.isdigit() and 2 <= len(value) <= 6 and value.startswith(chosen):
            chosen = code_prefix(value.ljust(6, "0") if len(value) in (2, 4) else value)
    return chosen


def picker_context(values: list[str]) -> dict:
    prefix = chosen_region_prefix(values)
    provinces = Region.objects.filter(level="province").order_by("code")
    levels = [("province", provinces, prefix[:2] + "0000" if prefix else "")]
    if len(prefix) >= 2:
        cities = Region.objects.filter(parent_id=prefix[:2] + "0000").order_by("code")
        levels.append(("prefecture", cities, prefix[:4] + "00" if len(prefix) >= 4 else ""))
    if len(prefix) >= 4:
        districts = Region.objects.filter(parent_id=prefix[:4] + "00").order_by("code")
        levels.append(("county", districts, prefix if len(prefix) == 6 else ""))
    return {"region_levels": [(lvl, qs, sel) for lvl, qs, sel in levels if qs.exists() or lvl == "province"],
            "region_prefix": prefix}


@login_required
def region_picker(request):
    return render(request, "core/_region_picker.html", picker_context(request.GET.getlist("region")))
