"""Why a difference the second readings leave is OCR noise, or is not.

Part of ``ocr-check``'s second readings (contractctl.ocr.second_reading): after a clause's
lines are settled against the approved clause and compared again, what still differs
is OCR noise only for reasons OCR cannot verify (``doubts``): punctuation and spacing,
a table cell put a line up or down, capital numerals read as no capital numerals, a
character or two Tesseract doubted; in a party's name only Chinese characters no
reading read with confidence (``unread_name``); and a table read as sparse text that
has the approved cells and nothing else (``same_cells``). Everything else counts.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

from contractctl.ocr.settle import CURRENCY, LOW_CONFIDENCE, Spot, letters, mend_money

if TYPE_CHECKING:
    from contractctl.ocr.tesseract import Reading

__all__ = ["NOISE_CHARS", "doubts", "residue", "runs", "same_cells", "unread_name"]

#: A difference of at most this many characters can be noise.
NOISE_CHARS = 2
#: Capital numerals OCR garbles (柒 -> 染); 万, 元, 整 read reliably and are not here.
_CAPITALS = frozenset("零壹贰叁肆伍陆柒捌玖拾佰仟")
#: A dash between figures read as the CJK "one" (9:00—18:00 as 9:00一18:00).
_DASH_READ = re.compile(r"(?<=\d)\s?一\s?(?=\d)")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_WORDLIKE = re.compile(r"[0-9A-Za-z\u3400-\u9fff\uf900-\ufaff]")


def residue(ops: Sequence[tuple[str, str]]) -> int:
    """How many characters differ: letters deleted or inserted, less those a run's other
    side has too (``91440300MA5FQ9N37P`` read with one S more is one character)."""
    from difflib import SequenceMatcher

    total = 0
    for old, new in runs(ops):
        lost, extra = letters(old), letters(new)
        same = sum(
            b.size for b in SequenceMatcher(None, lost, extra, autojunk=False).get_matching_blocks()
        )
        total += len(lost) + len(extra) - 2 * same
    return total


def _differing(old: str, new: str) -> str:
    """The characters of ``old`` and ``new`` that the other does not have in its place."""
    from difflib import SequenceMatcher

    out = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag != "equal":
            out.append(old[i1:i2] + new[j1:j2])
    return "".join(out)


def runs(ops: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """The differences of a redline as (deleted, inserted) pairs, one per stretch
    between equal text."""
    runs: list[tuple[str, str]] = []
    deleted = inserted = ""
    for op, text in [*ops, ("equal", "")]:
        if op == "delete":
            deleted += text
        elif op == "insert":
            inserted += text
        elif deleted or inserted:
            runs.append((deleted, inserted))
            deleted = inserted = ""
    return runs


def same_cells(old: str, sparse: str, lone: Counter[str], lines: str | None = None) -> bool:
    """Whether a sparse reading of a clause has the approved clause's letters, words and
    numbers, each as often, whatever their order (punctuation aside), and nothing else.
    Sparse reading skips a lone character (a row number, a quantity of 1): one it
    misses counts when as many cells of the clause's lines read as that character alone
    (``lone``).

    ``lines``, the clause as its lines read (settled so far), is a second witness, as in
    ``settle``: an approved word either reading has is there, and a word the approved
    clause lacks stands only when both have it. The sparse reading read the ¥ of
    "¥23,160.00" as an 8 where the lines read it right, and the lines lost a lone "C"
    (the wrapped end of a cell) the sparse reading has; a changed cell is read changed
    by both."""
    from contractctl.compare.normalise import tokenise
    from contractctl.ocr.tesseract import Reading

    signs = {t.key for t in tokenise(old, ocr=True) if t.key in CURRENCY}

    def keys(text: str) -> Counter[str]:
        text = _DASH_READ.sub("-", text)
        if signs:
            text = mend_money(Reading(text, ()), signs).text
        return Counter(t.key for t in tokenise(text, ocr=True) if _WORDLIKE.search(t.key))

    approved, read = keys(old), keys(sparse)
    missing, extra = approved - read, read - approved
    if lines is not None:
        other = keys(lines)
        missing, extra = missing - other, extra & (other - approved)
    return not extra and all(len(key) == 1 and lone[key] >= approved[key] for key in missing)


def doubts(ops: Sequence[tuple[str, str]], spots: Sequence[Spot], approved: str) -> str | None:
    """Why the remaining differences are OCR noise, or None when one is not: each is
    punctuation or spacing, a whole table cell of the approved clause that the scan's
    lines put one line up or down, capital numerals read as no capital numerals at all,
    or a small spot OCR doubted (the readings disagree there, or Tesseract's confidence
    is low)."""
    reasons: list[str] = []
    stretches = runs(ops)
    cells = {letters(cell) for cell in re.split(r"\s{2,}|\n", approved)}
    taken = [letters(old) for old, new in stretches if not letters(new)]
    put = [letters(new) for old, new in stretches if not letters(old)]
    for old, new in stretches:
        lost, extra = letters(old), letters(new)
        if lost == extra:
            reasons.append("but for punctuation and spacing")
        elif (lost or extra) in cells and (lost or extra) in taken and (lost or extra) in put:
            # the same whole cell taken out in one place and put in another
            reasons.append("but for the table's layout")
        elif (
            lost
            and all(ch in _CAPITALS for ch in lost)
            and not any(ch in _CAPITALS for ch in extra)
            and all(_CJK.match(ch) for ch in extra)
            and len(extra) <= len(lost) + 1
        ):
            reasons.append("but for capital numerals OCR cannot read")
        elif (
            residue([("delete", old), ("insert", new)]) <= 2 * NOISE_CHARS
            and not any(ch.isdigit() for ch in _differing(lost, extra))
            and any(
                spot.doubtful and lost in letters(spot.approved) and extra in letters(spot.kept)
                for spot in spots
            )
        ):
            reasons.append("but for characters OCR is unsure of")
        else:
            return None
    return ", ".join(dict.fromkeys(reasons)) if reasons else None


def unread_name(
    ops: Sequence[tuple[str, str]],
    names: Sequence[str],
    readings: Sequence[Reading],
    spots: Sequence[Spot],
    approved: str,
) -> str | None:
    """Why a party's name that a clause's second readings still read changed is OCR
    noise, or None when it is not: each differing Chinese character of the name (one
    or two, no digit) is one no reading of the clause's lines (``readings``, the first
    among them) read with confidence, and read by at least two; every other difference
    is noise for ``doubts``. The fast chi_sim model read the 睿 of "深圳市睿拓信息服务有限
    公司" as 贮, 壮, 守 or 容, with confidence 0-9 in every reading; a character a forger
    changed is printed as clearly as the rest (the 达 of the evaluation set's lease-zh
    scan with 上海浦江 changed to 上海浦达 was read at 87-93)."""
    others: list[tuple[str, str]] = []
    for old, new in runs(ops):
        lost, extra = letters(old), letters(new)
        name = next((n for n in names if lost and lost in letters(n)), None)
        if name is None:
            others += [("delete", old), ("insert", new), ("equal", " ")]
        elif (
            len(lost) > NOISE_CHARS
            or len(extra) > NOISE_CHARS
            or not all(_CJK.match(ch) for ch in lost + extra)
            or not _unsure_everywhere(letters(name), lost, readings)
        ):
            return None
    reason = doubts(others, spots, approved) if others else ""
    if reason is None:
        return None
    return ", ".join(
        r for r in ("but for characters of a name no reading reads with confidence", reason) if r
    )


def _unsure_everywhere(name: str, lost: str, readings: Sequence[Reading]) -> bool:
    """Whether every reading that has the name's letters round ``lost`` has only words
    Tesseract doubted between them (and reads there other than ``lost``), and at least
    two readings do."""
    at = name.find(lost)
    before, after = name[max(0, at - 2) : at], name[at + len(lost) : at + len(lost) + 2]
    if at < 0 or not (before or after):
        return False
    spaced = r"\s*".join
    pattern = re.compile(
        spaced(map(re.escape, before)) + r"\s*(\S{1,4}?)\s*" + spaced(map(re.escape, after))
    )
    located = 0
    for reading in readings:
        for match in pattern.finditer(reading.text):
            start, end = match.span(1)
            confs = [w.conf for w in reading.words if w.start < end and w.end > start]
            if match.group(1) == lost or not confs or max(confs) >= LOW_CONFIDENCE:
                return False
            located += 1
    return located >= 2
