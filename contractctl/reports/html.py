"""The report as one self-contained HTML page a manager opens in a browser.

Everything is inside the file: the chart as inline SVG (glyphs as outlines, so Chinese
shows without a Chinese font), the table, the period, the filters and when it was made.
No script, no stylesheet or font from the network. The page is in the report's
language (``<html lang="zh-CN">`` or ``en``); every text from the store is escaped.
"""

from __future__ import annotations

import re
from html import escape

from contractctl.money import Money, format_money
from contractctl.reports import labels as L
from contractctl.reports.charts import render_chart
from contractctl.reports.model import Report, Total
from contractctl.reports.numbers import amount_text
from contractctl.reports.tabular import heading_lines, table_cells, title_of

_STYLE = """
body { font-family: "Noto Sans CJK SC", "Noto Sans", "PingFang SC", "Microsoft YaHei",
       sans-serif; margin: 2em auto; max-width: 1000px; color: #222; padding: 0 1em; }
h1 { font-size: 1.5em; margin-bottom: .3em; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: .2em 1em;
          color: #555; font-size: .9em; }
dl.meta dt { font-weight: bold; }
figure { margin: 1.5em 0; }
figure svg { max-width: 100%; height: auto; }
table { border-collapse: collapse; margin: 1em 0; font-size: .92em; }
th, td { border-bottom: 1px solid #ddd; padding: .35em .8em; text-align: left;
         white-space: nowrap; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
tr.total td { font-weight: bold; border-top: 2px solid #444; }
p.note { color: #666; font-size: .85em; }
th { white-space: normal; }
"""


def _svg(report: Report) -> str:
    svg = render_chart(report, "svg").decode("utf-8")
    svg = re.sub(r"^<\?xml[^>]*>\s*", "", svg)
    svg = re.sub(r"<!DOCTYPE[^>]*>\s*", "", svg)
    return svg


def render_html(report: Report) -> str:
    """The whole page as text (UTF-8 when written)."""
    lang = report.lang
    title = title_of(report)
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{"zh-CN" if lang == "zh" else "en"}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(L.word(lang, 'report'))}: {escape(title)}</title>",
        f"<style>{_STYLE}</style>",
        "</head>",
        "<body>",
        f"<h1>{escape(title)}</h1>",
        '<dl class="meta">',
    ]
    for key, value in heading_lines(report):
        parts.append(f"<dt>{escape(key)}</dt><dd>{escape(value)}</dd>")
    parts.append("</dl>")
    if report.rows and (report.count or report.is_cycle):
        parts.append(f'<figure class="chart">{_svg(report)}</figure>')
    else:
        parts.append(f"<p>{escape(L.word(lang, 'nothing'))}</p>")
    parts.append(_table(report))
    if report.items:
        parts.append(_items(report))
    for note in report.notes:
        parts.append(f'<p class="note">{escape(note)}</p>')
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)


def _table(report: Report) -> str:
    """The table; each amount cell carries its exact value (``data-minor``,
    ``data-currency``, and the full amount as its tooltip) beside the rounded 万/亿 text."""
    heads, rows, numeric = table_cells(report)
    out = ['<table class="report">', "<thead><tr>"]
    out += [
        f"<th{' class=n' if i in numeric else ''}>{escape(h)}</th>" for i, h in enumerate(heads)
    ]
    out.append("</tr></thead><tbody>")
    sources = [*report.rows, None]
    for index, row in enumerate(rows):
        total = not report.is_cycle and index == len(rows) - 1
        out.append('<tr class="total">' if total else "<tr>")
        exact: dict[int, Total] = {}
        if not report.is_cycle:
            source = sources[index]
            found = {
                (t.direction, t.currency): t for t in (source.totals if source else report.totals)
            }
            exact = {2 + i: found[k] for i, k in enumerate(report.series) if k in found}
        for i, cell in enumerate(row):
            attrs = " class=n" if i in numeric else ""
            if i in exact:
                t = exact[i]
                attrs += (
                    f' data-direction="{t.direction}" data-currency="{t.currency}" '
                    f'data-minor="{t.minor}" title="{escape(format_money(t.money))}"'
                )
            out.append(f"<td{attrs}>{escape(cell)}</td>")
        out.append("</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _items(report: Report) -> str:
    lang = report.lang
    extra = ("since", "age_days") if report.view == "pipeline" else ("end_date", "days_left")
    heads = [
        L.word(lang, "id"),
        L.word(lang, "title"),
        L.word(lang, "status"),
        L.word(lang, "amount"),
        *(
            L.word(lang, k)
            for k in (("since", "age") if report.view == "pipeline" else ("ends", "left"))
        ),
    ]
    out = ['<table class="items">', "<thead><tr>"]
    out += [f"<th>{escape(h)}</th>" for h in heads]
    out.append("</tr></thead><tbody>")
    for item in report.items:
        amount = item["amount"]
        money = amount_text(Money(amount["minor"], amount["currency"]), lang) if amount else ""
        cells = [
            item["id"],
            item["title"],
            L.status_label(lang, item["status"]),
            money,
            str(item[extra[0]])[:10],
            str(item[extra[1]]),
        ]
        out.append("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in cells) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)
