"""The annual development report: a template as data (reports/*.yaml), a snapshot of the figures it needs
(stored with its SHA-256, so that a published report regenerates identically), and its renderings: HTML
(every figure linked to its query and method note), PDF (WeasyPrint: Noto CJK, page numbers, contents) and
XLSX (every table and every chart's data, with the charts)."""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import re
from functools import lru_cache
from pathlib import Path

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from fuhua.core import formatting as fmt
from fuhua.core.db_router import replica_reads
from fuhua.core.exports import safe_workbook, write_safe_row
from fuhua.registry.models import Region

from . import index as shuangchuang
from . import svg
from .metrics import Frame, Metric, catalogue
from .models import ReportSnapshot
from .yamlfile import DataFileError, load, where

TEMPLATES = Path(__file__).resolve().parent / "reports"
PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)(?:\.(change|growth))?\}")
CONTEXT_WORDS = {"region", "year", "index_top"}


class ReportError(ValueError):
    """A report that cannot be built (no data for the year); the message says why, for a person."""


def _references(chapter: dict):
    """Every metric a chapter names, in order, with where it is named: (code, node, key or None)."""
    for code in chapter.get("figures", []):
        yield code, chapter, "figures"
    for sentence in chapter.get("sentences", []):
        for lang in ("zh", "en"):
            for name, _part in PLACEHOLDER.findall(sentence.get(lang, "")):
                if name not in CONTEXT_WORDS:
                    yield name, sentence, lang
    for item in [*chapter.get("charts", []), *chapter.get("tables", [])]:
        for code in item.get("metrics", []) + ([item["metric"]] if "metric" in item else []):
            yield code, item, None


def parse_template(path: Path) -> dict:
    data = load(path)
    metrics = catalogue()
    for key in ("code", "title", "chapters"):
        if key not in data:
            raise DataFileError(f"{where(path, data)}: a report template needs `{key}`")

    def need(code, at):
        if code not in metrics:
            raise DataFileError(f"{at}: unknown metric {code!r} (not in catalogue/metrics.yaml)")

    for chapter in data["chapters"]:
        for code, node, key in _references(chapter):
            need(code, where(path, node, key))
        for item in [*chapter.get("charts", []), *chapter.get("tables", [])]:
            if item.get("type") not in ("trend", "regions", "years", "index"):
                raise DataFileError(f"{where(path, item)}: unknown type {item.get('type')!r}")
    return data


@lru_cache(maxsize=8)
def _template(code: str) -> dict:
    path = TEMPLATES / f"{code}.yaml"
    if not re.fullmatch(r"[a-z0-9-]+", code) or not path.exists():
        raise ReportError(_("Unknown report template %(code)s.") % {"code": code})
    return parse_template(path)


def template(code: str = "annual-report") -> dict:
    return _template(code)


def used_metrics(tpl: dict) -> list[str]:
    out: list[str] = []

    def add(code):
        if code not in out:
            out.append(code)
            m = catalogue()[code]
            for ref in (m.spec.get("numerator"), m.spec.get("denominator"), m.spec.get("of")):
                if ref:
                    add(ref)

    for chapter in tpl["chapters"]:
        for code, _node, _key in _references(chapter):
            add(code)
    return out


def _metric_json(m: Metric) -> dict:
    return {"label": m.label_zh, "label_en": m.label_en, "unit": m.unit, "note": m.note_zh, "note_en": m.note_en,
            "kind": m.kind, "source": m.source.rsplit("/", 1)[-1]}


def collect(user, region: Region, year: int, template_code: str = "annual-report") -> dict:
    """The snapshot's data: every metric the template uses, over its years, for the region and sub-regions."""
    tpl = template(template_code)
    frame = Frame(user, region)
    if not len(frame.ids):
        raise ReportError(_("%(region)s has no carriers you may see: there is nothing to report.")
                          % {"region": region.name})
    if not frame.has_statistics(year):
        raise ReportError(_("There are no accepted annual statistics for %(year)s in %(region)s yet: the report "
                            "for that year cannot be built. Choose a year whose statistics have been accepted.")
                          % {"year": year, "region": region.name})
    years = list(range(year - int(tpl.get("years", 5)) + 1, year + 1))
    codes = used_metrics(tpl)
    codes += [c for c in shuangchuang.metrics() if c not in codes]
    values = {code: {str(y): frame.value(code, y).value for y in [*years, year - 1] if y >= 2000} for code in codes}
    by_child = {code: frame.value(code, year).by_child for code in codes}
    return {
        "template": tpl, "template_code": template_code, "region": {"code": region.code, "name": region.name},
        "year": year, "years": years, "children": [{"code": c.code, "name": c.name} for c in frame.children],
        "values": values, "by_child": by_child,
        "metrics": {code: _metric_json(catalogue()[code]) for code in codes},
        "index_method": json.loads(json.dumps(shuangchuang.method())),
        "collected_at": timezone.now().isoformat(timespec="seconds"),
    }


