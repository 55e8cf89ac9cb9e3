"""Charts as inline SVG, drawn on the server: no script, no external service, prints well.

Every chart is an ``img`` with a ``<title>`` and a ``<desc>`` that says in words what it shows, and
every bar carries its number as text, so a screen reader or a printout loses nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

BAR_H = 22
GAP = 8
LABEL_W = 220
WIDTH = 600
LABEL_CHARS = 30
COLOURS = ("#0f766e", "#b45309")


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float]


def bar_chart(
    title: str, labels: Sequence[str], series: Sequence[Series], desc: str | None = None
) -> Markup:
    """Horizontal bars, one group per label and one bar per series; labels are escaped."""
    if not labels:
        return Markup(f'<p class="kosong">{escape(title)}: belum ada data.</p>')
    if desc is None:
        desc = _summary(labels, series)
    top = max((v for s in series for v in s.values), default=0.0) or 1.0
    group_h = BAR_H * len(series) + GAP
    legend_h = 22 if len(series) > 1 else 0
    height = legend_h + group_h * len(labels) + GAP
    plot_w = WIDTH - LABEL_W - 50
    parts = [
        f'<svg class="grafik" role="img" viewBox="0 0 {WIDTH} {height}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
        f"<desc>{escape(desc)}</desc>"
    ]
    if legend_h:
        x = LABEL_W
        for i, s in enumerate(series):
            parts.append(
                f'<rect x="{x}" y="4" width="12" height="12" fill="{COLOURS[i % 2]}"/>'
                f'<text x="{x + 16}" y="15" font-size="12">{escape(s.name)}</text>'
            )
            x += 30 + 8 * len(s.name)
    for row, label in enumerate(labels):
        y0 = legend_h + row * group_h
        parts.append(
            f'<text x="{LABEL_W - 6}" y="{y0 + group_h / 2}" font-size="12" '
            f'text-anchor="end" dominant-baseline="middle">{escape(_short(label))}</text>'
        )
        for i, s in enumerate(series):
            value = float(s.values[row])
            w = max(0.0, plot_w * value / top)
            y = y0 + i * BAR_H
            parts.append(
                f'<rect class="batang" x="{LABEL_W}" y="{y + 2}" width="{w:.1f}" '
                f'height="{BAR_H - 4}" fill="{COLOURS[i % 2]}">'
                f"<title>{escape(label)} · {escape(s.name)}: {value:g}</title></rect>"
                f'<text x="{LABEL_W + w + 4:.1f}" y="{y + BAR_H / 2 + 1}" font-size="11" '
                f'dominant-baseline="middle">{value:g}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


COLUMN_W = 44
COLUMN_PLOT_H = 160


def column_chart(title: str, labels: Sequence[str], values: Sequence[float], desc: str) -> Markup:
    """Vertical columns in time order (one per month, say), each with its number and its label.

    A time axis reads left to right, so time gets columns where categories get horizontal bars.
    Empty periods stay as a zero column: a gap in placements is information too.
    """
    if not labels:
        return Markup(f'<p class="kosong">{escape(title)}: belum ada data.</p>')
    top = max((float(v) for v in values), default=0.0) or 1.0
    left, value_h, label_h = 8, 18, 34
    width = left * 2 + COLUMN_W * len(labels)
    height = value_h + COLUMN_PLOT_H + label_h
    base = value_h + COLUMN_PLOT_H
    parts = [
        f'<svg class="grafik" role="img" viewBox="0 0 {width} {height}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
        f"<desc>{escape(desc)}</desc>",
        f'<line x1="{left}" y1="{base}" x2="{width - left}" y2="{base}" stroke="#94a3b8"/>',
    ]
    for i, (label, raw) in enumerate(zip(labels, values, strict=True)):
        value = float(raw)
        h = COLUMN_PLOT_H * value / top
        x = left + i * COLUMN_W
        mid = x + COLUMN_W / 2
        parts.append(
            f'<rect class="batang" x="{x + 6}" y="{base - h:.1f}" width="{COLUMN_W - 12}" '
            f'height="{h:.1f}" fill="{COLOURS[0]}">'
            f"<title>{escape(label)}: {value:g}</title></rect>"
            f'<text x="{mid}" y="{base - h - 4:.1f}" font-size="11" '
            f'text-anchor="middle">{value:g}</text>'
        )
        month, _, year = label.partition(" ")
        parts.append(
            f'<text x="{mid}" y="{base + 14}" font-size="11" text-anchor="middle">'
            f"{escape(month)}</text>"
        )
        if year:
            parts.append(
                f'<text x="{mid}" y="{base + 28}" font-size="10" text-anchor="middle" '
                f'fill="#475569">{escape(year)}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))


def _summary(labels: Sequence[str], series: Sequence[Series]) -> str:
    """The bars in words, for readers who cannot see them: 'A: 3, B: 1 (Diterima)'."""
    return "; ".join(
        f"{s.name}: "
        + ", ".join(f"{label} {float(v):g}" for label, v in zip(labels, s.values, strict=True))
        for s in series
    )
