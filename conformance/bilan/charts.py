"""The bilan's charts as inline SVG, written directly: bars against a threshold, weekly lines,
stacked bars. No plotting library (matplotlib cost the bilan about 1.5 s to import and draw);
every text from the inputs is escaped; the same bilan draws the same bytes."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

WIDTH, HEIGHT = 800, 320
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 12, 72  # margins: the y axis left, the x labels below
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
           "#bcbd22", "#17becf")


def _n(value: float) -> str:
    """A coordinate, short and stable."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


class _Plot:
    """One chart: a frame with a y axis from 0 to ``top``, categories along x."""

    def __init__(self, categories: Sequence[str], top: float, unit: str) -> None:
        self.categories, self.top = list(categories), top or 1.0
        self.width, self.height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
        self.parts: list[str] = []
        for i in range(5):  # the y grid and its labels
            value = self.top * i / 4
            y = self.y(value)
            self.parts.append(f'<line x1="{LEFT}" y1="{_n(y)}" x2="{WIDTH - RIGHT}" y2="{_n(y)}" '
                              'stroke="#ddd" stroke-width="1"/>')
            label = f"{value:.0f}" if self.top >= 4 else f"{value:.2g}"
            self.parts.append(f'<text x="{LEFT - 6}" y="{_n(y + 3)}" text-anchor="end" '
                              f'font-size="9">{label}</text>')
        self.parts.append(f'<text x="12" y="{_n(TOP + self.height / 2)}" font-size="10" '
                          f'transform="rotate(-90 12 {_n(TOP + self.height / 2)})" '
                          f'text-anchor="middle">{escape(unit)}</text>')
        for i, name in enumerate(self.categories):  # one label per category, slanted
            tx, ty = _n(self.x(i)), _n(TOP + self.height + 10)
            self.parts.append(f'<text x="{tx}" y="{ty}" font-size="7" text-anchor="end" '
                              f'transform="rotate(-45 {tx} {ty})">{escape(" ".join(name.split()))}</text>')

    def x(self, index: float) -> float:
        """The centre of the category ``index``."""
        return LEFT + (index + 0.5) * self.width / max(1, len(self.categories))

    def y(self, value: float) -> float:
        return TOP + self.height * (1 - min(max(value, 0.0), self.top) / self.top)

    def bar(self, index: int, low: float, high: float, colour: str) -> None:
        step = self.width / max(1, len(self.categories))
        y0, y1 = self.y(high), self.y(low)
        self.parts.append(f'<rect x="{_n(self.x(index) - step * 0.4)}" y="{_n(y0)}" '
                          f'width="{_n(step * 0.8)}" height="{_n(y1 - y0)}" fill="{colour}"/>')

    def threshold(self, value: float) -> None:
        y = _n(self.y(value))
        self.parts.append(f'<line x1="{LEFT}" y1="{y}" x2="{WIDTH - RIGHT}" y2="{y}" stroke="black" '
                          'stroke-width="1" stroke-dasharray="5 3"/>')

    def legend(self, entries: Sequence[tuple[str, str]], columns: int = 1, low: bool = False) -> None:
        """Coloured labels in ``columns``, top left (``low``: bottom left, where rates rarely go)."""
        rows = -(-len(entries) // columns)
        first = TOP + self.height - 11 * rows + 6 if low else TOP + 10
        for i, (label, colour) in enumerate(entries):
            x = LEFT + 8 + (i % columns) * 150
            y = first + (i // columns) * 11
            self.parts.append(f'<rect x="{x}" y="{y - 7}" width="8" height="8" fill="{colour}"/>'
                              f'<text x="{x + 11}" y="{y}" font-size="8">{escape(label)}</text>')

    def svg(self) -> str:
        axes = (f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + self.height}" stroke="black"/>'
                f'<line x1="{LEFT}" y1="{TOP + self.height}" x2="{WIDTH - RIGHT}" '
                f'y2="{TOP + self.height}" stroke="black"/>')
        return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
                f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif">'
                + "".join(self.parts) + axes + "</svg>")


def _round_up(value: int) -> float:
    """The axis' top: the first of 1, 2, 4, 5, 8 × 10ⁿ at or above ``value`` (quarters stay round)."""
    scale = 1
    while True:
        for step in (1, 2, 4, 5, 8):
            if step * scale >= value:
                return float(step * scale)
        scale *= 10


def rate_bars(names: Sequence[str], values: Sequence[float], line: float) -> str:
    """One bar per doctor (in %, red below ``line``), the threshold dashed."""
    plot = _Plot(names, 100, "%")
    for i, value in enumerate(values):
        plot.bar(i, 0, value, "#2e7d32" if value >= line else "#c62828")
    plot.threshold(line)
    return plot.svg()


def week_lines(weeks: Sequence[str], series: Sequence[tuple[str, dict[str, float]]], line: float,
               unit: str) -> str:
    """One line per doctor over the weeks (in %, a week without a rate left out), the
    threshold dashed, the doctors in a legend."""
    plot = _Plot(weeks, 100, "%")
    index = {week: i for i, week in enumerate(weeks)}
    entries = []
    for k, (label, points) in enumerate(series):
        colour = PALETTE[k % len(PALETTE)]
        xy = [(plot.x(index[w]), plot.y(v)) for w, v in points.items() if w in index]
        if len(xy) > 1:
            path = " ".join(f"{_n(x)},{_n(y)}" for x, y in xy)
            plot.parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="1"/>')
        plot.parts += [f'<circle cx="{_n(x)}" cy="{_n(y)}" r="2" fill="{colour}"/>' for x, y in xy]
        entries.append((label, colour))
    plot.threshold(line)
    plot.legend(entries, columns=4, low=True)
    plot.parts.append(f'<text x="{_n(LEFT + plot.width / 2)}" y="{HEIGHT - 4}" font-size="9" '
                      f'text-anchor="middle">{escape(unit)}</text>')
    return plot.svg()


def stacked_bars(categories: Sequence[str], layers: Sequence[tuple[str, str, Sequence[int]]],
                 unit: str) -> str:
    """Bars stacked per category: (label, colour, one count per category) from the bottom up."""
    totals = [sum(layer[2][i] for layer in layers) for i in range(len(categories))]
    plot = _Plot(categories, _round_up(max(totals, default=0)), unit)
    bottom = [0] * len(categories)
    for _, colour, counts in layers:
        for i, count in enumerate(counts):
            if count:
                plot.bar(i, bottom[i], bottom[i] + count, colour)
            bottom[i] += count
    plot.legend([(label, colour) for label, colour, _ in layers])
    return plot.svg()
