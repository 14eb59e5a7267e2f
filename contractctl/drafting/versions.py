"""Template versions in the store: registered, linted, pending until legal approves.

Each version's DOCX and schema are kept as immutable objects, so a contract drafted
from `purchase-zh@3` can always be traced to the exact template bytes. The shipped
templates are registered as approved when a store is initialised; a template added
with `template add` is pending until someone with the ``legal`` role in people.toml
approves it, and drafts always use the latest approved version.
"""

from __future__ import annotations

import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contractctl import tomlfile
from contractctl.drafting.normalise import normalise_docx
from contractctl.drafting.schema import load_schema, parse_schema
from contractctl.drafting.specs import TemplateSpec
from contractctl.errors import Duplicate, InvalidInput, NotAllowed, NotFound, ValidationFailed
from contractctl.records.people import load_people
from contractctl.store import Store, Tx
from contractctl.store.audit import now_iso

SHIPPED_ACTOR = "contractctl"


@dataclass(frozen=True)
class TemplateVersion:
    """One registered version of a template."""

    name: str
    version: int
    status: str
    type: str
    language: str
    title: str
    docx_sha: str
    schema_sha: str
    source: str
    added_by: str
    added_at: str
    approved_by: str | None
    approved_at: str | None

    @property
    def ref(self) -> str:
        """NAME@VERSION."""
        return f"{self.name}@{self.version}"

    def to_dict(self) -> dict[str, Any]:
        """JSON shape of a template version."""
        return {
            "name": self.name,
            "version": self.version,
            "status": self.status,
            "type": self.type,
            "language": self.language,
            "title": self.title,
            "source": self.source,
            "added_by": self.added_by,
            "added_at": self.added_at,
            "approved_by": self.approved_by,
            "approved_at": self.approved_at,
        }


def _row(row: sqlite3.Row) -> TemplateVersion:
    return TemplateVersion(**{k: row[k] for k in row.keys()})  # noqa: SIM118


def register_shipped(tx: Tx, folder: Path) -> list[str]:
    """Register every template in the store's templates/ folder not registered yet.

    Used by `init`: the shipped templates arrive approved (they are reviewed in this
    repository), at the version their schema declares.
    """
    registered: list[str] = []
    for schema_path in sorted(folder.glob("*.toml")):
        docx_path = schema_path.with_suffix(".docx")
        if not docx_path.exists():
            continue
        spec = load_schema(schema_path, display=f"templates/{schema_path.name}")
        exists = tx.conn.execute(
            "SELECT 1 FROM templates WHERE name = ? AND version = ?", (spec.name, spec.version)
        ).fetchone()
        if exists:
            continue
        _insert(
            tx,
            spec,
            docx_path,
            schema_path,
            status="approved",
            source="shipped",
            approver=SHIPPED_ACTOR,
        )
        registered.append(f"{spec.name}@{spec.version}")
    return registered


def _insert(
    tx: Tx,
    spec: TemplateSpec,
    docx_path: Path,
    schema_path: Path,
    *,
    status: str,
    source: str,
    approver: str | None,
) -> TemplateVersion:
    docx_sha = tx.put_file(docx_path)
    schema_sha = tx.put_file(schema_path)
    stamp = now_iso()
    tx.conn.execute(
        "INSERT INTO templates (name, version, status, type, language, title, docx_sha, "
        "schema_sha, source, added_by, added_at, approved_by, approved_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            spec.name,
            spec.version,
            status,
            spec.type,
            spec.language,
            spec.title,
            docx_sha,
            schema_sha,
            source,
            tx.actor,
            stamp,
            approver,
            stamp if approver else None,
        ),
    )
    tx.audit(
        "template.add" if source == "added" else "template.register",
        f"{spec.name}@{spec.version}",
        {"status": status, "docx_sha": docx_sha, "schema_sha": schema_sha, "source": source},
    )
    return get_version(tx.conn, spec.name, spec.version)


def parse_ref(ref: str) -> tuple[str, int | None]:
    """``name`` or ``name@3``."""
    name, _, version = ref.strip().partition("@")
    if not version:
        return name, None
    if not version.isdigit():
        raise InvalidInput(f"{ref!r}: a template reference is NAME or NAME@VERSION")
    return name, int(version)


def get_version(conn: sqlite3.Connection, name: str, version: int) -> TemplateVersion:
    """One version; NotFound naming what exists."""
    row = conn.execute(
        "SELECT * FROM templates WHERE name = ? AND version = ?", (name, version)
    ).fetchone()
    if row is None:
        known = [
            r[0]
            for r in conn.execute(
                "SELECT version FROM templates WHERE name = ? ORDER BY version", (name,)
            )
        ]
        hint = f"versions of {name}: {', '.join(map(str, known))}" if known else None
        raise NotFound(f"no template {name}@{version}", hint=hint or _list_hint())
    return _row(row)


