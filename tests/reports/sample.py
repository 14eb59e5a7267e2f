"""A store with a known mix of contracts for the report tests: Chinese and English,
CNY and USD, purchases and sales, several statuses, departments and months, some without
an amount, plus approval routes with known decision times and pipeline events."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from contractctl.money import Money
from contractctl.records.contracts import NewContract, NewVersion, create_contract
from contractctl.records.parties import add_party
from contractctl.store import Store

TODAY = date(2026, 12, 7)
TYPES = ("purchase", "sales", "service", "lease", "nda", "other")
STATUSES = (
    "active",
    "signed",
    "expired",
    "archived",
    "terminated",
    "draft",
    "in_review",
    "approved",
    "signing",
    "rejected",
)
DEPARTMENTS = ("采购部", "销售部", "legal", "")
TITLES = {
    "purchase": "服务器采购合同",
    "sales": "产品销售合同",
    "service": "运维服务合同",
    "lease": "办公楼租赁合同",
    "nda": "保密协议",
    "other": "Cooperation Agreement",
}


def fill(store: Store, n: int = 120, seed: int = 7) -> list[str]:
    """``n`` contracts (ids returned), 4 parties, approval routes, pipeline events."""
    rng = random.Random(seed)
    ids: list[str] = []
    with store.transaction("tester") as tx:
        parties = [
            add_party(tx, name="上海星河电子科技有限公司").id,
            add_party(tx, name="Harbor Analytics Ltd.").id,
            add_party(tx, name="杭州云帆软件有限公司").id,
            add_party(tx, name="北京鼎盛物流有限公司").id,
        ]
        for i in range(n):
            type_ = TYPES[i % len(TYPES)]
            status = STATUSES[rng.randrange(len(STATUSES))]
            signed = date(2025, 1, 1) + timedelta(days=rng.randrange(0, 700))
            start = signed + timedelta(days=rng.randrange(0, 20))
            end = TODAY + timedelta(days=rng.randrange(-200, 200))
            currency = "USD" if i % 5 == 0 else "CNY"
            amount = None if i % 11 == 0 else Money(rng.randrange(1, 5_000_000) * 100 + i, currency)
            contract = create_contract(
                tx,
                NewContract(
                    title=TITLES[type_] if i % 9 else f"Agreement {i}",
                    type=type_,
                    counterparty_id=None if i % 13 == 0 else parties[i % len(parties)],
                    amount=amount,
                    start_date=min(start, end),
                    end_date=end,
                    signed_date=None if status in ("draft", "in_review", "rejected") else signed,
                    department=DEPARTMENTS[i % len(DEPARTMENTS)],
                    status=status,
                    source="import",
                ),
                NewVersion(kind="import"),
            )
            ids.append(contract.id)
    _approvals(store, ids, rng)
    return ids


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="microseconds") + "Z"


def _approvals(store: Store, ids: list[str], rng: random.Random) -> None:
    """Routes of two or three stages; decisions hours to days apart; some not approved."""
    people = ["wang.fang", "li.lei", "zhao.min", "chen.jie"]
    conn = store.conn
    with store.transaction("tester"):
        for index, contract_id in enumerate(ids[:60]):
            submitted = datetime(2026, 1, 5, 9) + timedelta(days=5 * index, hours=rng.randrange(8))
            state = "approved" if index % 6 else "returned"
            cur = conn.execute(
                "INSERT INTO approval_routes (contract_id, version_n, state, route_ids, "
                "rules_hash, facts, submitted_by, submitted_at) VALUES (?, 1, ?, '[]', 'x', '{}',"
                " 'tester', ?)",
                (contract_id, state, _iso(submitted)),
            )
            route_id = cur.lastrowid
            moment = submitted
            stages = [("部门负责人", "all", 1), ("legal", "any", 2), ("finance", "all", 2)]
            for n, (name, mode, approvers) in enumerate(stages[: 2 + index % 2], start=1):
                finished = moment
                for k in range(approvers):
                    decided = moment + timedelta(minutes=rng.randrange(30, 4000))
                    who = people[(index + n + k) % len(people)]
                    conn.execute(
                        "INSERT INTO approval_tasks (route_id, stage_n, stage_name, mode, "
                        "approver, state, due_hours, calendar, decided_by, decided_at) VALUES "
                        "(?, ?, ?, ?, ?, 'approved', 24, 'business', ?, ?)",
                        (route_id, n, name, mode, who, who, _iso(decided)),
                    )
                    finished = max(finished, decided)
                    if mode == "any":
                        break
                moment = finished
            conn.execute(
                "UPDATE approval_routes SET closed_at = ? WHERE id = ?", (_iso(moment), route_id)
            )
    pipeline = conn.execute(
        "SELECT id, status FROM contracts WHERE status IN ('in_review', 'approved', 'signing') "
        "ORDER BY id"
    ).fetchall()
    with store.transaction("tester") as tx:
        for index, (contract_id, status) in enumerate(pipeline):
            if index % 2:  # no event: the age counts from the contract's last change
                back = TODAY - timedelta(days=rng.randrange(0, 200))
                conn.execute(
                    "UPDATE contracts SET updated_at = ? WHERE id = ?",
                    (f"{back.isoformat()}T10:00:00.000000Z", contract_id),
                )
            else:
                action = {"in_review": "submit", "approved": "approve", "signing": "sign"}[status]
                tx.audit(f"contract.{action}", contract_id, {"to": status})


def event_ages(store: Store) -> dict[str, str]:
    """When each pipeline contract entered its status (as the events say)."""
    rows = store.conn.execute(
        "SELECT subject, MAX(at) FROM events WHERE action IN ('contract.submit', "
        "'contract.approve', 'contract.sign') GROUP BY subject"
    )
    return dict(rows.fetchall())
