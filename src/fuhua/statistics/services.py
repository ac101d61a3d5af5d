"""Annual statistics services: start, fill in, explain, comment, amend; the engines' read API
(`figures`) and the bureau overview. Pages, API and CLI call these; status changes only through
statistics.workflow.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from fuhua.core import services as core
from fuhua.core.context import acting_for, change_reason
from fuhua.core.exceptions import Conflict
from fuhua.core.scoping import check
from fuhua.core.workflow import ALLOWED, Decision, conflict, forbidden
from fuhua.registry.models import Carrier

from . import prefill as prefill_mod
from .definitions import all_codes, form_for_year
from .models import AnnualReport, CommentKind, FieldComment, ReportStatus, ReportValue, ValueOrigin
from .reading import (  # noqa: F401  (part of the services' interface)
    blocking_messages,
    explained_codes,
    form_of,
    last_year_values,
    messages_of,
    previous_accepted,
    values_of,
)
from .validation import field_errors
from .workflow import is_reviewer

# --- reading (statistics.reading) ----------------------------------------------------------------


def versions_of(report: AnnualReport):
    return AnnualReport.objects.filter(carrier_id=report.carrier_id, year=report.year).order_by("-version")


# --- writing -------------------------------------------------------------------------------------


@transaction.atomic
def start_report(user, carrier: Carrier, year: int) -> AnnualReport:
    """The carrier's open report for the year, or a new draft prefilled from the registry."""
    if not check(user, "view", carrier):
        raise PermissionDenied(_("This carrier is outside your scope."))
    latest = AnnualReport.objects.filter(carrier=carrier, year=year).order_by("-version").first()
    if latest is not None:
        return latest
    form = form_for_year(year)
    report = core.create_object(user, AnnualReport, {"carrier": carrier, "year": year, "form_code": form.code})
    prefilled = prefill_mod.prefill(form, [carrier.pk], year)[carrier.pk]
    with acting_for(user), change_reason(_("prefilled from the registry")):
        for code, value in prefilled.items():
            ReportValue.objects.create(report=report, code=code, value=value, prefilled=value,
                                       origin=ValueOrigin.PREFILL)
    return report


def _require_editable(user, report: AnnualReport) -> None:
    decision = check(user, "change", report)
    if not decision:
        raise PermissionDenied(decision.reason)
    if not report.editable:
        raise Conflict(_("The report is %(status)s and locked; only a draft or returned report can be changed.")
                       % {"status": report.get_status_display()})


@transaction.atomic
def save_values(user, report: AnnualReport, values: dict[str, int | None],
                origin: str = ValueOrigin.ENTERED) -> int:
    """Set some figures (stored units); returns how many changed. Unknown codes and out-of-range
    numbers are refused by field; cross-field problems are kept and shown until submission."""
    _require_editable(user, report)
    form = form_of(report)
    errors = {code: _("unknown field for form %(form)s") % {"form": form.code} for code in values
              if code not in form.fields}
    if errors:
        raise ValidationError(errors)
    range_errors = [m for m in field_errors(form, values, required=False) if m.code in values]
    if range_errors:
        raise ValidationError({m.code: f"{m.label}: {m.text}" for m in range_errors})
    existing = {v.code: v for v in report.values.all()}
    changed = 0
    with acting_for(user):
        for code, value in values.items():
            row = existing.get(code)
            if row is None:
                ReportValue.objects.create(report=report, code=code, value=value, origin=origin)
            elif row.value != value:
                row.value, row.origin = value, origin
                row.save(update_fields=["value", "origin", "updated_at"])
            else:
                continue
            changed += 1
        if changed:
            report.save(update_fields=["updated_at"])
    return changed


def add_comment(user, report: AnnualReport, code: str, text: str, kind: str) -> FieldComment:
    """An operator's explanation (report editable) or a reviewer's comment (report submitted)."""
    form = form_of(report)
    text = (text or "").strip()
    errors = {}
    if code not in form.fields:
        errors["code"] = _("unknown field for form %(form)s") % {"form": form.code}
    if not text:
        errors["text"] = _("Write the comment.")
    if kind not in CommentKind.values:
        errors["kind"] = _("Choose return or explanation.")
    if errors:
        raise ValidationError(errors)
    decision = check(user, "change", report)
    if not decision:
        raise PermissionDenied(decision.reason)
    if kind == CommentKind.RETURN:
        if not is_reviewer(user):
            raise PermissionDenied(_("Only the reviewing bureau comments for a return."))
        if report.status != ReportStatus.SUBMITTED:
            raise Conflict(_("Comments for a return are made on a submitted report."))
    elif not report.editable:
        raise Conflict(_("Explanations are given while the report is a draft or returned."))
    return core.create_object(user, FieldComment, {"report": report, "code": code, "kind": kind, "text": text,
                                                   "author": user if getattr(user, "pk", None) else None})


@transaction.atomic
def may_amend(user, report: AnnualReport) -> Decision:
    """Only the latest accepted version is amended, by users who may change the report (pages ask this)."""
    decision = check(user, "change", report)
    if not decision:
        return forbidden(decision.reason)
    if report.status != ReportStatus.ACCEPTED or versions_of(report).first().pk != report.pk:
        return conflict(_("Only the latest accepted version can be amended."))
    return ALLOWED


