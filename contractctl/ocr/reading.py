"""How ``ocr-check`` reads a scan: its lines as compared, and second readings.

:func:`contractctl.ocr.lines.scan_lines` turns each OCR'd page into the lines the compare
engine gets: page headers and footers that OCR misread just enough to escape the engine
blanked, specks and words Tesseract read twice blanked, misread clause headings mended.

:class:`SecondReading` then judges each difference the engine reports before it
counts. The scan lines of the clause that the approved clause does not contain (a
table row cell by cell) are cut out of the page (the words' boxes are in the corrected
page's pixels; only a window round each line is turned, seal red dropped out) and read
again, one line at a time (``--psm 7``), with the script's own model: ``chi_sim`` alone
for Chinese, ``eng`` alone for English and for figures (the CJK model read "13%" as
"1396" where the English one did not). Lines a first round leaves a few characters
unsettled in are read once more, enlarged 1.5 times. Each line is then settled token by
token against the approved clause (``_settle``): an approved token stands when any
reading reads it in its place; text the approved clause lacks stands only where every
reading has text there; and the clause is compared again on the line as the readings
agree it reads. A difference that disappears is OCR noise, shown as minor with the
reason. What OCR cannot verify is not held against the scan, and said so:

- punctuation and spacing (Tesseract reads （ as 〈, 。 as °, puts a space into a long
  number);
- a currency sign before an amount (``¥2`` merges into one glyph, 竺; ``¥`` comes back
  as ``Y`` or is dropped): the digits are still compared one by one;
- Chinese capital numerals no reading reads as capital numerals at all (柒仟 comes back
  as 染什); capitals read as *other* capitals are a difference;
- a difference of a character or two (no digit among them) where the readings disagree
  or Tesseract's confidence is below ``LOW_CONFIDENCE`` (款 read as 秋, 蒜 and 亚);
- a whole table cell that the scan's lines put one line up or down, and the cells of a
  table whose rows wrap over several lines, checked as a sparse reading of the table
  (``--psm 11``) that must hold the approved clause's words and numbers, each as often,
  and nothing else.

Measured on the evaluation set of tests/bench/bench_ocr_check.py (purchase-zh,
service-en, lease-zh, nda-en, 3 pages each, clean and 6 tamperings, 200 and 300 dpi),
with the pages read in ``--psm 4`` against ``pdftotext -layout`` text: the compare
engine alone reported 18 critical or major differences on the 4 clean 300 dpi scans
(2-8 each, all OCR noise) and 22 at 200 dpi, and missed the new value of a changed
amount whose ``¥2`` merged into one glyph; after second readings 0 at 300 dpi and 4 at
200 dpi, with every tampering still found, the amount with its new value. On all 8
templates at 200 dpi the last 4 (on 3 of 8 clean scans) went with: a line's crop as high
as its words of about the line's height (``TALL_WORD``: two-line-tall boxes of "一" and
punctuation made crops that mixed in the lines above and below), text beyond a line's
ends put back only from a reading's edge (``ocr_settle``), and Φ read as 中.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contractctl.ocr.doubts import NOISE_CHARS, doubts, residue, same_cells, unread_name
from contractctl.ocr.lines import mend, stray_words
from contractctl.ocr.settle import (
    LOW_CONFIDENCE,
    Spot,
    compact,
    letters,
    settle,
)

if TYPE_CHECKING:
    from contractctl.compare import ClauseChange
    from contractctl.ocr import PageText
    from contractctl.ocr.gaps import Missed
    from contractctl.ocr.model import Box
    from contractctl.ocr.tesseract import Reading

__all__ = [
    "CJK_MODELS",
    "LOW_CONFIDENCE",
    "NOISE_CHARS",
    "SecondReading",
    "account_changed",
]

#: Tesseract models of CJK scripts (read alone on CJK lines in a second reading).
CJK_MODELS = frozenset({"chi_sim", "chi_tra", "jpn", "kor", "chi_sim_vert", "chi_tra_vert"})
#: Second readings: each line cut out at these scales (the second only for lines the
#: first left a few characters unsettled in), read as one text line.
REREAD_SCALES = (1.0, 1.5)
REREAD_PSM = 7
#: A second reading of a line with less than this share of the first reading's
#: characters failed (Tesseract found no line); it is no evidence that the text is noise.
MIN_REREAD_SHARE = 0.5
#: Second readings cut a line this many line heights wider at its two ends.
LINE_END_WIDEN = 0.8
#: A word taller than this many times its line's median height does not set how high
#: the line is cut for a second reading.
TALL_WORD = 1.5
#: A gap between words wider than this many line heights separates cells of a line.
CELL_GAP = 1.5
#: A difference of more letters than this after the first round of second readings is
#: not read a third time (a clearer reading settles a few characters, not a sentence).
MAX_RESIDUE = 12
_ACCOUNT = re.compile(r"\d{6,}")
#: A line of a table: three cells or more, apart by wide gaps (pdftotext -layout).
_TABLE_ROW = re.compile(r"^ *\S.*?\S {2,}\S.*?\S? {2,}\S", re.M)
_GAP = " \t\n\r\f\u3000|"  # what stands between tokens
_SIGNED_AMOUNT = re.compile(
    r"([¥$€£]\s?)?(?<![\d,.])(\d{1,3}(?:,\d{3})+(?:\.\d{2})?|\d+\.\d{2})(?![\d,])"
)
_DIGIT_GAP = re.compile(r"(?<=\d) (?=\d)")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN_WORDS = re.compile(r"[A-Za-z]{2,}")
#: Glyphs OCR cannot tell from a letter: × is read x, the diameter sign Φ (chi_sim has
#: no such glyph) 中.
_GLYPHS = str.maketrans({"×": "x", "Φ": "中", "φ": "中", "⌀": "中"})
_WORDLIKE = re.compile(r"[0-9A-Za-z\u3400-\u9fff\uf900-\ufaff]")


def account_changed(ops: list[tuple[str, str]]) -> bool:
    """A digit changed inside a long number (account, ID, credit code)."""
    old = "".join(t for op, t in ops if op in ("equal", "delete"))
    new = "".join(t for op, t in ops if op in ("equal", "insert"))
    changed = any(op != "equal" and any(c.isdigit() for c in t) for op, t in ops)
    # a space OCR put inside a long number does not change it
    old, new = (_DIGIT_GAP.sub("", text) for text in (old, new))
    return changed and set(_ACCOUNT.findall(old)) != set(_ACCOUNT.findall(new))


# --- second readings -----------------------------------------------------------------


@dataclass(frozen=True)
class _Cell:
    """A run of words of a line with no wide gap inside (a table cell, or the whole
    line of running text): where it stands, and its first reading."""

    box: tuple[int, int, int, int]  # corrected page pixels
    reading: Reading  # words located in reading.text


@dataclass(frozen=True)
class _Line:
    """One line of a scan page's text (as compared) and its cells."""

    page: PageText
    index: int  # line number in page.text
    text: str
    cells: tuple[_Cell, ...]

    @property
    def key(self) -> tuple[int, int]:
        """(page number, line number): the line's name in second readings."""
        return (self.page.number, self.index)

    @property
    def conf(self) -> float:
        """Mean confidence of the first reading's words."""
        confs = [w.conf for cell in self.cells for w in cell.reading.words]
        return sum(confs) / len(confs) if confs else 0.0


