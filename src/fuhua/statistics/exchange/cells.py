"""Reading one cell as what a column expects: numbers as people type them (１２３, 1,234,567, 12.5
千元), dates in the five common spellings and Excel serials. Each parser returns the value or raises
CellProblem with a message for the person who typed it."""

from __future__ import annotations

import datetime
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

EXCEL_EPOCH = datetime.date(1899, 12, 30)  # serial 1 = 1900-01-01 (with Lotus's leap-year bug)
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_SPACES = re.compile(r"[\s\u200b\ufeff]+")


class CellProblem(ValueError):
    pass


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not _SPACES.sub("", value))


def text(value) -> str:
    """A cell as clean text: full-width forms folded (NFKC), outer spaces gone; 123.0 → "123"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


def number(value, scale: int = 1) -> int | None:
    """A figure in display units → an integer in storage units (× scale, e.g. 千元 → fen)."""
    if is_blank(value):
        return None
    if isinstance(value, bool | datetime.date | datetime.time | datetime.timedelta):
        raise CellProblem(_("expected a number, found a date or a true/false value"))
    if isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, float):
        amount = Decimal(repr(value))
    else:
        cleaned = _SPACES.sub("", text(value)).replace(",", "")
        try:
            amount = Decimal(cleaned)
        except InvalidOperation:
            raise CellProblem(_("not a number")) from None
        if not amount.is_finite():
            raise CellProblem(_("not a number"))
    stored = amount * scale
    if stored != stored.to_integral_value():
        raise CellProblem(_("too many decimal places") if scale > 1 else _("must be a whole number"))
    return int(stored)


def date(value) -> datetime.date | None:
    if is_blank(value):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not 1 <= value < 2958466:
            raise CellProblem(_("not a date"))
        return EXCEL_EPOCH + datetime.timedelta(days=int(value))
    raw = _SPACES.sub("", text(value))
    match = _DATE.match(raw) or _COMPACT_DATE.match(raw)
    if match is None:
        if raw.isdigit() and len(raw) <= 5:  # an Excel serial typed as text
            return date(int(raw))
        raise CellProblem(_("not a date; write it as 2024-03-01"))
    try:
        return datetime.date(*(int(g) for g in match.groups()))
    except ValueError:
        raise CellProblem(_("no such day")) from None


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
