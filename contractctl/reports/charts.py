"""Charts of a report as PNG or SVG, drawn with matplotlib (Agg, no pyplot state).

Chinese labels need a CJK font: matplotlib's own DejaVu has no Chinese glyphs and draws
empty boxes (tofu). The Noto CJK fonts Debian installs (fonts-noto-cjk, set up by
`make setup`) are loaded **by file path** through matplotlib.font_manager, so the chart
does not depend on a font cache or on fontconfig's choice. SVG text is written as paths,
so an SVG (and the HTML report that inlines it) shows the same glyphs on a machine with
no Chinese font at all.

One panel per currency (amounts of different currencies never share an axis), one bar
or line per direction; months are lines (折线图), other groups bars (柱状图); type and
status add a pie of contract counts (饼图); cycle times are bars of median and p90.
Plotted heights are floats, which is what a drawing needs; every number a reader sees
(labels, axis ticks) comes from the exact integer amounts.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from contractctl.errors import ToolMissing
from contractctl.money import CURRENCIES
from contractctl.reports import labels as L
from contractctl.reports.model import Report
from contractctl.reports.tabular import title_of

#: Where Debian's fonts-noto-cjk puts the fonts (Sans first, then Serif).
CJK_FONTS = (
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"),
    Path("/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc"),
)
_COLOURS = {"pay": "#c0392b", "receive": "#2471a3", "none": "#7f8c8d"}
FORMATS = ("png", "svg")


def cjk_font() -> tuple[Path, str]:
    """The CJK font file and the family name to ask for; ToolMissing when none is there."""
    from matplotlib import font_manager

    for path in CJK_FONTS:
        if path.is_file():
            font_manager.fontManager.addfont(str(path))  # every face of the collection
            family = "Noto Serif CJK SC" if "Serif" in path.name else "Noto Sans CJK SC"
            return path, family
    raise ToolMissing(
        "no CJK font for charts: Chinese labels would be empty boxes",
        hint="install fonts-noto-cjk (make setup does)",
    )


def _rc() -> dict[str, Any]:
    _, family = cjk_font()
    return {
        "font.family": [family, "DejaVu Sans"],
        "svg.fonttype": "path",  # glyphs as outlines: no font needed to view the SVG
        "svg.hashsalt": "contractctl-report",  # stable ids, so the same report gives the same SVG
        "axes.unicode_minus": False,
        "font.size": 9,
    }


def render_chart(report: Report, fmt: str) -> bytes:
    """The report's chart as PNG (150 dpi) or SVG bytes."""
    from matplotlib import rc_context
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    with rc_context(_rc()):  # type: ignore[arg-type]  # keys checked by matplotlib
        panels = _panels(report)
        figure = Figure(figsize=(9, 3.4 * len(panels) + 0.6), layout="constrained")
        FigureCanvasAgg(figure)
        figure.suptitle(title_of(report), fontsize=12)
        axes = figure.subplots(len(panels), 1, squeeze=False)[:, 0]
        for ax, (kind, arg) in zip(axes, panels, strict=True):
            {
                "money": _money_panel,
                "pie": _pie_panel,
                "count": _count_panel,
                "cycle": _cycle_panel,
            }[kind](ax, report, arg)
        buffer = io.BytesIO()
        metadata = {"Date": None} if fmt == "svg" else {}
        figure.savefig(buffer, format=fmt, dpi=150, metadata=metadata)
    return buffer.getvalue()


def _panels(report: Report) -> list[tuple[str, Any]]:
    if report.is_cycle:
        return [("cycle", None)]
    currencies = sorted({c for _, c in report.series})
    panels: list[tuple[str, Any]] = [("money", c) for c in currencies]
    if report.view in ("type", "status") and report.count:
        panels.append(("pie", None))
    if not panels:
        panels.append(("count", None))
    return panels


def _labels(report: Report) -> list[str]:
    return [r.label if len(r.label) <= 18 else r.label[:17] + "…" for r in report.rows]


def _money_panel(ax: Any, report: Report, currency: str) -> None:
    lang = report.lang
    digits = CURRENCIES[currency]
    directions = [d for d, c in report.series if c == currency]
    names = _labels(report)
    positions = list(range(len(names)))
    width = 0.8 / max(1, len(directions))
    for index, direction in enumerate(directions):
        heights = []
        for row in report.rows:
            found = [
                t.minor for t in row.totals if (t.direction, t.currency) == (direction, currency)
            ]
            heights.append(found[0] / 10**digits if found else 0.0)
        label = L.direction_label(lang, direction)
        colour = _COLOURS[direction]
        if report.view == "month":
            ax.plot(positions, heights, marker="o", markersize=3, label=label, color=colour)
        else:
            shift = (index - (len(directions) - 1) / 2) * width
            ax.bar([p + shift for p in positions], heights, width, label=label, color=colour)
    ax.set_title(f"{L.word(lang, 'value')} ({currency})", loc="left")
    ax.set_xticks(
        positions,
        names,
        rotation=45 if len(names) > 6 else 0,
        ha="right" if len(names) > 6 else "center",
    )
    ax.yaxis.set_major_formatter(_axis_formatter(lang, currency))
    ax.legend(loc="upper left", fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    if report.view == "month" and len(names) > 24:
        step = max(1, len(names) // 24)
        for index, tick in enumerate(ax.get_xticklabels()):
            tick.set_visible(index % step == 0)


def _axis_formatter(lang: str, currency: str) -> Any:
    from matplotlib.ticker import FuncFormatter

    def shown(value: float, _position: int) -> str:
        whole = round(value)
        if lang == "zh":
            if abs(whole) >= 10**8:
                return f"{whole / 10**8:,.1f}亿"
            if abs(whole) >= 10**4:
                return f"{whole / 10**4:,.0f}万"
        return f"{whole:,}"

    return FuncFormatter(shown)


def _pie_panel(ax: Any, report: Report, _arg: Any) -> None:
    rows = [r for r in report.rows if r.count]
    ax.pie(
        [r.count for r in rows],
        labels=[f"{r.label} ({r.count:,})" for r in rows],
        startangle=90,
        counterclock=False,
        textprops={"fontsize": 8},
    )
    ax.set_title(L.word(report.lang, "count"), loc="left")


def _count_panel(ax: Any, report: Report, _arg: Any) -> None:
    names = _labels(report)
    ax.bar(range(len(names)), [r.count for r in report.rows], color=_COLOURS["none"])
    ax.set_xticks(range(len(names)), names, rotation=45 if len(names) > 6 else 0)
    ax.set_title(L.word(report.lang, "count"), loc="left")


def _cycle_panel(ax: Any, report: Report, _arg: Any) -> None:
    lang = report.lang
    rows = [r for r in report.rows if r.count]
    names = [f"{r.label}" for r in rows]
    positions = list(range(len(rows)))
    for shift, key, word, colour in (
        (-0.2, "median_seconds", "median", "#2471a3"),
        (0.2, "p90_seconds", "p90", "#c0392b"),
    ):
        values = [(r.detail[key] or 0) / 86400 for r in rows]
        ax.barh([p + shift for p in positions], values, 0.4, label=L.word(lang, word), color=colour)
    ax.set_yticks(positions, names)
    ax.invert_yaxis()
    ax.set_xlabel("天" if lang == "zh" else "days")
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(axis="x", alpha=0.3)