def _page_lines(page: PageText, texts: Sequence[str]) -> list[_Line]:
    """The lines of a page that have located words, split into cells at wide gaps
    (``CELL_GAP`` times the line's height) and at table rules read as ``|``. ``texts``
    are the page's lines as compared (``scan_lines``), one per line of ``page.text``."""
    from dataclasses import replace

    from contractctl.ocr.tesseract import Reading

    stray = stray_words(page)
    kept = [w for k, w in enumerate(page.words) if k not in stray and w.end > w.start]
    lines: list[_Line] = []
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
            cells.append(_Cell((left, top, right - left, bottom - top), reading))
        lines.append(_Line(page, index, text, tuple(cells)))
    return lines


class SecondReading:
    """Differences judged on all the readings of their lines (see the module docstring).

    ``review`` takes the suspect differences (critical or major, modified or added) and
    judges each first on its first reading alone (``judge``: each line that does not fit
    the approved clause settled by ``ocr_settle.settle``, the clause compared again);
    the lines still not fitting are then read again, cut out of the page, with the
    script's own model, at the scan's size and, for the differences left with a few
    characters, enlarged 1.5 times; a table clause still differing is read once more
    as sparse text.
    """

    def __init__(
        self,
        pages: Sequence[PageText],
        texts: Sequence[Sequence[str]],
        lang: str,
        *,
        dpi: int,
        workers: int | None,
        folder: Path,
    ) -> None:
        self.pages = list(pages)
        self.lines = [_page_lines(page, lines) for page, lines in zip(pages, texts, strict=True)]
        codes = [code for code in lang.split("+") if code and code != "osd"]
        self.cjk_lang = "+".join(c for c in codes if c in CJK_MODELS) or None
        self.latin_lang = "+".join(c for c in codes if c not in CJK_MODELS) or None
        self.dpi = dpi
        self.workers = workers
        self.folder = folder
        #: per change (by id): the lines a reading left spots in, the letters still differing
        self.unsettled: dict[int, set[tuple[int, int]]] = {}
        self.residue: dict[int, int] = {}
        #: (page, line, cell) -> the second readings of that cell: (setting, reading)
        self.readings: dict[tuple[int, int, int], list[tuple[str, Reading]]] = {}

    def review(
        self, suspects: Sequence[tuple[ClauseChange, dict[str, Any]]]
    ) -> list[dict[str, Any]]:
        """The suspects' items judged again (same order): see the class docstring."""
        # the first reading settled alone first: punctuation, a lost currency sign, a
        # character Tesseract doubted need no second reading
        results = [self.judge(*suspect) for suspect in suspects]
        pending = [k for k in range(len(suspects)) if results[k]["severity"] != "minor"]
        # The sparse reading of tables does not depend on the rounds below: started now,
        # beside them, it no longer adds its own Tesseract start and model load to the
        # check's wall time (pending only shrinks, so it covers every table left after).
        guess = [k for k in pending if _TABLE_ROW.search(suspects[k][0].old or "")]
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="tables") as early:
            sparse_all = (
                early.submit(self._read_tables, [suspects[k][0] for k in guess]) if guess else None
            )
            self._rounds(suspects, results, pending)
            pending = [k for k in pending if results[k]["severity"] != "minor"]
            tables = [k for k in pending if _TABLE_ROW.search(suspects[k][0].old or "")]
            if tables and sparse_all is not None:
                by_guess = dict(zip(guess, sparse_all.result(), strict=True))
                for k in tables:
                    self._judge_table(suspects[k][0], results, k, by_guess[k])
        return results

    def _rounds(
        self,
        suspects: Sequence[tuple[ClauseChange, dict[str, Any]]],
        results: list[dict[str, Any]],
        pending: list[int],
    ) -> None:
        """Second readings at each of REREAD_SCALES, judging ``results`` again in place."""
        for round_number, scale in enumerate(REREAD_SCALES):
            # after the first round, only what a clearer reading may yet settle: lines
            # with a few characters unconfirmed
            wanted = [
                k
                for k in pending
                if not round_number or self.residue.get(id(suspects[k][0]), 0) <= MAX_RESIDUE
            ]
            jobs: dict[str, dict[tuple[int, int], _Line]] = {}
            for k in wanted:
                change = suspects[k][0]
                for _, line in self.suspicious_lines(change):
                    if line.page.image is None:
                        continue
                    if line.key not in self.unsettled.get(id(change), set()):
                        continue
                    for lang in self.languages(change, line):
                        jobs.setdefault(lang, {})[line.key] = line
            if not jobs:
                break
            self._read(jobs, scale)
            for k in wanted:
                results[k] = self.judge(*suspects[k])
            pending = [k for k in pending if results[k]["severity"] != "minor"]

    def _judge_table(
        self,
        change: ClauseChange,
        results: list[dict[str, Any]],
        k: int,
        text: str | None,
    ) -> None:
        """A table clause still pending after the rounds: noise when its sparse reading
        ``text`` reads the same cells."""
        lone = self._lone_cells(change)
        lines = results[k].get("new")
        if text is not None and same_cells(_approved(change), text, lone, lines):
            results[k] = {
                **results[k],
                "severity": "minor",
                "semantic": [],
                "table_reading": text,
                "note": "OCR noise: the table reads the same cell for cell; OCR "
                "cannot tell the order of its wrapped lines",
            }

    def missed(self, deleted: Sequence[tuple[ClauseChange, int | None]]) -> list[Missed]:
        """For approved clauses the scan seems to lack, each with the index of the page
        it should be on: the lines of them that the page's blank stretches read
        (contractctl.ocr.gaps: Tesseract can leave out a bold heading entirely)."""
        from contractctl.ocr.gaps import Wanted, find_missed

        wanted: list[Wanted] = []
        for change, page in deleted:
            if page is None or not 0 <= page < len(self.pages):
                continue
            old = change.old or ""
            cjk = self.cjk_lang if _CJK.search(old) else None
            lang = cjk or self.latin_lang or self.cjk_lang or "eng"
            wanted.append(Wanted(old, page, lang))
        boxes = [
            [(line.index, _union(c.box for c in line.cells)) for line in page_lines]
            for page_lines in self.lines
        ]
        texts = [{line.index: line.text for line in page_lines} for page_lines in self.lines]
        found = find_missed(
            self.pages, boxes, wanted, dpi=self.dpi, folder=self.folder / "gaps", texts=texts
        )
        return [missed for stretches in found for missed in stretches]

    def _readings_of(self, change: ClauseChange) -> list[Reading]:
        """Every reading of the cells of a change's lines, the first reading first."""
        return [
            reading
            for _, line in self.lines_of(change)
            for c, cell in enumerate(line.cells)
            for reading in [cell.reading, *(r for _, r in self.readings.get((*line.key, c), []))]
        ]

    def _lone_cells(self, change: ClauseChange) -> Counter[str]:
        """How often the change's lines have each one-character token (the most any
        reading of a cell has, cell by cell): what the sparse reading may skip."""
        from contractctl.compare.normalise import tokenise

        counts: Counter[str] = Counter()
        for _, line in self.lines_of(change):
            for c, cell in enumerate(line.cells):
                texts = [cell.reading.text] + [
                    r.text for _, r in self.readings.get((*line.key, c), [])
                ]
                best: Counter[str] = Counter()
                for text in texts:
                    best |= Counter(t.key for t in tokenise(text, ocr=True) if len(t.key) == 1)
                counts.update(best)
        return counts

    def _read_tables(self, changes: Sequence[ClauseChange]) -> list[str | None]:
        """Each change's lines read again as one region per page, as sparse text
        (``--psm 11``: every run of text on its own, wherever it stands), which reads the
        cells of a table whose rows wrap, where one column of lines mixes them up."""
        from contractctl.ocr.pipeline import cut_regions
        from contractctl.ocr.tesseract import read_images

        regions: list[tuple[PageText, tuple[int, int, int, int]]] = []
        owner: list[int] = []
        langs: list[str] = []
        for n, change in enumerate(changes):
            located = [line for _, line in self.lines_of(change) if line.page.image is not None]
            by_page: dict[int, list[_Line]] = {}
            for line in located:
                by_page.setdefault(line.page.number, []).append(line)
            for lines in by_page.values():
                boxes = [cell.box for line in lines for cell in line.cells]
                left = min(b[0] for b in boxes)
                top = min(b[1] for b in boxes)
                right = max(b[0] + b[2] for b in boxes)
                bottom = max(b[1] + b[3] for b in boxes)
                regions.append((lines[0].page, (left, top, right - left, bottom - top)))
                owner.append(n)
            langs.append(self.languages(change, located[0])[0] if located else "")
        out: list[str | None] = [None] * len(changes)
        if not regions:
            return out
        folder = self.folder / "tables"
        [crops] = cut_regions(regions, folder, scales=(1.0,), margin=4)
        texts: dict[int, list[str]] = {}
        for lang in dict.fromkeys(langs):
            wanted = [k for k, n in enumerate(owner) if langs[n] == lang]
            readings = read_images(
                [crops[k] for k in wanted], folder / "sparse", lang=lang, psm=11, dpi=self.dpi
            )
            for k, reading in zip(wanted, readings, strict=True):
                texts.setdefault(owner[k], []).append(reading.text)
        for n, parts in texts.items():
            out[n] = "\n".join(parts)
        return out

    def lines_of(self, change: ClauseChange) -> list[tuple[int, _Line]]:
        """The scan lines of a change's scanned text: (line number in ``change.new``,
        line), found in order from the change's page on."""
        if not change.new:
            return []
        first = max(0, min(len(self.pages), change.page) - 1)
        flat = [line for lines in self.lines[first:] for line in lines]
        found: list[tuple[int, _Line]] = []
        at = 0
        for number, text in enumerate(change.new.split("\n")):
            wanted = text.rstrip()
            if not wanted.strip():
                continue
            for j in range(at, min(len(flat), at + 40)):
                candidate = flat[j].text.rstrip()
                if candidate == wanted or (
                    candidate.endswith("-") and wanted.startswith(candidate)  # joined
                ):
                    found.append((number, flat[j]))
                    at = j + 1
                    break
        return found

    def suspicious_lines(
        self, change: ClauseChange, texts: Sequence[str] | None = None
    ) -> list[tuple[int, _Line]]:
        """The change's scan lines that may hold a difference: a line (or a table cell
        of one) with letters, digits or CJK characters the approved clause does not
        have there, one that lost the currency sign of an amount, and the lines on
        either side of approved text no line has (a character lost at a line's start or
        end). Punctuation and spacing aside. ``texts`` are the lines of the change's
        text as settled so far (default: as first read), by line number."""
        from contractctl.compare.normalise import comparison_form

        approved = letters(comparison_form(_approved(change), ocr=True))
        located = self.lines_of(change)
        own = texts if texts is not None else (change.new or "").split("\n")
        marked: set[int] = set()
        signed = {  # amounts the approved clause prints with a currency sign
            m.group(2) for m in _SIGNED_AMOUNT.finditer(change.old or "") if m.group(1)
        }
        position = 0
        previous: int | None = None
        for k, (number, _) in enumerate(located):
            text = own[number]
            cells = [letters(comparison_form(c, ocr=True)) for c in re.split(r"\s{2,}|\|", text)]
            cells = [c for c in cells if c]
            if not cells:
                continue
            if any(m.group(2) in signed and not m.group(1) for m in _SIGNED_AMOUNT.finditer(text)):
                marked.add(k)  # the sign lost (Tesseract merges or drops it)
            joined = "".join(cells)
            at = approved.find(joined, position)
            if len(cells) > 1 and at < 0:
                # a table row out of the approved layout's order: its cells anywhere in
                # the clause (a row printed in order, "法定代表人：  黄志坚", is a line)
                if any(c not in approved for c in cells):
                    marked.add(k)
                continue
            if at < 0:
                marked.add(k)
                continue
            if at > position:  # approved text between this line and the one before
                marked.add(k)
                if previous is not None:
                    marked.add(previous)
            position = at + len(joined)
            previous = k
        if previous is not None and position < len(approved):
            marked.add(previous)
        return [located[k] for k in sorted(marked)]

    def languages(self, change: ClauseChange, line: _Line) -> list[str]:
        """The models to read a line with: the CJK model alone where the approved
        clause is Chinese (or the line shows CJK, or reads badly: the English model's
        garbage for Chinese), the Latin one where the clause is English, the line has
        English words read well, or figures."""
        old = change.old or ""
        cjk = len(_CJK.findall(old))
        latin = len(_LATIN_WORDS.findall(old))
        wanted: list[str] = []
        if (
            self.cjk_lang
            and cjk
            and (cjk >= 2 * latin or _CJK.search(line.text) or line.conf < LOW_CONFIDENCE)
        ):
            wanted.append(self.cjk_lang)
        if self.latin_lang and (
            (
                latin >= 2
                and (
                    2 * latin > cjk
                    or (len(_LATIN_WORDS.findall(line.text)) >= 2 and line.conf >= LOW_CONFIDENCE)
                )
            )
            # figures: the CJK model read "13%" as "1396" where the English one did not
            or (bool(wanted) and re.search(r"\d", line.text) is not None)
        ):
            wanted.append(self.latin_lang)
        return wanted or [self.cjk_lang or self.latin_lang or "eng"]

    def _read(self, jobs: dict[str, dict[tuple[int, int], _Line]], scale: float) -> None:
        """Read the cells of the lines of ``jobs`` (language -> lines) at ``scale``: one
        Tesseract per language for all its cells, ``workers`` at a time."""
        from contractctl.ocr.pipeline import available_cpus, cut_regions
        from contractctl.ocr.tesseract import read_images

        union: dict[tuple[int, int, int], tuple[PageText, tuple[int, int, int, int]]] = {}
        for lines in jobs.values():
            for line in lines.values():
                edges = [0, *(c.box[0] for c in line.cells[1:])]
                ends = [c.box[0] + c.box[2] for c in line.cells[:-1]]
                for c, cell in enumerate(line.cells):
                    left, top, width, height = cell.box
                    # a character the first reading lost at either end of a cell (so
                    # outside its words' boxes) is cut out with it: at the line's ends,
                    # and between cells up to half the gap (the English model's reading
                    # of "上海我们科技有限公司" ended a character short, where a wide gap
                    # before the next cell began)
                    wide = round(LINE_END_WIDEN * height)
                    before = wide if c == 0 else max(0, min(wide, (left - ends[c - 1]) // 2))
                    after = (
                        wide
                        if c + 1 == len(line.cells)
                        else max(0, min(wide, (edges[c + 1] - left - width) // 2))
                    )
                    box = (max(0, left - before), top, width + before + after, height)
                    union[(*line.key, c)] = (line.page, box)
        keys = list(union)
        folder = self.folder / f"x{scale:g}"
        [crops] = cut_regions([union[k] for k in keys], folder, scales=(scale,))
        crop_of = dict(zip(keys, crops, strict=True))

        def run(lang: str) -> tuple[str, list[tuple[int, int, int]], list[Reading]]:
            wanted = [
                (*line.key, c) for line in jobs[lang].values() for c in range(len(line.cells))
            ]
            base = folder / f"read-{lang.replace('+', '-')}"
            readings = read_images(
                [crop_of[k] for k in wanted],
                base,
                lang=lang,
                psm=REREAD_PSM,
                dpi=round(self.dpi * scale),
            )
            return lang, wanted, readings

        count = max(1, min(self.workers or available_cpus(), len(jobs)))
        with ThreadPoolExecutor(max_workers=count, thread_name_prefix="reread") as pool:
            for lang, wanted, readings in pool.map(run, list(jobs)):
                for key, reading in zip(wanted, readings, strict=True):
                    self.readings.setdefault(key, []).append((f"{lang} x{scale:g}", reading))

    def judge(self, change: ClauseChange, item: dict[str, Any]) -> dict[str, Any]:
        """One difference judged on all the readings of its suspicious lines."""
        from dataclasses import replace

        from contractctl.compare import compare
        from contractctl.compare.normalise import tokenise

        approved = tokenise(_approved(change), ocr=True)
        lines = (change.new or "").split("\n")
        spots: list[Spot] = []
        unsettled: set[tuple[int, int]] = set()
        read_again = False
        for number, line in self.suspicious_lines(change):
            parts = []
            before = len(spots)
            for c, cell in enumerate(line.cells):
                options = [cell.reading]
                for _, reading in self.readings.get((*line.key, c), []):
                    first, second = compact(cell.reading.text), compact(reading.text)
                    if (
                        len(second) < MIN_REREAD_SHARE * len(first)
                        and cell.reading.mean_conf >= LOW_CONFIDENCE
                    ):
                        continue  # a failed reading is no evidence
                    options.append(replace(reading, text=mend(reading.text)))
                    read_again = True
                text, found = settle(approved, options)
                parts.append(text)
                spots += found
            lines[number] = "   ".join(parts)
            if len(spots) > before:
                unsettled.add(line.key)
        # the lines that still do not fit the approved clause are read (again)
        self.unsettled[id(change)] = {
            line.key for _, line in self.suspicious_lines(change, lines)
        } | unsettled
        text = "\n".join(lines)
        result = compare(_approved(change), text, ocr_tolerant=True)
        self.residue[id(change)] = residue([op for c in result.changes for op in c.ops])
        how = "a second reading" if read_again else "the reading"
        noise = {**item, "severity": "minor", "semantic": [], "second_reading": text}
        if not result.changes:
            return {**noise, "note": f"OCR noise: {how} agrees with the approved text"}
        ops = [op for c in result.changes for op in c.ops]
        semantic = [s for c in result.changes for s in c.semantic]
        severity = "critical" if semantic or account_changed(ops) else "major"
        names = [s.old for s in semantic if s.what == "party" and s.old]
        if severity == "major":
            why = doubts(ops, spots, _approved(change))
        elif names and len(names) == len(semantic) and not account_changed(ops):
            why = unread_name(ops, names, self._readings_of(change), spots, _approved(change))
        else:
            why = None
        if why is not None:
            return {**noise, "note": f"OCR noise: {how} agrees with the approved text, {why}"}
        inserted = "".join(t for op, t in ops if op == "insert")
        return {
            **item,
            "severity": severity,
            "new": text,
            "scanned": text,
            "first_reading": change.new,
            "ops": [[op, t] for op, t in ops],
            "semantic": [s.to_dict() for s in semantic],
            "confidence": _confidence_of(self.lines_of(change), inserted, item.get("confidence")),
            "note": f"{how} of the line(s) confirms it" if read_again else None,
        }


def _union(boxes: Iterable[Box]) -> Box:
    """The box round boxes (left, top, width, height)."""
    edges = [(b[0], b[1], b[0] + b[2], b[1] + b[3]) for b in boxes]
    left, top = min(e[0] for e in edges), min(e[1] for e in edges)
    return (left, top, max(e[2] for e in edges) - left, max(e[3] for e in edges) - top)


def _approved(change: ClauseChange) -> str:
    """A change's approved text as second readings compare with it: with the glyphs OCR
    cannot tell from letters (× read as x) as those letters."""
    return (change.old or "").translate(_GLYPHS)


def _confidence_of(lines: Sequence[tuple[int, _Line]], snippet: str, default: Any) -> float | None:
    """The first reading's confidence where ``snippet`` was read on these lines."""
    probe = snippet.strip()[:12]
    for _, line in lines:
        for cell in line.cells:
            at = cell.reading.text.find(probe) if probe else -1
            if at >= 0:
                confs = [
                    w.conf for w in cell.reading.words if w.end > at and w.start < at + len(probe)
                ]
                if confs:
                    return round(min(confs), 1)
    return float(default) if default is not None else None
