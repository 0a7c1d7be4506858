"""Small, dependency-free SVG charts for the HTML report: line charts, scatter plots, heatmaps.

Every function returns one ``<svg>`` element as a string. Styling is written
as presentation attributes (``fill``, ``font-size``, ``text-anchor``), never
CSS or ``dominant-baseline``, so the figures look the same inline in a
browser, saved as ``.svg`` files, and drawn by simple renderers (Qt's SVG
Tiny renderer included). Text is vertically centred with ``dy`` offsets.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

import numpy as np

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"
INK, MUTED, GRID, FRAME = "#1f2937", "#6b7280", "#e5e7eb", "#9ca3af"
# Tableau 10: distinct, print- and colour-blind-friendlier than the rainbow.
PALETTE = (
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
    "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
)  # fmt: skip


def colour(i: int) -> str:
    """The ``i``-th categorical colour (cycles after ten)."""
    return PALETTE[i % len(PALETTE)]


def text_width(text: str, size: float = 12) -> float:
    """Rough rendered width of ``text`` in a sans-serif font (for margins only)."""
    return 0.6 * size * len(text)


def _t(x: float, y: float, text: str, size: float = 12, anchor: str = "start", **attrs: str) -> str:
    """A ``<text>`` element; ``attrs`` are extra attributes (``font_weight`` -> ``font-weight``)."""
    attrs.setdefault("fill", INK)
    extra = "".join(f' {k.replace("_", "-")}="{v}"' for k, v in attrs.items())
    head = f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}"{extra}>'
    return f"{head}{escape(text)}</text>"


def _open(width: float, height: float, label: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="{escape(FONT)}" role="img" '
        f'aria-label="{escape(label)}"><rect width="100%" height="100%" fill="#ffffff"/>'
    )


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """About ``count`` round tick values covering ``[lo, hi]`` (steps of 1, 2, 2.5 or 5 × 10^k)."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        return [lo] if math.isfinite(lo) else []
    raw = (hi - lo) / max(1, count)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.ceil(lo / step - 1e-9) * step
    ticks = []
    value = first
    while value <= hi + step * 1e-9:
        ticks.append(round(value, 12))
        value += step
    return ticks


def fmt(value: float) -> str:
    """A tick label: integers without decimals, others with up to 4 significant digits."""
    if abs(value - round(value)) < 1e-9 * max(1.0, abs(value)):
        return f"{round(value):,}"
    return f"{value:.4g}"


@dataclass
class Series:
    """One line of a line chart. NaN values break the line; ``markers=None`` draws dots for short series."""

    label: str
    x: Sequence[float]
    y: Sequence[float]
    color: str = PALETTE[0]
    dashed: bool = False
    markers: bool | None = None


def _range(values: list[float], fixed: tuple[float, float] | None, pad: float) -> tuple[float, float]:
    if fixed is not None:
        return fixed
    finite = [v for v in values if math.isfinite(v)]
    if not finite:
        return 0.0, 1.0
    lo, hi = min(finite), max(finite)
    if hi - lo < 1e-12:
        half = 0.5 if hi == 0 else abs(hi) * 0.1
        return lo - half, hi + half
    return lo - pad * (hi - lo), hi + pad * (hi - lo)


def _legend_row(items: list[tuple[str, str, bool]], x: float, y: float, right: float) -> tuple[str, float]:
    """Swatches and labels left to right, wrapping before ``right``; returns (svg, height used)."""
    parts, cx, cy = [], x, y
    for label, color, dashed in items:
        width = 28 + text_width(label) + 16
        if cx + width > right and cx > x:
            cx, cy = x, cy + 18
        dash = ' stroke-dasharray="5 3"' if dashed else ""
        parts.append(
            f'<line x1="{cx:.1f}" y1="{cy:.1f}" x2="{cx + 20:.1f}" y2="{cy:.1f}" stroke="{color}" '
            f'stroke-width="2.5"{dash}/>'
        )
        parts.append(_t(cx + 26, cy + 4, label))
        cx += width
    return "".join(parts), cy - y + 18


