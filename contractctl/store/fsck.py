"""`fsck`: is the store whole? The database, every file it points at, and the audit chain.

A contract store is evidence: a signed PDF must be byte for byte what was signed, years
later, and a missing or altered file must be found by a check, not by the lawyer who
needs it. So fsck reads everything once:

1. SQLite's own ``PRAGMA integrity_check`` (pages, indexes) and ``foreign_key_check``;
2. every object a row refers to (template DOCX and schema, each version's DOCX, PDF,
   text and original, signed PDFs before and after each signature, acceptances, OCR
   scans and reports, archive dossiers): present, and its bytes hash to its name;
3. the audit log's hash chain (as ``audit verify``);
4. every contract's rows (status, amount, versions, approval tasks, signatures) against
   what its latest audit event recorded (contractctl.store.record_state): a row edited,
   added or deleted outside contractctl is named.
5. payments: none allocated beyond its amount, or to an obligation of another contract
   or currency (contractctl.obligations.payments); attachments and evidence are objects
   checked as in 2.

Problems (exit 1) are what loses or falsifies evidence. Warnings are what a crash leaves
behind and costs only disk: objects no row refers to (the files of a transaction killed
between writing its files and committing) and temporary files of interrupted writes.
fsck only reads; it never changes the store.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from contractctl.store import Store
from contractctl.store.objects import sha256_file
from contractctl.store.references import REFERENCES, is_sha256, object_references

__all__ = ["REFERENCES", "FsckReport", "fsck", "is_sha256", "object_references"]

#: How many problems of one kind are listed before "... and N more".
SHOWN = 20


@dataclass
class FsckReport:
    """What fsck found; ``ok`` unless there are problems (warnings do not count)."""

    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    checked: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when nothing is lost, damaged or falsified."""
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        """JSON shape of `fsck --json`."""
        return {
            "ok": self.ok,
            "problems": self.problems,
            "warnings": self.warnings,
            "checked": self.checked,
        }


def fsck(store: Store, *, progress: Callable[[int, int], None] | None = None) -> FsckReport:
    """Check the store read-only; ``progress(done, total)`` is called per object hashed."""
    from contractctl.store import audit

    report = FsckReport()
    _database(store, report)
    _execution(store, report)
    referenced = _references(store, report)
    _objects(store, referenced, report, progress)
    chain = audit.verify(store.conn)
    report.checked["events"] = chain.checked
    if not chain.ok:
        report.problems.append(f"audit chain broken: {chain.reason}")
    _records(store, report)
    return report


def _records(store: Store, report: FsckReport) -> None:
    """Replay the log: each contract's rows against the rows its latest event recorded."""
    from contractctl.store import record_state

    latest = record_state.recorded_states(store.conn)
    problems: list[str] = []
    held = unrecorded = 0
    ids = [str(r[0]) for r in store.conn.execute("SELECT id FROM contracts ORDER BY id")]
    for cid in ids:
        seq, rows = latest.get(cid, (0, None))
        if not seq:
            problems.append(f"contract {cid}: no audit event is about it (inserted by hand)")
            continue
        if rows is None:
            unrecorded += 1
            continue
        held += 1
        problems += record_state.compare(cid, rows, record_state.contract_state(store.conn, cid))
    known = set(ids)
    for subject, (_, rows) in sorted(latest.items()):
        if rows is not None and subject not in known:
            problems.append(f"contract {subject}: its row was deleted (the audit log records it)")
    report.problems += _capped(problems, "rows that disagree with the audit log")
    report.checked["contracts"] = held
    if unrecorded:
        report.checked["contracts_before_records"] = unrecorded


def _database(store: Store, report: FsckReport) -> None:
    rows = [str(r[0]) for r in store.conn.execute("PRAGMA integrity_check")]
    if rows != ["ok"]:
        report.problems += [f"database: {row}" for row in _capped(rows)]
    dangling = store.conn.execute("PRAGMA foreign_key_check").fetchall()
    for table, rowid, parent, _ in _capped(dangling):
        report.problems.append(f"database: {table} row {rowid} refers to a missing {parent} row")


