"""The error workbook: the uploaded sheet again, each bad cell filled red with its message as a
comment, and a last column listing the row's problems, so people fix the file they know."""

from __future__ import annotations

from collections import defaultdict

from fuhua.core.exports import safe_workbook

from . import cells
from .importer import CellError
from .reading import FileProblem, open_table

MAX_COMMENTS = 5000  # Excel slows down badly with more; the extra column still lists every error


def write_error_workbook(source, filename: str, errors: list[CellError], out, sheet: str | None = None) -> None:
    by_row: dict[int, list[CellError]] = defaultdict(list)
    for e in errors:
        by_row[e.row].append(e)
    book = safe_workbook(out, constant_memory=True, in_memory=False)  # the uploaded text stays text
    bad = book.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006"})
    note = book.add_format({"font_color": "#9C0006", "text_wrap": False})
    head = book.add_format({"bold": True})
    try:
        table = open_table(source, filename, sheet)
    except FileProblem as exc:
        ws = book.add_worksheet("错误")
        ws.write_string(0, 0, str(exc), note)
        book.close()
        return
    ws = book.add_worksheet(table.sheet[:31])
    comments, width = 0, 0
    whole = [e for e in by_row.get(0, [])]
    for number, row in table.rows:
        r = number - 1
        width = max(width, len(row))
        bad_cols = {}
        for e in by_row.get(number, []):
            if e.column:
                bad_cols.setdefault(e.column, []).append(e.message)
        for c, value in enumerate(row):
            letter = cells.column_letter(c)
            fmt = bad if letter in bad_cols else None
            if cells.is_blank(value):
                if fmt:
                    ws.write_blank(r, c, None, fmt)
            elif isinstance(value, int | float) and not isinstance(value, bool):
                ws.write_number(r, c, value, fmt)
            else:
                ws.write_string(r, c, str(value), fmt)  # as uploaded, not normalised
            if letter in bad_cols and comments < MAX_COMMENTS:
                ws.write_comment(r, c, "；".join(bad_cols[letter])[:1000])
                comments += 1
        if number in by_row:
            ws.write_string(r, max(len(row), width), "；".join(str(e) for e in by_row[number])[:32000], note)
    if whole:
        ws.write_string(0, width + 1, "；".join(e.message for e in whole), head)
    book.close()
