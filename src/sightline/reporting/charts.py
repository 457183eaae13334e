"""Charts of report tables, drawn server-side by matplotlib as SVG text for the page (and as figures
for the PDF). Readable in greyscale: the levels differ by shade *and* hatching, and every chart comes
with a text alternative (`describe`) and the table itself beside it. Suppressed figures are drawn as
an outlined, dotted "suppressed" bar, never as a zero.

No pyplot: each chart is its own `Figure`, so web processes never share matplotlib's global state.
"""

from __future__ import annotations

import base64
import functools
import io
import re

from matplotlib import rcParams
from matplotlib.figure import Figure

from sightline.reporting.figures import Table

rcParams["svg.fonttype"] = "none"  # text stays text: smaller, searchable, read by screen readers
rcParams["svg.hashsalt"] = "sightline"  # the same figures give the same SVG
rcParams["font.size"] = 9

FILLS = ("#ffffff", "#b0b0b0", "#404040", "#d8d8d8", "#808080")
HATCHES = ("", "///", "", "...", "xx")
EDGE = "#000000"
SUPPRESSED_FILL = "#ffffff"
SUPPRESSED_HATCH = ".."


def _svg(figure: Figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight")
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    # The page gives the text alternative; the SVG itself is decorative for assistive technology.
    return re.sub(r"<svg ", '<svg aria-hidden="true" focusable="false" ', text, count=1)


def level_bars(table: Table) -> Figure:
    """One 100% bar per row, split by level; a row whose split is partly hidden says so."""
    rows = list(table.rows)
    height = 0.5 + 0.32 * max(len(rows), 1)
    figure = Figure(figsize=(6.4, height + 0.6))
    axes = figure.subplots()
    # The row's size beside its name: a 100% bar of one screening must not look like a finding.
    labels = [
        f"{r.label} (n={'suppressed' if r.total.suppressed else f'{r.total.count:,}'})"
        for r in rows
    ]
    labelled: set[int] = set()
    for i, row in enumerate(rows):
        left = 0.0
        hidden = False
        for j, cell in enumerate(row.cells):
            if cell.share is None or cell.share.estimate is None:
                hidden = hidden or cell.suppressed or row.total.suppressed
                continue
            width = cell.share.estimate * 100
            axes.barh(
                i,
                width,
                left=left,
                color=FILLS[j % len(FILLS)],
                hatch=HATCHES[j % len(HATCHES)],
                edgecolor=EDGE,
                linewidth=0.6,
                label=None if j in labelled else table.columns[j],
            )
            labelled.add(j)
            left += width
        if hidden:
            axes.barh(
                i,
                100 - left,
                left=left,
                color=SUPPRESSED_FILL,
                hatch=SUPPRESSED_HATCH,
                edgecolor="#606060",
                linewidth=0.6,
                linestyle="--",
            )
            axes.text(
                left + (100 - left) / 2, i, "suppressed", ha="center", va="center", fontsize=7
            )
    axes.set_yticks(range(len(rows)), labels)
    axes.invert_yaxis()
    axes.set_xlim(0, 100)
    axes.set_xlabel(f"Share of {table.share_of} (%)")
    handles, names = axes.get_legend_handles_labels()
    unique = dict(zip(names, handles, strict=True))
    axes.legend(
        unique.values(),
        unique.keys(),
        loc="upper center",
        bbox_to_anchor=(0.5, -0.35 if len(rows) < 4 else -0.12),
        ncol=len(unique) or 1,
        frameon=False,
    )
    axes.spines[["top", "right"]].set_visible(False)
    return figure


def count_bars(table: Table) -> Figure:
    """Screenings per row (month or quarter), stacked by level; hidden rows marked."""
    rows = list(table.rows)
    figure = Figure(figsize=(6.4, 2.8))
    axes = figure.subplots()
    positions = range(len(rows))
    bottoms = [0] * len(rows)
    for j, name in enumerate(table.columns):
        heights = [r.cells[j].count or 0 for r in rows]
        axes.bar(
            positions,
            heights,
            bottom=bottoms,
            color=FILLS[j % len(FILLS)],
            hatch=HATCHES[j % len(HATCHES)],
            edgecolor=EDGE,
            linewidth=0.6,
            label=name,
        )
        bottoms = [b + h for b, h in zip(bottoms, heights, strict=True)]
    # Where the month's total is published but some of its levels are not, the hidden part is drawn
    # as one dotted segment up to the total, so the bar's height is still the month's screenings.
    hidden = [
        (r.total.count - bottoms[i]) if r.total.count is not None else 0 for i, r in enumerate(rows)
    ]
    if any(hidden):
        axes.bar(
            positions,
            hidden,
            bottom=bottoms,
            color=SUPPRESSED_FILL,
            hatch=SUPPRESSED_HATCH,
            edgecolor="#606060",
            linestyle="--",
            linewidth=0.6,
            label="Level suppressed",
        )
        bottoms = [b + h for b, h in zip(bottoms, hidden, strict=True)]
    for i, row in enumerate(rows):
        if any(c.suppressed for c in row.cells) or row.total.suppressed:
            axes.text(i, bottoms[i], "S", ha="center", va="bottom", fontsize=8, weight="bold")
    axes.set_xticks(list(positions), [r.label for r in rows], rotation=45, ha="right")
    axes.set_ylabel(table.unit.capitalize())
    axes.legend(frameon=False, ncol=len(table.columns) + 1, loc="upper left", fontsize=8)
    axes.spines[["top", "right"]].set_visible(False)
    axes.set_ylim(0, max([*bottoms, 1]) * 1.25)
    return figure


def share_bars(table: Table) -> Figure:
    """One bar per row: the share in the row's total column (indicator tables)."""
    rows = list(table.rows)
    figure = Figure(figsize=(6.4, 0.5 + 0.3 * max(len(rows), 1)))
    axes = figure.subplots()
    for i, row in enumerate(rows):
        share = row.total.share
        if share is None or share.estimate is None:
            axes.barh(
                i,
                100,
                color=SUPPRESSED_FILL,
                hatch=SUPPRESSED_HATCH,
                edgecolor="#606060",
                linestyle="--",
                linewidth=0.6,
            )
            axes.text(50, i, "suppressed", ha="center", va="center", fontsize=7)
            continue
        axes.barh(
            i, share.estimate * 100, color=FILLS[1], hatch=HATCHES[1], edgecolor=EDGE, linewidth=0.6
        )
        if share.low is not None and share.high is not None:
            axes.plot([share.low * 100, share.high * 100], [i, i], color=EDGE, linewidth=1)
    axes.set_yticks(range(len(rows)), [r.label for r in rows])
    axes.invert_yaxis()
    axes.set_xlim(0, 100)
    axes.set_xlabel(f"Share of {table.share_of} (%), with 95% interval")
    axes.spines[["top", "right"]].set_visible(False)
    return figure


def figure_for(table: Table) -> Figure | None:
    if not table.rows:
        return None
    if table.key in ("month", "quarter"):
        return count_bars(table)
    if table.key.startswith("indicators"):
        return share_bars(table)
    return level_bars(table)


@functools.lru_cache(maxsize=512)
def svg_for(table: Table) -> str:
    """The chart as SVG text; the same figures give the same SVG, so it is kept per process
    (tables are frozen, hashable values: changed figures are a different key)."""
    figure = figure_for(table)
    return _svg(figure) if figure is not None else ""


def _data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")


def data_uri_for(table: Table) -> str:
    """The chart as a `data:` URI for an <img>: a strict Content-Security-Policy forbids the style
    attributes of an SVG written into the page, but not those of an image (img-src allows data:)."""
    svg = svg_for(table)
    if not svg:
        return ""
    return _data_uri(svg)


def figure_data_uri(figure: Figure) -> str:
    """Any chart of this module as a `data:` URI (see `data_uri_for`)."""
    return _data_uri(_svg(figure))


# --- charts of estimates with intervals (the validation studio) -------------------------------------


def roc_curve(
    fpr: list[float],
    tpr: list[float],
    *,
    label: str,
    marked: tuple[float, float, str] | None = None,
) -> Figure:
    """An empirical ROC curve (false-positive rate against sensitivity) with the chance diagonal and
    an optional marked point (fpr, tpr, label), e.g. the Youden-optimal cut-off."""
    figure = Figure(figsize=(4.2, 4.0))
    axes = figure.subplots()
    axes.plot([0, 1], [0, 1], color="#808080", linestyle="--", linewidth=0.8, label="Chance")
    axes.step(fpr, tpr, where="post", color=EDGE, linewidth=1.4, label=label)
    if marked is not None:
        x, y, text = marked
        axes.plot([x], [y], marker="o", color=EDGE, markerfacecolor="#ffffff", markersize=6)
        axes.annotate(text, (x, y), xytext=(8, -14), textcoords="offset points", fontsize=8)
    axes.set_xlim(0, 1)
    axes.set_ylim(0, 1.01)
    axes.set_aspect("equal")
    axes.set_xlabel("1 - specificity (false-positive rate)")
    axes.set_ylabel("Sensitivity")
    axes.legend(frameon=False, loc="lower right", fontsize=8)
    axes.spines[["top", "right"]].set_visible(False)
    return figure


def interval_bars(
    rows: list[tuple[str, float | None, float | None, float | None, int, bool]],
    *,
    xlabel: str,
    limits: tuple[float, float] = (0.0, 1.0),
) -> Figure:
    """One point with its interval per row (label, estimate, low, high, n, small): the label carries
    n, a small row is drawn hollow and marked "*" (shown, never hidden), a missing figure says so."""
    figure = Figure(figsize=(6.4, 0.6 + 0.32 * max(len(rows), 1)))
    axes = figure.subplots()
    labels = []
    for i, (label, estimate, low, high, n, small) in enumerate(rows):
        labels.append(f"{label}{' *' if small else ''} (n={n:,})")
        if estimate is None:
            axes.text(limits[0], i, " no figure", va="center", fontsize=7)
            continue
        if low is not None and high is not None:
            axes.plot([low, high], [i, i], color=EDGE, linewidth=1)
            axes.plot([low, low], [i - 0.15, i + 0.15], color=EDGE, linewidth=1)
            axes.plot([high, high], [i - 0.15, i + 0.15], color=EDGE, linewidth=1)
        axes.plot(
            [estimate],
            [i],
            marker="o",
            color=EDGE,
            markerfacecolor="#ffffff" if small else EDGE,
            markersize=5,
        )
    axes.set_yticks(range(len(rows)), labels)
    axes.invert_yaxis()
    axes.set_xlim(*limits)
    axes.set_ylim(len(rows) - 0.5, -0.5)
    axes.set_xlabel(xlabel)
    axes.grid(axis="x", color="#d8d8d8", linewidth=0.5)
    axes.spines[["top", "right"]].set_visible(False)
    return figure


def describe(table: Table) -> str:
    """The chart's text alternative: what it shows, in one or two sentences."""
    if not table.rows:
        return f"{table.title}: no screenings in this period."
    if table.key in ("month", "quarter"):
        known = [(r.label, r.total.count) for r in table.rows if r.total.count is not None]
        if not known:
            return f"{table.title}: every count is suppressed."
        high = max(known, key=lambda item: item[1])
        low = min(known, key=lambda item: item[1])
        return (
            f"{table.title}, stacked by level of concern. Most: {high[0]} ({high[1]:,}); "
            f"fewest: {low[0]} ({low[1]:,})."
        )
    if table.key.startswith("indicators"):
        parts = [
            f"{r.label} {r.total.share.estimate * 100:.0f}%"
            for r in table.rows[:3]
            if r.total.share is not None and r.total.share.estimate is not None
        ]
        return f"{table.title}. Highest: {', '.join(parts) or 'suppressed'}."
    last = len(table.columns) - 1
    shares = [
        (r.label, r.cells[last].share.estimate)
        for r in table.rows
        if r.cells and r.cells[last].share is not None and r.cells[last].share.estimate is not None
    ]
    hidden = sum(1 for r in table.rows if any(c.suppressed for c in r.cells))
    text = f"{table.title}: the share of each level of concern per row."
    if shares:
        top = max(shares, key=lambda item: item[1])
        text += f" Highest share of {table.columns[last].lower()}: {top[0]} ({top[1] * 100:.1f}%)."
    if hidden:
        text += f" {hidden} row(s) partly suppressed."
    return text
