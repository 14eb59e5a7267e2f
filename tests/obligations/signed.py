"""Signed contracts for the tests of what happens after the signature.

Each base store is built once per session the way a user gets there (draft from the
shipped template, approve through the route the rules make, sign for both parties with
PAdES signatures) and copied for each test, so tests start from a signed contract in
well under a second.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from contractctl.approval.decide import decide, route_view, submit
from contractctl.drafting.draft import DraftRequest, draft
from contractctl.drafting.schema import load_schema
from contractctl.signing import keys
from contractctl.signing.sign import sign
from contractctl.store import Store
from tests.cli.test_approval import PEOPLE
from tests.conftest import REPO

PASS = "correct horse battery"
_BASES: dict[str, Path] = {}


def approve_all(store: Store, contract_id: str) -> None:
    """Submit and approve every stage of the route, as its pending approvers."""
    with store.transaction("drafter") as tx:
        submit(tx, contract_id)
    while True:
        stages = route_view(store, contract_id)["stages"]
        pending = [s for s in stages if s["state"] == "pending"]
        if not pending:
            return
        person = next(a["person"] for a in pending[0]["approvers"] if a["state"] == "pending")
        person = "qian.feng" if person == "zhao.lei" else person  # zhao.lei delegated
        with store.transaction(person) as tx:
            decide(tx, contract_id, "approve", "ok")


def draft_data(template: str, **changes: Any) -> dict[str, Any]:
    """The template's sample as drafting data, with ``changes``."""
    spec = load_schema(REPO / "templates" / f"{template}.toml")
    data: dict[str, Any] = json.loads(json.dumps(spec.sample, default=str))
    data.update(changes)
    return data


def signed_base(factory: pytest.TempPathFactory, template: str, **changes: Any) -> Path:
    """A store with one contract from ``template`` signed by both parties (built once)."""
    key = f"{template}:{sorted(changes.items())!r}"
    if key not in _BASES:
        from contractctl.bootstrap import initialise

        home = factory.mktemp("after-signing") / "store"
        initialise(home, "tester")
        (home / "people.toml").write_text(PEOPLE, encoding="utf-8")
        data = draft_data(template, **changes)
        seller = data["counterparty"]["name"]
        with Store.open(home) as store:
            request = DraftRequest(
                template=template, data=data, key="after", pdf=True, department="procurement"
            )
            contract_id = draft(store, "drafter", request).contract.id
            approve_all(store, contract_id)
            keys.init_test_identities(
                store, "tester", org="示例科技有限公司", person=None, passphrase=PASS
            )
            keys.init_test_identities(
                store, "tester", org=None, person="Li Lei", passphrase=PASS, employer=seller
            )
            sign(store, "wang.fang", contract_id, key="org", passphrase=PASS)
            sign(store, "li.lei", contract_id, key="person-li-lei", passphrase=PASS)
        (home / "id.txt").write_text(contract_id)
        _BASES[key] = home
    return _BASES[key]


def copy_signed(
    factory: pytest.TempPathFactory, dest: Path, template: str, **changes: Any
) -> tuple[Path, str]:
    """A private copy of a signed base store, and its contract id."""
    home = shutil.copytree(signed_base(factory, template, **changes), dest / "store", symlinks=True)
    return home, (home / "id.txt").read_text()
