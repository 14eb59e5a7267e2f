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
    # One pass over the approved decisions in route and stage order; the stage logic in
    # Python is linear, where a window over a joined CTE made SQLite rescan per task.
    decisions = conn.execute(
        "SELECT r.id, julianday(r.submitted_at), t.stage_n, t.stage_name, t.decided_by, "
        f"julianday(t.decided_at) FROM ({routes}) r JOIN approval_tasks t ON t.route_id = r.id "
        "WHERE t.state = 'approved' ORDER BY r.id, t.stage_n",
        args,
    )
    per_stage: dict[str, list[int]] = {}
    per_person: dict[str, list[int]] = {}
    stage_order: dict[str, int] = {}
    route = stage = None
    began = finished = 0.0
    pending: list[tuple[str, float]] = []
    name = ""

    def close_stage() -> None:
        if stage is None:
            return
        per_stage.setdefault(name, []).append(round((finished - began) * 86400))
        for who, at in pending:
            per_person.setdefault(who, []).append(round((at - began) * 86400))

    for route_id, submitted, stage_n, stage_name, who, decided in decisions:
        if route_id != route or stage_n != stage:
            close_stage()
            began = submitted if route_id != route else finished
            route, stage, name, finished, pending = route_id, stage_n, stage_name, decided, []
            stage_order[name] = min(stage_order.get(name, stage_n), stage_n)
        finished = max(finished, decided)
        pending.append((who, decided))
    close_stage()

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
    ordered = sorted(per_stage.items(), key=lambda kv: (stage_order[kv[0]], kv[0]))
    rows += [row("stage", k, k, v) for k, v in ordered]
    rows += [row("approver", k, k, v) for k, v in sorted(per_person.items())]
    report.rows = rows
    report.count = len(whole)
