"""The results table of a run as an Excel workbook (xlsxwriter) and as plain rows (CLI, JSON)."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _

from fuhua.core import glossary
from fuhua.core.exports import safe_workbook, write_safe_row

from .models import EvaluationResult, EvaluationRun, IndicatorScore
from .scheme import Scheme


def result_rows(run: EvaluationRun, scheme: Scheme, queryset=None) -> list[dict]:
    results = (queryset if queryset is not None else EvaluationResult.objects.filter(run=run)).select_related(
        "carrier", "carrier__region").order_by("rank", "carrier_id")
    points: dict[int, dict[str, float]] = {}
    for result_id, code, value in IndicatorScore.objects.filter(result__in=results).values_list(
            "result_id", "indicator", "points_milli"):
        points.setdefault(result_id, {})[code] = value / 1000
    rows = []
    for r in results:
        rows.append({
            "carrier_id": r.carrier_id, "carrier": r.carrier.name, "region": r.carrier.region_id,
            "category": glossary.word(r.category, None, "evaluation_category") if r.category else "",
            "rank": r.rank, "grade": r.grade, "total": r.total,
            "quantitative": r.quantitative_milli / 1000, "qualitative": r.qualitative_milli / 1000,
            "bonus": r.bonus_milli / 1000, "completeness": r.completeness, "incomplete": r.incomplete,
            "veto": r.veto_reason, "missing": ",".join(r.missing),
            **{f"pts:{code}": points.get(r.pk, {}).get(code) for code in [*scheme.indicators, *scheme.bonuses]},
        })
    return rows


def workbook(run: EvaluationRun, scheme: Scheme, queryset=None) -> bytes:
    rows = result_rows(run, scheme, queryset)
    buffer = io.BytesIO()
    book = safe_workbook(buffer, in_memory=True)  # carrier names are text, never formulas
    sheet = book.add_worksheet(_("Results"))
    bold = book.add_format({"bold": True, "bg_color": "#EEF2F7", "border": 1, "text_wrap": True})
    headers = [_("carrier id"), _("carrier"), _("region"), _("category"), _("rank"), _("grade"), _("total"),
               _("quantitative"), _("expert"), _("bonus"), _("completeness %"), _("incomplete"), _("veto"),
               _("fields not reported")]
    labels = {c: i.label_zh for c, i in scheme.indicators.items()}
    labels.update({c: b.label_zh for c, b in scheme.bonuses.items()})
    headers += [labels[c] for c in [*scheme.indicators, *scheme.bonuses]]
    write_safe_row(sheet, 0, 0, headers, bold)
    for i, row in enumerate(rows, start=1):
        write_safe_row(sheet, i, 0, row.values())
    sheet.freeze_panes(1, 2)
    sheet.set_column(1, 1, 32)
    sheet.autofilter(0, 0, len(rows), len(headers) - 1)
    info = book.add_worksheet(_("Scheme"))
    write_safe_row(info, 0, 0, [_("scheme"), scheme.id, str(scheme.version), scheme.title])
    write_safe_row(info, 1, 0, [_("period"), run.period, _("region"), str(run.region)])
    write_safe_row(info, 2, 0, [_("scheme checksum"), scheme.sha256])
    write_safe_row(info, 3, 0, [_("assumed parameters"), scheme.assumed_count, scheme.notes])
    book.close()
    return buffer.getvalue()