def _list_hint() -> str:
    return "list templates with: contractctl template list"


def latest_approved(conn: sqlite3.Connection, name: str) -> TemplateVersion:
    """The version drafts use: the highest approved one."""
    row = conn.execute(
        "SELECT * FROM templates WHERE name = ? AND status = 'approved' "
        "ORDER BY version DESC LIMIT 1",
        (name,),
    ).fetchone()
    if row is None:
        pending = conn.execute(
            "SELECT version FROM templates WHERE name = ? ORDER BY version", (name,)
        ).fetchall()
        if pending:
            raise NotAllowed(
                f"template {name} has no approved version yet",
                hint=f"legal approves it with: contractctl template approve {name}@"
                f"{pending[-1][0]}",
            )
        raise NotFound(f"no template {name!r}", hint=_list_hint())
    return _row(row)


def resolve(conn: sqlite3.Connection, ref: str) -> TemplateVersion:
    """NAME (latest approved) or NAME@VERSION (that exact version, any status)."""
    name, version = parse_ref(ref)
    return latest_approved(conn, name) if version is None else get_version(conn, name, version)


def list_versions(conn: sqlite3.Connection) -> list[TemplateVersion]:
    """Every registered version, by name then version."""
    return [_row(r) for r in conn.execute("SELECT * FROM templates ORDER BY name, version")]


def load_spec(store: Store, version: TemplateVersion) -> TemplateSpec:
    """The validated schema of a stored template version."""
    text = store.objects.read_bytes(version.schema_sha).decode("utf-8")
    doc = tomlfile.parse(text, path=Path(f"{version.name}.toml"), display=f"{version.ref} schema")
    return parse_schema(doc)


def docx_path(store: Store, version: TemplateVersion) -> Path:
    """The stored DOCX of a template version (read-only object file)."""
    return store.objects.path(version.docx_sha)


def add_template(tx: Tx, docx: Path, schema: Path) -> TemplateVersion:
    """Lint and register a new template version as pending.

    Everything the linter finds is reported at once (exit 2) and nothing is stored.
    A version number that is not above every existing one is refused (exit 3). What is
    linted and stored is the file normalised (``normalise_docx``): Word's spell-check
    marks, bookmarks and revision ids inside tags removed, split tags joined.
    """
    if not docx.is_file():
        raise NotFound(f"{docx}: no such file")
    spec = load_schema(schema, display=schema.name)
    with tempfile.TemporaryDirectory(prefix="contractctl-template-") as tmp:
        clean = Path(tmp) / docx.name
        try:
            normalise_docx(docx, clean)
        except InvalidInput:
            clean = docx  # the linter reports why as not-a-docx
        return _add_linted(tx, docx, clean, spec, schema)


def _add_linted(
    tx: Tx, given: Path, docx: Path, spec: TemplateSpec, schema: Path
) -> TemplateVersion:
    """Lint the normalised ``docx`` and store it (``given`` names the user's file)."""
    from contractctl.drafting.lint import lint_template

    problems = lint_template(docx, spec)
    if problems:
        raise ValidationFailed(
            f"{given.name}: {len(problems)} problem{'s' if len(problems) > 1 else ''} "
            "in the template; nothing was added",
            list(problems),
        )
    latest = tx.conn.execute(
        "SELECT max(version) FROM templates WHERE name = ?", (spec.name,)
    ).fetchone()[0]
    if latest is not None and spec.version <= latest:
        raise Duplicate(
            f"template {spec.name} already has version {latest}; set [template] version = "
            f"{latest + 1} in {schema.name}"
        )
    return _insert(tx, spec, docx, schema, status="pending", source="added", approver=None)


def approve_template(tx: Tx, home: Path, ref: str) -> TemplateVersion:
    """Approve a pending version; only someone with the legal role may (exit 3)."""
    name, version = parse_ref(ref)
    if version is None:
        raise InvalidInput("say which version to approve: NAME@VERSION")
    current = get_version(tx.conn, name, version)
    if current.status == "approved":
        raise NotAllowed(f"{current.ref} is already approved (by {current.approved_by})")
    people = load_people(home)
    if not people.has_role(tx.actor, "legal"):
        legal = ", ".join(p.id for p in people.with_role("legal")) or "nobody yet"
        raise NotAllowed(
            f"only the legal role may approve templates; {tx.actor!r} does not have it "
            f"(legal: {legal})",
            hint="roles are set in people.toml; the person is your login's (login = ...)",
        )
    tx.conn.execute(
        "UPDATE templates SET status = 'approved', approved_by = ?, approved_at = ? "
        "WHERE name = ? AND version = ?",
        (tx.actor, now_iso(), name, version),
    )
    tx.audit("template.approve", current.ref, {})
    return get_version(tx.conn, name, version)
