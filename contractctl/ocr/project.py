"""The scan's differences carried over to the approved text, to name and classify them.

The approved reading (OCR of the rendered approved page) and the approved text (its
PDF's text layer) say the same thing, the first with Tesseract's misreadings. Aligned
character by character, they give each reading position its place in the approved
text, and the misreadings themselves (参 read for 叁, # for ¥). A difference the
images confirmed (``registered``) is then made in the approved text: its characters
replaced by the scan's, misreadings turned back, so that ``参万捌什`` on a scan of
``叁万贰仟`` reads ``叁万捌仟`` and the compare engine names the values
(``¥32,400.00 -> ¥38,400.00``) as it would for two documents.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from difflib import SequenceMatcher
from typing import Final

from contractctl.ocr.registered import Difference, squashed


class Projection:
    """One page's approved reading aligned with its approved text."""

    def __init__(self, reading: str, text: str) -> None:
        self.text = text
        self.reading, _ = squashed(reading)
        self.target, self.positions = squashed(text)
        matcher = SequenceMatcher(None, self.reading, self.target, autojunk=False)
        self.opcodes = matcher.get_opcodes()
        self.misread: Counter[tuple[str, str]] = Counter()
        for tag, i1, i2, j1, j2 in self.opcodes:
            if tag == "replace" and i2 - i1 == j2 - j1:
                for a, b in zip(self.reading[i1:i2], self.target[j1:j2], strict=True):
                    self.misread[(a, b)] += 1

    def at(self, index: int) -> int:
        """The approved-text position (spaces left out) of reading position ``index``
        (a boundary: the start of what follows)."""
        for _tag, i1, i2, j1, j2 in self.opcodes:
            if i1 <= index < i2 or (index == i2 and i1 == i2):
                if _tag == "equal":
                    return j1 + index - i1
                if i2 == i1:
                    return j1
                return j1 + round((index - i1) * (j2 - j1) / (i2 - i1))
        return len(self.target)

    def apply(self, differences: Sequence[Difference], table: dict[str, str]) -> str:
        """The approved text with ``differences`` made in it (misreadings in ``table``
        turned back in the scanned characters)."""
        edits = []
        for d in differences:
            if _punctuation(d.scanned) and _punctuation(self.reading[d.a_start : d.a_end]):
                continue  # a stroke of punctuation is OCR noise, never the whole change
            start, end = self.at(d.a_start), self.at(d.a_end) if d.a_end > d.a_start else None
            if end is None:
                end = start
            start, end = min(start, end), max(start, end)
            text = _as_number("".join(table.get(ch, ch) for ch in d.scanned))
            text = as_value(
                text, self.target[max(0, start - 8) : start], self.target[end : end + 8]
            )
            printed = self.target[start:end]
            text = _marks_kept(printed, text)
            if len(printed) == len(text):  # punctuation read as other punctuation stays
                text = "".join(
                    p if _punctuation(p) and _punctuation(t) else t
                    for p, t in zip(printed, text, strict=True)
                )
            if end > start and self.target[start:end] == text:
                continue
            edits.append((start, end, _spaced(text, d.spaced)))
        out = self.text
        for start, end, text in sorted(edits, reverse=True):
            if start >= len(self.positions):
                out = out.rstrip() + text
                continue
            left = self.positions[start]
            right = self.positions[end - 1] + 1 if end > start else left
            out = out[:left] + text + out[right:]
        return out


def _spaced(text: str, spaced: str) -> str:
    """``text`` (a scanned run without spaces, misreadings turned back) with the word
    spaces the scan has between letters and digits (``spaced``), so that an added
    English sentence reads as one; none beside a CJK character, where OCR puts spaces
    that print has not."""
    if not spaced or len(text) != len(spaced.replace(" ", "")):
        return text
    out: list[str] = []
    chars = iter(text)
    for k, ch in enumerate(spaced):
        if ch != " ":
            out.append(next(chars))
        elif out and k + 1 < len(spaced) and not (_wide(out[-1]) or _wide(spaced[k + 1])):
            out.append(" ")
    return "".join(out)


def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in "WF"


#: What Tesseract reads for a digit's strokes, or a fill-in line's, next to digits.
_DIGIT_LOOKALIKES = str.maketrans(
    {"]": "1", "[": "1", "|": "1", "l": "1", "I": "1", "!": "1", "O": "0", "o": "0", "_": None}
)
_NUMBER_CHARS = frozenset("0123456789,.:/-")


