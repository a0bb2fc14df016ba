"""Tiny SVG charts for the HTML report (no Qt, no plotting library in the engine).

Each function returns one self-contained ``<svg>`` element; every series is named in a
legend (never colour alone) and all text is escaped.
"""

from __future__ import annotations

import datetime as dt
import math
from html import escape
from typing import Sequence

import numpy as np

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf", "#7f7f7f")
MAX_SVG_POINTS = 1200   # per series: a report chart is ~700 px wide
_M = {"l": 56, "r": 16, "t": 28, "b": 40}


def _nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    if not math.isfinite(lo) or not math.isfinite(hi):
        return []
    if hi <= lo:
        hi = lo + 1.0
    raw = (hi - lo) / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    start = math.ceil(lo / step) * step
    return [round(start + i * step, 10) for i in range(int((hi - start) / step) + 1)]


def _time_label(t: float, span: float) -> str:
    d = dt.datetime.fromtimestamp(t, dt.timezone.utc)
    if span <= 86400:
        return d.strftime("%H:%M")
    if span <= 4 * 86400:
        return d.strftime("%m-%d %H:%M")
    return d.strftime("%m-%d")


_TIME_STEPS = (60, 300, 600, 1800, 3600, 2 * 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86400, 2 * 86400, 7 * 86400)


def _time_ticks(x0: float, x1: float, n: int = 6) -> list[float]:
    """Round UTC times (whole minutes, hours, days) about ``n`` across [x0, x1]."""
    span = max(x1 - x0, 1.0)
    step = next((st for st in _TIME_STEPS if span / st <= n), 7 * 86400 * math.ceil(span / (7 * 86400 * n)))
    first = math.ceil(x0 / step) * step
    return [t for t in np.arange(first, x1 + 1e-9, step)]


