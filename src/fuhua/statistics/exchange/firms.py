"""Bulk import of firms (the registry's largest table) from a workbook or CSV, and its template.

Keyed by the unified social credit code: a new code creates the firm, a known one updates what
differs, an identical row changes nothing (so the same file twice creates nothing new).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from fuhua.accounts.roles import Role, grants_of, protected_fields, role_allows
from fuhua.core.audit import record_bulk, snapshot
from fuhua.core.bulk import insert_rows
from fuhua.core.context import acting_for, change_reason
from fuhua.core.exports import safe_cell, safe_workbook, unescape_cell
from fuhua.core.validators import validate_credit_code
from fuhua.registry.choices import IndustryField, SizeClass
from fuhua.registry.models import Firm, Region

from . import cells, importer
from .importer import Column, Importer
from .pinyin import firm_search_text

SHEET = "企业名录"
COLUMNS = [
    Column("credit_code", "统一社会信用代码", ("信用代码", "credit code")),
    Column("name", "企业名称", ("名称", "name")),
    Column("founded", "成立日期", ("注册日期", "founded")),
    Column("industry_field", "行业领域", ("行业", "industry field", "industry")),
    Column("size_class", "企业规模", ("规模", "size class", "size"), required=False),
    Column("region", "注册地区划代码", ("区划代码", "行政区划代码", "region code")),
]
HEADER = {c.key: c.header for c in COLUMNS}
FIELDS = ("name", "credit_code", "founded", "industry_field", "size_class", "region_id")


def _choice_index(choices) -> dict[str, str]:
    """Code, Chinese label and English label → code."""
    index = {}
    for value, label in choices:
        index[value] = value
        index[str(label).lower()] = value
        with translation.override("zh-hans"):
            index[str(label)] = value
    return index


@dataclass(slots=True)
class FirmRow:
    row: int
    credit_code: str
    name: str
    founded: datetime.date
    industry_field: str
    size_class: str | None  # None: the column is missing or the cell blank; an existing firm keeps its size
    region_id: str


class FirmImport:
    def __init__(self, user):
        self.user = user
        self.regions = set(Region.objects.values_list("code", flat=True))
        self.industries = _choice_index(IndustryField.choices)
        self.sizes = _choice_index(SizeClass.choices)
        self.seen: dict[str, int] = {}  # credit code → first row, for duplicates within the file
        self.today = timezone.localdate()
        self.may_create = _creation_scope(user)
        # Translated once: a bad file repeats the same few messages on every row.
        self.msg = {
            "required": _("required"), "long": _("at most 200 characters"),
            "founded": _("the founding date must be between 1900 and today"),
            "industry": _("not an industry field of the list"), "size": _("not a size class of the list"),
            "region": _("not a region code (GB/T 2260, 6 digits, e.g. 320571)"),
        }

    def importer(self) -> Importer:
        return Importer(COLUMNS, self.parse_row, self.handle_chunk, sheet=SHEET)

    def parse_row(self, number: int, row: list, cols: dict[str, int], log) -> FirmRow | None:
        errors, msg, width = log.result.error_count, self.msg, len(row)

        def get(key):
            i = cols.get(key)
            return row[i] if i is not None and i < width else None

        def bad(key, value, message):
            log.add(number, cols.get(key), HEADER[key], value, message)

        code = cells.text(get("credit_code")).upper()
        try:
            validate_credit_code(code)
        except ValidationError as exc:
            bad("credit_code", code, exc.messages[0])
        else:
            first = self.seen.setdefault(code, number)
            if first != number:
                bad("credit_code", code, _("the same code is already in row %(row)s") % {"row": first})
        name = cells.text(unescape_cell(get("name")))
        if not name:
            bad("name", "", msg["required"])
        elif len(name) > 200:
            bad("name", name, msg["long"])
        founded = None
        try:
            founded = cells.date(get("founded"))
            if founded is None:
                bad("founded", "", msg["required"])
            elif founded > self.today or founded.year < 1900:
                bad("founded", get("founded"), msg["founded"])
        except cells.CellProblem as exc:
            bad("founded", get("founded"), str(exc))
        industry = self.industries.get(cells.text(get("industry_field")).lower()) or self.industries.get(
            cells.text(get("industry_field")))
        if industry is None:
            bad("industry_field", get("industry_field"), msg["industry"])
        size_raw = cells.text(get("size_class"))
        size = (self.sizes.get(size_raw.lower()) or self.sizes.get(size_raw)) if size_raw else None
        if size_raw and size is None:
            bad("size_class", size_raw, msg["size"])
        region = cells.text(get("region"))
        if region not in self.regions:
            bad("region", region, msg["region"])
        if log.result.error_count != errors:
            return None
        return FirmRow(number, code, name, founded, industry, size, region)

    @property
    def protected(self) -> frozenset[str]:
        return protected_fields(self.user, Firm, "change")

    def handle_chunk(self, rows: list[FirmRow], log, result, write: bool) -> None:
        codes = [r.credit_code for r in rows]
        # Whole rows: the audit records each updated firm as it was before.
        existing = {f.credit_code: f for f in Firm.objects.filter(credit_code__in=codes)}
        changeable = None
        if existing:
            changeable = set(Firm.objects.restrict(self.user, "change").filter(
                pk__in=[f.pk for f in existing.values()]).values_list("pk", flat=True))
        new, changed, before = [], [], {}
        for r in rows:
            firm = existing.get(r.credit_code)
            if firm is None:
                if self.may_create is not None and not self.may_create(r.region_id):
                    log.add(r.row, None, HEADER["region"], r.region_id,
                            _("you may not add firms registered in this region"))
                    continue
                new.append((r.name, r.credit_code, r.founded, r.industry_field, r.size_class or SizeClass.MICRO,
                            r.region_id, firm_search_text(r.name, r.credit_code)))
                continue
            given = [f for f in FIELDS if getattr(r, f) is not None]  # a missing optional column changes nothing
            if all(getattr(firm, f) == getattr(r, f) for f in given):
                result.unchanged += 1
                continue
            if changeable is not None and firm.pk not in changeable:
                log.add(r.row, None, HEADER["credit_code"], r.credit_code,
                        _("this firm exists but is outside what you may change"))
                continue
            locked = [f for f in given if f.removesuffix("_id") in self.protected and getattr(firm, f) != getattr(r, f)]
            if locked:  # accounts.roles.PROTECTED_FIELDS, as core.services enforces on every other write
                key = locked[0].removesuffix("_id")
                log.add(r.row, None, HEADER[key], getattr(r, locked[0]), _("your role may not change this field"))
                continue
            before[firm.pk] = snapshot(firm)
            for f in given:
                setattr(firm, f, getattr(r, f))
            firm.search = firm_search_text(r.name, r.credit_code)
            changed.append(firm)
        result.created += len(new)
        result.updated += len(changed)
        if not write or not log.result.ok:
            return
        with acting_for(self.user), change_reason(_("bulk import of %(file)s") % {"file": result.filename}):
            insert_rows(Firm, [*FIELDS, "search"], new)
            if changed:
                Firm.objects.bulk_update(changed, [*FIELDS, "search", "updated_at"], batch_size=2000)
            record_bulk(Firm, "create", _inserted(new))
            record_bulk(Firm, "update", changed, before=before)


def _inserted(rows: list[tuple]) -> list[Firm]:
    """The firms just inserted, as instances for their audit entries (built here, not read back)."""
    pks = dict(Firm.objects.filter(credit_code__in=[row[1] for row in rows]).values_list("credit_code", "pk"))
    where = {name: i for i, name in enumerate([*FIELDS, "search"])}
    fields = Firm._meta.concrete_fields
    defaults = [None if f.primary_key else f.get_default() for f in fields]
    slots = [where.get(f.attname) for f in fields]
    pk_slot = next(i for i, f in enumerate(fields) if f.primary_key)
    out = []
    for row in rows:  # positional construction: Django's fast path, a fifth of the keyword one
        values = [d if s is None else row[s] for d, s in zip(defaults, slots, strict=True)]
        values[pk_slot] = pks[row[1]]
        out.append(Firm(*values))
    return out


def _creation_scope(user):
    """None: may add firms anywhere; else a predicate on the region code (bureaus: their region)."""
    if user.is_superuser:  # the platform admin, and the system actor (demo, tasks)
        return None
    prefixes = []
    for grant in grants_of(user):
        if not role_allows(grant.role, Firm, "add"):
            continue
        if grant.role == Role.ADMIN:
            return None
        if grant.role == Role.BUREAU and grant.region_id:
            prefixes.append(grant.region.code_prefix)
    prefixes = tuple(prefixes)
    return lambda code: code.startswith(prefixes) if prefixes else False


def import_firms(source, filename: str, user, *, dry_run=False, max_errors=importer.DEFAULT_MAX_ERRORS,
                 progress=None, chunk_size: int = 5000, chunked: bool = False):
    job = FirmImport(user)
    imp = job.importer()
    imp.chunk_size = chunk_size
    return importer.run(imp, source, filename, dry_run=dry_run, max_errors=max_errors, progress=progress,
                        chunked=chunked)


def write_firm_template(out, firms=None) -> None:
    """The firm workbook: headers, dropdowns for field and size, date and length validation;
    `firms` (an iterable of Firm) fills it for a round trip."""
    book = safe_workbook(out, constant_memory=True, in_memory=False)
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
    date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
    text_fmt = book.add_format({"num_format": "@"})
    ws = book.add_worksheet(SHEET)
    with translation.override("zh-hans"):
        industries = [str(label) for _, label in IndustryField.choices]
        sizes = [str(label) for _, label in SizeClass.choices]
        for i, col in enumerate(COLUMNS):
            ws.write(0, i, col.header, head)
        ws.set_column(0, 0, 22, text_fmt)
        ws.set_column(1, 1, 36)
        ws.set_column(2, 2, 12, date_fmt)
        ws.set_column(3, 5, 14)
        last = 1_048_575
        ws.data_validation(1, 0, last, 0, {"validate": "length", "criteria": "==", "value": 18,
                                           "input_title": "统一社会信用代码", "input_message": "18位，GB 32100-2015"})
        ws.data_validation(1, 2, last, 2, {"validate": "date", "criteria": ">=",
                                           "value": datetime.date(1900, 1, 1), "input_message": "例如 2024-03-01"})
        ws.data_validation(1, 3, last, 3, {"validate": "list", "source": industries})
        ws.data_validation(1, 4, last, 4, {"validate": "list", "source": sizes})
        ws.data_validation(1, 5, last, 5, {"validate": "length", "criteria": "==", "value": 6,
                                           "input_message": "GB/T 2260 六位代码，例如 320571"})
        ws.freeze_panes(1, 0)
        labels = dict(IndustryField.choices)
        size_labels = dict(SizeClass.choices)
        for r, firm in enumerate(firms or (), 1):
            ws.write_string(r, 0, firm.credit_code)
            ws.write_string(r, 1, safe_cell(firm.name))  # read back through unescape_cell
            ws.write_datetime(r, 2, datetime.datetime.combine(firm.founded, datetime.time()), date_fmt)
            ws.write_string(r, 3, str(labels.get(firm.industry_field, firm.industry_field)))
            ws.write_string(r, 4, str(size_labels.get(firm.size_class, firm.size_class)))
            ws.write_string(r, 5, firm.region_id)
    book.close()
