"""What OCR hands back: words with their confidence and box, pages, scans, seals.

Plain dataclasses with no heavy imports, so the compare engine and the CLI can use the
types without loading numpy or Pillow.

Geometry: every box on a page (words and seals) is in pixels of the *corrected* page,
the page image turned upright by ``rotation_applied`` (clockwise) and then deskewed by
``skew_degrees``; ``width`` and ``height`` are that page's size. Fractions (``rel``) are
of that same page, so "the bottom right quarter" means the same thing on a page that
was scanned upside down.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: A word counts as real text (for ``PageText.empty``) at or above this confidence and
#: with at least one letter, digit or CJK character: Tesseract invents low-confidence
#: "words" out of scanner noise on a blank page.
TEXT_CONF = 50.0

_HAS_CONTENT = re.compile(r"[0-9A-Za-z\u3400-\u9fff\uf900-\ufaff]")

Box = tuple[int, int, int, int]


@dataclass(frozen=True)
class Word:
    """One word as Tesseract read it.

    ``conf`` is Tesseract's 0-100 confidence; ``box`` is (left, top, width, height) in
    pixels of the corrected page; ``line`` is Tesseract's (block, paragraph, line) key;
    ``start``/``end`` locate the word in ``PageText.text`` (``start == end`` in the rare
    case it could not be placed there).
    """

    text: str
    conf: float
    box: Box
    line: tuple[int, int, int]
    start: int = 0
    end: int = 0

    def to_dict(self) -> dict[str, Any]:
        """JSON shape: ``{"text", "conf", "box", "line", "span"}``."""
        return {
            "text": self.text,
            "conf": round(self.conf, 2),
            "box": list(self.box),
            "line": list(self.line),
            "span": [self.start, self.end],
        }


@dataclass(frozen=True)
class SealFinding:
    """A red blob of seal size: where, how much red, and its shape.

    ``box`` is (left, top, width, height) in pixels of the image searched (the corrected
    page when it comes from OCR); ``rel`` is (x0, y0, x1, y1) as fractions of that image;
    ``red_pixels`` estimates the red pixels at that image's full resolution; ``shape`` is
    "round", "square" or "other".
    """

    box: Box
    rel: tuple[float, float, float, float]
    red_pixels: int
    shape: str

    @property
    def centre(self) -> tuple[float, float]:
        """The centre as fractions of the image (x, y)."""
        x0, y0, x1, y1 = self.rel
        return ((x0 + x1) / 2, (y0 + y1) / 2)

    def to_dict(self) -> dict[str, Any]:
        """JSON shape: ``{"box", "rel", "red_pixels", "shape"}``."""
        return {
            "box": list(self.box),
            "rel": [round(v, 4) for v in self.rel],
            "red_pixels": self.red_pixels,
            "shape": self.shape,
        }


@dataclass
class PageText:
    """The OCR of one page.

    ``number`` is 1-based. ``text`` is Tesseract's own text output: lines joined with
    "\\n" (a blank line between paragraphs), the words of a line joined as Tesseract
    wrote them with ``preserve_interword_spaces`` (no spurious spaces between Chinese
    characters; runs of spaces kept where the page had gaps, as in table rows).
    ``image`` is the page image file as scanned (None once a temporary copy is gone);
    ``rotation_applied`` (0/90/180/270, clockwise) and ``skew_degrees`` (the
    counter-clockwise tilt found and undone; 0 below 1 degree, which is left alone) say
    how it was corrected before Tesseract read it. ``width``/``height`` and every box
    (words, ``seals``) are of that corrected page.
    """

    number: int
    words: tuple[Word, ...]
    text: str
    mean_conf: float
    rotation_applied: int
    skew_degrees: float
    image: Path | None
    width: int
    height: int
    seals: tuple[SealFinding, ...] = ()
    osd_used: bool = False
    seconds: float = 0.0
    lang: str = ""  # the Tesseract languages the page was read with

    @property
    def empty(self) -> bool:
        """No word of real text: a blank page (or one of noise only)."""
        return not any(w.conf >= TEXT_CONF and _HAS_CONTENT.search(w.text) for w in self.words)

    def words_in(self, start: int, end: int) -> list[Word]:
        """The words overlapping the character span [start, end) of ``text``.

        An empty span (an insertion point) gets the words on either side of it.
        """
        if end > start:
            return [w for w in self.words if w.end > start and w.start < end and w.end > w.start]
        before = [w for w in self.words if w.end <= start and w.end > w.start]
        after = [w for w in self.words if w.start >= start and w.end > w.start]
        near = []
        if before:
            near.append(max(before, key=lambda w: w.end))
        if after:
            near.append(min(after, key=lambda w: w.start))
        return near

    def conf_at(self, start: int, end: int, *, mean: bool = False) -> float:
        """OCR confidence of the words covering ``text[start:end]``: the minimum (the
        weakest word is what makes a reading doubtful), or with ``mean`` the mean.
        0.0 when no word covers the span (there was no OCR evidence there)."""
        confs = [w.conf for w in self.words_in(start, end)]
        if not confs:
            return 0.0
        return sum(confs) / len(confs) if mean else min(confs)

    def to_dict(self) -> dict[str, Any]:
        """JSON shape of one page (words included)."""
        return {
            "number": self.number,
            "text": self.text,
            "mean_conf": round(self.mean_conf, 2),
            "empty": self.empty,
            "rotation_applied": self.rotation_applied,
            "skew_degrees": round(self.skew_degrees, 2),
            "width": self.width,
            "height": self.height,
            "image": str(self.image) if self.image is not None else None,
            "seals": [s.to_dict() for s in self.seals],
            "words": [w.to_dict() for w in self.words],
        }


@dataclass
class ScanText:
    """The OCR of a whole scan, page by page, in page order."""

    source: Path
    lang: str
    pages: tuple[PageText, ...] = field(default_factory=tuple)

    @property
    def text(self) -> str:
        """Every page's text, pages separated by a form feed ("\\f")."""
        return "\f".join(p.text for p in self.pages)

    @property
    def empty_pages(self) -> list[int]:
        """1-based numbers of the pages without real text."""
        return [p.number for p in self.pages if p.empty]

    @property
    def mean_conf(self) -> float:
        """Mean word confidence over the whole scan (0.0 with no words)."""
        confs = [w.conf for p in self.pages for w in p.words]
        return sum(confs) / len(confs) if confs else 0.0

    def page_at(self, offset: int) -> tuple[PageText, int] | None:
        """The page holding character ``offset`` of ``text`` and the offset within it."""
        position = 0
        for page in self.pages:
            if offset <= position + len(page.text):
                return page, offset - position
            position += len(page.text) + 1
        return None

    def to_dict(self) -> dict[str, Any]:
        """JSON shape of the scan."""
        return {
            "source": str(self.source),
            "lang": self.lang,
            "mean_conf": round(self.mean_conf, 2),
            "empty_pages": self.empty_pages,
            "pages": [p.to_dict() for p in self.pages],
        }
