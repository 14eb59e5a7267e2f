"""The approved version as the scan would be read: its PDF rendered at the scan's
resolution and OCR'd once, with the same engine and settings as the scan.

``ocr-check`` compares like with like: Tesseract's systematic misreadings of a page
(参 for 叁, 什 for 仟, # for ¥, a quote mark in a fill-in gap) are made on the approved
page as on its scan, so they cancel out. The reading is kept (``ReadingCache``): in the
store as an object named in its ``meta`` table under ``ocr-reading:<pdf>:<dpi>:<lang>``,
or in a plain folder (evaluations, benchmarks), so a version checked again, or checked
at the same resolution by several scans, pays for it once.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contractctl.ocr.model import PageText, ScanText, Word
from contractctl.progress import Progress

if TYPE_CHECKING:
    from contractctl.store import Store, Tx

#: Bump when the reading of an approved page changes (pipeline, settings).
RECIPE = 1


def file_sha(path: Path) -> str:
    """SHA-256 of a file."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


@dataclass
class ReadingCache:
    """Where approved readings are kept: a store (objects + meta) or a folder.

    With ``deferred``, what is meant for the store waits in ``pending`` until the caller
    writes it in its own transaction (:meth:`flush`): a check that fails on a bad scan
    leaves the store exactly as it was, cache included."""

    store: Store | None = None
    folder: Path | None = None
    deferred: bool = False
    pending: dict[str, bytes] = field(default_factory=dict)

    def _key(self, sha: str, dpi: int, lang: str) -> str:
        return f"ocr-reading:{sha}:{dpi}:{lang}:{RECIPE}"

    def get(self, sha: str, dpi: int, lang: str) -> bytes | None:
        """The cached reading's JSON, or None."""
        key = self._key(sha, dpi, lang)
        if self.store is not None:
            row = self.store.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
            if row is not None and self.store.objects.path(row["value"]).is_file():
                return self.store.objects.read_bytes(row["value"])
        if self.folder is not None:
            path = self.folder / (key.replace(":", "-") + ".json")
            if path.is_file():
                return path.read_bytes()
        return None

    def put(self, sha: str, dpi: int, lang: str, data: bytes, actor: str = "contractctl") -> None:
        """Keep a reading."""
        key = self._key(sha, dpi, lang)
        if self.store is not None:
            self.keep(key, data, actor)
        if self.folder is not None:
            self.folder.mkdir(parents=True, exist_ok=True)
            (self.folder / (key.replace(":", "-") + ".json")).write_bytes(data)

    def keep(self, key: str, content: bytes, actor: str = "contractctl") -> None:
        """Keep ``content`` in the store under ``meta`` ``key``: now,
        or when the caller flushes, if deferred."""
        assert self.store is not None
        if self.deferred:
            self.pending[key] = content
            return
        with self.store.transaction(actor) as tx:
            self.flush(tx, {key: content})

    def flush(self, tx: Tx, items: dict[str, bytes] | None = None) -> None:
        """Write what waits (or ``items``) in the transaction ``tx``."""
        for key, content in (self.pending if items is None else items).items():
            sha = tx.put_bytes(content)
            tx.conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, sha))
        if items is None:
            self.pending.clear()


def approved_reading(
    pdf: Path,
    *,
    lang: str,
    dpi: int,
    workers: int | None = None,
    progress: Progress | None = None,
    cache: ReadingCache | None = None,
    actor: str = "contractctl",
    runner: Any = None,
) -> ScanText:
    """The approved PDF rendered at ``dpi`` and read as a scan is (``ocr_scan``, no
    seals; ``runner``: as there), from the cache when it has it. Page images are not
    kept: the check renders the pages it needs to look at again (``render_page``)."""
    from contractctl.ocr.pipeline import ocr_scan

    sha = file_sha(pdf)
    cached = cache.get(sha, dpi, lang) if cache is not None else None
    if cached is not None:
        return from_json(cached, pdf)
    reading = ocr_scan(
        pdf, lang=lang, dpi=dpi, workers=workers, progress=progress, seals=False, runner=runner
    )
    if cache is not None:
        cache.put(sha, dpi, lang, to_json(reading), actor)
    return reading


def render_page(pdf: Path, number: int, dpi: int, folder: Path) -> Path:
    """Page ``number`` of ``pdf`` rasterised at ``dpi`` (as ``ocr_scan`` does)."""
    from contractctl.ocr.pages import rasterise

    [page] = rasterise(pdf, folder, dpi, number, number)
    return page


def to_json(reading: ScanText) -> bytes:
    """A reading as JSON (words with boxes, confidences and spans)."""
    data = reading.to_dict()
    for page in data["pages"]:
        page["image"] = None
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def from_json(data: bytes, source: Path) -> ScanText:
    """A reading back from ``to_json``."""
    raw: dict[str, Any] = json.loads(data)
    pages = []
    for p in raw["pages"]:
        words = tuple(
            Word(
                w["text"],
                float(w["conf"]),
                (w["box"][0], w["box"][1], w["box"][2], w["box"][3]),
                (w["line"][0], w["line"][1], w["line"][2]),
                w["span"][0],
                w["span"][1],
            )
            for w in p["words"]
        )
        pages.append(
            PageText(
                number=p["number"],
                words=words,
                text=p["text"],
                mean_conf=float(p["mean_conf"]),
                rotation_applied=int(p["rotation_applied"]),
                skew_degrees=float(p["skew_degrees"]),
                image=None,
                width=int(p["width"]),
                height=int(p["height"]),
            )
        )
    return ScanText(source=source, lang=raw["lang"], pages=tuple(pages))
