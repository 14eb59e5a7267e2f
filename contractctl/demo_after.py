"""The demo's part after the signature: obligations, orders, deliveries and payments.

Two steps of `contractctl demo` (contractctl.demo runs them after the import): the
amended 采购合同 C-…-0001 shows the obligations its own milestones gave it and how its
amendment moved them; then a Purchase Agreement (purchase-en: 30% advance, balance after
acceptance) is drafted, approved and signed, and followed through two delivery batches,
acceptance and two payments until nothing is owed. Like the rest of the demo, each step
runs the real library and names the command a user would type.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol


class Narrator(Protocol):
    """Where the demo tells its story (as contractctl.demo.Narrator)."""

    def step(self, title: str) -> None:
        """A new numbered step."""

    def say(self, text: str) -> None:
        """A line of explanation or a result."""


#: The demo's finance person (DEMO_PEOPLE in contractctl.demo): payments are theirs.
FINANCE = "sun.li"


def _money(value: Mapping[str, Any] | None) -> str:
    from contractctl.money import Money, format_money

    return format_money(Money.from_dict(value)) if value else ""


def _when(o: dict[str, Any]) -> str:
    if o["due"]:
        return f"due {o['due']}"
    return (
        f"after {o['after']} (expected {o['expected']})" if o["expected"] else f"after {o['after']}"
    )


def obligations_from_milestones(home: Path, actor: str, narrator: Narrator, year: str) -> None:
    """C-…-0001's obligations, made at its signing and moved by its amendment."""
    from contractctl.obligations.ledger import list_obligations
    from contractctl.store import Store, audit

    contract_id = f"C-{year}-0001"
    narrator.step("After the signature: obligations from the contract's own milestones")
    with Store.open(home) as store:
        rows = list_obligations(store.conn, contract_id)
        narrator.say(
            f"contractctl obligation list {contract_id}  (purchase-zh declares them in "
            "[[milestones]]: 定金, 预付款, 交货, 验收, 余款, 质保, 质量保证金)"
        )
        for o in rows:
            narrator.say(f"  #{o['id']} {o['description']}  {_when(o)}  {_money(o['amount'])}")
        moved = [
            e for e in audit.events(store.conn, contract_id) if e.action == "obligations.amended"
        ]
        for event in moved:
            for change in event.data.get("changes", []):
                what = change.get("what", {})
                amount = what.get("amount_minor")
                detail = (
                    f": amount {amount['old'] / 100:,.2f} → {amount['new'] / 100:,.2f}"
                    if amount
                    else ""
                )
                name = f"{change['id']} ({change['milestone']})"
                narrator.say(f"  the amendment moved obligation {name}{detail}")


