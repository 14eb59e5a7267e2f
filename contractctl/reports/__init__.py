"""Reports for management: counts and contracted value by month, type, counterparty,
department and status; the pipeline, what expires soon, and approval cycle times.

What the rest of the house may call:

- :mod:`~contractctl.reports.period`: ``parse_period`` / ``resolve_period`` (``2026Q3``,
  ``2026-11``, ``2026``, ``--from/--to``);
- :mod:`~contractctl.reports.model`: ``Report`` and its rows, ``direction_of`` (purchases,
  which we pay, apart from sales, which we are paid);
- :mod:`~contractctl.reports.aggregate`: ``ReportRequest``, ``build_report`` (one SQL
  aggregate per view); :mod:`~contractctl.reports.cycle` fills the approval cycle times;
- :mod:`~contractctl.reports.labels`: the report's words in Chinese and English;
- :mod:`~contractctl.reports.numbers`: amounts and durations for people (万/亿 in Chinese);
- :mod:`~contractctl.reports.tabular`: the rows as a table, CSV or XLSX (with a native chart);
- :mod:`~contractctl.reports.charts`: PNG and SVG charts (matplotlib, the CJK font by path);
- :mod:`~contractctl.reports.html`: one self-contained HTML page.

Money is never added across currencies, nor purchases to sales: every total is one
(direction, currency) pair in integer minor units. Reports read the store only; they
import :mod:`contractctl.records` (the filters of ``list``) and the store.
"""
