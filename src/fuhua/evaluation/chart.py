"""The grade distribution as a small server-rendered SVG (no JavaScript, no CDN), optionally next to
published reference distributions as percentages."""

from __future__ import annotations

from django.utils.html import escape

from fuhua.core.glossary import chart_row

from .models import GRADE_ORDER

COLOURS = {"A": "#2e7d32", "B": "#1565c0", "C": "#f9a825", "D": "#c62828"}

# Published distributions: year → counts A, B, C, D.
# National: 科技部火炬中心公布的国家级科技企业孵化器评价结果（2017、2020、2021年度）.
# Jiangsu 2020 (591 incubators and 35 university science parks evaluated): 江苏省孵化器协会简报·载体建设
# 《以绩效评价引领科技企业孵化器高质量发展》（来源：江苏省科技厅网站）.
REFERENCES = {
    "national 2017": (139, 414, 405, 30),
    "national 2020": (258, 515, 476, 38),
    "national 2021": (386, 617, 262, 12),
    "Jiangsu 2020": (93, 246, 270, 8),
}


def shares(counts) -> list[float]:
    total = sum(counts) or 1
    return [100 * c / total for c in counts]


def distribution_svg(grades: dict[str, int], references: dict | None = None, title: str = "") -> str:
    """Stacked horizontal bars in percent: this run first, then each reference."""
    bars = [(title or "this run", [grades.get(g, 0) for g in GRADE_ORDER])]
    bars += list((references or {}).items())
    width, label_w, bar_h, gap = 560, 130, 22, 10
    height = len(bars) * (bar_h + gap) + 30
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="grade-chart" viewBox="0 0 {width} {height}" '
             f'role="img" aria-label="{escape(title)}">']
    for i, (name, counts) in enumerate(bars):
        y = i * (bar_h + gap)
        parts.append(f'<text x="0" y="{y + 15}" font-size="12">{escape(chart_row(name))} (n={sum(counts)})</text>')
        x = label_w
        for grade, pct, count in zip(GRADE_ORDER, shares(counts), counts, strict=True):
            w = (width - label_w) * pct / 100
            parts.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{COLOURS[grade]}">'
                         f'<title>{grade}: {count} ({pct:.1f}%)</title></rect>')
            if w > 28:
                parts.append(f'<text x="{x + 4:.1f}" y="{y + 15}" font-size="11" fill="#fff">{grade} {pct:.0f}%</text>')
            x += w
    y = len(bars) * (bar_h + gap) + 12
    for j, grade in enumerate(GRADE_ORDER):
        parts.append(f'<rect x="{label_w + j * 70}" y="{y}" width="10" height="10" fill="{COLOURS[grade]}"/>'
                     f'<text x="{label_w + j * 70 + 14}" y="{y + 9}" font-size="11">{grade}</text>')
    parts.append("</svg>")
    return "".join(parts)
