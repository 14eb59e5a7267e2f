"""The soak's `sign`, `approve` and `backup`: the work each round gives them, the commands
it runs, and what is checked after a stop besides the store's own invariants.

`sign` and `approve` act on one contract per run, so a round runs them one after the
other, as an operator's loop would, on every contract waiting (each party's signature,
each stage's decision), and the stop lands in whichever run is going at that moment:
while Python starts, while the key is opened, while the PDF is signed, in the commit.
What is due next is read from the store before every round, so a round after a stop
carries on where that stop left the contract. `backup` copies the whole populated store
(every imported PDF, signed PDF and attachment) to a new folder each round.

After a stop:

- sign: every signature row has its signed PDF object, the version's PDF is the last
  signature's, the parties signed in order with no gap and the status matches their
  count; a contract with signatures verifies (every signature holds and is the
  recorded one); one without is still signable by the next party;
- approve: each task decided at most once (one `approval.approve` event per task, the
  same as the tasks approved), an open route has exactly one stage pending and every
  stage before it done, an approved route's contract is approved;
- backup: the folder asked for either does not exist or is a whole backup (its
  manifest, the database its manifest hashes, fsck clean); the hidden folder a stopped
  backup was writing is swept by the next backup into the same folder.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
from collections import Counter
from pathlib import Path

from contractctl.signing import keys
from contractctl.store import Store
from tests.cli.test_approval import PEOPLE
from tests.signing.test_sign import ORG, PASS, SELLER

KINDS = ("sign", "approve", "backup")
#: Contracts waiting for a signature or a decision when a round starts (each has two
#: runs to go: two parties sign, two stages decide).
WAITING = 2
#: When the stop comes, in seconds after the round starts: over the runs of a round
#: (a signature takes about a second, a decision 0.6 s: a round of approve stopped up to
#: 4 s in had finished half the time), over one backup (measured by `prepare`).
DELAY = {"sign": (0.3, 4.0), "approve": (0.3, 2.5), "backup": (0.2, 2.5)}
#: Attachments that give `backup` seconds of copying (512 KB each).
BULK_FILES = 160
#: The key each party signs with (made by `prepare`).
KEY = {"company": "org", "counterparty": "person-li-lei"}
#: The soak's own user (import, draft-batch): listed, so `--as` rules apply to it too.
SOAK_PERSON = '\n[[people]]\nid = "soak"\nname = "Soak"\nroles = ["legal"]\n'
_NEXT = itertools.count(1)
#: The contracts each kind has been given, to check and finish at the end.
MINE: dict[str, list[str]] = {"sign": [], "approve": []}
#: Those signed or approved and checked since: nothing changes them any more.
SETTLED: set[str] = set()


def prepare(home: Path, base: Path) -> None:
    """Approvers in people.toml, the test signing identities, and bulk files to back up."""
    (home / "people.toml").write_text(PEOPLE + SOAK_PERSON, encoding="utf-8")
    with Store.open(home) as store:
        keys.init_test_identities(store, "tester", org=ORG, person=None, passphrase=PASS)
        keys.init_test_identities(
            store, "tester", org=None, person="Li Lei", passphrase=PASS, employer=SELLER
        )
        names = {k.name for k in keys.list_identities(home)}
    assert set(KEY.values()) <= names, names
    bulk = base / "bulk"
    bulk.mkdir()
    holder = _in_review(home, submit=False)
    from contractctl.obligations.attachments import attach

    with Store.open(home) as store:
        for n in range(BULK_FILES):
            path = bulk / f"receipt-{n}.pdf"
            path.write_bytes(b"%PDF-1.4\n" + os.urandom(1 << 19) + b"\n%%EOF\n")
            with store.transaction("sun.li") as tx:  # finance keeps receipts
                attach(tx, holder, path, kind="receipt")
    _time_a_backup(home, base)


def _time_a_backup(home: Path, base: Path) -> None:
    """Stops of `backup` land anywhere from its start to its end: how long one takes."""
    import subprocess
    import time

    from tests.conftest import installed_contractctl

    dest = base / "timed-backup"
    started = time.monotonic()
    subprocess.run(
        [installed_contractctl(), "--home", str(home), "backup", str(dest)],
        capture_output=True,
        check=True,
        env={**os.environ, "CONTRACTCTL_USER": "soak"},
    )
    DELAY["backup"] = (0.2, max(1.0, time.monotonic() - started))
    shutil.rmtree(dest)


def more_work(kind: str, home: Path) -> None:
    """Before a round: enough contracts waiting for this command (none for backup)."""
    if kind == "backup":
        return
    waiting = [cid for cid in MINE[kind] if _status(home, cid) in _WAITING_STATUS[kind]]
    for _ in range(WAITING - len(waiting)):
        MINE[kind].append(_signable(home) if kind == "sign" else _in_review(home))


_WAITING_STATUS = {"sign": ("approved", "signing"), "approve": ("in_review",)}


def steps(kind: str, home: Path, base: list[str], out: Path) -> list[list[str]]:
    """The runs of this round, in order: what is due next for every contract waiting."""
    if kind == "backup":
        return [[*base, "backup", str(out / f"backup-{next(_NEXT)}")]]
    runs = []
    with Store.open(home) as store:
        for cid in MINE[kind]:
            due = _due_signers(store, cid) if kind == "sign" else _due_approvers(store, cid)
            verb = ["sign", cid, "--key"] if kind == "sign" else ["approve", cid, "--as"]
            runs += [[*base, *verb, who] for who in due]
    return runs


def env(kind: str) -> dict[str, str]:
    """What the command needs from the environment (the key's passphrase)."""
    return {"CONTRACTCTL_KEY_PASSPHRASE": PASS} if kind == "sign" else {}


def check(kind: str, home: Path, out: Path) -> None:
    """After a stop: the invariants of this command (the store's are checked apart)."""
    if kind == "sign":
        _check_signatures(home)
    elif kind == "approve":
        _check_routes(home)
    else:
        _check_backups(out)


def all_done(home: Path) -> None:
    """At the end, after a rerun: every contract given to sign is signed by both parties,
    every one given to approve is approved."""
    for kind, done in (("sign", "signed"), ("approve", "approved")):
        for cid in MINE[kind]:
            assert _status(home, cid) == done, (kind, cid)


def _status(home: Path, cid: str) -> str:
    with Store.open(home) as store:
        return str(
            store.conn.execute("SELECT status FROM contracts WHERE id = ?", (cid,)).fetchone()[0]
        )


def _signable(home: Path) -> str:
    """An approved contract with its PDF (LibreOffice), due to be signed by both parties."""
    from tests.signing.test_sign import _approve, _draft

    with Store.open(home) as store:
        cid = _draft(store, key=f"soak-sign-{next(_NEXT)}", pdf=True)
        _approve(store, cid)
    return cid


def _in_review(home: Path, *, submit: bool = True) -> str:
    """A ¥123,456.50 purchase in review: the department head, then legal, decide."""
    from contractctl.approval.decide import submit as submit_route
    from tests.cli.test_approval import _draft

    cid = _draft(home, key=f"soak-approve-{next(_NEXT)}")
    if submit:
        with Store.open(home) as store, store.transaction("drafter") as tx:
            submit_route(tx, cid)
    return cid


def _due_signers(store: Store, cid: str) -> list[str]:
    from contractctl.records.contracts import get_contract
    from contractctl.signing.plan import signatories

    contract = get_contract(store.conn, cid)
    if contract.status not in _WAITING_STATUS["sign"]:
        return []
    signed = {
        r[0]
        for r in store.conn.execute(
            "SELECT party FROM signatures WHERE contract_id = ? AND version_n = ?",
            (cid, contract.version),
        )
    }
    return [KEY[p] for p in signatories(store, contract) if p not in signed]


def _due_approvers(store: Store, cid: str) -> list[str]:
    """The first approver of the pending stage and of every stage after it."""
    route = store.conn.execute(
        "SELECT id FROM approval_routes WHERE contract_id = ? AND state = 'open'", (cid,)
    ).fetchone()
    if route is None:
        return []
    stages: dict[int, str] = {}
    for row in store.conn.execute(
        "SELECT stage_n, approver FROM approval_tasks WHERE route_id = ? "
        "AND state IN ('pending', 'waiting') ORDER BY stage_n, id",
        (route[0],),
    ):
        stages.setdefault(row[0], row[1])
    return [stages[n] for n in sorted(stages)]


def _check_signatures(home: Path) -> None:
    from contractctl.records.contracts import get_contract
    from contractctl.signing.plan import check_signable, signatories
    from contractctl.signing.verify import verify_contract

    with Store.open(home) as store:
        trust = keys.trust_anchors(home)
        for cid in (c for c in MINE["sign"] if c not in SETTLED):
            contract = get_contract(store.conn, cid)
            rows = store.conn.execute(
                "SELECT seq, party, pdf_before, pdf_after FROM signatures "
                "WHERE contract_id = ? AND version_n = ? ORDER BY seq",
                (cid, contract.version),
            ).fetchall()
            order = signatories(store, contract)
            assert [r["seq"] for r in rows] == list(range(1, len(rows) + 1)), (cid, rows)
            assert [r["party"] for r in rows] == list(order[: len(rows)]), cid
            for row in rows:
                assert store.objects.has(row["pdf_after"]), f"{cid}: a signed PDF is missing"
            pdf = store.conn.execute(
                "SELECT pdf_sha FROM versions WHERE contract_id = ? AND n = ?",
                (cid, contract.version),
            ).fetchone()[0]
            assert store.objects.has(pdf), f"{cid}: its PDF is missing"
            status = {0: "approved", len(order): "signed"}.get(len(rows), "signing")
            assert contract.status == status, (cid, contract.status, len(rows))
            if rows:
                assert pdf == rows[-1]["pdf_after"], f"{cid}: its PDF is not the last signed"
                report = verify_contract(store, cid, trust=trust)
                assert report.ok, (cid, report.to_dict())
            if contract.status != "signed":
                assert check_signable(store, contract, None) == order[len(rows)]
            else:
                SETTLED.add(cid)


def _check_routes(home: Path) -> None:
    with Store.open(home) as store:
        conn = store.conn
        decided: Counter[tuple[int, int, str]] = Counter()
        for (data,) in conn.execute("SELECT data FROM events WHERE action = 'approval.approve'"):
            facts = json.loads(data)
            decided[(facts["route_id"], facts["stage"], facts["approver"])] += 1
        for cid in (c for c in MINE["approve"] if c not in SETTLED):
            status = conn.execute("SELECT status FROM contracts WHERE id = ?", (cid,)).fetchone()
            for route in conn.execute(
                "SELECT id, state FROM approval_routes WHERE contract_id = ?", (cid,)
            ).fetchall():
                tasks = conn.execute(
                    "SELECT id, stage_n, approver, state FROM approval_tasks WHERE route_id = ? "
                    "ORDER BY stage_n, id",
                    (route["id"],),
                ).fetchall()
                for task in tasks:
                    once = 1 if task["state"] == "approved" else 0
                    key = (route["id"], task["stage_n"], task["approver"])
                    assert decided.get(key, 0) == once, (cid, dict(task), decided[key])
                done = [t["state"] in ("approved", "skipped") for t in tasks]
                if route["state"] == "approved":
                    assert all(done) and status[0] == "approved", (cid, status[0])
                    SETTLED.add(cid)
                    continue
                assert route["state"] == "open" and status[0] == "in_review", cid
                pending = sorted({t["stage_n"] for t in tasks if t["state"] == "pending"})
                assert len(pending) == 1, (cid, [dict(t) for t in tasks])
                for task in tasks:
                    if task["stage_n"] < pending[0]:
                        assert task["state"] in ("approved", "skipped"), (cid, dict(task))
                    elif task["stage_n"] > pending[0]:
                        assert task["state"] == "waiting", (cid, dict(task))


def _check_backups(out: Path) -> None:
    from contractctl.store.backup import read_manifest, sweep_partials
    from contractctl.store.fsck import fsck
    from contractctl.store.objects import sha256_file

    sweep_partials(out)  # what the next backup into this folder does first
    for dest in sorted(out.iterdir()):
        assert dest.name.startswith("backup-"), f"left beside the backups: {dest.name}"
        manifest = read_manifest(dest)
        assert sha256_file(dest / "contracts.db") == manifest["database_sha256"], dest
        with Store.open(dest) as copy:
            report = fsck(copy)
            assert report.ok, (dest, report.problems)
            assert (
                copy.conn.execute("SELECT count(*) FROM contracts").fetchone()[0]
                == (manifest["contracts"])
            )
        shutil.rmtree(dest)  # checked; the disk is not filled by hundreds of copies
