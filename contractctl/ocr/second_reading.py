"""Second readings of ``ocr-check``: each difference judged on all the readings of its lines.

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
ends put back only from a reading's edge (contractctl.ocr.settle), and Φ read as 中.

The work is shared out: this module weighs the readings and judges; where a page's
lines and their cells stand is contractctl.ocr.cells; cutting them out and reading them
again with Tesseract, contractctl.ocr.reread; settling a line token by token,
contractctl.ocr.settle; why what still differs is noise, contractctl.ocr.doubts; lines
the first reading left out, contractctl.ocr.gaps.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contractctl.ocr.cells import Line, located_lines, union_box
from contractctl.ocr.doubts import doubts, residue, same_cells, unread_name
from contractctl.ocr.lines import mend
from contractctl.ocr.reread import CJK, CJK_MODELS, languages, read_cells, read_tables
from contractctl.ocr.settle import (
    LOW_CONFIDENCE,
    Spot,
    compact,
    letters,
    settle,
)

if TYPE_CHECKING:
    from contractctl.compare import ClauseChange
    from contractctl.ocr.gaps import Missed
    from contractctl.ocr.model import PageText
    from contractctl.ocr.tesseract import Reading

__all__ = ["SecondReading", "account_changed"]

#: Second readings: each line cut out at these scales (the second only for lines the
#: first left a few characters unsettled in), read as one text line.
REREAD_SCALES = (1.0, 1.5)
#: A second reading of a line with less than this share of the first reading's
#: characters failed (Tesseract found no line); it is no evidence that the text is noise.
MIN_REREAD_SHARE = 0.5
#: A difference of more letters than this after the first round of second readings is
#: not read a third time (a clearer reading settles a few characters, not a sentence).
MAX_RESIDUE = 12
_ACCOUNT = re.compile(r"\d{6,}")
#: A line of a table: three cells or more, apart by wide gaps (pdftotext -layout).
_TABLE_ROW = re.compile(r"^ *\S.*?\S {2,}\S.*?\S? {2,}\S", re.M)
_SIGNED_AMOUNT = re.compile(
    r"([¥$€£]\s?)?(?<![\d,.])(\d{1,3}(?:,\d{3})+(?:\.\d{2})?|\d+\.\d{2})(?![\d,])"
)
_DIGIT_GAP = re.compile(r"(?<=\d) (?=\d)")
#: Glyphs OCR cannot tell from a letter: × is read x, the diameter sign Φ (chi_sim has
#: no such glyph) 中.
_GLYPHS = str.maketrans({"×": "x", "Φ": "中", "φ": "中", "⌀": "中"})


def account_changed(ops: list[tuple[str, str]]) -> bool:
    """A digit changed inside a long number (account, ID, credit code)."""
    old = "".join(t for op, t in ops if op in ("equal", "delete"))
    new = "".join(t for op, t in ops if op in ("equal", "insert"))
    changed = any(op != "equal" and any(c.isdigit() for c in t) for op, t in ops)
    # a space OCR put inside a long number does not change it
    old, new = (_DIGIT_GAP.sub("", text) for text in (old, new))
    return changed and set(_ACCOUNT.findall(old)) != set(_ACCOUNT.findall(new))


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
        self.lines = [located_lines(page, lines) for page, lines in zip(pages, texts, strict=True)]
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
            jobs: dict[str, dict[tuple[int, int], Line]] = {}
            for k in wanted:
                change = suspects[k][0]
                for _, line in self.suspicious_lines(change):
                    if line.page.image is None:
                        continue
                    if line.key not in self.unsettled.get(id(change), set()):
                        continue
                    for lang in languages(change, line, self.cjk_lang, self.latin_lang):
                        jobs.setdefault(lang, {})[line.key] = line
            if not jobs:
                break
            for key, setting, reading in read_cells(
                jobs, scale, dpi=self.dpi, workers=self.workers, folder=self.folder
            ):
                self.readings.setdefault(key, []).append((setting, reading))
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
            cjk = self.cjk_lang if CJK.search(old) else None
            lang = cjk or self.latin_lang or self.cjk_lang or "eng"
            wanted.append(Wanted(old, page, lang))
        boxes = [
            [(line.index, union_box(c.box for c in line.cells)) for line in page_lines]
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
        located = [
            [line for _, line in self.lines_of(change) if line.page.image is not None]
            for change in changes
        ]
        langs = [
            languages(change, lines[0], self.cjk_lang, self.latin_lang)[0] if lines else ""
            for change, lines in zip(changes, located, strict=True)
        ]
        return read_tables(located, langs, dpi=self.dpi, folder=self.folder)

    def lines_of(self, change: ClauseChange) -> list[tuple[int, Line]]:
        """The scan lines of a change's scanned text: (line number in ``change.new``,
        line), found in order from the change's page on."""
        if not change.new:
            return []
        first = max(0, min(len(self.pages), change.page) - 1)
        flat = [line for lines in self.lines[first:] for line in lines]
        found: list[tuple[int, Line]] = []
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
    ) -> list[tuple[int, Line]]:
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


def _approved(change: ClauseChange) -> str:
    """A change's approved text as second readings compare with it: with the glyphs OCR
    cannot tell from letters (× read as x) as those letters."""
    return (change.old or "").translate(_GLYPHS)


def _confidence_of(lines: Sequence[tuple[int, Line]], snippet: str, default: Any) -> float | None:
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
