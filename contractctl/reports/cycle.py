"""Approval cycle times: submit to approved, per stage and per approver; median and p90.

Only routes that ended approved count, the period on the day they were approved. A
route's time is ``closed_at - submitted_at``. A stage starts when the one before it
finished (the first at submission) and finishes with its last approval (an ``any`` stage
with its one approval); an approver's time is from the start of the stage to their own
approval, under the name of whoever decided (a delegate acting for the approver).
Durations are whole seconds; median and p90 are nearest-rank percentiles, so each is a
duration some route really took.
"""

from __future__ import annotations

import math
import sqlite3
from typing import Any

from contractctl.reports import labels as L
from contractctl.reports.model import Report, Row


def percentile(values: list[int], q: float) -> int | None:
    """The nearest-rank ``q`` percentile (0 < q <= 1) of ``values``; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def _seconds(later: str, earlier: str) -> str:
    return f"CAST(ROUND((julianday({later}) - julianday({earlier})) * 86400) AS INTEGER)"


def fill_cycle(
    conn: sqlite3.Connection, report: Report, clauses: list[str], params: list[Any]
) -> None:
    """Fill ``report`` with the cycle-time rows: the whole route, each stage, each approver."""
    period = report.period
    where = ["r.state = 'approved'", "r.closed_at IS NOT NULL", *clauses]
    args = list(params)
    if period.start:
        where.append("substr(r.closed_at, 1, 10) >= ?")
        args.append(period.start.isoformat())
    if period.end:
        where.append("substr(r.closed_at, 1, 10) <= ?")
        args.append(period.end.isoformat())
    routes = (
        "SELECT r.id, r.submitted_at, r.closed_at FROM approval_routes r "
        f"JOIN contracts c ON c.id = r.contract_id WHERE {' AND '.join(where)}"
    )
    lang = report.lang
    report.basis = L.word(lang, "basis.cycle")
    whole = [
        r[0]
        for r in conn.execute(
            f"SELECT {_seconds('closed_at', 'submitted_at')} FROM ({routes})", args
        )
    ]
    stages_sql = (
        f"WITH routes AS ({routes}), "
        "done AS (SELECT t.route_id, t.stage_n, MIN(t.stage_name) AS stage_name, "
        "MAX(t.decided_at) AS finished FROM approval_tasks t JOIN routes ON routes.id = "
        "t.route_id WHERE t.state = 'approved' GROUP BY t.route_id, t.stage_n), "
        "timed AS (SELECT done.*, COALESCE(LAG(finished) OVER (PARTITION BY done.route_id "
        "ORDER BY stage_n), routes.submitted_at) AS began FROM done JOIN routes ON "
        "routes.id = done.route_id) "
    )
    per_stage: dict[str, list[int]] = {}
    for name, seconds in conn.execute(
        f"{stages_sql}SELECT stage_name, {_seconds('finished', 'began')} FROM timed", args
    ):
        per_stage.setdefault(name, []).append(seconds)
    per_person: dict[str, list[int]] = {}
    for who, seconds in conn.execute(
        f"{stages_sql}SELECT t.decided_by, {_seconds('t.decided_at', 'timed.began')} "
        "FROM approval_tasks t JOIN timed ON timed.route_id = t.route_id AND "
        "timed.stage_n = t.stage_n WHERE t.state = 'approved'",
        args,
    ):
        per_person.setdefault(who, []).append(seconds)

    def row(group: str, key: str, label: str, values: list[int]) -> Row:
        return Row(
            key=key,
            label=label,
            count=len(values),
            detail={
                "group": group,
                "median_seconds": percentile(values, 0.5),
                "p90_seconds": percentile(values, 0.9),
            },
        )

    rows = [row("overall", "overall", L.word(lang, "overall"), whole)]
    rows += [row("stage", k, k, v) for k, v in sorted(per_stage.items())]
    rows += [row("approver", k, k, v) for k, v in sorted(per_person.items())]
    report.rows = rows
    report.count = len(whole)
