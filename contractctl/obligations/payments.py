"""Money that moves: payments against a contract, and what is still owed.

A payment is ``incoming`` or ``outgoing`` by the contract's direction
(contractctl.records.direction: we pay under a purchase, we are paid under a sale); a
contract whose type carries no money (an NDA) takes none. Amounts are integer minor
units in the contract's currency: a payment in another currency is refused, never
converted.

Each payment is allocated to the contract's open money obligations (deposit, advance,
balance, retention), the one named with ``--obligation`` first, otherwise the earliest
due first; an obligation paid in full is done on the payment's day, which dates what
waited for it. Partial payments stay allocated until the rest arrives.

Paying more than the contract still has open (its price less what was paid), or more
than the named obligation still has open, is refused (exit 3) unless ``force``: the
forced payment is recorded as such (an over-payment to be refunded, a price agreed
outside the contract).

Balances: per contract (price, paid, outstanding) and per counterparty, kept apart per
direction and currency, over contracts that bind (signed or later).
"""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

from contractctl.dates import local_today
from contractctl.errors import InvalidInput, NotAllowed, NotFound
from contractctl.money import Money, format_money
from contractctl.obligations.ledger import MONEY_KINDS, paid_by_obligation
from contractctl.obligations.permissions import require_finance
from contractctl.records.contracts import Contract, get_contract
from contractctl.records.direction import direction_of
from contractctl.store import Tx
from contractctl.store.audit import now_iso

#: Statuses in which money moves under a contract.
PAYABLE = ("signed", "active", "expired", "terminated")
#: Statuses whose price counts in a counterparty's balance.
BINDING = ("signed", "active", "expired", "terminated", "archived", "completed")
FLOW = {"pay": "outgoing", "receive": "incoming"}


def price_of(contract: Contract) -> Money | None:
    """The price that binds: the version in force while an amendment is under way."""
    return contract.in_force_amount if contract.in_force_status else contract.amount


def paid_total(conn: sqlite3.Connection, contract_id: str, currency: str) -> int:
    """Minor units paid under a contract in ``currency``."""
    row = conn.execute(
        "SELECT COALESCE(SUM(amount_minor), 0) FROM payments WHERE contract_id = ? "
        "AND currency = ?",
        (contract_id, currency),
    ).fetchone()
    return int(row[0])


def add_payment(
    tx: Tx,
    contract_id: str,
    amount: Money,
    on: date,
    *,
    obligation_id: int | None = None,
    reference: str = "",
    evidence: Path | None = None,
    force: bool = False,
) -> dict[str, Any]:
    """Record a payment and allocate it; returns the payment with its allocations and the
    obligations it completed."""
    contract = get_contract(tx.conn, contract_id)
    if contract.status not in PAYABLE:
        raise NotAllowed(
            f"{contract.id} is {contract.status}: payments are recorded on signed contracts"
        )
    flow = FLOW.get(direction_of(contract.type))
    if flow is None:
        raise NotAllowed(f"{contract.id} is a {contract.type} contract: no money moves under it")
    require_finance(tx, contract.id)
    if amount.minor <= 0:
        raise InvalidInput("--amount: more than zero")
    if on > local_today():
        raise InvalidInput(f"--date {on.isoformat()} is in the future: record what was paid")
    price = price_of(contract)
    if price is not None and amount.currency != price.currency:
        raise InvalidInput(
            f"--amount is in {amount.currency}; {contract.id} is priced in {price.currency} "
            "(amounts are never converted)"
        )
    paid = paid_total(tx.conn, contract.id, amount.currency)
    if price is not None and paid + amount.minor > price.minor and not force:
        left = Money(max(price.minor - paid, 0), price.currency)
        raise NotAllowed(
            f"{format_money(amount)} would over-pay {contract.id}: "
            f"{format_money(left)} of {format_money(price)} is still open",
            hint="record it anyway with --force (an over-payment to be refunded)",
        )
    targets = _targets(tx, contract, amount, obligation_id, force)
    cur = tx.conn.execute(
        "INSERT INTO payments (contract_id, direction, amount_minor, currency, paid_on, "
        "reference, forced, recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            contract.id,
            flow,
            amount.minor,
            amount.currency,
            on.isoformat(),
            reference.strip(),
            int(force),
            tx.actor,
            now_iso(),
        ),
    )
    payment_id = int(cur.lastrowid or 0)
    sha = None
    if evidence is not None:
        from contractctl.obligations.attachments import store_attachment

        sha = store_attachment(
            tx, contract.id, evidence, kind="receipt", payment_id=payment_id, note=reference
        )["sha256"]
        tx.conn.execute("UPDATE payments SET evidence_sha = ? WHERE id = ?", (sha, payment_id))
    allocations, completed = _allocate(tx, payment_id, amount, on, targets, sha)
    tx.audit(
        "payment.add",
        contract.id,
        {
            "id": payment_id,
            "direction": flow,
            "amount": amount.to_dict(),
            "on": on.isoformat(),
            "reference": reference.strip(),
            "forced": force,
            "allocations": allocations,
            "completed": completed,
        },
    )
    return {
        "id": payment_id,
        "contract_id": contract.id,
        "direction": flow,
        "amount": amount.to_dict(),
        "paid_on": on.isoformat(),
        "reference": reference.strip(),
        "forced": force,
        "evidence": sha,
        "allocations": allocations,
        "completed": completed,
        "balance": contract_balance(tx.conn, contract),
    }


