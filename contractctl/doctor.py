"""`contractctl doctor`: are the external tools and the store ready?

Each check says what it found (a version, the Tesseract languages), whether the
capability needs it, and how to fix it. Probes run in parallel threads: soffice alone
takes ~0.3 s to print its version.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from contractctl import tools
from contractctl.errors import ContractctlError

TESSERACT_LANGS = {"chi_sim": "tesseract-ocr-chi-sim", "eng": "tesseract-ocr-eng"}


@dataclass(frozen=True)
class Check:
    """One line of the doctor's report."""

    name: str
    ok: bool
    required: bool
    detail: str
    hint: str | None = None
    used_for: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON shape of one check."""
        return asdict(self)


def _version(program: str, args: list[str], pattern: str, used_for: str) -> Check:
    if shutil.which(program) is None:
        return Check(program, False, True, "not found", tools.install_hint(program), used_for)
    try:
        result = tools.run([program, *args], timeout=30, check=False)
    except ContractctlError as exc:
        return Check(program, False, True, exc.message, tools.install_hint(program), used_for)
    match = re.search(pattern, result.stdout + result.stderr)
    detail = match.group(0) if match else "found (version unknown)"
    return Check(program, True, True, detail, None, used_for)


def check_soffice() -> Check:
    """LibreOffice converts DOCX drafts to PDF."""
    return _version("soffice", ["--version"], r"LibreOffice [\d.]+", "DOCX to PDF")


def check_tesseract() -> list[Check]:
    """Tesseract and the language packs OCR needs (chi_sim and eng)."""
    base = _version("tesseract", ["--version"], r"tesseract [\d.]+", "OCR of scans")
    if not base.ok:
        return [base]
    result = tools.run(["tesseract", "--list-langs"], timeout=30, check=False)
    langs = {line.strip() for line in result.stdout.splitlines()[1:] if line.strip()}
    checks = [base]
    for lang, package in TESSERACT_LANGS.items():
        present = lang in langs
        checks.append(
            Check(
                f"tesseract:{lang}",
                present,
                True,
                "installed" if present else "language pack missing",
                None if present else f"install it with: sudo apt-get install {package}",
                "OCR of scans",
            )
        )
    return checks


def check_poppler() -> Check:
    """Poppler rasterises PDF pages for OCR and reads text layers."""
    return _version("pdftoppm", ["-v"], r"pdftoppm version [\d.]+", "rasterising PDFs")


def check_cjk_fonts() -> Check:
    """Noto CJK fonts, so Chinese renders in PDFs instead of boxes."""
    used_for = "Chinese text in PDFs"
    if shutil.which("fc-list") is None:
        return Check(
            "fonts:noto-cjk",
            False,
            True,
            "fc-list not found",
            tools.install_hint("fc-list"),
            used_for,
        )
    result = tools.run(["fc-list", ":lang=zh", "family"], timeout=30, check=False)
    families = sorted({f.split(",")[0] for f in result.stdout.splitlines() if "Noto" in f})
    if not families:
        return Check(
            "fonts:noto-cjk",
            False,
            True,
            "no Noto CJK font",
            "install it with: sudo apt-get install fonts-noto-cjk",
            used_for,
        )
    shown = ", ".join(f for f in families if f.endswith(" SC")) or families[0]
    return Check("fonts:noto-cjk", True, True, shown, None, used_for)


def check_optional(program: str, pattern: str, used_for: str, args: list[str]) -> Check:
    """A tool used only for independent cross-checks (qpdf, pdfsig)."""
    check = _version(program, args, pattern, used_for)
    return Check(check.name, check.ok, False, check.detail, check.hint, used_for)


def check_store(home: Path) -> list[Check]:
    """The store: present, current schema, database intact, audit chain, writable."""
    from contractctl.store import DB_NAME, Store, audit

    if not (home / DB_NAME).exists():
        return [
            Check(
                "store",
                False,
                False,
                f"no store at {home}",
                f"create one with: contractctl init --home {home}",
                "everything",
            )
        ]
    try:
        store = Store.open(home)
    except ContractctlError as exc:
        return [Check("store", False, True, exc.message, exc.hint, "everything")]
    checks = [Check("store", True, True, str(home), None, "everything")]
    with store:
        integrity = store.conn.execute("PRAGMA quick_check").fetchone()[0]
        checks.append(
            Check(
                "store:database",
                integrity == "ok",
                True,
                integrity,
                None if integrity == "ok" else "restore from a backup",
                "everything",
            )
        )
        chain = audit.verify(store.conn)
        checks.append(
            Check(
                "store:audit-chain",
                chain.ok,
                True,
                f"{chain.checked} events intact" if chain.ok else (chain.reason or "broken"),
                None if chain.ok else "run: contractctl audit verify",
                "audit trail",
            )
        )
        writable = os.access(store.objects.root, os.W_OK)
        checks.append(
            Check(
                "store:objects",
                writable,
                True,
                "writable" if writable else "not writable",
                None if writable else f"check permissions of {store.objects.root}",
                "storing files",
            )
        )
    return checks


def run_checks(home: Path) -> list[Check]:
    """Every check, tools probed in parallel, in a stable order."""
    probes: list[Callable[[], Check | list[Check]]] = [
        check_soffice,
        check_tesseract,
        check_poppler,
        check_cjk_fonts,
        lambda: check_optional(
            "qpdf", r"qpdf version [\d.]+", "PDF structure checks", ["--version"]
        ),
        lambda: check_optional(
            "pdfsig", r"pdfsig version [\d.]+", "independent signature checks", ["-v"]
        ),
        lambda: check_store(home),
    ]
    with ThreadPoolExecutor(max_workers=len(probes)) as pool:
        results = list(pool.map(lambda probe: probe(), probes))
    checks: list[Check] = []
    for result in results:
        checks.extend(result if isinstance(result, list) else [result])
    return checks