def line_chart(
    series: Sequence[Series],
    x_label: str,
    y_label: str,
    title: str = "",
    width: float = 460,
    height: float = 300,
    x_range: tuple[float, float] | None = None,
    y_range: tuple[float, float] | None = None,
    vlines: Sequence[tuple[float, str]] = (),
    refs: Sequence[tuple[Sequence[float], Sequence[float]]] = (),
    integer_x: bool = False,
) -> str:
    """A line chart with axes, grid, tick labels, axis titles and a legend above the plot.

    Parameters
    ----------
    series
        The lines; each gets a legend entry.
    x_label, y_label, title
        Axis titles and an optional chart title.
    width, height
        Size in pixels.
    x_range, y_range
        Fixed axis ranges (default: the data's, with 5 % padding on y).
    vlines
        ``(x, label)`` dashed vertical markers (e.g. the best epoch).
    refs
        ``(xs, ys)`` grey dashed reference lines (a chance diagonal), not in the legend.
    integer_x
        Only integer ticks on x (epochs).
    """
    xs = [float(v) for s in series for v in s.x]
    ys = [float(v) for s in series for v in s.y]
    x0, x1 = _range(xs, x_range, 0.04)  # a little room so end points do not sit on the frame
    y0, y1 = _range(ys, y_range, 0.05)
    y_ticks = nice_ticks(y0, y1, 5)
    x_ticks = [t for t in nice_ticks(x0, x1, 6) if not integer_x or float(t).is_integer()]
    tick_w = max((text_width(fmt(t)) for t in y_ticks), default=20)
    left, right = 28 + tick_w + 8, width - 16
    out = [_open(width, height, title or y_label)]
    top = 12
    if title:
        out.append(_t(left, 22, title, 14, font_weight="600"))
        top = 32
    legend, used = _legend_row([(s.label, s.color, s.dashed) for s in series], left, top + 8, right)
    out.append(legend)
    top += used + (22 if vlines else 8)  # marker labels sit above the frame, clear of the data
    bottom = height - 44
    sx = lambda v: left + (v - x0) / (x1 - x0) * (right - left)  # noqa: E731
    sy = lambda v: bottom - (v - y0) / (y1 - y0) * (bottom - top)  # noqa: E731
    for t in y_ticks:
        out.append(f'<line x1="{left}" y1="{sy(t):.1f}" x2="{right}" y2="{sy(t):.1f}" stroke="{GRID}"/>')
        out.append(_t(left - 6, sy(t) + 4, fmt(t), 11, "end", fill=MUTED))
    for t in x_ticks:
        out.append(
            f'<line x1="{sx(t):.1f}" y1="{bottom}" x2="{sx(t):.1f}" y2="{bottom + 4}" stroke="{FRAME}"/>'
        )
        out.append(_t(sx(t), bottom + 17, fmt(t), 11, "middle"))
    out.append(
        f'<rect x="{left}" y="{top}" width="{right - left:.1f}" height="{bottom - top:.1f}" '
        f'fill="none" stroke="{FRAME}"/>'
    )
    for rx, ry in refs:
        pts = " ".join(f"{sx(a):.1f},{sy(b):.1f}" for a, b in zip(rx, ry, strict=True))
        out.append(f'<polyline points="{pts}" fill="none" stroke="{FRAME}" stroke-dasharray="4 4"/>')
    for vx, vlabel in vlines:
        if x0 <= vx <= x1:
            out.append(
                f'<line x1="{sx(vx):.1f}" y1="{top}" x2="{sx(vx):.1f}" y2="{bottom}" stroke="{MUTED}" '
                'stroke-dasharray="3 3"/>'
            )
            out.append(_t(sx(vx), top - 5, vlabel, 11, "middle", fill=MUTED))
    for s in series:
        out.append(_polyline(s, sx, sy))
    out.append(_t((left + right) / 2, height - 10, x_label, 12, "middle"))
    mid = (top + bottom) / 2
    out.append(
        f'<text x="14" y="{mid:.1f}" font-size="12" text-anchor="middle" fill="{INK}" '
        f'transform="rotate(-90 14 {mid:.1f})">{escape(y_label)}</text>'
    )
    out.append("</svg>")
    return "".join(out)