def _targets(
    tx: Tx, contract: Contract, amount: Money, obligation_id: int | None, force: bool
) -> list[tuple[int, int]]:
    """(obligation id, open minor units) in the order the payment goes to them."""
    kinds = ", ".join(f"'{k}'" for k in MONEY_KINDS)
    rows = tx.conn.execute(
        f"SELECT * FROM obligations WHERE contract_id = ? AND state = 'open' AND kind IN ({kinds}) "
        "AND currency = ? ORDER BY COALESCE(due_date, expected_date, '9999'), id",
        (contract.id, amount.currency),
    ).fetchall()
    paid = paid_by_obligation(tx.conn, contract.id)
    open_ = [(int(r["id"]), int(r["amount_minor"]) - paid.get(int(r["id"]), 0)) for r in rows]
    open_ = [(i, left) for i, left in open_ if left > 0]
    if obligation_id is None:
        return open_
    named = [t for t in open_ if t[0] == obligation_id]
    if not named:
        row = tx.conn.execute(
            "SELECT kind, state FROM obligations WHERE id = ? AND contract_id = ?",
            (obligation_id, contract.id),
        ).fetchone()
        if row is None:
            raise NotFound(f"{contract.id} has no obligation {obligation_id}")
        if row["state"] != "open":
            raise NotAllowed(f"obligation {obligation_id} is already {row['state']}")
        raise NotAllowed(f"obligation {obligation_id} ({row['kind']}) is not a payment")
    if amount.minor > named[0][1] and not force:
        raise NotAllowed(
            f"{format_money(amount)} is more than obligation {obligation_id} still has open "
            f"({format_money(Money(named[0][1], amount.currency))})",
            hint="leave out --obligation to spread it over the next ones, or --force",
        )
    return named + [t for t in open_ if t[0] != obligation_id]


def _allocate(
    tx: Tx,
    payment_id: int,
    amount: Money,
    on: date,
    targets: list[tuple[int, int]],
    sha: str | None,
) -> tuple[list[dict[str, Any]], list[int]]:
    from contractctl.obligations.ledger import get_obligation
    from contractctl.obligations.schedule import event_recorded

    left = amount.minor
    allocations: list[dict[str, Any]] = []
    completed: list[int] = []
    for obligation_id, open_minor in targets:
        if left <= 0:
            break
        part = min(left, open_minor)
        left -= part
        tx.conn.execute(
            "INSERT INTO payment_allocations (payment_id, obligation_id, amount_minor) "
            "VALUES (?, ?, ?)",
            (payment_id, obligation_id, part),
        )
        allocations.append(
            {"obligation": obligation_id, "amount": Money(part, amount.currency).to_dict()}
        )
        if part == open_minor:
            row = get_obligation(tx.conn, obligation_id)
            tx.conn.execute(
                "UPDATE obligations SET state = 'done', done_on = ?, done_by = ?, done_at = ?, "
                "note = ?, evidence_sha = COALESCE(?, evidence_sha), updated_at = ? WHERE id = ?",
                (
                    on.isoformat(),
                    tx.actor,
                    now_iso(),
                    f"paid (payment {payment_id})",
                    sha,
                    now_iso(),
                    obligation_id,
                ),
            )
            if row["milestone"]:
                event_recorded(tx, row["contract_id"], row["milestone"], on)
            completed.append(obligation_id)
    return allocations, completed


