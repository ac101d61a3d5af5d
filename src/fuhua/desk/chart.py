"""Small server-rendered SVG bar charts for the desk report (no JavaScript, no CDN), like evaluation/chart.py."""

from __future__ import annotations

from django.utils.html import escape


def bars_svg(rows: list[tuple[str, float | None, str]], scale: float, title: str, colour: str = "#1565c0") -> str:
    """One horizontal bar per (label, value, value text); `scale` is the value of a full-width bar."""
    width, label_w, bar_h, gap = 560, 190, 18, 8
    height = max(len(rows), 1) * (bar_h + gap) + 8
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="desk-chart" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" '
             f'role="img" aria-label="{escape(title)}">']
    for i, (label, value, text) in enumerate(rows):
        y = i * (bar_h + gap) + 4
        short = label if len(label) <= 16 else label[:15] + "…"
        parts.append(f'<text x="0" y="{y + 13}" font-size="12"><title>{escape(label)}</title>{escape(short)}</text>')
        w = 0 if value is None or scale <= 0 else (width - label_w - 50) * min(value, scale) / scale
        parts.append(f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{colour}">'
                     f'<title>{escape(label)}: {escape(text)}</title></rect>')
        parts.append(f'<text x="{label_w + w + 4:.1f}" y="{y + 13}" font-size="11">{escape(text)}</text>')
    parts.append("</svg>")
    return "".join(parts)
