"""The count plot: one line (or bar group) per query, date-aware axes, and a CJK font that is really there.

Chinese labels need a font with CJK glyphs. The one we depend on ships in a package (mplfonts' Noto Sans
CJK SC) and is registered with matplotlib's font manager when a plot is drawn, so a fresh machine, or one
whose font cache predates an installed font, still draws Chinese. Without it we take a system CJK font,
rescanning the system's font folders if matplotlib's cached list knows none. matplotlib's "Glyph … missing
from font" warnings are never silenced.
"""

from __future__ import annotations

import importlib.util
import json
import math
import textwrap
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from indexer.errors import QueryError
from indexer.query.count import CountTable

FORMATS = ("png", "svg")
# (package, file inside it) of the CJK font we depend on.
PACKAGED_FONT = ("mplfonts", "fonts/NotoSansCJKsc-Regular.otf")
# System CJK families, most wanted first (a simplified-Chinese design before others).
SYSTEM_FONTS = ["Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans SC", "WenQuanYi Zen Hei",
                "WenQuanYi Micro Hei", "SimHei", "Microsoft YaHei", "PingFang SC", "Heiti SC", "AR PL UMing CN",
                "Noto Sans CJK JP", "Droid Sans Fallback"]
_PROBE = "中文字体"  # a font that draws these draws our labels


@dataclass
class Plot:
    """What was drawn: the font used (None: no CJK font found), and per panel and query the values."""

    font: str | None
    panels: dict[str, dict[str, list[float | None]]] = field(default_factory=dict)


def packaged_font() -> Path | None:
    """The CJK font file our dependency ships, or None if the package is not installed."""
    package, name = PACKAGED_FONT
    spec = importlib.util.find_spec(package)  # the file only: importing mplfonts would change rcParams
    for folder in (spec.submodule_search_locations or []) if spec else []:
        if (Path(folder) / name).is_file():
            return Path(folder) / name
    return None


def _covers(path: str) -> bool:
    """Whether the font file draws the probe characters."""
    from matplotlib import font_manager

    try:
        font = font_manager.get_font(path)
    except (OSError, RuntimeError, ValueError):
        return False
    return all(font.get_char_index(ord(ch)) for ch in _PROBE)


def cjk_font(use_package: bool = True, font_dirs: list[str] | None = None) -> str | None:
    """Register and return the family name of a CJK font: the packaged one, else a system one; None if none.

    font_dirs: folders to rescan for system fonts (default: the system's font folders) when matplotlib's
    cached font list knows no CJK family (it was cached before the font was installed).
    """
    from matplotlib import font_manager

    manager = font_manager.fontManager
    path = packaged_font() if use_package else None
    if path is not None:
        manager.addfont(str(path))
        return font_manager.FontProperties(fname=str(path)).get_name()
    known = {font.name: font.fname for font in manager.ttflist}
    for name in SYSTEM_FONTS:
        if name in known and _covers(known[name]):
            return name
    for found in sorted(font_manager.findSystemFonts(fontpaths=font_dirs)):
        if found not in known.values() and _covers(found):
            manager.addfont(found)
            return font_manager.FontProperties(fname=found).get_name()
    return None


def bucket_start(label: str, by: str) -> date:
    """The first day of a period bucket label (day, ISO week 2025-W03, month, year)."""
    if by == "week":
        year, week = label.split("-W")
        return date.fromisocalendar(int(year), int(week), 1)
    if by == "month":
        return date.fromisoformat(label + "-01")
    if by == "year":
        return date(int(label), 1, 1)
    return date.fromisoformat(label)