def _polyline(s: Series, sx, sy) -> str:
    """The series as polylines (split at NaN) plus dots when it is short."""
    points = [(float(a), float(b)) for a, b in zip(s.x, s.y, strict=True)]
    runs, current = [], []
    for a, b in points:
        if math.isfinite(a) and math.isfinite(b):
            current.append(f"{sx(a):.1f},{sy(b):.1f}")
        elif current:
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    dash = ' stroke-dasharray="6 4"' if s.dashed else ""
    out = [
        f'<polyline points="{" ".join(run)}" fill="none" stroke="{s.color}" stroke-width="2" '
        f'stroke-linejoin="round"{dash}/>'
        for run in runs
    ]
    if s.markers if s.markers is not None else len(points) <= 40:
        for run in runs:
            for p in run:
                cx, cy = p.split(",")
                out.append(f'<circle cx="{cx}" cy="{cy}" r="3" fill="{s.color}" stroke="#ffffff"/>')
    return "".join(out)


def scatter(
    coords: np.ndarray,
    groups: np.ndarray,
    names: Sequence[str],
    title: str = "",
    x_label: str = "",
    y_label: str = "",
    ringed: np.ndarray | None = None,
    ring_label: str = "",
    size: float = 300,
    legend_title: str = "",
) -> str:
    """A square scatter plot of ``(N, 2)`` points coloured by group, with a legend on the right.

    ``ringed`` (bool ``(N,)``) draws a dark ring around those points (e.g.
    misclassified samples); ``legend_title`` heads the legend. Axes carry titles but no ticks: embedding
    coordinates have no units. Points are drawn in a fixed shuffled order so
    no class is systematically hidden under another.
    """
    coords = np.asarray(coords, dtype=np.float64)
    groups = np.asarray(groups, dtype=np.int64)
    legend_w = (
        max([text_width(n) for n in names] + [text_width(ring_label), text_width(legend_title, 11)]) + 40
    )
    width, height = size + legend_w + 40, size + (54 if title else 34)
    top = 32 if title else 12
    left, plot = 30, size - 20
    out = [_open(width, height, title or "scatter plot")]
    if title:
        out.append(_t(left, 22, title, 14, font_weight="600"))
    out.append(f'<rect x="{left}" y="{top}" width="{plot}" height="{plot}" fill="none" stroke="{FRAME}"/>')
    lo, hi = coords.min(axis=0), coords.max(axis=0)
    span = np.where(hi - lo > 0, hi - lo, 1.0)
    scaled = (coords - lo) / span  # each axis on its own: a map's aspect carries no meaning
    px = left + 8 + scaled[:, 0] * (plot - 16)
    py = top + plot - 8 - scaled[:, 1] * (plot - 16)
    order = np.random.default_rng(0).permutation(len(coords))
    for i in order:
        out.append(
            f'<circle cx="{px[i]:.1f}" cy="{py[i]:.1f}" r="2.8" fill="{colour(groups[i])}" '
            'fill-opacity="0.85"/>'
        )
    if ringed is not None:
        for i in np.flatnonzero(ringed):
            out.append(
                f'<circle cx="{px[i]:.1f}" cy="{py[i]:.1f}" r="4.6" fill="none" stroke="{INK}" '
                'stroke-width="1.2"/>'
            )
    out.append(_t(left + plot / 2, top + plot + 18, x_label, 12, "middle"))
    mid = top + plot / 2
    out.append(
        f'<text x="16" y="{mid:.1f}" font-size="12" text-anchor="middle" fill="{INK}" '
        f'transform="rotate(-90 16 {mid:.1f})">{escape(y_label)}</text>'
    )
    lx, ly = left + plot + 20, top + 10
    if legend_title:
        out.append(_t(lx, ly + 4, legend_title, 11, fill=MUTED))
        ly += 22
    for g, name in enumerate(names):
        out.append(f'<circle cx="{lx + 5}" cy="{ly + g * 20:.1f}" r="5" fill="{colour(g)}"/>')
        out.append(_t(lx + 16, ly + g * 20 + 4, name))
    if ringed is not None and ring_label:
        y = ly + len(names) * 20 + 6
        out.append(
            f'<circle cx="{lx + 5}" cy="{y:.1f}" r="4.6" fill="none" stroke="{INK}" stroke-width="1.2"/>'
        )
        out.append(_t(lx + 16, y + 4, ring_label))
    out.append("</svg>")
    return "".join(out)


def _blue(v: float) -> str:
    """White to dark blue for ``v`` in [0, 1] (ColorBrewer Blues end points)."""
    lo, hi = np.array([247, 251, 255]), np.array([8, 48, 107])
    r, g, b = np.rint(lo + np.clip(v, 0, 1) * (hi - lo)).astype(int)
    return f"#{r:02x}{g:02x}{b:02x}"


