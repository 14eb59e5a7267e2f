"""The lifecycle table: only documented moves, each one an audit event."""

from __future__ import annotations

import pytest

from contractctl.errors import NotAllowed, NotFound
from contractctl.records import lifecycle
from contractctl.records.contracts import NewContract, NewVersion, create_contract, get_contract
from contractctl.store import Store, audit
from contractctl.store.schema import STATUSES


def test_every_status_in_the_table_is_a_known_status() -> None:
    for (state, _action), target in lifecycle.TRANSITIONS.items():
        assert state in STATUSES and target in STATUSES


def test_the_happy_path_from_draft_to_archived() -> None:
    status = "draft"
    for action in (
        "submit",
        "approve",
        "sign",
        "complete_signing",
        "activate",
        "expire",
        "archive",
    ):
        status = lifecycle.next_status(status, action)
    assert status == "archived"


def test_return_and_resubmit_goes_back_into_review() -> None:
    assert lifecycle.next_status("in_review", "return") == "returned"
    assert lifecycle.next_status("returned", "submit") == "in_review"


def test_only_an_approved_contract_can_be_signed() -> None:
    signable = {state for (state, action) in lifecycle.TRANSITIONS if action == "sign"}
    assert signable == {"approved"}


@pytest.mark.parametrize(
    ("status", "action"),
    [
        ("draft", "sign"),
        ("rejected", "submit"),
        ("draft", "archive"),
        ("archived", "activate"),
        ("in_review", "complete_signing"),
    ],
)
def test_a_move_the_table_does_not_allow_is_refused_with_exit_3(status: str, action: str) -> None:
    with pytest.raises(NotAllowed) as caught:
        lifecycle.next_status(status, action)
    assert caught.value.exit_code == 3
    article = "an" if status in ("archived", "in_review") else "a"  # "an archived contract"
    assert f"{article} {status} contract allows" in caught.value.message


def test_a_transition_updates_the_contract_and_writes_its_event(store: Store) -> None:
    with store.transaction("alice") as tx:
        contract = create_contract(tx, NewContract(title="NDA", type="nda"), NewVersion())
        assert lifecycle.transition(tx, contract.id, "submit", route="standard") == "in_review"
    assert get_contract(store.conn, contract.id).status == "in_review"
    last = audit.events(store.conn, contract.id)[-1]
    assert (last.action, last.actor) == ("contract.submit", "alice")
    rows = last.data.pop("rows")  # the contract's rows as the transaction left them
    assert last.data == {"from": "draft", "to": "in_review", "route": "standard"}
    assert rows["contract"]["status"] == "in_review"


def test_a_refused_transition_changes_nothing(store: Store) -> None:
    with store.transaction("alice") as tx:
        contract = create_contract(tx, NewContract(title="NDA", type="nda"), NewVersion())
    events_before = len(audit.events(store.conn))
    with pytest.raises(NotAllowed), store.transaction("alice") as tx:
        lifecycle.transition(tx, contract.id, "sign")
    assert get_contract(store.conn, contract.id).status == "draft"
    assert len(audit.events(store.conn)) == events_before
    with pytest.raises(NotFound), store.transaction("alice") as tx:
        lifecycle.transition(tx, "C-1999-0001", "submit")
