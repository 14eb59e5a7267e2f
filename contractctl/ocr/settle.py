"""One line of a scan settled against the approved clause, token by token.

Part of ``ocr-check``'s second readings (contractctl.ocr.second_reading): a line (or table
cell) has its first reading and the second ones; :func:`settle` finds the line's place
in the approved clause, takes each approved token there as read when any reading reads
it in its place, and text the approved clause lacks as there only where every reading
has it, and rebuilds the line: confirmed stretches in the approved wording, elsewhere
what the readings have that is closest to the approved text, each such place kept as a
:class:`Spot` (what was approved, what is kept, whether OCR doubted it). Approved text
beyond the first reading's ends comes back only from a reading that has it at its own
start or end.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from contractctl.compare.normalise import Token
    from contractctl.ocr.tesseract import Reading

__all__ = ["CURRENCY", "LOW_CONFIDENCE", "Spot", "compact", "letters", "mend_money", "settle"]

#: Below this word confidence (0-100), a reading doubts what it read.
LOW_CONFIDENCE = 75.0
#: A token this like an approved one (difflib ratio, 4 characters or more) is taken to
#: be that one misread, to place a line that has no token of the approved clause.
NEAR_TOKEN = 0.75
CURRENCY = frozenset("¥$€£")
#: A reading that has approved text beyond the first reading's ends has it at its own
#: edge when it places no more than this many other letters before (after) it.
EDGE_NOISE = 2
_GAP = " \t\n\r\f\u3000|"  # what stands between tokens
_WORDLIKE = re.compile(r"[0-9A-Za-z\u3400-\u9fff\uf900-\ufaff]")


def compact(text: str) -> str:
    """The text without whitespace."""
    return "".join(text.split())


def letters(text: str) -> str:
    """The letters, digits and CJK characters of a text: what a difference is made of."""
    return "".join(_WORDLIKE.findall(text))


@dataclass(frozen=True)
class Spot:
    """A place in a line where no reading reads the approved text: what was approved
    there, what the scan is taken to say, and whether OCR doubted it (the readings
    disagree there, or Tesseract gave it a low confidence)."""

    approved: str
    kept: str
    doubtful: bool


def settle(approved: Sequence[Token], readings: Sequence[Reading]) -> tuple[str, list[Spot]]:
    """One line (or table cell) as its readings (the first reading first) agree it
    reads, token by token against the approved clause, and the spots where they do not
    confirm it.

    The line's place in the approved clause is found from the longest stretch the
    reading that agrees best has in common with it. An approved token there is
    confirmed when any reading has it in its place; text the approved clause lacks
    stands only where every reading has text there. Not verifiable, so not held against
    the scan: punctuation, and a currency sign before a number (Tesseract merges ``¥2``
    into one glyph, reads ``¥`` as ``Y`` or drops it). Confirmed stretches take the
    approved wording; elsewhere the line keeps what the readings have there that is
    closest to the approved text, and the spot is recorded.
    """
    from difflib import SequenceMatcher

    from contractctl.compare.inline import opcodes
    from contractctl.compare.normalise import tokenise

    akeys = [t.key for t in approved]
    signs = {t.key for t in approved if t.key in CURRENCY}
    if signs:
        readings = [mend_money(reading, signs) for reading in readings]
    parsed = [(reading, tokenise(reading.text, ocr=True)) for reading in readings]
    primary_reading, primary = max(parsed, key=lambda p: _agreement(p[1], akeys))
    matcher = SequenceMatcher(None, [t.key for t in primary], akeys, autojunk=False)
    anchor = matcher.find_longest_match(0, len(primary), 0, len(akeys))
    if not anchor.size:
        anchor = _nearest_token(primary, akeys)
    if not anchor.size:
        return primary_reading.text, [Spot("", primary_reading.text, _doubted(parsed))]
    slack = 2 + len(primary) // 8
    a0 = max(0, anchor.b - anchor.a - slack)
    a1 = min(len(akeys), anchor.b + len(primary) - anchor.a + slack)
    region = list(approved[a0:a1])
    size = len(region)
    confirmed = [False] * size
    # read at a reading's start or end (nothing much it does not place before or after)
    at_start, at_end = [False] * size, [False] * size
    surplus = [True] * (size + 1)
    aligned: list[_Aligned] = []
    for reading, tokens in parsed:
        codes = opcodes(region, tokens)
        marks = [False] * (size + 1)
        for tag, i1, i2, j1, j2 in codes:
            if tag == "equal":
                for i in range(i1, i2):
                    confirmed[i] = True
                continue
            extra = tokens[j1:j2]
            if j2 - j1 > i2 - i1 and any(_WORDLIKE.search(t.key) for t in extra):
                for g in range(i1, i2 + 1):
                    marks[g] = True
        surplus = [a and b for a, b in zip(surplus, marks, strict=True)]
        _mark_edges(codes, tokens, at_start, at_end)
        starts = dict(zip(map(id, tokens), _token_starts(reading.text, tokens), strict=True))
        aligned.append(_Aligned(reading, tokens, codes, starts))
    matched = sum(i2 - i1 for tag, i1, i2, *_ in _codes_of(aligned, primary_reading))
    if matched * 2 < sum(1 for t in primary if _WORDLIKE.search(t.key)):
        # mostly not in the approved clause as one stretch: the best reading as it is
        return primary_reading.text, [Spot("", primary_reading.text, _doubted(parsed))]

    def settled(i: int) -> bool:
        key = region[i].key
        return (
            confirmed[i]
            or not _WORDLIKE.search(key)  # punctuation
            or (key in CURRENCY and i + 1 < size and region[i + 1].key[:1].isdigit())
        )

    codes = _codes_of(aligned, primary_reading)
    first = next((k for k, op in enumerate(codes) if op[0] != "delete"), len(codes))
    last = max((k for k, op in enumerate(codes) if op[0] != "delete"), default=-1)
    pieces: list[str] = []
    spots: list[Spot] = []
    for k, (tag, i1, i2, j1, j2) in enumerate(codes):
        if tag == "equal":
            pieces += [t.text for t in primary[j1:j2]]
            continue
        if k < first or k > last:
            # approved text beyond the primary reading's ends: another line's, but for
            # what other readings read next to this line (a character lost at its edge)
            # read where it stands: at a reading's start (its end), not in the middle of
            # what the English model made of a Chinese line ("AAR; Heme, CF wibetih 10")
            run = range(i1, i2)
            edge = at_start if k < first else at_end
            held = [
                edge[i] or (region[i].key in CURRENCY and i + 1 < size and edge[i + 1])
                for i in range(size)
            ]
            keep = (
                [i for i in run if i >= _contiguous_from(held, i2, -1)]
                if k < first
                else [i for i in run if i < _contiguous_from(held, i1, 1)]
            )
            if keep:
                for i in keep:
                    _append(pieces, region[i].text)
            continue
        if all(settled(i) for i in range(i1, i2)) and not any(surplus[i1 : i2 + 1]):
            for t in region[i1:i2]:
                _append(pieces, t.text)
            continue
        want = "".join(t.key for t in region[i1:i2])
        variants = [v for v in (_variant(a, i1, i2) for a in aligned) if v is not None]
        best = max(
            variants,
            key=lambda v: (
                SequenceMatcher(None, "".join(t.key for t in v[0]), want).ratio(),
                v[1].reading is primary_reading,
                -len(v[0]),
            ),
        )
        kept = "".join(t.text for t in best[0])
        if any(t.key in CURRENCY for t in region[i1:i2]) and not any(
            t.key in CURRENCY for t in best[0]
        ):
            kept = _put_sign(kept, next(t.key for t in region[i1:i2] if t.key in CURRENCY))
        _append(pieces, kept)
        distinct = {"".join(t.key for t in v[0]) for v in variants}
        doubtful = len(distinct) > 1 or any(_low_confidence(v[1], v[0]) for v in variants)
        spots.append(Spot("".join(t.text for t in region[i1:i2]), kept, doubtful))
    return "".join(pieces), spots


def _mark_edges(
    codes: Sequence[tuple[str, int, int, int, int]],
    tokens: Sequence[Token],
    at_start: list[bool],
    at_end: list[bool],
) -> None:
    """Mark the approved tokens a reading has in their place with no more than
    ``EDGE_NOISE`` letters it does not place before them (``at_start``) or after them
    (``at_end``): what it read at its own edges."""
    placed = [False] * len(tokens)
    for tag, _i1, _i2, j1, j2 in codes:
        if tag == "equal":
            placed[j1:j2] = [True] * (j2 - j1)
    loose = [0 if placed[j] else len(letters(t.key)) for j, t in enumerate(tokens)]
    total = sum(loose)
    for tag, i1, i2, j1, _j2 in codes:
        if tag != "equal":
            continue
        for i in range(i1, i2):
            before = sum(loose[: j1 + i - i1])
            if before <= EDGE_NOISE:
                at_start[i] = True
            if total - before <= EDGE_NOISE:
                at_end[i] = True


def _nearest_token(tokens: Sequence[Token], approved: Sequence[str]) -> Any:
    """For a line none of whose tokens is in the approved clause: its longest token and
    the approved token most like it (a code read with one character wrong,
    ``91440300MAS5FQ9N37P``), as a match of size 1 when they are alike enough."""
    from difflib import Match, SequenceMatcher

    words = [(n, t.key) for n, t in enumerate(tokens) if _WORDLIKE.search(t.key)]
    if not words:
        return Match(0, 0, 0)
    n, key = max(words, key=lambda w: len(w[1]))
    best, score = 0, 0.0
    for m, other in enumerate(approved):
        if abs(len(other) - len(key)) <= 2:
            ratio = SequenceMatcher(None, key, other, autojunk=False).ratio()
            if ratio > score:
                best, score = m, ratio
    return Match(n, best, 1) if score >= NEAR_TOKEN and len(key) >= 4 else Match(0, 0, 0)


@dataclass(frozen=True)
class _Aligned:
    """One reading of a line, its tokens, their opcodes against the approved region, and
    where each token starts in the reading's text (by the token's id)."""

    reading: Reading
    tokens: list[Token]
    codes: list[tuple[str, int, int, int, int]]
    starts: dict[int, int]


def _codes_of(
    aligned: Sequence[_Aligned], reading: Reading
) -> list[tuple[str, int, int, int, int]]:
    return next(a.codes for a in aligned if a.reading is reading)


def _contiguous_from(flags: Sequence[bool], start: int, step: int) -> int:
    """From ``start`` (exclusive of it when stepping back) the end of the run of true
    flags: the first index of the run going back, or one past its end going forward."""
    if step < 0:
        at = start
        while at > 0 and flags[at - 1]:
            at -= 1
        return at
    at = start
    while at < len(flags) and flags[at]:
        at += 1
    return at


#: Letters (and a sign) glued to an amount: what Tesseract makes of its currency sign
#: (Y8,650.00, xY173,000.00) or of the Chinese before it with the English model
#: (SNRAY207,122.00 for 价款为¥207,122.00).
_MONEY_LOOKALIKE = re.compile(
    r"(?:[A-Za-z]+[¥$]?|[¥$])(?=\d{1,3}(?:,\d{3})+(?:\.\d{2})?(?![\d,])|\d+\.\d{2}(?![\d,]))"
)


def mend_money(reading: Reading, signs: set[str]) -> Reading:
    """A reading with the letters glued to an amount (``_MONEY_LOOKALIKE``) read as
    the currency sign, when the approved clause has that sign (and only one kind).
    Lengths change, so words keep their places only approximately; the digits are never
    touched."""
    from dataclasses import replace

    if len(signs) != 1:
        return reading
    sign = next(iter(signs))
    mended = _MONEY_LOOKALIKE.sub(sign, reading.text)
    return reading if mended == reading.text else replace(reading, text=mended)


def _variant(aligned: _Aligned, i1: int, i2: int) -> tuple[list[Token], _Aligned] | None:
    """What one reading has exactly where approved tokens i1..i2 (a gap when equal)
    stand; None when its own differences there reach beyond them (no exact answer)."""
    out: list[Token] = []
    for tag, a1, a2, b1, b2 in aligned.codes:
        if tag == "equal":
            lo, hi = max(a1, i1), min(a2, i2)
            if lo < hi:
                out += aligned.tokens[b1 + lo - a1 : b1 + hi - a1]
            continue
        inside = i1 <= a1 and a2 <= i2 and (a1 < a2 or i1 < a1 < i2 or i1 == i2 == a1)
        if inside:
            out += aligned.tokens[b1:b2]
        elif (a1 < i2 and a2 > i1) or a1 < i1 < a2 or a1 < i2 < a2:
            return None  # straddles an edge
    return out, aligned


def _put_sign(kept: str, sign: str) -> str:
    """A currency sign the reading lost, put back before the first digit (replacing
    the one glyph Tesseract merged it into, when a non-digit is glued there)."""
    at = next((n for n, ch in enumerate(kept) if ch.isdigit()), None)
    if at is None:
        return kept
    if at > 0 and not kept[at - 1].isspace():
        return kept[: at - 1] + sign + kept[at:]
    return kept[:at] + sign + kept[at:]


def _append(pieces: list[str], text: str) -> None:
    """Add a token's text (with the gap before it, as tokenise keeps it) to a line being
    rebuilt: a line break in the gap becomes a space, and a space is put only where the
    gap had one or two Latin words or numbers would otherwise run together."""
    raw = text.lstrip(_GAP)
    gap = text[: len(text) - len(raw)]
    if not pieces:
        pieces.append(raw)
        return
    before = pieces[-1][-1:] if pieces[-1] else ""
    latin = bool(re.match(r"[0-9A-Za-z]", before)) and bool(re.match(r"[0-9A-Za-z]", raw))
    if before.isspace():
        gap = ""
    elif "\n" in gap or not gap:
        gap = " " if latin else ""
    pieces.append(gap + raw)


def _agreement(tokens: Sequence[Token], approved: list[str]) -> int:
    """How well a reading agrees with the approved clause: its tokens found there in
    order, less those that are not (garbage costs)."""
    from difflib import SequenceMatcher

    keys = [t.key for t in tokens]
    matcher = SequenceMatcher(None, keys, approved, autojunk=False)
    matched = sum(block.size for block in matcher.get_matching_blocks())
    return 2 * matched - len(keys)


def _low_confidence(aligned: _Aligned, tokens: Sequence[Token]) -> bool:
    """Whether Tesseract doubted the words where these tokens of a reading were read."""
    confs = []
    for token in tokens:
        at = aligned.starts.get(id(token), -1)
        size = len(token.text.lstrip(_GAP))
        if at >= 0:
            confs += [w.conf for w in aligned.reading.words if w.end > at and w.start < at + size]
    return bool(confs) and min(confs) < LOW_CONFIDENCE


def _token_starts(text: str, tokens: Sequence[Token]) -> list[int]:
    """Where each token (as tokenise gives them, each with the gap before it) starts."""
    starts: list[int] = []
    end = 0
    for n, token in enumerate(tokens):
        raw = token.text.lstrip(_GAP)
        if n == 0:
            start = text.find(raw)
            end = start + len(raw)
        else:
            end += len(token.text)
            start = end - len(raw)
        starts.append(start)
    return starts


def _doubted(parsed: Sequence[tuple[Reading, list[Token]]]) -> bool:
    """Whether the readings of a line with nothing of the approved clause disagree."""
    return len({letters(reading.text) for reading, _tokens in parsed}) > 1