def amend(user, report: AnnualReport, reason: str) -> AnnualReport:
    """A new version of an accepted report, with the reason; the accepted one stays in force until
    the amendment is accepted."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the report is amended.")})
    may_amend(user, report).raise_if_refused()
    with acting_for(user), change_reason(reason):
        new = AnnualReport(carrier_id=report.carrier_id, year=report.year, form_code=report.form_code,
                           version=report.version + 1, previous=report, amendment_reason=reason[:500])
        new.full_clean()
        new.save()
        for v in report.values.all():
            ReportValue.objects.create(report=new, code=v.code, value=v.value, origin=v.origin,
                                       prefilled=v.prefilled)
    return new


# --- the engines' read API ----------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    """Columns aligned with `carrier_ids`: values (int64, 0 where absent) and `present` masks."""

    carrier_ids: np.ndarray
    values: dict[str, np.ndarray]
    present: dict[str, np.ndarray]

    def __getitem__(self, code: str) -> np.ndarray:
        return self.values[code]


def _chunks(seq, size=5000):
    for i in range(0, len(seq), size):
        yield seq[i:i + size]


def figures(carrier_ids, year: int, codes=None, accepted_only: bool = True) -> Figures:
    """The figures of `year` for these carriers, from the latest accepted version of each report
    (or the latest version whatever its status with accepted_only=False). Not scoped: for engines
    that are handed carrier ids already restricted by their caller."""
    ids = np.asarray(list(carrier_ids), dtype=np.int64)
    codes = list(codes) if codes is not None else all_codes()
    position = {int(pk): i for i, pk in enumerate(ids)}
    report_row: dict[int, int] = {}
    for chunk in _chunks(ids.tolist()):
        qs = AnnualReport.objects.filter(year=year, carrier_id__in=chunk)
        if accepted_only:
            qs = qs.filter(status=ReportStatus.ACCEPTED)
        best: dict[int, tuple[int, int]] = {}
        for pk, carrier_id, version in qs.values_list("pk", "carrier_id", "version"):
            if carrier_id not in best or version > best[carrier_id][0]:
                best[carrier_id] = (version, pk)
        report_row.update({pk: position[c] for c, (_, pk) in best.items()})
    values = {c: np.zeros(len(ids), dtype=np.int64) for c in codes}
    present = {c: np.zeros(len(ids), dtype=bool) for c in codes}
    report_ids = list(report_row)
    for chunk in _chunks(report_ids, 2000):
        rows = ReportValue.objects.filter(report_id__in=chunk, code__in=codes, value__isnull=False)
        for report_id, code, value in rows.values_list("report_id", "code", "value"):
            i = report_row[report_id]
            values[code][i] = value
            present[code][i] = True
    return Figures(ids, values, present)


# --- the bureau overview -------------------------------------------------------------------------


def latest_status_by_carrier(carrier_ids, year: int) -> dict[int, str]:
    """carrier id → status of its latest report version for the year."""
    out: dict[int, str] = {}
    latest = (AnnualReport.objects.filter(year=year, carrier_id__in=carrier_ids)
              .values("carrier_id").annotate(v=Max("version")))
    wanted = {(row["carrier_id"], row["v"]) for row in latest}
    for carrier_id, version, status in AnnualReport.objects.filter(year=year, carrier_id__in=carrier_ids).values_list(
            "carrier_id", "version", "status"):
        if (carrier_id, version) in wanted:
            out[carrier_id] = status
    return out


@dataclass
class CityRow:
    code: str
    name: str
    carriers: int = 0
    missing: int = 0  # no report at all
    draft: int = 0
    returned: int = 0
    submitted: int = 0
    accepted: int = 0
    not_submitted: list = None  # carriers, when the user may see reports


def overview(user, year: int, with_lists: bool = True) -> list[CityRow]:
    """Per prefecture city: how many carriers have not submitted (no report, draft, returned)."""
    from fuhua.registry.models import Region

    carriers = list(Carrier.objects.restrict(user, "view").filter(status="operating")
                    .select_related("region").order_by("region_id", "name"))
    statuses = {}
    for chunk in _chunks([c.pk for c in carriers]):
        statuses.update(latest_status_by_carrier(chunk, year))
    city_codes = {c.region_id[:4] + "00" for c in carriers}
    names = dict(Region.objects.filter(code__in=city_codes).values_list("code", "name"))
    rows: dict[str, CityRow] = {}
    show = with_lists and bool(check(user, "view", AnnualReport))
    for carrier in carriers:
        code = carrier.region_id[:4] + "00"
        row = rows.setdefault(code, CityRow(code, names.get(code, code), not_submitted=[]))
        row.carriers += 1
        status = statuses.get(carrier.pk)
        if status is None:
            row.missing += 1
        else:
            setattr(row, status, getattr(row, status) + 1)
        if status in (None, ReportStatus.DRAFT, ReportStatus.RETURNED) and show:
            row.not_submitted.append((carrier, status))
    return sorted(rows.values(), key=lambda r: r.code)


def totals(user, year: int, codes: list[str]) -> dict[str, int]:
    """Sums of accepted figures over the carriers the user may see: the aggregates associations get."""
    ids = list(Carrier.objects.restrict(user, "view").values_list("pk", flat=True))
    data = figures(ids, year, codes)
    return {c: int(data.values[c].sum()) for c in codes}


def reports_by_year(carrier_ids, years) -> dict[tuple[int, int], AnnualReport]:
    out = defaultdict(list)
    for r in AnnualReport.objects.filter(carrier_id__in=carrier_ids, year__in=years):
        out[(r.carrier_id, r.year)].append(r)
    return {k: max(v, key=lambda r: r.version) for k, v in out.items()}
