"""Lines the first reading of a page left out, found again in its blank stretches.

Tesseract's layout analysis can pass over a whole line. On the sales-zh evaluation
scan it left out the bold clause heading "第一条 产品名称、规格、数量及金额" in every
page segmentation mode, so the approved clause looked deleted (a major difference on a
clean scan) and every clause after it looked moved. The stretch of the page between
the lines read around it, cut out and read on its own, reads it: at half the scan's
size (at its size, or 1.5 times it, Tesseract read nothing there).

``ocr-check`` reads a page's blank stretches only when an approved clause seems to be
missing from it (so a clean scan that reads well costs nothing), and only a stretch
whose reading holds that clause's letters, in order, counts: its lines are put back
among the page's lines where they stand, and the page is compared again. A clause that
is really not on the paper is in no blank stretch, and stays deleted.

Tesseract can also read a line in part: on the demo's purchase contract it read the bold
heading "第七条 交货" as "第七条", so the approved heading looked deleted. A line
that stops short of the text's right edge (``short_lines``) is read again across the
text's width, and that reading takes the line's place when it holds what the first
reading had and lines of the clause the scan seems to lack.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from contractctl.ocr.settle import letters

if TYPE_CHECKING:
    from contractctl.ocr.model import Box, PageText

__all__ = ["Missed", "Wanted", "blank_stretches", "find_missed", "with_missed"]

#: A blank stretch this many line heights tall may hold a line the first reading missed.
MISSED_GAP = 1.2
#: Above the first line and below the last, a stretch this many line heights tall.
EDGE_LINES = 4
#: Blank stretches are read at these scales (see the module docstring).
GAP_SCALES = (1.0, 0.5)
#: A line a stretch reads is part of a clause the scan seems to lack when this share of
#: its letters are the clause's, in order.
MISSED_MATCH = 0.85
#: ... and the lines of the clause that a stretch reads have this many letters at least
#: (or the whole clause's): a speck read as a letter is no missed line.
MIN_LETTERS = 4
#: A line ending this many line heights short of the text's right edge may have been
#: read in part.
SHORT_LINE = 2.0


@dataclass(frozen=True)
class Wanted:
    """An approved clause the scan seems to lack, where to look, and how to read it."""

    text: str
    page: int  # index of the page in the pages given to find_missed
    lang: str


@dataclass(frozen=True)
class Missed:
    """Lines a blank stretch of a page reads that hold an approved clause."""

    page: int  # index of the page in the pages given
    after: int  # line number in page.text the lines stand after (-1: before the first)
    lines: tuple[str, ...]
    #: the lines are line ``after`` read again across the text's width (they replace it)
    replaces: bool = False


def blank_stretches(lines: Sequence[tuple[int, Box]], height: int) -> list[tuple[int, Box]]:
    """The blank stretches of a page tall enough to hold a line: between its lines
    (given as (line number in page.text, box)), above the first and below the last, as
    (number of the line above, or -1; box across the text's width)."""
    if not lines:
        return []
    rows = sorted(lines, key=lambda line: line[1][1])
    heights = sorted(box[3] for _, box in rows)
    size = heights[len(heights) // 2]
    left = min(box[0] for _, box in rows)
    right = max(box[0] + box[2] for _, box in rows)
    out: list[tuple[int, Box]] = []
    above, bottom = -1, max(0, rows[0][1][1] - EDGE_LINES * size)
    end = min(height, max(b[1] + b[3] for _, b in rows) + EDGE_LINES * size)
    for index, top, low in [*((n, b[1], b[1] + b[3]) for n, b in rows), (-1, end, end)]:
        if top - bottom >= MISSED_GAP * size:
            out.append((above, (left, bottom + 2, right - left, top - bottom - 4)))
        if low > bottom:
            above, bottom = index, low
    return out


def short_lines(lines: Sequence[tuple[int, Box]]) -> list[tuple[int, Box]]:
    """The lines of a page that end ``SHORT_LINE`` line heights or more short of the
    text's right edge, each as (its line number, its box widened to that edge): a line
    Tesseract may have read in part."""
    if not lines:
        return []
    heights = sorted(box[3] for _, box in lines)
    size = heights[len(heights) // 2]
    right = max(box[0] + box[2] for _, box in lines)
    return [
        (index, (left, top, right - left, height))
        for index, (left, top, width, height) in lines
        if right - (left + width) >= SHORT_LINE * size
    ]


def find_missed(
    pages: Sequence[PageText],
    lines: Sequence[Sequence[tuple[int, Box]]],
    wanted: Sequence[Wanted],
    *,
    dpi: int,
    folder: Path,
    texts: Sequence[Mapping[int, str]] | None = None,
) -> list[list[Missed]]:
    """For each wanted clause, the lines of it that blank stretches of its page read
    (``lines``: each page's lines as (line number, box)), a Missed per stretch, the
    reading (of the stretch's scales) that holds most of the clause. One Tesseract per
    language and scale reads all the stretches. With ``texts`` (each page's lines as
    compared, by line number), the short lines are read again across the text's width
    too, and such a reading replaces its line when it holds the line's letters as first
    read and lines of the clause."""
    from contractctl.compare.normalise import comparison_form
    from contractctl.ocr.pipeline import available_cpus, cut_regions
    from contractctl.ocr.tesseract import read_images

    out: list[list[Missed]] = [[] for _ in wanted]
    jobs = sorted({(w.page, w.lang) for w in wanted if pages[w.page].image is not None})
    wants = [letters(comparison_form(w.text, ocr=True)) for w in wanted]
    regions: list[tuple[PageText, Box]] = []
    places: list[tuple[int, str, int, bool]] = []  # page, lang, line above, replaces it
    for page, lang in jobs:
        for above, box in blank_stretches(lines[page], pages[page].height):
            regions.append((pages[page], box))
            places.append((page, lang, above, False))
        mine = [wants[n] for n, w in enumerate(wanted) if (w.page, w.lang) == (page, lang)]
        if texts is None:
            continue
        for index, box in short_lines(lines[page]):
            # only a line that could be a clause the scan lacks, read in part ("第七条"
            # for "第七条 交货"): reading every short line again (each paragraph's last
            # line is one) made the check slower on clean scans
            first = letters(comparison_form(texts[page].get(index, ""), ocr=True))
            if first and any(covered(first, want) >= MISSED_MATCH for want in mine):
                regions.append((pages[page], box))
                places.append((page, lang, index, True))
    if not regions:
        return out
    crops = cut_regions(regions, folder, scales=GAP_SCALES, margin=4)
    tasks = [
        (scale, images, lang, [k for k, place in enumerate(places) if place[1] == lang])
        for scale, images in zip(GAP_SCALES, crops, strict=True)
        for lang in dict.fromkeys(lang for _, lang in jobs)
    ]

    def read(task: tuple[float, list[Path], str, list[int]]) -> list[tuple[int, str]]:
        scale, images, lang, mine = task
        base = folder / f"read-{lang.replace('+', '-')}-x{scale:g}"
        got = read_images([images[k] for k in mine], base, lang=lang, psm=6, dpi=round(dpi * scale))
        return [(k, t.text) for k, t in zip(mine, got, strict=True)]

    # one Tesseract per scale and language, as many at a time as there are cores (read
    # one after another, they left a core idle)
    with ThreadPoolExecutor(max_workers=max(1, min(available_cpus(), len(tasks)))) as pool:
        readings = [pair for done in pool.map(read, tasks) for pair in done]
    for n, clause in enumerate(wanted):
        want = wants[n]
        found: dict[int, tuple[float, tuple[str, ...]]] = {}  # stretch -> its best reading
        for k, text in readings:
            page, lang, index, replaces = places[k]
            if page != clause.page or lang != clause.lang:
                continue
            kept = _clause_lines(text, want)
            got = letters(comparison_form("".join(kept), ocr=True))
            if len(got) < min(len(want), MIN_LETTERS):
                continue
            if replaces:
                if texts is None or len(text.strip().split("\n")) != 1:
                    continue
                first = letters(comparison_form(texts[page][index], ocr=True))
                if not first or covered(first, got) < MISSED_MATCH or len(got) <= len(first):
                    continue  # not the line read again, or no more of it
            score = covered(want, got)
            if score > found.get(k, (-1.0, ()))[0]:
                found[k] = (score, kept)
        out[n] = [
            Missed(places[k][0], places[k][2], found[k][1], replaces=places[k][3])
            for k in sorted(found)
        ]
    return out


def _clause_lines(text: str, want: str) -> tuple[str, ...]:
    """The lines of a stretch's reading that are the clause's: their letters found in
    its letters, in order (``MISSED_MATCH`` of them)."""
    from contractctl.compare.normalise import comparison_form

    return tuple(
        line.strip()
        for line in text.split("\n")
        if (own := letters(comparison_form(line, ocr=True))) and covered(own, want) >= MISSED_MATCH
    )


def with_missed(lines: Sequence[Sequence[str]], found: Sequence[Missed]) -> list[list[str]]:
    """Pages' lines (as compared) with the missed lines put back where they stand."""
    out = [list(page) for page in lines]
    for missed in sorted(found, key=lambda m: (m.page, m.after, not m.replaces), reverse=True):
        at = missed.after + 1
        if missed.replaces:
            out[missed.page][missed.after] = missed.lines[0]
        else:
            out[missed.page][at:at] = list(missed.lines)
    return out


def covered(wanted: str, found: str) -> float:
    """The share of ``wanted`` found in ``found`` in order (difflib matching blocks)."""
    from difflib import SequenceMatcher

    if not wanted:
        return 0.0
    matcher = SequenceMatcher(None, wanted, found, autojunk=False)
    return sum(b.size for b in matcher.get_matching_blocks()) / len(wanted)