def _thin(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Keep at most MAX_SVG_POINTS, preserving each chunk's min and max (peaks stay)."""
    n = len(x)
    if n <= MAX_SVG_POINTS:
        return x, y
    chunks = MAX_SVG_POINTS // 2
    idx = []
    for part in np.array_split(np.arange(n), chunks):
        seg = y[part]
        a, b = part[int(np.nanargmin(seg))], part[int(np.nanargmax(seg))]
        idx.extend(sorted((a, b)))
    idx = np.asarray(idx)
    return x[idx], y[idx]


def _frame(width: int, height: int, title: str) -> list[str]:
    return [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
            f'font-family="sans-serif" font-size="11">',
            f'<title>{escape(title)}</title>',
            f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
            f'<text x="{_M["l"]}" y="16" font-size="13" font-weight="bold">{escape(title)}</text>']


def line_chart(series: Sequence[tuple[str, Sequence[float], Sequence[float]]], title: str, unit: str = "",
               time_axis: bool = True, y_min: float | None = None, y_max: float | None = None,
               width: int = 720, height: int = 240, x_labels: dict[float, str] | None = None,
               bands: Sequence[tuple[Sequence[float], Sequence[float]] | None] | None = None,
               spans: Sequence[tuple[float, float, str]] = ()) -> str:
    """``series`` = [(label, xs, ys)].  With ``time_axis`` xs are epoch seconds.
    ``bands`` (per series, optional) = (lows, highs) drawn as a light area behind the
    line: for aggregated data it keeps short spikes visible under an hourly mean.
    ``spans`` = [(start, end, tooltip)] shaded behind the data (pipeline runs)."""
    out = _frame(width, height, title)
    bands = list(bands or [])
    bands += [None] * (len(series) - len(bands))
    data = [(lbl, np.asarray(x, dtype=float), np.asarray(y, dtype=float), band)
            for (lbl, x, y), band in zip(series, bands)]
    data = [(lbl, x, y, band) for lbl, x, y, band in data if len(x)]
    pw, ph = width - _M["l"] - _M["r"], height - _M["t"] - _M["b"]
    if not data:
        out.append(f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle" fill="#666">no data</text></svg>')
        return "\n".join(out)
    xs = np.concatenate([x for _, x, _, _ in data])
    ys = np.concatenate([y for _, _, y, _ in data] + [np.asarray(b[1], dtype=float) for *_, b in data if b])
    x0, x1 = float(xs.min()), float(xs.max())
    if x1 <= x0:
        x0, x1 = x0 - 1, x1 + 1
    lo = float(np.nanmin(ys)) if y_min is None else y_min
    hi = float(np.nanmax(ys)) if y_max is None else y_max
    if hi <= lo:
        hi = lo + 1.0
    sx = lambda v: _M["l"] + (v - x0) / (x1 - x0) * pw  # noqa: E731
    sy = lambda v: _M["t"] + ph - (v - lo) / (hi - lo) * ph  # noqa: E731
    for a, b, tip in spans:
        a, b = max(a, x0), min(b, x1)
        if b >= a:
            out.append(f'<rect x="{sx(a):.1f}" y="{_M["t"]}" width="{max(sx(b) - sx(a), 2.0):.1f}" height="{ph}" '
                       f'fill="#f0b400" fill-opacity="0.25"><title>{escape(tip)}</title></rect>')
    for t in _nice_ticks(lo, hi):
        y = sy(t)
        out.append(f'<line x1="{_M["l"]}" y1="{y:.1f}" x2="{_M["l"] + pw}" y2="{y:.1f}" stroke="#e5e5e5"/>')
        out.append(f'<text x="{_M["l"] - 6}" y="{y + 4:.1f}" text-anchor="end">{t:g}</text>')
    if x_labels:
        ticks = [(x, lbl) for x, lbl in x_labels.items()]
    elif time_axis:
        ticks = [(x, _time_label(x, x1 - x0)) for x in _time_ticks(x0, x1)]
    else:
        ticks = [(x, f"{x:g}") for x in _nice_ticks(x0, x1)]
    for x, lbl in ticks:
        out.append(f'<text x="{sx(x):.1f}" y="{_M["t"] + ph + 16}" text-anchor="middle">{escape(lbl)}</text>')
    out.append(f'<rect x="{_M["l"]}" y="{_M["t"]}" width="{pw}" height="{ph}" fill="none" stroke="#999"/>')
    if unit:
        out.append(f'<text x="12" y="{_M["t"] + ph / 2}" transform="rotate(-90 12 {_M["t"] + ph / 2})" '
                   f'text-anchor="middle">{escape(unit)}</text>')
    for i, (lbl, x, y, band) in enumerate(data):
        colour = PALETTE[i % len(PALETTE)]
        if band is not None and len(x) > 1:
            lows, highs = np.asarray(band[0], dtype=float), np.asarray(band[1], dtype=float)
            step = max(1, len(x) // MAX_SVG_POINTS)
            upper = [f"{sx(a):.1f},{sy(b):.1f}" for a, b in zip(x[::step], highs[::step])]
            lower = [f"{sx(a):.1f},{sy(b):.1f}" for a, b in zip(x[::step][::-1], lows[::step][::-1])]
            out.append(f'<polygon fill="{colour}" fill-opacity="0.18" stroke="none" '
                       f'points="{" ".join(upper + lower)}"/>')
        x, y = _thin(x, y)
        pts = " ".join(f"{sx(a):.1f},{sy(b):.1f}" for a, b in zip(x, y) if math.isfinite(b))
        if len(x) == 1:
            out.append(f'<circle cx="{sx(x[0]):.1f}" cy="{sy(y[0]):.1f}" r="3" fill="{colour}"/>')
        else:
            out.append(f'<polyline fill="none" stroke="{colour}" stroke-width="1.5" points="{pts}"/>')
        lx = _M["l"] + 8 + i * 130
        out.append(f'<line x1="{lx}" y1="{height - 10}" x2="{lx + 18}" y2="{height - 10}" '
                   f'stroke="{colour}" stroke-width="3"/>')
        out.append(f'<text x="{lx + 22}" y="{height - 6}">{escape(lbl)}</text>')
    out.append("</svg>")
    return "\n".join(out)


def bar_chart(labels: Sequence[str], values: Sequence[float], title: str, unit: str = "",
              width: int = 720, bar_height: int = 20, value_fmt: str = "{:.1f}") -> str:
    """Horizontal bars, one per label, with the value written at the end of each bar."""
    height = _M["t"] + 12 + max(len(labels), 1) * (bar_height + 6)
    out = _frame(width, height, title)
    if not labels:
        out.append(f'<text x="{width / 2}" y="{height - 8}" text-anchor="middle" fill="#666">no data</text></svg>')
        return "\n".join(out)
    label_w = 180
    pw = width - label_w - 90
    top = max(max(values), 1e-12)
    for i, (lbl, v) in enumerate(zip(labels, values)):
        y = _M["t"] + 6 + i * (bar_height + 6)
        w = max(v / top * pw, 1.0)
        out.append(f'<text x="{label_w - 8}" y="{y + bar_height * 0.7:.1f}" text-anchor="end">{escape(lbl)}</text>')
        out.append(f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_height}" fill="{PALETTE[0]}"/>')
        out.append(f'<text x="{label_w + w + 6:.1f}" y="{y + bar_height * 0.7:.1f}">'
                   f'{escape(value_fmt.format(v))} {escape(unit)}</text>')
    out.append("</svg>")
    return "\n".join(out)
