"""Obligations from the contract itself: a template's milestones made into dated rows.

When the last party signs, ``create_obligations`` reads the milestones of the template
version the contract was drafted from (contractctl.drafting.milestones) and the values
of the signed version, and writes one obligation per milestone in the signing
transaction: the deposit and the advance payment counted from the day signing completed,
delivery by its date, acceptance within N days *of delivery*, the balance N days after
acceptance, the warranty's end N months after acceptance, the 5% retention after that.

A date that depends on an event is not invented: until the event is recorded its
obligation has no due date, only ``after`` (the milestone it waits for), its offset and
an ``expected_date`` (the plan: counted from the expected date of what it waits for), and
it is never overdue. ``event_recorded`` sets the real due dates of the obligations that
waited for a milestone once it is done (or waived), and the expected dates down the chain.

Amounts are integer minor units: a share is rounded half up to the minor unit, and
``rest`` (the balance) is what the other money milestones leave of the price, so the
obligations add up to the price exactly.

``amend_obligations`` runs when a signed amendment comes into force: the open template
obligations take the new values (amount, dates), milestones the amendment adds are
created and the ones it drops cancelled; done and waived ones stay as they were (a paid
advance keeps the amount paid, and the balance takes the difference). Each change is in
the audit event ``obligations.amended``, and the function returns them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from contractctl.dates import add_months
from contractctl.money import Money
from contractctl.store import Tx
from contractctl.store.audit import now_iso


@dataclass
class Planned:
    """One milestone of one contract, resolved against its values."""

    milestone: str
    kind: str
    party: str
    description: str
    due: date | None
    after: str | None
    offset_n: int
    unit: str
    expected: date | None
    amount: Money | None


def add_offset(day: date, n: int, unit: str) -> date:
    """``day`` plus ``n`` days, working days (Monday to Friday) or calendar months."""
    if unit == "months":
        return add_months(day, n)
    if unit == "workdays":
        step = 1 if n >= 0 else -1
        left = abs(n)
        while left:
            day += timedelta(days=step)
            if day.weekday() < 5:
                left -= 1
        return day
    return day + timedelta(days=n)


def _number(values: dict[str, Any], spec: int | str) -> int:
    raw = values.get(spec) if isinstance(spec, str) else spec
    try:
        return int(raw or 0)
    except (TypeError, ValueError):
        return 0


def _rule(m: Any, n: int) -> str:
    unit = {"days": "days", "workdays": "working days", "months": "months"}[m.unit]
    if m.date:
        return f"by the {m.date.replace('_', ' ')}"
    if m.before:
        return f"{n} days before the {m.before.replace('_', ' ')}"
    return f"{n} {unit} after {m.after}" if n else f"on {m.after}"


def plan(milestones: tuple[Any, ...], values: dict[str, Any], signed_on: date) -> list[Planned]:
    """The obligations ``milestones`` give for a contract with ``values`` signed on
    ``signed_on`` (milestones whose ``when`` is false are left out)."""
    price = values.get("amount")
    total = Money.from_dict(price) if isinstance(price, dict) else None
    known: dict[str, date | None] = {"signing": signed_on}
    out: list[Planned] = []
    for m in milestones:
        n = _number(values, m.offset)
        due: date | None = None
        expected: date | None = None
        if m.date or m.before:
            raw = values.get(m.date or m.before)
            base = date.fromisoformat(str(raw)) if raw else None
            due = None if base is None else add_offset(base, -n if m.before else n, "days")
            expected = due
        elif m.after == "signing":
            due = expected = add_offset(signed_on, n, m.unit)
        else:
            anchor = known.get(m.after)
            expected = None if anchor is None else add_offset(anchor, n, m.unit)
        known[m.name] = expected
        if m.when and not values.get(m.when):
            continue
        amount: Money | None = None
        if m.money:
            raw_money = values.get(m.money)
            amount = Money.from_dict(raw_money) if isinstance(raw_money, dict) else None
        elif m.share is not None and m.share != "rest" and total is not None:
            percent = _number(values, m.share)
            amount = Money((total.minor * percent + 50) // 100, total.currency)
        elif m.share == "rest" and total is not None:
            amount = total  # what is left is worked out below
        if (m.share is not None or m.money) and (amount is None or amount.minor <= 0):
            continue
        if due is None and (m.date or m.before or m.after == "signing"):
            continue  # an optional date left empty: nothing to count from
        out.append(
            Planned(
                milestone=m.name,
                kind=m.kind,
                party=m.by,
                description=f"{m.label}: {_rule(m, n)}",
                due=due,
                after=None if (m.date or m.before or m.after == "signing") else m.after,
                offset_n=n,
                unit=m.unit if not m.before else "days",
                expected=expected,
                amount=amount,
            )
        )
    _settle_rest(out, milestones, total)
    return out


def _settle_rest(out: list[Planned], milestones: tuple[Any, ...], total: Money | None) -> None:
    """The ``rest`` milestone gets what the other money milestones leave of the price."""
    rest_names = {m.name for m in milestones if m.share == "rest"}
    if total is None or not rest_names:
        return
    others = sum(
        p.amount.minor
        for p in out
        if p.amount is not None
        and p.milestone not in rest_names
        and p.amount.currency == total.currency
    )
    for p in list(out):
        if p.milestone in rest_names:
            left = total.minor - others
            if left <= 0:
                out.remove(p)
            else:
                p.amount = Money(left, total.currency)


def _milestones_for(tx: Tx, row: Any) -> tuple[Any, ...]:
    from contractctl.drafting.versions import get_version, load_spec
    from contractctl.errors import NotFound

    if not row["template"] or row["template_version"] is None:
        return ()
    try:
        version = get_version(tx.conn, row["template"], int(row["template_version"]))
    except NotFound:
        return ()
    milestones = tuple(load_spec(tx.store, version).milestones)
    if not milestones and version.source == "shipped":
        milestones = _shipped_milestones(version.name, version.version)
    return milestones


def _shipped_milestones(name: str, version: int) -> tuple[Any, ...]:
    """A store registered the shipped template before templates declared milestones: the
    same version as shipped now (same wording) gives them."""
    from importlib.resources import files

    from contractctl.drafting.schema import load_schema
    from contractctl.errors import ConfigError

    path = Path(str(files("contractctl.templates").joinpath(f"{name}.toml")))
    if not path.is_file():
        return ()
    try:
        spec = load_schema(path)
    except ConfigError:
        return ()
    return tuple(spec.milestones) if spec.version == version else ()


def _values(tx: Tx, contract_id: str, version: int) -> dict[str, Any]:
    row = tx.conn.execute(
        "SELECT fields FROM versions WHERE contract_id = ? AND n = ?", (contract_id, version)
    ).fetchone()
    return dict(json.loads(row["fields"])) if row and row["fields"] else {}


def _contract(tx: Tx, contract_id: str) -> Any:
    return tx.conn.execute(
        "SELECT id, source, template, template_version, current_version, signed_date, "
        "created_by FROM contracts WHERE id = ?",
        (contract_id,),
    ).fetchone()


def _insert(tx: Tx, contract_id: str, p: Planned, owner: str) -> int:
    cur = tx.conn.execute(
        "INSERT INTO obligations (contract_id, kind, milestone, party, due_date, after, "
        "offset_n, offset_unit, expected_date, description, amount_minor, currency, state, "
        "source, owner, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', 'template', ?, ?, ?)",
        (
            contract_id,
            p.kind,
            p.milestone,
            p.party,
            p.due.isoformat() if p.due else None,
            p.after,
            p.offset_n,
            p.unit,
            p.expected.isoformat() if p.expected else None,
            p.description,
            p.amount.minor if p.amount else None,
            p.amount.currency if p.amount else None,
            owner,
            now_iso(),
            now_iso(),
        ),
    )
    return int(cur.lastrowid or 0)


def create_obligations(tx: Tx, contract_id: str) -> list[int]:
    """At the last signature of a drafted contract: its template's obligations (ids).

    Imported contracts keep what extraction found; a contract that already has template
    obligations gets none twice."""
    row = _contract(tx, contract_id)
    if row is None or row["source"] != "draft":
        return []
    if tx.conn.execute(
        "SELECT 1 FROM obligations WHERE contract_id = ? AND source = 'template'", (contract_id,)
    ).fetchone():
        return []
    milestones = _milestones_for(tx, row)
    if not milestones:
        return []
    signed_on = date.fromisoformat(row["signed_date"]) if row["signed_date"] else date.today()
    values = _values(tx, contract_id, int(row["current_version"]))
    planned = plan(milestones, values, signed_on)
    ids = [_insert(tx, contract_id, p, row["created_by"]) for p in planned]
    tx.audit(
        "obligations.created",
        contract_id,
        {
            "signed_on": signed_on.isoformat(),
            "obligations": [
                {
                    "id": i,
                    "milestone": p.milestone,
                    "due": p.due.isoformat() if p.due else None,
                    "after": p.after,
                    "amount": p.amount.to_dict() if p.amount else None,
                }
                for i, p in zip(ids, planned, strict=True)
            ],
        },
    )
    return ids


def amend_obligations(tx: Tx, contract_id: str) -> list[dict[str, Any]]:
    """A signed amendment is in force: bring the open template obligations to its values;
    returns the changes (also written as the audit event ``obligations.amended``)."""
    row = _contract(tx, contract_id)
    if row is None or row["source"] != "draft":
        return []
    existing = {
        r["milestone"]: r
        for r in tx.conn.execute(
            "SELECT * FROM obligations WHERE contract_id = ? AND source = 'template' "
            "AND state != 'cancelled'",
            (contract_id,),
        )
    }
    milestones = _milestones_for(tx, row)
    if not milestones and not existing:
        return []
    signed_on = date.fromisoformat(row["signed_date"]) if row["signed_date"] else date.today()
    values = _values(tx, contract_id, int(row["current_version"]))
    planned = plan(milestones, values, signed_on)
    # A money obligation already settled keeps what was settled; the balance takes the rest.
    for p in planned:
        old = existing.get(p.milestone)
        if old is not None and old["state"] != "open" and old["currency"]:
            p.amount = Money(int(old["amount_minor"]), old["currency"])
    rest_names = {m.name for m in milestones if m.share == "rest"}
    price = values.get("amount")
    total = Money.from_dict(price) if isinstance(price, dict) else None
    if total is not None:
        others = sum(
            p.amount.minor
            for p in planned
            if p.amount is not None and p.milestone not in rest_names
        )
        for p in planned:
            if p.milestone in rest_names:
                p.amount = Money(max(total.minor - others, 0), total.currency)
    changes: list[dict[str, Any]] = []
    wanted = {p.milestone for p in planned}
    for p in planned:
        old = existing.get(p.milestone)
        if old is None:
            new_id = _insert(tx, contract_id, p, row["created_by"])
            changes.append({"id": new_id, "milestone": p.milestone, "change": "added"})
            continue
        if old["state"] != "open":
            continue
        changes += _update(tx, old, p)
    for name, old in existing.items():
        if name not in wanted and old["state"] == "open":
            tx.conn.execute(
                "UPDATE obligations SET state = 'cancelled', note = ?, updated_at = ? WHERE id = ?",
                (f"not in the amendment v{row['current_version']}", now_iso(), old["id"]),
            )
            changes.append({"id": old["id"], "milestone": name, "change": "cancelled"})
    refresh_expected(tx, contract_id)
    if changes:
        tx.audit(
            "obligations.amended",
            contract_id,
            {"version": int(row["current_version"]), "changes": changes},
        )
    return changes


def _update(tx: Tx, old: Any, p: Planned) -> list[dict[str, Any]]:
    """The differences between an open obligation and its new plan, applied."""
    new = {
        "amount_minor": p.amount.minor if p.amount else None,
        "currency": p.amount.currency if p.amount else None,
        "description": p.description,
        "offset_n": p.offset_n,
        "offset_unit": p.unit,
    }
    if old["due_date"] is None or old["after"] is None:
        # a date not waiting for an event: it follows the new values
        new["due_date"] = p.due.isoformat() if p.due else old["due_date"]
    elif old["due_date"] is not None and (old["offset_n"], old["offset_unit"]) != (
        p.offset_n,
        p.unit,
    ):
        base = date.fromisoformat(old["due_date"])
        event = add_offset(base, -int(old["offset_n"]), str(old["offset_unit"]))
        new["due_date"] = add_offset(event, p.offset_n, p.unit).isoformat()
    changed = {k: v for k, v in new.items() if old[k] != v}
    if not changed:
        return []
    sets = ", ".join(f"{k} = ?" for k in changed)
    tx.conn.execute(
        f"UPDATE obligations SET {sets}, updated_at = ? WHERE id = ?",  # keys are ours
        (*changed.values(), now_iso(), old["id"]),
    )
    return [
        {
            "id": old["id"],
            "milestone": p.milestone,
            "change": "updated",
            "what": {
                k: {"old": old[k], "new": v} for k, v in changed.items() if k != "description"
            },
        }
    ]


def event_recorded(tx: Tx, contract_id: str, milestone: str, on: date) -> list[int]:
    """``milestone`` happened on ``on``: the obligations waiting for it fall due (ids)."""
    rows = tx.conn.execute(
        "SELECT id, offset_n, offset_unit FROM obligations WHERE contract_id = ? AND after = ? "
        "AND state = 'open' AND due_date IS NULL",
        (contract_id, milestone),
    ).fetchall()
    for r in rows:
        due = add_offset(on, int(r["offset_n"]), str(r["offset_unit"]))
        tx.conn.execute(
            "UPDATE obligations SET due_date = ?, updated_at = ? WHERE id = ?",
            (due.isoformat(), now_iso(), r["id"]),
        )
    refresh_expected(tx, contract_id)
    return [int(r["id"]) for r in rows]


def refresh_expected(tx: Tx, contract_id: str) -> None:
    """Expected dates down each chain of obligations still waiting for an event."""
    rows = tx.conn.execute(
        "SELECT * FROM obligations WHERE contract_id = ? AND milestone IS NOT NULL "
        "AND state != 'cancelled' ORDER BY id",
        (contract_id,),
    ).fetchall()
    known: dict[str, date] = {}
    for r in rows:
        text = r["done_on"] or r["due_date"] or r["expected_date"]
        if r["state"] == "open" and r["due_date"] is None and r["after"] in known:
            expected = add_offset(known[r["after"]], int(r["offset_n"]), str(r["offset_unit"]))
            if expected.isoformat() != r["expected_date"]:
                tx.conn.execute(
                    "UPDATE obligations SET expected_date = ? WHERE id = ?",
                    (expected.isoformat(), r["id"]),
                )
            text = expected.isoformat()
        if text:
            known[r["milestone"]] = date.fromisoformat(text)