def orders_deliveries_payments(home: Path, actor: str, narrator: Narrator, passphrase: str) -> None:
    """A Purchase Agreement from drafting to a zero balance."""
    from contractctl.errors import ContractctlError
    from contractctl.money import Money
    from contractctl.obligations.ledger import list_obligations
    from contractctl.obligations.payments import add_payment
    from contractctl.obligations.progress import execution, progress_line
    from contractctl.orders.orders import create_order
    from contractctl.orders.steps import advance
    from contractctl.records.contracts import get_contract
    from contractctl.store import Store

    narrator.step("Orders, deliveries, acceptance and payments until nothing is owed")
    contract_id = _signed_purchase_agreement(home, actor, narrator, passphrase)
    with Store.open(home) as store:
        for o in list_obligations(store.conn, contract_id):
            narrator.say(f"  #{o['id']} {o['description']}  {_when(o)}  {_money(o['amount'])}")
        with store.transaction(actor) as tx:
            first = create_order(tx, contract_id, {1: _d(1), 2: _d(2)})
        narrator.say(
            f"contractctl order create {contract_id} --line 1=1 --line 2=2  -> {first['id']} "
            f"({_money(first['amount'])})"
        )
        try:
            with store.transaction(actor) as tx:
                create_order(tx, contract_id, {1: _d(2)})
        except ContractctlError as exc:
            narrator.say(
                f"contractctl order create {contract_id} --line 1=2  refused (exit "
                f"{exc.exit_code}): {exc.message}"
            )
        with store.transaction(actor) as tx:
            second = create_order(tx, contract_id)
        narrator.say(
            f"contractctl order create {contract_id}  -> {second['id']}: everything still open "
            f"({_money(second['amount'])})"
        )
        settled: list[int] = []
        for order in (first, second):
            for action in ("confirm", "ship", "deliver", "accept"):
                with store.transaction(actor) as tx:
                    settled += advance(tx, order["id"], action)["settled"]
            narrator.say(f"contractctl order confirm/ship/deliver/accept {order['id']}")
        narrator.say(
            f"  the last delivery and acceptance settle the contract's obligations {settled}; "
            "the balance and the warranty now count from today"
        )
        contract = get_contract(store.conn, contract_id)
        price = contract.amount or Money(0, "USD")
        advance_minor = next(
            o["amount"]["minor"]
            for o in list_obligations(store.conn, contract_id)
            if o["milestone"] == "prepayment"
        )
        for minor in (advance_minor, price.minor - advance_minor):
            with store.transaction(FINANCE) as tx:
                paid = add_payment(tx, contract_id, Money(minor, price.currency), _today())
            major = Money(minor, price.currency).major
            narrator.say(
                f"contractctl payment add {contract_id} --amount {major} --as {FINANCE}"
                f"  -> {paid['direction']}, outstanding "
                f"{_money(paid['balance']['outstanding'])}"
            )
        narrator.say(
            f"contractctl show {contract_id}: " + progress_line(execution(store.conn, contract))
        )
        try:
            from contractctl.obligations.completion import close

            with store.transaction(actor) as tx:
                close(tx, contract_id)
        except ContractctlError as exc:
            narrator.say(
                f"contractctl close {contract_id}  refused (exit {exc.exit_code}): {exc.message}"
            )


def _d(n: int) -> Any:
    from decimal import Decimal

    return Decimal(n)


def _today() -> Any:
    from contractctl.dates import local_today

    return local_today()


def _signed_purchase_agreement(home: Path, actor: str, narrator: Narrator, passphrase: str) -> str:
    """Draft purchase-en with the demo's first counterparty, approve it, sign both sides."""
    from contractctl.approval.decide import decide, route_view, submit
    from contractctl.demo_files import counterparty_signs
    from contractctl.drafting.draft import DraftRequest, draft
    from contractctl.drafting.versions import latest_approved, load_spec
    from contractctl.records.contracts import get_contract
    from contractctl.signing.keys import trust_anchors
    from contractctl.signing.sign import sign
    from contractctl.signing.sign_import import import_signature
    from contractctl.store import Store

    with Store.open(home) as store:
        spec = load_spec(store, latest_approved(store.conn, "purchase-en"))
        data = {k: v for k, v in spec.sample.items() if k != "counterparty"}
        contract = draft(
            store,
            actor,
            DraftRequest(
                template="purchase-en",
                data=data,
                party="P-0001",
                key="demo-purchase-en",
                department="procurement",
            ),
        ).contract
        with store.transaction(actor) as tx:
            submit(tx, contract.id)
        while get_contract(store.conn, contract.id).status == "in_review":
            stage = next(
                s for s in route_view(store, contract.id)["stages"] if s["state"] == "pending"
            )
            person = next(a["person"] for a in stage["approvers"] if a["state"] == "pending")
            person = "qian.feng" if person == "zhao.lei" else person
            with store.transaction(person) as tx:
                decide(tx, contract.id, "approve", "demo approval")
        ours = sign(store, actor, contract.id, key="org", passphrase=passphrase, party="company")
        back, their_ca = counterparty_signs(home, ours.pdf_path.read_bytes(), passphrase)
        done = import_signature(
            store, actor, contract.id, back, trust=[*trust_anchors(home), their_ca]
        )
    narrator.say(
        f"contractctl draft purchase-en --party P-0001 -> {contract.id} "
        f"({_money(contract.amount.to_dict() if contract.amount else None)}), approved, "
        f"signed by both -> {done.status}; its obligations were made in the signing transaction:"
    )
    return contract.id
