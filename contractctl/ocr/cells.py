"""The lines of a scan page as the second readings of ``ocr-check`` handle them.

:func:`located_lines` takes an OCR'd page and its lines as compared
(contractctl.ocr.lines.scan_lines) and keeps each line (:class:`Line`) that has
located words, cut into cells (:class:`Cell`) at wide gaps and at table rules: where
each cell stands in the corrected page's pixels, and its first reading. The second readings
(contractctl.ocr.second_reading) find a difference's lines among these, cut them out of
the page again (contractctl.ocr.reread) and weigh what each cell read.

Kept apart because it is geometry on one page's words, with no Tesseract run and no
approved clause: the layout every second reading stands on.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from contractctl.ocr.lines import mend, stray_words

if TYPE_CHECKING:
    from contractctl.ocr.model import Box, PageText
    from contractctl.ocr.tesseract import Reading

__all__ = ["CELL_GAP", "TALL_WORD", "Cell", "Line", "located_lines", "union_box"]

#: A word taller than this many times its line's median height does not set how high
#: the line is cut for a second reading.
TALL_WORD = 1.5
#: A gap between words wider than this many line heights separates cells of a line.
CELL_GAP = 1.5


@dataclass(frozen=True)
class Cell:
    """A run of words of a line with no wide gap inside (a table cell, or the whole
    line of running text): where it stands, and its first reading."""

    box: tuple[int, int, int, int]  # corrected page pixels
    reading: Reading  # words located in reading.text


@dataclass(frozen=True)
class Line:
    """One line of a scan page's text (as compared) and its cells."""

    page: PageText
    index: int  # line number in page.text
    text: str
    cells: tuple[Cell, ...]

    @property
    def key(self) -> tuple[int, int]:
        """(page number, line number): the line's name in second readings."""
        return (self.page.number, self.index)

    @property
    def conf(self) -> float:
        """Mean confidence of the first reading's words."""
        confs = [w.conf for cell in self.cells for w in cell.reading.words]
        return sum(confs) / len(confs) if confs else 0.0


def located_lines(page: PageText, texts: Sequence[str]) -> list[Line]:
    """The lines of a page that have located words, split into cells at wide gaps
    (``CELL_GAP`` times the line's height) and at table rules read as ``|``. ``texts``
    are the page's lines as compared (``scan_lines``), one per line of ``page.text``."""
    from dataclasses import replace

    from contractctl.ocr.tesseract import Reading

    stray = stray_words(page)
    kept = [w for k, w in enumerate(page.words) if k not in stray and w.end > w.start]
    lines: list[Line] = []
    position = 0
    for index, (own, text) in enumerate(zip(page.text.split("\n"), texts, strict=True)):
        start, end = position, position + len(own)
        position = end + 1
        words = [w for w in kept if start <= w.start and w.end <= end]
        if not words or not text.strip():
            continue
        heights = sorted(w.box[3] for w in words)
        size = heights[len(heights) // 2]
        gap = CELL_GAP * size
        groups: list[list[Any]] = [[]]
        for word in words:
            if word.text.strip() in ("|", "||"):
                groups.append([])
                continue
            last = groups[-1][-1] if groups[-1] else None
            if last is not None and word.box[0] - (last.box[0] + last.box[2]) > gap:
                groups.append([])
            groups[-1].append(word)
        cells = []
        for group in (g for g in groups if g):
            first, stop = group[0].start, group[-1].end
            left = min(w.box[0] for w in group)
            # how high: the words of about the line's height (Tesseract gave "一" and
            # punctuation boxes two lines tall at 200 dpi, and a crop that tall holds
            # parts of the lines above and below, which a one-line reading mixes in)
            level = [w for w in group if w.box[3] <= TALL_WORD * size] or group
            top = min(w.box[1] for w in level)
            right = max(w.box[0] + w.box[2] for w in group)
            bottom = max(w.box[1] + w.box[3] for w in level)
            located = tuple(replace(w, start=w.start - first, end=w.end - first) for w in group)
            own_text = page.text[first:stop]
            for w in (page.words[k] for k in stray):  # stray words inside the cell blanked
                if first <= w.start and w.end <= stop:
                    own_text = (
                        own_text[: w.start - first]
                        + " " * (w.end - w.start)
                        + own_text[w.end - first :]
                    )
            reading = Reading(mend(own_text), located)
            cells.append(Cell((left, top, right - left, bottom - top), reading))
        lines.append(Line(page, index, text, tuple(cells)))
    return lines


def union_box(boxes: Iterable[Box]) -> Box:
    """The box round boxes (left, top, width, height)."""
    edges = [(b[0], b[1], b[0] + b[2], b[1] + b[3]) for b in boxes]
    left, top = min(e[0] for e in edges), min(e[1] for e in edges)
    return (left, top, max(e[2] for e in edges) - left, max(e[3] for e in edges) - top)
