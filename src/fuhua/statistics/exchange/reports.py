"""Annual reports as workbooks: a template (one row per carrier, for a bureau's bulk use), an
export of the figures, and the import of a filled workbook or CSV.

Columns: carrier id, operator's credit code, carrier name, then one column per form field with
its Chinese label and unit (money in 千元; stored in fen). An import writes into draft or
returned reports (creating drafts); a submitted or accepted report is locked, so a row that would
change it is an error, while an identical row is simply unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from fuhua.core.audit import record_bulk, snapshot
from fuhua.core.context import acting_for, change_reason
from fuhua.core.exports import safe_cell, safe_workbook
from fuhua.core.scoping import check
from fuhua.registry.models import Carrier

from ..bulk import insert_values
from ..definitions import FormDefinition, form_for_year
from ..models import AnnualReport, ReportStatus, ReportValue, ValueOrigin
from ..validation import anomalies, check_errors, failed_checks, field_errors
from . import cells, importer
from .importer import Column, Importer

SHEET = "年度统计"
ID, CREDIT, NAME = "carrier_id", "credit_code", "carrier_name"
INFO = [Column(ID, "载体ID", ("id", "载体编号")),
        Column(CREDIT, "运营机构统一社会信用代码", ("统一社会信用代码", "credit code"), required=False),
        Column(NAME, "载体名称", ("name", "名称"), required=False)]
EXPORT_ONLY = [Column("status", "状态", ignored=True, required=False),
               Column("version", "版本", ignored=True, required=False)]


def columns(form: FormDefinition) -> list[Column]:
    return INFO + [Column(f.code, f.header, (f.label_zh,), required=f.required) for f in form.fields.values()] + \
        EXPORT_ONLY


def sheet_name(year: int) -> str:
    return f"{SHEET}{year}"


# --- writing --------------------------------------------------------------------------------------


def write_workbook(out, year: int, carriers, reports: dict[int, tuple[AnnualReport, dict]] | None = None) -> int:
    """The template (reports None) or an export (carrier id → (report, values)); returns rows written."""
    form = form_for_year(year)
    book = safe_workbook(out, constant_memory=True, in_memory=False)
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"})
    info = book.add_format({"bg_color": "#F2F2F2"})
    money = book.add_format({"num_format": "#,##0.00"})
    count = book.add_format({"num_format": "#,##0"})
    ws = book.add_worksheet(sheet_name(year))
    fields = list(form.fields.values())
    headers = [c.header for c in INFO] + [f.header for f in fields] + (
        [c.header for c in EXPORT_ONLY] if reports is not None else [])
    ws.set_row(0, 48)
    for i, text in enumerate(headers):
        ws.write_string(0, i, text, head)
    ws.set_column(0, 0, 8)
    ws.set_column(1, 1, 22)
    ws.set_column(2, 2, 30)
    ws.set_column(3, 2 + len(fields), 14)
    last = 1_048_575
    for i, f in enumerate(fields, len(INFO)):
        rule = {"validate": "decimal" if f.unit.scale > 1 else "integer", "criteria": ">=", "value": f.min}
        if f.max is not None:
            rule = {**rule, "criteria": "between", "minimum": f.min, "maximum": f.max}
            rule.pop("value")
        hint = f.help or f"{f.code}，单位：{f.unit.label_zh}"
        rule.update({"input_title": f.label_zh[:32], "input_message": hint[:255],
                     "error_message": f"{f.label_zh}：请填写不小于{f.min}的数字"[:255]})
        ws.data_validation(1, i, last, i, rule)
    ws.freeze_panes(1, 3)
    row = 0
    for row, carrier in enumerate(carriers, 1):
        ws.write_number(row, 0, carrier.pk, info)
        ws.write_string(row, 1, carrier.operator.credit_code, info)
        ws.write_string(row, 2, safe_cell(carrier.name), info)
        if reports is None:
            continue
        report, values = reports.get(carrier.pk, (None, {}))
        for i, f in enumerate(fields, len(INFO)):
            value = values.get(f.code)
            if value is not None:
                ws.write_number(row, i, f.to_display(value), money if f.unit.scale > 1 else count)
        if report is not None:
            ws.write_string(row, len(headers) - 2, report.status)  # a code: stable whatever the language
            ws.write_number(row, len(headers) - 1, report.version)
    _instructions(book, form, year, head)
    book.close()
    return row


def _instructions(book, form: FormDefinition, year: int, head) -> None:
    ws = book.add_worksheet("填报说明")
    ws.write_row(0, 0, ["代码", "指标", "单位", "必填", "范围", "说明"], head)
    ws.set_column(0, 0, 26)
    ws.set_column(1, 1, 40)
    ws.set_column(5, 5, 60)
    r = 0
    for r, f in enumerate(form.fields.values(), 1):
        span = f"≥{f.min}" + (f"，≤{f.max:,}" if f.max is not None else "")
        ws.write_row(r, 0, [f.code, f.label_zh, f.unit.label_zh, "是" if f.required else "", span, safe_cell(f.help)])
    r += 2
    ws.write(r, 0, f"{form.title}；统计年度 {year}；报送截止 {form.deadline(year):%Y-%m-%d}", head)
    for c in form.checks:
        r += 1
        ws.write_row(r, 0, [c.check.rule, c.message_zh])


# --- reading --------------------------------------------------------------------------------------


@dataclass(slots=True)
class ReportRow:
    row: int
    carrier_id: int
    credit_code: str
    values: dict  # code → stored int or None
    cols: dict  # code → column index, to name cells in errors


class ReportImport:
    def __init__(self, user, year: int):
        self.user, self.year = user, year
        self.form = form_for_year(year)
        self.columns = columns(self.form)
        self.seen: dict[int, int] = {}
        self.may_add = bool(check(user, "add", AnnualReport))  # SYSTEM (demo, tasks) passes

    def importer(self) -> Importer:
        return Importer(self.columns, self.parse_row, self.handle_chunk, sheet=sheet_name(self.year),
                        chunk_size=2000)

    def parse_row(self, number: int, row: list, cols: dict, log) -> ReportRow | None:
        errors = log.result.error_count
        raw_id = importer.cell_at(row, cols.get(ID))
        carrier_id = None
        try:
            carrier_id = cells.number(raw_id)
            if carrier_id is None or carrier_id <= 0:
                raise cells.CellProblem(_("required"))
        except cells.CellProblem as exc:
            log.add(number, cols.get(ID), INFO[0].header, raw_id, str(exc))
        else:
            first = self.seen.setdefault(carrier_id, number)
            if first != number:
                log.add(number, cols.get(ID), INFO[0].header, raw_id,
                        _("the same carrier is already in row %(row)s") % {"row": first})
        values = {}
        for f in self.form.fields.values():
            if f.code not in cols:
                continue
            raw = importer.cell_at(row, cols[f.code])
            try:
                values[f.code] = cells.number(raw, f.unit.scale)
            except cells.CellProblem as exc:
                log.add(number, cols[f.code], f.header, raw, str(exc))
        if log.result.error_count != errors:
            return None
        if all(v is None for v in values.values()):
            log.result.skipped += 1
            return None
        credit = cells.text(importer.cell_at(row, cols.get(CREDIT))).upper()
        return ReportRow(number, carrier_id, credit, values, cols)

    def _validate(self, r: ReportRow, log, last_year: dict | None, failed: set[int]) -> bool:
        before = log.result.error_count
        for m in field_errors(self.form, r.values) + check_errors(self.form, r.values, failed):
            col = r.cols.get(m.code)
            log.add(r.row, col, self.form.fields[m.code].header, r.values.get(m.code) if col is not None else "",
                    m.text)
        for m in anomalies(self.form, r.values, last_year):
            log.warn(r.row, r.cols.get(m.code), self.form.fields[m.code].header,
                     self.form.fields[m.code].to_display(r.values.get(m.code)), m.text)
        return log.result.error_count == before

    def handle_chunk(self, rows: list[ReportRow], log, result, write: bool) -> None:
        ids = [r.carrier_id for r in rows]
        carriers = Carrier.objects.filter(pk__in=ids).restrict(self.user, "view")
        # Instances (name and credit code only): the audit entries name each report by its carrier.
        carriers = {c.pk: c for c in carriers.select_related("operator").only("pk", "name", "operator__credit_code")}
        latest: dict[int, AnnualReport] = {}
        reports = AnnualReport.objects.filter(carrier_id__in=ids, year=self.year).select_related("carrier")
        for report in reports.order_by("version"):
            latest[report.carrier_id] = report
        last_year = _accepted_values(ids, self.year - 1)
        current = _values([r.pk for r in latest.values()])
        new_reports, new_values, changed_values, touched = [], [], [], []
        failed = failed_checks(self.form, [r.values for r in rows])  # each check once over the chunk
        for r, failed_here in zip(rows, failed, strict=True):
            if r.carrier_id not in carriers:
                log.add(r.row, r.cols.get(ID), INFO[0].header, r.carrier_id,
                        _("no such carrier, or it is outside your scope"))
                continue
            if r.credit_code and r.credit_code != carriers[r.carrier_id].operator.credit_code:
                log.add(r.row, r.cols.get(CREDIT), INFO[1].header, r.credit_code,
                        _("this is not the credit code of carrier %(id)s's operator; is the row shifted?") % {
                            "id": r.carrier_id})
                continue
            if not self._validate(r, log, last_year.get(r.carrier_id), failed_here):
                continue
            report = latest.get(r.carrier_id)
            have = current.get(report.pk, {}) if report else {}
            diff = {c: v for c, v in r.values.items() if have.get(c, (None,))[0] != v}
            if report is not None and not diff:
                result.unchanged += 1
                continue
            if report is not None and report.status not in (ReportStatus.DRAFT, ReportStatus.RETURNED):
                log.add(r.row, None, "", "", _("the %(year)s report is %(status)s and locked; amend it first") % {
                    "year": self.year, "status": report.get_status_display()})
                continue
            if report is None:
                if not self.may_add:
                    log.add(r.row, None, "", "", _("your role may not create annual reports"))
                    continue
                report = AnnualReport(carrier=carriers[r.carrier_id], year=self.year, form_code=self.form.code)
                new_reports.append((report, r.values))
                result.created += 1
                continue
            result.updated += 1
            touched.append(report)
            for code, value in diff.items():
                existing = have.get(code)
                if existing is None:
                    new_values.append(ReportValue(report=report, code=code, value=value,
                                                  origin=ValueOrigin.IMPORTED))
                else:
                    changed_values.append(ReportValue(pk=existing[1], value=value, origin=ValueOrigin.IMPORTED))
        if not write or not log.result.ok:
            return
        with acting_for(self.user), change_reason(_("import of %(file)s") % {"file": result.filename}):
            created = AnnualReport.objects.bulk_create([rep for rep, _ in new_reports], batch_size=1000)
            insert_values((r.pk, c, v, ValueOrigin.IMPORTED, None) for r, (_, values) in zip(
                created, new_reports, strict=True) for c, v in values.items())
            ReportValue.objects.bulk_create(new_values, batch_size=5000)
            updated, before = _with_before(changed_values)
            ReportValue.objects.bulk_update(updated, ["value", "origin"], batch_size=5000)
            if touched:
                AnnualReport.objects.filter(pk__in=[t.pk for t in touched]).update(updated_at=_now())
            record_bulk(AnnualReport, "create", created)
            record_bulk(AnnualReport, "update", touched)
            # Every figure written, with what it was: the reports' own entries do not show the figures.
            record_bulk(ReportValue, "create", ReportValue.objects.filter(report__in=created).order_by("pk"))
            record_bulk(ReportValue, "create", new_values)
            record_bulk(ReportValue, "update", updated, before=before)


def _with_before(changes: list[ReportValue]) -> tuple[list[ReportValue], dict[int, dict]]:
    """The stored figures with the imported value and origin set, and their snapshots before the change."""
    if not changes:
        return [], {}
    stored = ReportValue.objects.in_bulk([c.pk for c in changes])
    before = {pk: snapshot(value) for pk, value in stored.items()}
    for change in changes:
        value = stored[change.pk]
        value.value, value.origin = change.value, change.origin
    return list(stored.values()), before


def _now():
    from django.utils import timezone

    return timezone.now()


def _values(report_ids) -> dict[int, dict[str, tuple[int | None, int]]]:
    out: dict[int, dict] = {}
    for pk, report_id, code, value in ReportValue.objects.filter(report_id__in=report_ids).values_list(
            "pk", "report_id", "code", "value"):
        out.setdefault(report_id, {})[code] = (value, pk)
    return out


def _accepted_values(carrier_ids, year: int) -> dict[int, dict]:
    best: dict[int, AnnualReport] = {}
    for report in AnnualReport.objects.filter(carrier_id__in=carrier_ids, year=year,
                                              status=ReportStatus.ACCEPTED).order_by("version"):
        best[report.carrier_id] = report
    values = _values([r.pk for r in best.values()])
    return {c: {code: v for code, (v, _) in values.get(r.pk, {}).items()} for c, r in best.items()}


def import_reports(source, filename: str, year: int, user, *, dry_run=False,
                   max_errors=importer.DEFAULT_MAX_ERRORS, progress=None, chunked: bool = False):
    job = ReportImport(user, year)
    return importer.run(job.importer(), source, filename, dry_run=dry_run, max_errors=max_errors, progress=progress,
                        chunked=chunked)