def _next_start(start: date, by: str) -> date:
    """The first day of the bucket after the one starting on start."""
    if by == "day":
        return start + timedelta(days=1)
    if by == "week":
        return start + timedelta(days=7)
    if by == "month":
        return (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return start.replace(year=start.year + 1) if start.year < 9999 else start + timedelta(days=364)


def _panels(table: CountTable, normalize: bool) -> dict[str, dict[str, list[float | None]]]:
    """{panel y label: {query: value per bucket}} (None where the bucket has no data)."""
    rows = table.rows()
    top = "share of the bucket's articles (%)" if normalize else "matching articles"
    bottom = "occurrences per 10,000 characters" if normalize else "occurrences (literal matches)"
    panels: dict[str, dict[str, list[float | None]]] = {top: {}, bottom: {}}
    for number, query in enumerate(table.queries):
        cells = [row["counts"][number] for row in rows]
        if normalize:
            panels[top][query] = [None if c["share"] is None else 100 * c["share"] for c in cells]
            panels[bottom][query] = [c["per_10k_chars"] for c in cells]
        else:
            panels[top][query] = [c["articles"] for c in cells]
            panels[bottom][query] = [c["occurrences"] for c in cells]
    return panels


def draw(table: CountTable, normalize: bool = False, font: str | None = None, path: Path | str | None = None):
    """Return (matplotlib Figure, Plot) of the table: two panels, one line per query over time (bars per
    paper or page), no-data buckets as gaps on a grey band, a legend, a wrapped title.

    The figure is rendered in the font's context (tick labels are made then): saved to path when given
    (format by suffix, the table as JSON in its Description metadata), else drawn on its canvas.
    """
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import dates as mdates
    from matplotlib import pyplot as plt
    from matplotlib.ticker import MaxNLocator

    what = {"day": "day", "week": "ISO week", "month": "month", "year": "year", "paper": "paper",
            "page": "page number"}[table.by]
    timeline = table.by not in ("paper", "page")
    labels = [label for label in table.labels if label or not timeline]  # undated articles have no place in time
    keep = [table.labels.index(label) for label in labels]
    panels = {name: {query: [values[i] for i in keep] for query, values in series.items()}
              for name, series in _panels(table, normalize).items()}
    data = [table.holdings.get(label) is not None and table.holdings[label].issues for label in labels]
    width = 10.0 if timeline else max(7.0, 0.5 * len(labels) * max(1, len(table.queries)) ** 0.5 + 2)
    families = [font, "DejaVu Sans"] if font else ["DejaVu Sans"]
    with matplotlib.rc_context({"font.family": families, "axes.unicode_minus": False}):
        figure, axes = plt.subplots(2, 1, sharex=True, figsize=(width, 7), layout="constrained")
        for axis, (ylabel, series) in zip(axes, panels.items(), strict=True):
            axis.set_ylabel(ylabel)
            axis.grid(axis="y", alpha=0.3)
            if not normalize:  # counts: whole-number ticks
                axis.yaxis.set_major_locator(MaxNLocator(integer=True))
            if timeline:
                _draw_timeline(axis, table.by, labels, series, data)
            else:
                _draw_bars(axis, labels, series, data)
            axis.legend(loc="upper left", fontsize=8, frameon=False)
        if timeline:
            locator = mdates.AutoDateLocator(minticks=3, maxticks=9)
            axes[1].xaxis.set_major_locator(locator)
            axes[1].xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        else:
            names = [f"{label} {table.names.get(label, '')}".strip() or "(none)" for label in labels]
            axes[1].set_xticks(range(len(labels)), names, rotation=90 if len(labels) > 8 else 0, fontsize=8)
        axes[1].set_xlabel(what)
        span = f", {table.date_from or '…'} to {table.date_to or '…'}" if table.date_from or table.date_to else ""
        collapsed = "; near-duplicates counted once" if table.collapse else ""
        title = f"{' · '.join(table.queries)}: per {what}{span}{collapsed}"
        figure.suptitle("\n".join(textwrap.wrap(title, width=int(width * 7))), fontsize=11)
        if path is None:
            figure.canvas.draw()
        else:
            figure.savefig(path, format=Path(path).suffix.lower().lstrip("."),
                           metadata={"Description": json.dumps(table.to_dict(), ensure_ascii=False)})
    return figure, Plot(font, panels)


def _draw_timeline(axis, by: str, labels: list[str], series: dict[str, list], data: list[bool]) -> None:
    """One line per query at each bucket's first day; grey bands over runs of no-data buckets."""
    starts = [bucket_start(label, by) for label in labels]
    for query, values in series.items():
        axis.plot(starts, [math.nan if v is None else v for v in values], marker="o", markersize=3,
                  linewidth=1.5, label=query)
    banded = False
    run_start = None
    for number, (start, has_data) in enumerate(zip(starts, data, strict=True)):
        if not has_data and run_start is None:
            run_start = start
        if run_start is not None and (has_data or number == len(starts) - 1):
            end = start if has_data else _next_start(start, by)
            axis.axvspan(run_start, end, color="0.85", alpha=0.6, linewidth=0,
                         label=None if banded else "no data (no archived issue)")
            banded, run_start = True, None


def _draw_bars(axis, labels: list[str], series: dict[str, list], data: list[bool]) -> None:
    """Grouped bars, one colour per query; no-data buckets get a grey band and no bar."""
    step = 0.8 / max(1, len(series))
    for number, (query, values) in enumerate(series.items()):
        offsets = [i - 0.4 + step * (number + 0.5) for i in range(len(labels))]
        axis.bar(offsets, [0 if v is None else v for v in values], width=step, label=query)
    for i, has_data in enumerate(data):
        if not has_data:
            axis.axvspan(i - 0.45, i + 0.45, color="0.85", alpha=0.6, linewidth=0)


def plot_counts(table: CountTable, path: Path | str, normalize: bool = False, use_package: bool = True) -> Plot:
    """Draw the table into a PNG or SVG file (by its suffix); its Description metadata holds the table as JSON.

    Raises QueryError for another suffix and OSError when the file cannot be written. A missing glyph is
    matplotlib's warning, never silenced; Plot.font is None when no CJK font was found.
    """
    kind = Path(path).suffix.lower().lstrip(".")
    if kind not in FORMATS:
        raise QueryError(f"--plot {str(path)!r}: the file name must end in .png or .svg")
    from matplotlib import pyplot as plt

    figure = None
    try:
        figure, drawn = draw(table, normalize, cjk_font(use_package), path)
    finally:
        plt.close(figure or "all")
    return drawn
