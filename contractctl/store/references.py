"""Where rows name objects: the one list fsck, backup and a failed transaction share.

A transaction that fails removes the object files it wrote only when no row names
them, which is the question fsck asks of the whole store, asked of a few hashes.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator

#: Where rows name objects: (table, column, the columns that say which row it is).
REFERENCES: tuple[tuple[str, str, str], ...] = (
    ("templates", "docx_sha", "name || '@' || version"),
    ("templates", "schema_sha", "name || '@' || version"),
    ("versions", "docx_sha", "contract_id || ' v' || n"),
    ("versions", "pdf_sha", "contract_id || ' v' || n"),
    ("versions", "unsigned_pdf_sha", "contract_id || ' v' || n"),
    ("versions", "text_sha", "contract_id || ' v' || n"),
    ("versions", "sha256", "contract_id || ' v' || n"),
    ("signatures", "pdf_before", "contract_id || ' v' || version_n || ' signature ' || seq"),
    ("signatures", "pdf_after", "contract_id || ' v' || version_n || ' signature ' || seq"),
    ("acceptances", "pdf_sha", "contract_id || ' acceptance ' || rowid"),
    ("ocr_checks", "scan_sha", "contract_id || ' ocr check ' || rowid"),
    ("ocr_checks", "report_sha", "contract_id || ' ocr check ' || rowid"),
    ("archives", "dossier_sha", "contract_id || ' archive ' || rowid"),
    ("attachments", "sha256", "contract_id || ' attachment ' || id"),
    ("obligations", "evidence_sha", "contract_id || ' obligation ' || id"),
    ("payments", "evidence_sha", "contract_id || ' payment ' || id"),
    ("order_steps", "evidence_sha", "order_id || ' step ' || seq"),
)
_HEX = re.compile(r"[0-9a-f]{64}")
_RENEWALS = (
    "SELECT json_extract(data, '$.pdf_after'), subject || ' timestamp renewal ' || seq "
    "FROM events WHERE action = 'timestamp.renew'"
)


def is_sha256(value: str) -> bool:
    """Whether ``value`` is a lower-case hex SHA-256, as objects are named."""
    return _HEX.fullmatch(value) is not None


def _tables(conn: sqlite3.Connection) -> set[str]:
    return {str(r[0]) for r in conn.execute("SELECT name FROM sqlite_master")}


def object_references(conn: sqlite3.Connection) -> Iterator[tuple[str, str, str]]:
    """Every (value, row, column) where a row names an object, as stored (the value may
    be damaged: callers check it is a SHA-256)."""
    tables = _tables(conn)
    for table, column, label in REFERENCES:
        if table not in tables:
            continue
        rows = conn.execute(
            # table, column and label come from REFERENCES above, never from input
            f'SELECT "{column}", {label} FROM "{table}" '
            f'WHERE "{column}" IS NOT NULL AND "{column}" != \'\''
        )
        for value, where in rows:
            yield str(value), str(where), column
    # A renewed archive timestamp chain: each renewal's PDF is named only by its event
    # once a later renewal has replaced it as the version's PDF.
    if "events" in tables:
        for value, where in conn.execute(_RENEWALS):
            if value:
                yield str(value), str(where), "pdf_after"


def referenced(conn: sqlite3.Connection, shas: list[str]) -> set[str]:
    """Which of ``shas`` a committed row names (asked after a failed transaction, so
    only the objects no row names are removed)."""
    if not shas:
        return set()
    tables = _tables(conn)
    wanted = set(shas)
    marks = ", ".join("?" for _ in wanted)
    found: set[str] = set()
    for table, column, _ in REFERENCES:
        if table not in tables:
            continue
        rows = conn.execute(
            f'SELECT DISTINCT "{column}" FROM "{table}" WHERE "{column}" IN ({marks})',
            sorted(wanted),
        )
        found.update(str(r[0]) for r in rows)
    if "events" in tables:
        found.update(str(r[0]) for r in conn.execute(_RENEWALS) if r[0] in wanted)
    if "import_files" in tables:
        rows = conn.execute(
            f"SELECT sha256 FROM import_files WHERE state = 'imported' AND sha256 IN ({marks})",
            sorted(wanted),
        )
        found.update(str(r[0]) for r in rows)
    return found
