"""Server-rendered SVG charts: the same markup in the HTML report, the PDF (WeasyPrint draws SVG) and the
dashboards, with no script and no CDN. Each chart is drawn from a plain table (labels × series)."""

from __future__ import annotations

from html import escape

PALETTE = ["#1f5fa8", "#d9822b", "#2e8b57", "#9c3d9c", "#c23b3b", "#5f6b7a"]
W, H = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 28, 46


def _ticks(top: float) -> list[float]:
    if top <= 0:
        return [0.0]
    raw = top / 4
    magnitude = 10 ** (len(str(int(raw))) - 1) if raw >= 1 else 1
    step = max(1, round(raw / magnitude)) * magnitude
    return [step * i for i in range(0, int(top // step) + 2)]


def _fmt(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 100 or float(v).is_integer() else f"{v:,.1f}"


def _frame(ticks, title: str, key: str) -> list[str]:
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" class="chart" role="img" '
           f'data-chart="{escape(key)}" aria-label="{escape(title)}" font-family="Noto Sans CJK SC, sans-serif" '
           f'font-size="11">']
    top = ticks[-1] or 1
    for t in ticks:
        y = TOP + (H - TOP - BOTTOM) * (1 - t / top)
        out.append(f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#555">{_fmt(t)}</text>')
    return out


def _legend(series: list[str]) -> list[str]:
    out, x = [], LEFT
    for i, name in enumerate(series):
        out.append(f'<rect x="{x}" y="8" width="10" height="10" fill="{PALETTE[i % len(PALETTE)]}"/>')
        out.append(f'<text x="{x + 14}" y="17" fill="#333">{escape(name)}</text>')
        x += 24 + 12 * len(name)
    return out


def line_chart(key: str, title: str, labels: list[str], series: dict[str, list[float | None]]) -> str:
    values = [v for vs in series.values() for v in vs if v is not None]
    ticks = _ticks(max(values) if values else 0)
    top = ticks[-1] or 1
    out = _frame(ticks, title, key)
    n = max(1, len(labels) - 1)
    xs = [LEFT + (W - LEFT - RIGHT) * (i / n if len(labels) > 1 else 0.5) for i in range(len(labels))]
    for x, label in zip(xs, labels, strict=True):
        out.append(f'<text x="{x:.1f}" y="{H - BOTTOM + 16}" text-anchor="middle" fill="#555">{escape(label)}</text>')
    for i, (name, vs) in enumerate(series.items()):
        colour = PALETTE[i % len(PALETTE)]
        points = [(x, TOP + (H - TOP - BOTTOM) * (1 - v / top)) for x, v in zip(xs, vs, strict=True) if v is not None]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for x, y in points:
            out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}">'
                       f'<title>{escape(name)}</title></circle>')
    out += _legend(list(series))
    out.append("</svg>")
    return "".join(out)


def bar_chart(key: str, title: str, labels: list[str], values: list[float | None], name: str = "") -> str:
    present = [v for v in values if v is not None]
    ticks = _ticks(max(present) if present else 0)
    top = ticks[-1] or 1
    out = _frame(ticks, title, key)
    n = max(1, len(labels))
    slot = (W - LEFT - RIGHT) / n
    for i, (label, v) in enumerate(zip(labels, values, strict=True)):
        x = LEFT + slot * i
        if v is not None:
            h = (H - TOP - BOTTOM) * (v / top)
            out.append(f'<rect x="{x + slot * 0.15:.1f}" y="{H - BOTTOM - h:.1f}" width="{slot * 0.7:.1f}" '
                       f'height="{h:.1f}" fill="{PALETTE[0]}"><title>{escape(label)} {_fmt(v)}</title></rect>')
        room = max(4, int(slot // 12))  # characters that fit under a bar (12 px each at 11 px CJK)
        short = label if len(label) <= room else label[:room - 1] + "…"
        out.append(f'<text x="{x + slot / 2:.1f}" y="{H - BOTTOM + 16}" text-anchor="middle" fill="#555">'
                   f'{escape(short)}</text>')
    if name:
        out += _legend([name])
    out.append("</svg>")
    return "".join(out)


def tile_map(key: str, title: str, tiles: list[dict]) -> str:
    """A grid of cities (no boundaries): each tile {name, row, col, value}, coloured by value."""
    present = [t["value"] for t in tiles if t.get("value") is not None]
    top = max(present) if present else 0
    size = 70
    rows = max((t["row"] for t in tiles), default=0) + 1
    cols = max((t["col"] for t in tiles), default=0) + 1
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {cols * size + 8} {rows * size + 8}" class="chart" '
           f'role="img" data-chart="{escape(key)}" aria-label="{escape(title)}" '
           f'font-family="Noto Sans CJK SC, sans-serif" font-size="12">']
    for t in tiles:
        share = (t["value"] / top) if top and t.get("value") is not None else 0
        fill = f"rgb({int(235 - 180 * share)},{int(242 - 130 * share)},{int(250 - 60 * share)})"
        x, y = 4 + t["col"] * size, 4 + t["row"] * size
        text = "#fff" if share > 0.55 else "#222"
        value = "—" if t.get("value") is None else _fmt(t["value"])
        out.append(f'<g><rect x="{x}" y="{y}" width="{size - 4}" height="{size - 4}" rx="6" fill="{fill}" '
                   f'stroke="#9ab"/><text x="{x + (size - 4) / 2}" y="{y + 28}" text-anchor="middle" fill="{text}">'
                   f'{escape(t["name"][:4])}</text><text x="{x + (size - 4) / 2}" y="{y + 48}" text-anchor="middle" '
                   f'fill="{text}" font-weight="bold">{value}</text><title>{escape(t["name"])} {value}</title></g>')
    out.append("</svg>")
    return "".join(out)
