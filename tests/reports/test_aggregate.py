"""Every view's numbers against independent SQL over the same store.

The expected figures are written here as plain SQL with their own WHERE clauses (not
through filter_clauses or the report's CASE), so a report that counts the wrong
contracts, adds currencies or mixes purchases with sales disagrees with them.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date, timedelta
from typing import Any

import pytest

from contractctl.errors import InvalidInput
from contractctl.records.contracts import ListFilter
from contractctl.reports.aggregate import ReportRequest, build_report
from contractctl.reports.model import Report, direction_of
from contractctl.reports.period import parse_period
from contractctl.store import Store
from tests.reports.sample import TODAY, fill

SIGNED = "('signed', 'active', 'expired', 'terminated', 'archived')"


@pytest.fixture
def filled(store: Store) -> Store:
    fill(store)
    return store


def _expected(store: Store, key_sql: str, where: str, params: tuple[Any, ...] = ()) -> dict:
    """{key: (count, {(direction, currency): (count, sum)})} from plain SQL."""
    found: dict[Any, list[Any]] = {}
    sql = f"SELECT {key_sql}, type, currency, amount_minor FROM contracts WHERE {where}"
    for key, type_, currency, minor in store.conn.execute(sql, params):
        entry = found.setdefault(key, [0, defaultdict(lambda: [0, 0])])
        entry[0] += 1
        if currency is not None:
            pair = entry[1][(direction_of(type_), currency)]
            pair[0] += 1
            pair[1] += minor
    return {k: (n, {p: tuple(v) for p, v in sums.items()}) for k, (n, sums) in found.items()}


def _got(report: Report) -> dict:
    return {
        r.key: (r.count, {(t.direction, t.currency): (t.count, t.minor) for t in r.totals})
        for r in report.rows
        if r.count
    }


def _grand(expected: dict) -> dict:
    sums: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for _, pairs in expected.values():
        for pair, (n, minor) in pairs.items():
            sums[pair][0] += n
            sums[pair][1] += minor
    return {p: tuple(v) for p, v in sums.items()}


def _check(report: Report, expected: dict) -> None:
    assert _got(report) == expected
    assert {(t.direction, t.currency): (t.count, t.minor) for t in report.totals} == _grand(
        expected
    )
    assert report.count == sum(n for n, _ in expected.values())


def test_by_month_is_signed_value_per_month_against_sql(filled: Store) -> None:
    report = build_report(filled.conn, ReportRequest(view="month"))
    expected = _expected(
        filled, "substr(signed_date, 1, 7)", f"status IN {SIGNED} AND signed_date IS NOT NULL"
    )
    _check(report, expected)
    keys = [r.key for r in report.rows]
    assert keys == sorted(keys) and len(keys) == len(set(keys))  # every month once, in order
    assert all(r.label.endswith("月") for r in report.rows)  # the contracts are Chinese


@pytest.mark.parametrize("period", ["2025Q3", "2026-03", "2025"])
def test_a_period_narrows_by_the_signing_date(filled: Store, period: str) -> None:
    span = parse_period(period)
    report = build_report(filled.conn, ReportRequest(view="month", period=span))
    expected = _expected(
        filled,
        "substr(signed_date, 1, 7)",
        f"status IN {SIGNED} AND signed_date BETWEEN ? AND ?",
        (span.start.isoformat(), span.end.isoformat()),  # type: ignore[union-attr]
    )
    _check(report, expected)
    assert report.rows[0].key == span.start.strftime("%Y-%m")  # type: ignore[union-attr]
    assert report.rows[-1].key == span.end.strftime("%Y-%m")  # type: ignore[union-attr]


@pytest.mark.parametrize("view,column", [("type", "type"), ("department", "department")])
def test_by_type_and_department_against_sql(filled: Store, view: str, column: str) -> None:
    report = build_report(filled.conn, ReportRequest(view=view))
    _check(report, _expected(filled, column, f"status IN {SIGNED} AND signed_date IS NOT NULL"))


def test_by_status_counts_every_contract(filled: Store) -> None:
    report = build_report(filled.conn, ReportRequest(view="status", lang="en"))
    _check(report, _expected(filled, "status", "1"))
    assert report.count == filled.conn.execute("SELECT COUNT(*) FROM contracts").fetchone()[0]


def test_by_counterparty_top_n_keeps_the_rest_in_one_row(filled: Store) -> None:
    full = build_report(filled.conn, ReportRequest(view="counterparty"))
    expected = _expected(
        filled, "counterparty_id", f"status IN {SIGNED} AND signed_date IS NOT NULL"
    )
    _check(full, expected)
    top = build_report(filled.conn, ReportRequest(view="counterparty", top=2))
    assert len(top.rows) == 3 and top.rows[-1].key is None
    assert top.rows[-1].detail["others"] == len(full.rows) - 2
    assert [r.key for r in top.rows[:2]] == [r.key for r in full.rows[:2]]
    assert top.totals == full.totals and top.count == full.count  # nothing lost in "others"
    names = dict(filled.conn.execute("SELECT id, name FROM parties"))
    assert top.rows[0].label == names.get(top.rows[0].key, "（无相对方）")


def test_list_filters_narrow_the_report_exactly_as_list(filled: Store) -> None:
    flt = ListFilter(types=["purchase", "sales"], signed_from="2025-06-01")
    report = build_report(filled.conn, ReportRequest(view="type", flt=flt))
    expected = _expected(
        filled,
        "type",
        f"status IN {SIGNED} AND type IN ('purchase', 'sales') AND signed_date >= '2025-06-01'",
    )
    _check(report, expected)
    assert report.filters == {"types": ["purchase", "sales"], "signed_from": "2025-06-01"}
    directions = {t.direction for t in report.totals}
    assert directions == {"pay", "receive"}  # purchases and sales apart


def test_currencies_and_directions_are_never_added_together(filled: Store) -> None:
    report = build_report(filled.conn, ReportRequest(view="type"))
    pairs = [(t.direction, t.currency) for t in report.totals]
    assert len(pairs) == len(set(pairs))
    assert {c for _, c in pairs} == {"CNY", "USD"}
    for row in report.rows:
        assert len({t.direction for t in row.totals}) == 1  # one type, one direction


def test_pipeline_by_age_against_sql(filled: Store) -> None:
    today = TODAY + timedelta(days=3)
    report = build_report(filled.conn, ReportRequest(view="pipeline", today=today))
    since = (
        "COALESCE((SELECT MAX(at) FROM events e WHERE e.subject = contracts.id AND e.action "
        "IN ('contract.submit', 'contract.approve', 'contract.sign')), updated_at)"
    )
    rows = filled.conn.execute(
        f"SELECT id, type, currency, amount_minor, {since} FROM contracts "
        "WHERE status IN ('in_review', 'approved', 'signing')"
    ).fetchall()
    expected: dict[str, list[Any]] = {}
    for _id, type_, currency, minor, began in rows:
        age = (today - date.fromisoformat(began[:10])).days
        key = "0-7" if age <= 7 else "8-30" if age <= 30 else "31-90" if age <= 90 else "91+"
        entry = expected.setdefault(key, [0, defaultdict(lambda: [0, 0])])
        entry[0] += 1
        if currency:
            entry[1][(direction_of(type_), currency)][0] += 1
            entry[1][(direction_of(type_), currency)][1] += minor
    want = {k: (n, {p: tuple(v) for p, v in s.items()}) for k, (n, s) in expected.items()}
    _check(report, want)
    assert len(want) >= 2  # the sample spreads the ages
    assert sum(sum(r.detail["by_status"].values()) for r in report.rows) == report.count
    ages = [item["age_days"] for item in report.items]
    assert ages == sorted(ages, reverse=True)


def test_expiring_in_30_60_90_days_against_sql(filled: Store) -> None:
    report = build_report(filled.conn, ReportRequest(view="expiring", today=TODAY))
    rows = filled.conn.execute(
        "SELECT end_date, type, currency, amount_minor FROM contracts WHERE status IN "
        "('signed', 'active') AND end_date BETWEEN ? AND ?",
        (TODAY.isoformat(), (TODAY + timedelta(days=90)).isoformat()),
    ).fetchall()
    expected: dict[str, list[Any]] = {}
    for end, type_, currency, minor in rows:
        left = (date.fromisoformat(end) - TODAY).days
        key = "0-30" if left <= 30 else "31-60" if left <= 60 else "61-90"
        entry = expected.setdefault(key, [0, defaultdict(lambda: [0, 0])])
        entry[0] += 1
        if currency:
            entry[1][(direction_of(type_), currency)][0] += 1
            entry[1][(direction_of(type_), currency)][1] += minor
    want = {k: (n, {p: tuple(v) for p, v in s.items()}) for k, (n, s) in expected.items()}
    _check(report, want)
    assert [r.key for r in report.rows] == ["0-30", "31-60", "61-90"]
    assert [i["end_date"] for i in report.items] == sorted(i["end_date"] for i in report.items)


def _nearest_rank(values: list[float], q: float) -> int:
    ordered = sorted(values)
    return round(ordered[math.ceil(q * len(ordered)) - 1])


def test_cycle_times_median_and_p90_against_sql(filled: Store) -> None:
    report = build_report(filled.conn, ReportRequest(view="cycle"))
    whole = [
        r[0]
        for r in filled.conn.execute(
            "SELECT (julianday(closed_at) - julianday(submitted_at)) * 86400 FROM "
            "approval_routes WHERE state = 'approved'"
        )
    ]
    overall = report.rows[0]
    assert overall.detail["group"] == "overall" and overall.count == len(whole) == report.count
    assert overall.detail["median_seconds"] == _nearest_rank(whole, 0.5)
    assert overall.detail["p90_seconds"] == _nearest_rank(whole, 0.9)
    # per stage: from the previous stage's last approval (or submission) to its own last
    stage_times: dict[str, list[float]] = defaultdict(list)
    person_times: dict[str, list[float]] = defaultdict(list)
    routes = filled.conn.execute(
        "SELECT id, submitted_at FROM approval_routes WHERE state = 'approved'"
    ).fetchall()
    for route_id, submitted in routes:
        tasks = filled.conn.execute(
            "SELECT stage_n, stage_name, decided_by, julianday(decided_at) FROM approval_tasks "
            "WHERE route_id = ? AND state = 'approved' ORDER BY stage_n",
            (route_id,),
        ).fetchall()
        began = filled.conn.execute("SELECT julianday(?)", (submitted,)).fetchone()[0]
        for stage_n in sorted({t[0] for t in tasks}):
            mine = [t for t in tasks if t[0] == stage_n]
            finished = max(t[3] for t in mine)
            stage_times[mine[0][1]].append((finished - began) * 86400)
            for t in mine:
                person_times[t[2]].append((t[3] - began) * 86400)
            began = finished
    for row in report.rows[1:]:
        times = (stage_times if row.detail["group"] == "stage" else person_times)[row.key]
        assert row.count == len(times), row.key
        assert row.detail["median_seconds"] == _nearest_rank(times, 0.5), row.key
        assert row.detail["p90_seconds"] == _nearest_rank(times, 0.9), row.key
    assert {r.key for r in report.rows if r.detail["group"] == "stage"} == set(stage_times)


def test_cycle_period_is_the_day_of_approval(filled: Store) -> None:
    span = parse_period("2026Q2")
    report = build_report(filled.conn, ReportRequest(view="cycle", period=span))
    want = filled.conn.execute(
        "SELECT COUNT(*) FROM approval_routes WHERE state = 'approved' AND "
        "substr(closed_at, 1, 10) BETWEEN '2026-04-01' AND '2026-06-30'"
    ).fetchone()[0]
    assert report.count == want > 0


def test_views_about_today_refuse_a_period(filled: Store) -> None:
    with pytest.raises(InvalidInput, match="takes no --period"):
        build_report(filled.conn, ReportRequest(view="expiring", period=parse_period("2026")))
    with pytest.raises(InvalidInput, match="unknown report"):
        build_report(filled.conn, ReportRequest(view="weekday"))
    with pytest.raises(InvalidInput, match="--top"):
        build_report(filled.conn, ReportRequest(view="type", top=0))


def test_language_follows_the_contracts_unless_asked(store: Store, filled: Store) -> None:
    assert build_report(filled.conn, ReportRequest(view="type")).lang == "zh"
    english = build_report(filled.conn, ReportRequest(view="type", lang="en"))
    assert english.lang == "en" and {r.label for r in english.rows} >= {"purchase", "sales"}
    only_english = build_report(
        filled.conn, ReportRequest(view="type", flt=ListFilter(types=["other"]))
    )
    assert only_english.lang == "en"  # "Cooperation Agreement" and "Agreement n"


def test_an_empty_store_gives_an_empty_report(store: Store) -> None:
    for view in ("month", "type", "counterparty", "status", "pipeline", "expiring", "cycle"):
        report = build_report(store.conn, ReportRequest(view=view))
        assert report.count == 0 and report.totals == []