def _as_number(text: str) -> str:
    """A scanned run of digits with lookalikes in it (``]1`` for 11, ``_8`` for 8 on a
    fill-in line) as the digits it shows: only when it is nothing but digits and
    lookalikes, so that words are never touched. The approved reading, made from clean
    ink, rarely has these, so the misreading table cannot turn them back; a changed
    date or amount must still be named with its new value."""
    if not any(ch.isdigit() for ch in text):
        return text
    digits = text.translate(_DIGIT_LOOKALIKES)
    return digits if digits and set(digits) <= _NUMBER_CHARS else text


#: What Tesseract's chi_sim reads for the capitals of an amount (叁万伍仟 read 参万伍任 or
#: 参万伍什 on every scan we made), none of them ever a capital itself.
_CAPITALS_MISREAD: Final = str.maketrans({"参": "叁", "什": "仟", "任": "仟"})
_CAPITALS_RUN: Final = re.compile(r"[零壹贰叁肆伍陆柒捌玖拾佰仟万亿元圆角分整参什任]{2,}")
_CAPITAL: Final = re.compile(r"[壹贰叁肆伍陆柒捌玖拾佰仟]")
#: A money figure after a mark Tesseract made of ``¥``: ``#35,000.00`` beside CJK text,
#: and any one mark in ``元整（¥35,000.00）`` (read ``对``, ``双``, ``圣``: the figure that
#: restates the capitals).
_MONEY: Final = r"(?=\d{1,3}(?:,\d{3})*\.\d{2}(?!\d))"
_YEN_MISREAD: Final = re.compile(
    rf"(?<=[\u4e00-\u9fff(（])#{_MONEY}|(?<=[元圆整正][(（])[^\d\s¥$€£]{_MONEY}"
)


def as_value(text: str, before: str = "", after: str = "") -> str:
    """A scanned run read as the value it shows where OCR's usual misreadings of a
    value stand in it: a capitals amount's ``参``, ``什``, ``任`` (叁, 仟, 仟) inside a
    run of capitals that has a true capital too, and ``#`` for ``¥`` before a money
    figure beside CJK text (any mark for it in ``元整（¥35,000.00）``). ``before`` and
    ``after`` are the approved text round the run (an amount filled into a blank:
    ``人民币`` | ``参万伍什`` | ``元整``); only ``text`` is changed, its length kept.
    Without these, a check against a blank form named ``参万伍什`` (¥400.00 read from
    its 肆佰) or no amount at all."""
    whole = before + text + after
    chars = list(text)
    for run in _CAPITALS_RUN.finditer(whole):
        if not _CAPITAL.search(re.sub("[参什任]", "", run.group(0))):
            continue  # 参 or 什 beside 万/元 alone: a word, not an amount
        for k in range(max(run.start(), len(before)), min(run.end(), len(before) + len(text))):
            chars[k - len(before)] = chars[k - len(before)].translate(_CAPITALS_MISREAD)
    lead = before[-2:]
    return _YEN_MISREAD.sub("¥", lead + "".join(chars))[len(lead) :]


def _marks_kept(printed: str, text: str) -> str:
    """A changed number's scanned digits with the printed marks OCR lost in them: a
    thousands comma, decimal point or ``%`` it did not read (``,2`` printed, ``5``
    read: the scan shows ``,5``), and ``%`` read as ``96`` (``5%`` printed, ``896``
    read: ``8%``; a 200 dpi scan named ``0.05% -> 0.0896``).
    Only for digits changed to digits; a number read whole is left alone."""
    if not text.isdigit() or not printed or not any(ch.isdigit() for ch in printed):
        return text
    if printed.endswith("%") and text.endswith("96") and len(text) == len(printed) + 1:
        return text[:-2] + "%"
    marks = [k for k, ch in enumerate(printed) if ch in ",.%"]
    if marks and len(printed) - len(marks) == len(text):
        digits = iter(text)
        return "".join(ch if k in marks else next(digits) for k, ch in enumerate(printed))
    return text


def _punctuation(text: str) -> bool:
    """Only punctuation, symbols and fill-in strokes (or nothing)."""
    import unicodedata

    return all(unicodedata.category(ch)[0] in "PSZ" for ch in text)


def misreadings(projections: Iterable[Projection]) -> dict[str, str]:
    """Characters the approved reading consistently read as another: read -> printed.

    A misreading counts when it is seen twice or more, or once and never read right:
    the same confusion made on the scan is then turned back."""
    seen: Counter[tuple[str, str]] = Counter()
    right: Counter[str] = Counter()
    for projection in projections:
        seen.update(projection.misread)
        right.update(projection.reading)
    table: dict[str, str] = {}
    for (read, printed), n in seen.most_common():
        if read in table or read.isdigit() or printed.isdigit():
            continue
        if n >= 2 or right[read] <= n:
            table[read] = printed
    return table
