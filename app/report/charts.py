"""Inline SVG charts for the HTML report: readiness per category and per workstream, and the
Day-1/7/30/90/180 timeline. Black and grey with patterns (no meaning carried by colour alone),
every bar labelled with its numbers in text, so the charts read the same on screen and on paper.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from html import escape

from app.report.model import CategoryReadiness, Milestone

WIDTH = 760
BAR_X, BAR_W = 0, 430
VALUE_X = BAR_W + 12
INK = "#1a1a1a"
PAD = 16


@dataclass(frozen=True)
class Style:
    """How one kind of bar segment is drawn and what the legend calls it."""

    key: str
    label: str


VERIFIED = Style("verified", "verified")
ENFORCED = Style("enforced", "enforced, not yet verified")
OWNED = Style("owned", "owned, not yet enforced")
DONE = Style("verified", "done")


def pct(done: int, of: int) -> str:
    """``done`` as a share of ``of`` (``n/a`` when there is nothing to do)."""
    return f"{100 * done / of:.0f}%" if of else "n/a"


def _defs(prefix: str) -> str:
    """The fills: solid ink, diagonal hatching, dots (ids unique per chart)."""
    return (
        "<defs>"
        f"<pattern id='{prefix}-enforced' width='6' height='6' patternUnits='userSpaceOnUse' "
        "patternTransform='rotate(45)'><rect width='6' height='6' fill='#fff'/>"
        f"<line x1='0' y1='0' x2='0' y2='6' stroke='{INK}' stroke-width='2.5'/></pattern>"
        f"<pattern id='{prefix}-owned' width='5' height='5' patternUnits='userSpaceOnUse'>"
        f"<rect width='5' height='5' fill='#fff'/><circle cx='2.5' cy='2.5' r='1.1' "
        f"fill='{INK}'/></pattern>"
        "</defs>"
    )


def _fill(prefix: str, style: Style) -> str:
    return "#3b3b3b" if style.key == "verified" else f"url(#{prefix}-{style.key})"


def _open(prefix: str, title: str, desc: str, height: int) -> str:
    return (
        f"<svg class='chart' id='chart-{prefix}' role='img' aria-labelledby='{prefix}-t "
        f"{prefix}-d' viewBox='0 0 {WIDTH} {height}' width='100%' "
        f"style='max-width:{WIDTH}px' xmlns='http://www.w3.org/2000/svg' font-size='13'>"
        f"<title id='{prefix}-t'>{escape(title)}</title><desc id='{prefix}-d'>"
        f"{escape(desc)}</desc>{_defs(prefix)}"
    )


def _legend(prefix: str, styles: list[Style], y: int) -> str:
    out, x = [], 0
    for style in [*styles, Style("todo", "not yet")]:
        fill = "#fff" if style.key == "todo" else _fill(prefix, style)
        out.append(
            f"<rect x='{x}' y='{y - 11}' width='22' height='13' fill='{fill}' "
            f"stroke='{INK}'/><text x='{x + 28}' y='{y}'>{escape(style.label)}</text>"
        )
        x += 40 + 7 * len(style.label)
    return "".join(out)


def _bar(
    prefix: str, y: int, label: str, segments: list[tuple[int, Style]], of: int, value: str
) -> str:
    """One labelled row: the label above, the bar (its segments from the left, the rest
    empty), and the numbers in text to the right of the bar."""
    out = [
        f"<g class='bar' data-label='{escape(label)}'>",
        f"<text x='{BAR_X}' y='{y}' font-weight='600'>{escape(label)}</text>",
        f"<rect x='{BAR_X}' y='{y + 6}' width='{BAR_W}' height='18' fill='#fff' stroke='{INK}'/>",
    ]
    x = float(BAR_X)
    for count, style in segments:
        width = BAR_W * count / of if of else 0
        if width:
            out.append(
                f"<rect class='seg-{style.key}' x='{x:.1f}' y='{y + 6}' width='{width:.1f}' "
                f"height='18' fill='{_fill(prefix, style)}' stroke='{INK}'/>"
            )
        x += width
    out.append(f"<text class='value' x='{VALUE_X}' y='{y + 20}'>{escape(value)}</text></g>")
    return "".join(out)


def category_chart(categories: list[CategoryReadiness]) -> str:
    """Per category: verified, enforced and owned decisions as one stacked bar each."""
    rows = [
        _bar(
            "cat",
            48 + 44 * i,
            c.category.replace("_", " "),
            [
                (c.verified, VERIFIED),
                (c.enforced - c.verified, ENFORCED),
                (c.owned - c.enforced, OWNED),
            ],
            c.inventoried,
            f"{c.verified} of {c.inventoried} verified ({pct(c.verified, c.inventoried)}); "
            f"{c.enforced} enforced, {c.owned} owned",
        )
        for i, c in enumerate(categories)
    ]
    desc = "; ".join(f"{c.category}: {c.verified} of {c.inventoried} verified" for c in categories)
    height = 48 + 44 * len(categories)
    return (
        _open("cat", "Readiness per category", desc, height)
        + _legend("cat", [VERIFIED, ENFORCED, OWNED], 14)
        + "".join(rows)
        + "</svg>"
    )


def workstream_chart(workstreams: list[tuple[str, int, int]]) -> str:
    """Per workstream: done of total, one bar each."""
    rows = [
        _bar("ws", 18 + 44 * i, name, [(done, DONE)], of, f"{done} of {of} ({pct(done, of)})")
        for i, (name, done, of) in enumerate(workstreams)
    ]
    desc = "; ".join(f"{name}: {done} of {of}" for name, done, of in workstreams)
    return (
        _open("ws", "Readiness per workstream", desc, 18 + 44 * len(workstreams))
        + "".join(rows)
        + "</svg>"
    )


def _milestone(i: int, m: Milestone, width: float) -> str:
    """One column of the timeline: the share as a filled column, its numbers above, the day,
    the signal and the measure below the axis."""
    centre = PAD + width * i + width / 2
    top, height = 40, 120
    filled = height * m.done / m.of if m.of else 0
    headline = m.day == 90
    out = [
        f"<g class='milestone' data-day='{m.day}'>",
        f"<text class='value' x='{centre:.0f}' y='{top - 22}' text-anchor='middle' "
        f"font-weight='600'>{m.done} of {m.of}</text>",
        f"<text x='{centre:.0f}' y='{top - 6}' text-anchor='middle'>{pct(m.done, m.of)}</text>",
        f"<rect x='{centre - 28:.0f}' y='{top}' width='56' height='{height}' fill='#fff' "
        f"stroke='{INK}' stroke-width='{3 if headline else 1}'/>",
    ]
    if filled:
        out.append(
            f"<rect x='{centre - 28:.0f}' y='{top + height - filled:.1f}' width='56' "
            f"height='{filled:.1f}' fill='#3b3b3b' stroke='{INK}'/>"
        )
    out.append(
        f"<circle cx='{centre:.0f}' cy='{top + height + 14}' r='5' fill='{INK}'/>"
        f"<text x='{centre:.0f}' y='{top + height + 38}' text-anchor='middle' font-size='15' "
        f"font-weight='700'>Day {m.day}{' (this report)' if headline else ''}</text>"
        f"<text x='{centre:.0f}' y='{top + height + 56}' text-anchor='middle' font-size='12' "
        f"font-style='italic'>{escape(m.signal)}</text>"
    )
    for n, line in enumerate(textwrap.wrap(m.measure, 22)):
        out.append(
            f"<text x='{centre:.0f}' y='{top + height + 74 + 15 * n}' text-anchor='middle' "
            f"font-size='12'>{escape(line)}</text>"
        )
    return "".join(out) + "</g>"


def timeline_chart(milestones: list[Milestone]) -> str:
    """The migration success timeline: what is ready for each milestone."""
    width = (WIDTH - 2 * PAD) / max(len(milestones), 1)
    axis = 40 + 120 + 14
    desc = "; ".join(f"Day {m.day}, {m.measure}: {m.done} of {m.of}" for m in milestones)
    return (
        _open("timeline", "Migration success timeline", desc, axis + 112)
        + f"<line x1='0' y1='{axis}' x2='{WIDTH}' y2='{axis}' stroke='{INK}' stroke-width='2'/>"
        + "".join(_milestone(i, m, width) for i, m in enumerate(milestones))
        + "</svg>"
    )
