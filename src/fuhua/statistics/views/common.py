"""Queries shared by pages and commands: the carriers a user works on, rows of an export."""

from __future__ import annotations

from fuhua.registry.models import Carrier, Region
from fuhua.registry.models.region import under_prefix

from ..models import AnnualReport, ReportStatus, ReportValue


def carriers_for(user, region: str | None = None):
    """Operating carriers in the user's scope (all for the system actor), optionally under a region."""
    qs = Carrier.objects.restrict(user, "view")
    qs = qs.filter(status="operating")
    if region:
        found = Region.objects.filter(code=region).first()
        qs = qs.filter(under_prefix("region", found.code_prefix)) if found else qs.none()
    return qs.select_related("operator").order_by("region_id", "name", "pk")


def export_rows(carriers, year: int, accepted_only: bool = True) -> dict[int, tuple[AnnualReport, dict]]:
    """carrier id → (its latest (accepted) report of the year, its values)."""
    ids = [c.pk for c in carriers]
    latest: dict[int, AnnualReport] = {}
    for start in range(0, len(ids), 5000):
        qs = AnnualReport.objects.filter(year=year, carrier_id__in=ids[start:start + 5000]).order_by("version")
        if accepted_only:
            qs = qs.filter(status=ReportStatus.ACCEPTED)
        latest.update({r.carrier_id: r for r in qs})
    values: dict[int, dict] = {}
    report_ids = [r.pk for r in latest.values()]
    for start in range(0, len(report_ids), 5000):
        for report_id, code, value in ReportValue.objects.filter(report_id__in=report_ids[start:start + 5000]
                                                                 ).values_list("report_id", "code", "value"):
            values.setdefault(report_id, {})[code] = value
    return {c: (r, values.get(r.pk, {})) for c, r in latest.items()}