def heatmap(
    counts: np.ndarray,
    shade: np.ndarray,
    row_names: Sequence[str],
    col_names: Sequence[str],
    row_label: str = "True class",
    col_label: str = "Predicted class",
    shade_label: str = "share of the true class",
) -> str:
    """A matrix of counts, each cell shaded by ``shade`` (in [0, 1]) and labelled with its count.

    Meant for confusion matrices: rows are true classes, columns predictions,
    shading the row-normalised share, so a rare class's errors stay visible.
    Counts are written into the cells while the widest count fits in one.
    """
    counts, shade = np.asarray(counts), np.asarray(shade, dtype=np.float64)
    n_rows, n_cols = counts.shape
    cell = float(np.clip(400 / max(n_rows, n_cols), 10, 72))
    label_w = max(text_width(n) for n in row_names) + 10
    rotate = max(text_width(n) for n in col_names) > cell - 4
    col_h = (max(text_width(n) for n in col_names) * 0.75 + 14) if rotate else 20
    left, top = 26 + label_w, 14
    grid_w, grid_h = cell * n_cols, cell * n_rows
    width = left + grid_w + 110
    height = top + grid_h + col_h + 30
    out = [_open(width, height, "confusion matrix")]
    font = 12 if cell >= 36 else 10 if cell >= 24 else 9
    # Counts are written while the widest one fits its cell; the shading carries the rest.
    write_counts = text_width(str(int(counts.max(initial=0))), font) <= cell - 3
    for r in range(n_rows):
        for c in range(n_cols):
            x, y, v = left + c * cell, top + r * cell, float(shade[r, c])
            out.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{cell:.1f}" height="{cell:.1f}" fill="{_blue(v)}" '
                f'stroke="#ffffff"><title>{escape(f"{row_names[r]} → {col_names[c]}: {counts[r, c]}")}'
                "</title></rect>"
            )
            if write_counts:
                ink = "#ffffff" if v > 0.5 else INK
                out.append(
                    f'<text x="{x + cell / 2:.1f}" y="{y + cell / 2 + font * 0.35:.1f}" font-size="{font}" '
                    f'text-anchor="middle" fill="{ink}">{counts[r, c]}</text>'
                )
    for r, name in enumerate(row_names):
        out.append(_t(left - 6, top + (r + 0.5) * cell + 4, name, 11, "end"))
    for c, name in enumerate(col_names):
        x, y = left + (c + 0.5) * cell, top + grid_h + 14
        if rotate:
            out.append(
                f'<text x="{x:.1f}" y="{y:.1f}" font-size="11" text-anchor="end" fill="{INK}" '
                f'transform="rotate(-45 {x:.1f} {y:.1f})">{escape(name)}</text>'
            )
        else:
            out.append(_t(x, y, name, 11, "middle"))
    out.append(_t(left + grid_w / 2, top + grid_h + col_h + 20, col_label, 12, "middle"))
    mid = top + grid_h / 2
    out.append(
        f'<text x="12" y="{mid:.1f}" font-size="12" text-anchor="middle" fill="{INK}" '
        f'transform="rotate(-90 12 {mid:.1f})">{escape(row_label)}</text>'
    )
    out.append(_colour_bar(left + grid_w + 18, top, min(grid_h, 220), shade_label))
    out.append("</svg>")
    return "".join(out)


def _colour_bar(x: float, y: float, h: float, label: str) -> str:
    """A vertical 0-100 % bar of the heatmap's colours, drawn as bands (no gradients needed)."""
    bands = 32
    out = []
    for i in range(bands):
        v = 1 - (i + 0.5) / bands
        out.append(
            f'<rect x="{x:.1f}" y="{y + i * h / bands:.2f}" width="14" height="{h / bands + 0.4:.2f}" '
            f'fill="{_blue(v)}"/>'
        )
    out.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="14" height="{h:.1f}" fill="none" stroke="{FRAME}"/>')
    for frac, text in ((0, "100%"), (0.5, "50%"), (1, "0%")):
        out.append(_t(x + 20, y + frac * h + 4, text, 10))
    mid = y + h / 2
    out.append(
        f'<text x="{x + 62:.1f}" y="{mid:.1f}" font-size="11" text-anchor="middle" fill="{MUTED}" '
        f'transform="rotate(-90 {x + 62:.1f} {mid:.1f})">{escape(label)}</text>'
    )
    return "".join(out)