def checksum(data: dict) -> str:
    """SHA-256 of the snapshot's figures in canonical JSON. The collection time is left out, so two snapshots of
    the same data have the same checksum: a report rebuilt later from unchanged data proves it is the same."""
    figures = {k: v for k, v in data.items() if k != "collected_at"}
    canonical = json.dumps(figures, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def build_snapshot(user, region: Region, year: int, template_code: str = "annual-report") -> ReportSnapshot:
    """Collect and store the snapshot. The caller has checked that the user may add reports for the region
    (`services.region_for(user, code, "add")`); the data and checksum are written once, never changed."""
    with replica_reads():  # the report's reads may come from the read replica (core/db_router.py)
        data = collect(user, region, year, template_code)
    return ReportSnapshot.objects.create(region=region, year=year, template=template_code, data=data,
                                         checksum=checksum(data), created_by_id=getattr(user, "pk", None))


def verify(snapshot: ReportSnapshot) -> bool:
    return checksum(snapshot.data) == snapshot.checksum


# --- rendering from the snapshot only -------------------------------------------------------------------------


class View:
    """The snapshot read for rendering in one language."""

    def __init__(self, data: dict, lang: str = "zh", link=None):
        self.data, self.lang, self.link = data, lang, link
        self.year = data["year"]
        self.region = data["region"]["name"]

    def label(self, code):
        m = self.data["metrics"][code]
        return m["label_en"] if self.lang == "en" else m["label"]

    def note(self, code):
        m = self.data["metrics"][code]
        return m["note_en"] if self.lang == "en" else m["note"]

    def raw(self, code, year=None):
        return self.data["values"][code].get(str(year or self.year))

    def unit_text(self, code, value) -> str:
        unit = self.data["metrics"][code]["unit"]
        if value is None:
            return "—"
        if unit == "fen":
            return fmt.money(int(value), lang=self.lang)
        if unit == "%":
            return f"{value:.1f}%"
        number = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
        return number if self.lang == "en" else f"{number}{unit}"

    def plain(self, code, value) -> str:
        if value is None:
            return ""
        if self.data["metrics"][code]["unit"] == "fen":
            return f"{value / 1_000_000:,.2f}"  # 万元
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"

    def text(self, code, year=None) -> str:
        return self.unit_text(code, self.raw(code, year))

    def change(self, code) -> tuple[float | None, float | None]:
        now, before = self.raw(code), self.raw(code, self.year - 1)
        if now is None or before is None:
            return None, None
        return now - before, (round(100.0 * (now - before) / before, 1) if before else None)

    def change_text(self, code, part) -> str:
        diff, pct = self.change(code)
        if diff is None:
            return _("no comparable figure for the year before") if self.lang == "en" else "上年无可比数据"
        if part == "growth":
            if pct is None:
                return "—"
            if self.lang == "en":
                return f"{pct:+.1f}%"
            return f"增长{pct:.1f}%" if pct >= 0 else f"下降{-pct:.1f}%"
        amount = self.unit_text(code, abs(diff))
        if self.lang == "en":
            return f"{'+' if diff >= 0 else '−'}{amount}"
        return ("增加" if diff > 0 else "减少" if diff < 0 else "持平") + (amount if diff else "")

    def sentence(self, template_text: str, html: bool) -> str:
        from html import escape

        def fill(match):
            name, part = match.group(1), match.group(2)
            if name == "region":
                return escape(self.region) if html else self.region
            if name == "year":
                return str(self.year)
            if name == "index_top":
                text = self.index_top()
                return escape(text) if html else text
            text = self.change_text(name, part) if part else self.text(name)
            if html and self.link:
                return (f'<a class="fig" href="{escape(self.link(name))}" title="{escape(self.note(name))}">'
                        f"{escape(text)}</a>")
            return escape(text) if html else text

        return PLACEHOLDER.sub(fill, escape(template_text) if html else template_text)

    def chapters(self, html: bool = True) -> list[dict]:
        out = []
        tpl = self.data["template"]
        for chapter in tpl["chapters"]:
            lang_key = "en" if self.lang == "en" else "zh"
            item = {"key": chapter["key"], "title": chapter.get("title_en") if self.lang == "en" else chapter["title"],
                    "figures": [], "sentences": [], "charts": [], "tables": []}
            for code in chapter.get("figures", []):
                _diff, pct = self.change(code)
                item["figures"].append({"code": code, "label": self.label(code), "value": self.text(code),
                                        "change": self.change_text(code, "growth" if pct is not None else "change"),
                                        "note": self.note(code), "link": self.link(code) if self.link else ""})
            for sentence in chapter.get("sentences", []):
                item["sentences"].append(self.sentence(sentence.get(lang_key) or sentence["zh"], html))
            for chart in chapter.get("charts", []):
                item["charts"].append(self.chart(chart))
            for table in chapter.get("tables", []):
                item["tables"].append(self.table(table))
            out.append(item)
        return out

    def title_of(self, item) -> str:
        return item.get("title_en", item["title"]) if self.lang == "en" else item["title"]

    def index_rows(self) -> list[dict]:
        method = self.data.get("index_method")
        if not method or not self.data["children"]:
            return []
        return shuangchuang.compute(self.data["by_child"], self.data["children"], method)

    def index_top(self) -> str:
        rows = self.index_rows()
        if not rows:
            return "no sub-regions to compare" if self.lang == "en" else "无可比较的下级地区"
        top = rows[0]
        if self.lang == "en":
            return f"{top['name']} leads with {top['index']:.1f}"
        return f"{top['name']}以{top['index']:.1f}分居首"

    def index_table(self, spec: dict) -> dict:
        method = self.data.get("index_method") or {"dimensions": []}
        en = self.lang == "en"
        dims = method["dimensions"]
        headers = ["Region" if en else "地区", *[(d.get("label_en") if en else d["label"]) for d in dims],
                   "Index" if en else "双创指数", "Rank" if en else "排名"]
        rows = [[r["name"], *[f"{r['dimensions'][d['key']]:.1f}" for d in dims], f"{r['index']:.1f}", str(r["rank"])]
                for r in self.index_rows()]
        return {"key": spec["key"], "title": self.title_of(spec), "headers": headers, "rows": rows, "codes": []}

    def table(self, spec: dict) -> dict:
        if spec["type"] == "index":
            return self.index_table(spec)
        codes = spec.get("metrics") or [spec["metric"]]
        headers = [self.label(c) + (f"（{_unit_word(self, c)}）" if _unit_word(self, c) else "") for c in codes]
        if spec["type"] == "years":
            first = _("Year") if self.lang == "en" else "年份"
            rows = [[str(y), *[self.plain(c, self.raw(c, y)) for c in codes]] for y in self.data["years"]]
        else:
            first = _("Region") if self.lang == "en" else "地区"
            rows = [[child["name"], *[self.plain(c, self.data["by_child"][c].get(child["code"])) for c in codes]]
                    for child in self.data["children"]]
            rows.append([("Total" if self.lang == "en" else "合计"), *[self.plain(c, self.raw(c)) for c in codes]])
        return {"key": spec["key"], "title": self.title_of(spec), "headers": [first, *headers], "rows": rows,
                "codes": codes}

    def chart(self, spec: dict) -> dict:
        title = self.title_of(spec)
        if spec["type"] == "index":
            rows = sorted(self.index_rows(), key=lambda r: r["code"])
            markup = svg.bar_chart(spec["key"], title, [r["name"] for r in rows], [r["index"] for r in rows],
                                   "双创指数" if self.lang != "en" else "Index")
            return {"key": spec["key"], "title": title, "svg": markup, "table": self.index_table(spec),
                    "type": "index"}
        table = self.table({**spec, "type": "years" if spec["type"] == "trend" else "regions"})
        if spec["type"] == "trend":
            labels = [str(y) for y in self.data["years"]]
            series = {self.label(c): [self.raw(c, y) for y in self.data["years"]] for c in spec["metrics"]}
            markup = svg.line_chart(spec["key"], title, labels, series)
        else:
            code = spec["metric"]
            labels = [c["name"] for c in self.data["children"]]
            values = [self.data["by_child"][code].get(c["code"]) for c in self.data["children"]]
            markup = svg.bar_chart(spec["key"], title, labels, values, self.label(code))
        return {"key": spec["key"], "title": title, "svg": markup, "table": table, "type": spec["type"]}

    def title(self) -> str:
        tpl = self.data["template"]
        text = tpl.get("title_en", tpl["title"]) if self.lang == "en" else tpl["title"]
        return text.replace("{region}", self.region).replace("{year}", str(self.year))


def _unit_word(view: View, code: str) -> str:
    unit = view.data["metrics"][code]["unit"]
    if unit == "fen":
        return "万元" if view.lang != "en" else "10k yuan"
    if unit == "%":
        return "%"
    return unit if view.lang != "en" else ""


def render_html(snapshot: ReportSnapshot, lang: str = "zh", link=None, for_pdf: bool = False) -> str:
    view = View(snapshot.data, lang, link)
    return render_to_string("steering/report_document.html", {
        "view": view, "title": view.title(), "chapters": view.chapters(html=True), "snapshot": snapshot,
        "lang": lang, "for_pdf": for_pdf,
        "collected_at": fmt.datetime(datetime.datetime.fromisoformat(snapshot.data["collected_at"])),  # Beijing time
        "metrics": [
            {"code": c, "label": view.label(c), "note": view.note(c), "link": link(c) if link else ""}
            for c in snapshot.data["metrics"]],
    })


def render_pdf(snapshot: ReportSnapshot, lang: str = "zh") -> bytes:
    from weasyprint import HTML  # heavy: imported only when a PDF is asked for

    return HTML(string=render_html(snapshot, lang, for_pdf=True)).write_pdf()


def render_xlsx(snapshot: ReportSnapshot, lang: str = "zh") -> bytes:
    view = View(snapshot.data, lang)
    buffer = io.BytesIO()
    book = safe_workbook(buffer)
    bold = book.add_format({"bold": True})
    cover = book.add_worksheet("报告" if lang != "en" else "Report")
    cover.write(0, 0, view.title(), bold)
    cover.write(1, 0, f"SHA-256 {snapshot.checksum}")
    row = 3
    used = set()
    for chapter in view.chapters(html=False):
        cover.write(row, 0, chapter["title"], bold)
        row += 1
        for sentence in chapter["sentences"]:
            cover.write(row, 0, sentence)
            row += 1
        for item in [*chapter["tables"], *[c["table"] | {"key": c["key"], "title": c["title"], "chart": c}
                                          for c in chapter["charts"]]]:
            name = item["key"][:31]
            if name in used:
                continue
            used.add(name)
            sheet = book.add_worksheet(name)
            sheet.write(0, 0, item["title"], bold)
            write_safe_row(sheet, 1, 0, item["headers"], bold)
            for i, values in enumerate(item["rows"]):
                write_safe_row(sheet, 2 + i, 0, [values[0], *[_number(v) for v in values[1:]]])
            sheet.set_column(0, len(item["headers"]), 16)
            if "chart" in item:
                n = len(item["rows"]) - (1 if item["chart"]["type"] == "regions" else 0)
                chart = book.add_chart({"type": "line" if item["chart"]["type"] == "trend" else "column"})
                width = len(item["headers"])
                columns = [width - 2] if item["chart"]["type"] == "index" else range(1, width)
                for col in columns:
                    chart.add_series({"name": [name, 1, col], "categories": [name, 2, 0, 1 + n, 0],
                                      "values": [name, 2, col, 1 + n, col]})
                chart.set_title({"name": item["title"]})
                sheet.insert_chart(2, len(item["headers"]) + 1, chart)
        row += 1
    notes = book.add_worksheet("口径说明" if lang != "en" else "Method")
    write_safe_row(notes, 0, 0, ["code", "label", "note"], bold)
    for i, code in enumerate(snapshot.data["metrics"]):
        write_safe_row(notes, i + 1, 0, [code, view.label(code), view.note(code)])
    book.close()
    return buffer.getvalue()


def _number(text):
    if text in ("", None):
        return ""
    try:
        return float(str(text).replace(",", ""))
    except ValueError:
        return text


def render(snapshot: ReportSnapshot, fmt_: str, lang: str = "zh", link=None) -> bytes:
    if fmt_ == "html":
        return render_html(snapshot, lang, link).encode()
    if fmt_ == "pdf":
        return render_pdf(snapshot, lang)
    if fmt_ == "xlsx":
        return render_xlsx(snapshot, lang)
    raise ReportError(_("Unknown format %(fmt)s: html, pdf or xlsx.") % {"fmt": fmt_})


def last_complete_year(today: datetime.date | None = None) -> int:
    return (today or timezone.localdate()).year - 1