def _execution(store: Store, report: FsckReport) -> None:
    """After the signature: no payment allocated beyond its amount or in another currency
    than the obligation it settles (contractctl.obligations.payments)."""
    tables = {r[0] for r in store.conn.execute("SELECT name FROM sqlite_master")}
    if "payments" not in tables:
        return
    over = store.conn.execute(
        "SELECT p.id, p.contract_id FROM payments p JOIN payment_allocations a "
        "ON a.payment_id = p.id GROUP BY p.id HAVING SUM(a.amount_minor) > p.amount_minor"
    ).fetchall()
    for pid, cid in _capped(over):
        report.problems.append(f"{cid} payment {pid}: allocated beyond its amount")
    mixed = store.conn.execute(
        "SELECT p.id, p.contract_id, o.id FROM payment_allocations a "
        "JOIN payments p ON p.id = a.payment_id JOIN obligations o ON o.id = a.obligation_id "
        "WHERE o.currency IS NOT p.currency OR o.contract_id != p.contract_id"
    ).fetchall()
    for pid, cid, oid in _capped(mixed):
        report.problems.append(
            f"{cid} payment {pid}: allocated to obligation {oid} of another contract or currency"
        )
    report.checked["payments"] = int(
        store.conn.execute("SELECT COUNT(*) FROM payments").fetchone()[0]
    )


def _references(store: Store, report: FsckReport) -> dict[str, list[str]]:
    """Object hash -> the rows that name it (described for a human)."""
    referenced: dict[str, list[str]] = {}
    for sha, where, column in object_references(store.conn):
        if not is_sha256(sha):
            report.problems.append(f"{where}: {column} is not a SHA-256 ({sha!r})")
            continue
        referenced.setdefault(sha, []).append(f"{where} ({column})")
    report.checked["references"] = sum(len(v) for v in referenced.values())
    return referenced


def _objects(
    store: Store,
    referenced: dict[str, list[str]],
    report: FsckReport,
    progress: Callable[[int, int], None] | None,
) -> None:
    missing: list[str] = []
    damaged: list[str] = []
    for done, (sha, where) in enumerate(sorted(referenced.items()), start=1):
        path = store.objects.path(sha)
        try:
            actual = sha256_file(path)
        except FileNotFoundError:
            missing.append(f"object {sha[:12]} is missing: named by {', '.join(where)}")
        except OSError as exc:
            damaged.append(f"object {sha[:12]} cannot be read ({exc.strerror or exc})")
        else:
            if actual != sha:
                damaged.append(
                    f"object {sha[:12]} was altered (its bytes hash to {actual[:12]}): "
                    f"named by {', '.join(where)}"
                )
        if progress is not None:
            progress(done, len(referenced))
    report.problems += _capped(missing, "missing objects") + _capped(damaged, "damaged objects")
    report.checked["objects"] = len(referenced)
    stray: list[str] = []
    temporary: list[str] = []
    for path in _files(store.objects.root):
        name = path.parent.name + path.name
        if path.name.startswith(".tmp-"):
            temporary.append(f"temporary file of an interrupted write: {path}")
        elif name not in referenced:
            stray.append(f"object {name[:12]} is named by no row (left by an interrupted command)")
    report.warnings += _capped(stray, "unreferenced objects") + _capped(
        temporary, "temporary files"
    )


def _files(root: Path) -> Iterator[Path]:
    if not root.is_dir():
        return
    for folder in sorted(root.iterdir()):
        if folder.is_dir():
            yield from sorted(p for p in folder.iterdir() if p.is_file())


def _capped(items: list[Any], what: str = "more") -> list[Any]:
    if len(items) <= SHOWN:
        return items
    return [*items[:SHOWN], f"... and {len(items) - SHOWN} more {what}"]
