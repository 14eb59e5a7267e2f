"""Signed approval decisions: each decision signed with the approver's personal key.

With ``[approval] signed = true`` in rules/approval.toml, approve, reject and return are
signed (ECDSA or RSA, SHA-256) with the signing identity people.toml names as the
deciding person's ``key``, over the decision itself: the contract, the version and the
SHA-256 of its text, the route, task and stage, the action, who decided and the
comment. The signature and the certificate travel in the ``approval.*`` event. `route`
shows each decision's check and `audit verify` checks every signed decision in the log
(exit 1): a decision whose row was rewritten no longer matches its event (fsck), and an
event rewritten with the chain key no longer verifies against the approver's key,
which the attacker does not hold.
"""

from __future__ import annotations

import base64
import json
from typing import TYPE_CHECKING, Any

from contractctl.errors import ConfigError, InvalidInput
from contractctl.store.audit import canonical_json

if TYPE_CHECKING:
    from collections.abc import Callable

    from contractctl.store import Store, Tx

KEY = "signature"
ACTIONS = ("approval.approve", "approval.reject", "approval.return")


def required(home: Any) -> bool:
    """Whether the store's rules ask for signed decisions."""
    from contractctl.approval.duties import load_duties

    return load_duties(home).signed


def message(subject: str, actor: str, action: str, data: dict[str, Any]) -> bytes:
    """The bytes a decision's signature covers, rebuilt from its event."""
    fields = ("route_id", "task_id", "stage", "approver", "comment", "version", "version_sha256")
    body: dict[str, Any] = {"contract": subject, "actor": actor, "action": action}
    body.update({k: data.get(k) for k in fields})
    return canonical_json(body).encode("utf-8")


def sign(
    tx: Tx,
    contract_id: str,
    action: str,
    facts: dict[str, Any],
    passphrase: Callable[[], str] | None,
    task_id: int,
) -> dict[str, Any]:
    """The event data of a decision, signed when the rules ask (else ``facts`` as is)."""
    store = tx.store
    if not required(store.home):
        return facts
    from contractctl.records.people import load_people
    from contractctl.signing.anchor import signer_of
    from contractctl.signing.keys import get_identity

    person = load_people(store.home).by_id.get(tx.actor)
    if person is None or not person.key:
        raise ConfigError(
            f"decisions are signed ([approval] signed = true), but people.toml names no "
            f"key for {tx.actor}",
            hint=f'add key = "IDENTITY" to {tx.actor} in people.toml (contractctl keys list)',
        )
    if passphrase is None:
        raise InvalidInput(
            f"decisions are signed: {person.key}'s passphrase is needed",
            hint="set CONTRACTCTL_KEY_PASSPHRASE or run in a terminal",
        )
    row = tx.conn.execute(
        "SELECT v.n, v.text_sha, v.sha256 FROM versions v JOIN contracts c "
        "ON c.id = v.contract_id AND v.n = c.current_version WHERE c.id = ?",
        (contract_id,),
    ).fetchone()
    facts = {
        **facts,
        "task_id": task_id,
        "version": row[0],
        "version_sha256": row[1] or row[2],
        "signed_required": True,
    }
    info = get_identity(store.home, person.key)
    raw = signer_of(store, person.key, passphrase())(
        message(contract_id, tx.actor, f"approval.{action}", facts)
    )
    return {
        **facts,
        KEY: {
            "key": person.key,
            "fingerprint": info.fingerprint,
            "value": base64.b64encode(raw).decode("ascii"),
            "certificate": info.certificate.read_text(encoding="ascii"),
        },
    }


def problem(store: Store, subject: str, actor: str, action: str, data: dict[str, Any]) -> str:
    """'' when a signed decision verifies with its approver's key, else why not."""
    from cryptography import x509

    from contractctl.records.people import load_people
    from contractctl.signing.anchor import signature_problem
    from contractctl.signing.certificates import fingerprint

    sig: Any = data.get(KEY)
    try:
        cert = str(sig["certificate"])
        raw = base64.b64decode(sig["value"], validate=True)
    except (TypeError, KeyError, ValueError):
        return "its signature cannot be read"
    bad = signature_problem(cert, raw, message(subject, actor, action, data))
    if bad is not None:
        return f"{bad}: the decision was changed after it was signed"
    person = load_people(store.home).by_id.get(actor)
    ours = store.home / "keys" / f"{person.key}.crt.pem" if person and person.key else None
    if ours is None or not ours.is_file():
        return f"people.toml names no key of {actor} to hold the signature to"
    theirs = fingerprint(x509.load_pem_x509_certificate(cert.encode("ascii")))
    if theirs != fingerprint(x509.load_pem_x509_certificate(ours.read_bytes())):
        return f"signed with a key that is not {actor}'s ({person.key if person else ''})"
    return ""


def check_log(store: Store) -> list[str]:
    """Every decision in the audit log that should be signed and is not, or does not
    verify (`audit verify`)."""
    signed = required(store.home)
    out: list[str] = []
    marks = ", ".join("?" for _ in ACTIONS)
    for seq, subject, actor, action, data_json in store.conn.execute(
        f"SELECT seq, subject, actor, action, data FROM events WHERE action IN ({marks}) "
        "ORDER BY seq",
        ACTIONS,
    ):
        data = json.loads(data_json)
        if KEY not in data:
            if signed and data.get("signed_required"):
                out.append(f"event {seq} ({action} of {subject}) lost its signature")
            continue
        why = problem(store, str(subject), str(actor), str(action), data)
        if why:
            out.append(f"event {seq} ({action} of {subject} by {actor}): {why}")
    return out


def task_checks(store: Store, contract_id: str) -> dict[int, str]:
    """Per approval task id: ``valid`` or why its signed decision is not (`route`)."""
    out: dict[int, str] = {}
    for actor, action, data_json in store.conn.execute(
        "SELECT actor, action, data FROM events WHERE subject = ? AND action IN "
        "('approval.approve', 'approval.reject', 'approval.return') ORDER BY seq",
        (contract_id,),
    ):
        data = json.loads(data_json)
        if KEY in data and isinstance(data.get("task_id"), int):
            why = problem(store, contract_id, str(actor), str(action), data)
            out[data["task_id"]] = why or "valid"
    return out