def contract_balance(conn: sqlite3.Connection, contract: Contract) -> dict[str, Any] | None:
    """Price, paid and outstanding of one contract (None without a price)."""
    price = price_of(contract)
    if price is None:
        return None
    paid = paid_total(conn, contract.id, price.currency)
    return {
        "direction": FLOW.get(direction_of(contract.type)),
        "price": price.to_dict(),
        "paid": Money(paid, price.currency).to_dict(),
        "outstanding": Money(price.minor - paid, price.currency).to_dict(),
    }


def payments_view(conn: sqlite3.Connection, contract_id: str) -> list[dict[str, Any]]:
    """A contract's payments, oldest first, with their allocations."""
    rows = conn.execute(
        "SELECT * FROM payments WHERE contract_id = ? ORDER BY paid_on, id", (contract_id,)
    ).fetchall()
    out = []
    for r in rows:
        parts = conn.execute(
            "SELECT obligation_id, amount_minor FROM payment_allocations WHERE payment_id = ? "
            "ORDER BY obligation_id",
            (r["id"],),
        ).fetchall()
        out.append(
            {
                "id": r["id"],
                "direction": r["direction"],
                "amount": Money(r["amount_minor"], r["currency"]).to_dict(),
                "paid_on": r["paid_on"],
                "reference": r["reference"],
                "forced": bool(r["forced"]),
                "evidence": r["evidence_sha"],
                "recorded_by": r["recorded_by"],
                "allocations": [
                    {"obligation": p[0], "amount": Money(p[1], r["currency"]).to_dict()}
                    for p in parts
                ],
            }
        )
    return out


def counterparty_balances(
    conn: sqlite3.Connection, party_id: str | None = None
) -> list[dict[str, Any]]:
    """Per counterparty, direction and currency: contracted, paid and outstanding, over
    contracts that bind; never summed across currencies or directions."""
    from contractctl.records.direction import DIRECTION_SQL

    binding = ", ".join(f"'{s}'" for s in BINDING)
    sql = (
        f"SELECT c.counterparty_id AS party, p.name AS name, {DIRECTION_SQL} AS direction, "
        "c.currency AS currency, COUNT(*) AS contracts, SUM(c.amount_minor) AS contracted, "
        "SUM((SELECT COALESCE(SUM(y.amount_minor), 0) FROM payments y "
        "WHERE y.contract_id = c.id AND y.currency = c.currency)) AS paid "
        "FROM contracts c LEFT JOIN parties p ON p.id = c.counterparty_id "
        f"WHERE c.status IN ({binding}) AND c.currency IS NOT NULL "
        f"AND {DIRECTION_SQL} != 'none'"
    )
    args: tuple[Any, ...] = ()
    if party_id:
        sql += " AND c.counterparty_id = ?"
        args = (party_id.strip().upper(),)
    sql += " GROUP BY c.counterparty_id, direction, c.currency ORDER BY p.name, direction"
    out = []
    for r in conn.execute(sql, args):
        currency = r["currency"]
        out.append(
            {
                "party": r["party"],
                "name": r["name"],
                "direction": FLOW.get(r["direction"]),
                "contracts": r["contracts"],
                "contracted": Money(int(r["contracted"]), currency).to_dict(),
                "paid": Money(int(r["paid"]), currency).to_dict(),
                "outstanding": Money(int(r["contracted"]) - int(r["paid"]), currency).to_dict(),
            }
        )
    return out
