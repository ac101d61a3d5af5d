"""Workbooks for the import tests, written with xlsxwriter as Excel would save them."""

from __future__ import annotations

import xlsxwriter

from fuhua.statistics.definitions import form_for_year
from fuhua.statistics.exchange.reports import INFO, sheet_name


def xlsx(path, rows, sheet="Sheet1", merge=None, formula=None, constant_memory=False) -> str:
    book = xlsxwriter.Workbook(str(path), {"constant_memory": constant_memory})
    ws = book.add_worksheet(sheet)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None:
                ws.write(r, c, value)
    if merge:
        ws.merge_range(merge, "合并")
    if formula:
        ws.write_formula(formula, "=1+1", None, 2)
    book.close()
    return str(path)


def report_header(year: int) -> list[str]:
    form = form_for_year(year)
    return [c.header for c in INFO] + [f.header for f in form.fields.values()]


def report_row(year: int, carrier, values: dict) -> list:
    """A data row in display units (千元 for money)."""
    form = form_for_year(year)
    return [carrier.pk, carrier.operator.credit_code, carrier.name] + [
        form.fields[c].to_display(values.get(c)) for c in form.fields]


def report_book(path, year: int, rows: list[list]) -> str:
    return xlsx(path, [report_header(year), *rows], sheet=sheet_name(year))
