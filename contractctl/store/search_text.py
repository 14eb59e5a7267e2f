"""Text for the full-text index: CJK split into overlapping pairs, and text folding.

SQLite's unicode61 tokenizer keeps a whole run of Chinese characters as one token, so
"违约" is never found inside "乙方违约的". The trigram tokenizer finds nothing shorter than
three characters ("合同", "付款"). So the index is fed text that is already split:

- every run of CJK characters becomes its overlapping two-character pairs, followed by
  the run's last character on its own: "违约责任" -> "违约 约责 责任 任";
- everything else (English, numbers, ids) is passed through unchanged for unicode61,
  with spaces put between it and CJK, so "ABC公司" gives "ABC" and "公司 司".

Whitespace between two CJK characters is layout, not a word break: PDFs and Word files
letter-space titles (``质 量 标 准``), justify lines with extra spaces (``付款  方式``) and
break lines mid-phrase. It is removed before the pairs are made, as the compare engine
normalises it, so 质量标准 finds all three; the original text keeps it (snippets).

Then a Chinese word of n >= 2 characters is the phrase of its pairs (all runs containing
it have those pairs in a row), and one character "违" is the prefix query ``违*``: each
character of a run starts a pair, except the last, which is there on its own. A run of
one character is just that character. English goes through unicode61 (case and
diacritics folded, whole words), with NFKC first so full-width "ＡＢＣ１２" is "ABC12".

``fold`` is the Python side of the same folding (NFKC, lower case, no diacritics) with a
map back to the original characters: snippets are cut from the original text.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from functools import lru_cache

#: Characters indexed as pairs: Han (with extensions and compatibility ideographs),
#: the iteration marks 々 〆 〇, hiragana and katakana (without the middle dot ・).
CJK_CLASS = (
    "\u3005-\u3007\u3040-\u309f\u30a0-\u30fa\u30fc-\u30ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uf900-\ufaff\U00020000-\U0003134f"
)
CJK_RUN = re.compile(f"[{CJK_CLASS}]+")
_CJK_CHAR = re.compile(f"[{CJK_CLASS}]")
#: Text made only of ASCII, CJK and punctuation folds in place: lower() is enough
#: (full-width punctuation stays a separator either way).
_IN_PLACE = re.compile(
    "[\\x00-\\x7f\u3005-\u3007\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\u00a3\u00a5\u00b7\u00d7"
    "\u2000-\u206f\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65]*"
)


#: What unicode61 keeps inside a word: letters, numbers, private use, minus CJK.
_WORD_OR_CJK = re.compile(r"[^\W_]+")


def is_cjk(char: str) -> bool:
    """Whether ``char`` is indexed as part of a CJK run (pairs, not words)."""
    return _CJK_CHAR.fullmatch(char) is not None


def cjk_tokens(run: str) -> list[str]:
    """The index tokens of one CJK run: its overlapping pairs and its last character."""
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)] + [run[-1]]


def _split_run(match: re.Match[str]) -> str:
    run = match.group()
    if len(run) == 1:
        return f" {run} "
    return " " + " ".join([run[i : i + 2] for i in range(len(run) - 1)]) + f" {run[-1]} "


_LAYOUT_SPACE = re.compile(f"(?<=[{CJK_CLASS}])\\s+(?=[{CJK_CLASS}])")


def join_cjk(text: str) -> str:
    """``text`` with the whitespace between two CJK characters removed (layout)."""
    return _LAYOUT_SPACE.sub("", text)


def index_text(text: str) -> str:
    """The text given to the FTS5 table: NFKC, layout spaces inside Chinese removed, CJK
    runs split into pairs."""
    if not text:
        return ""
    if not _IN_PLACE.fullmatch(text):  # full-width letters and digits, ligatures...
        text = unicodedata.normalize("NFKC", text)
    return CJK_RUN.sub(_split_run, join_cjk(text))


def cjk_chars(*texts: str) -> str:
    """Each CJK character of the texts once, in order of first appearance: the ``chars``
    column, where a one-character query is a single lookup instead of a prefix scan."""
    found: dict[str, None] = {}
    for text in texts:
        if not _IN_PLACE.fullmatch(text):
            text = unicodedata.normalize("NFKC", text)
        found.update(dict.fromkeys(_CJK_CHAR.findall(text)))
    return " ".join(found)


def segments(text: str) -> list[tuple[str, str]]:
    """Split query text into ("cjk", run) and ("word", token) pieces, in order.

    Words are what unicode61 would make of the text (letters and digits; everything
    else separates), after NFKC; CJK runs are kept whole, joined across layout spaces as
    the index joins them (a quoted "质 量 标 准" is the run 质量标准).
    """
    out: list[tuple[str, str]] = []
    for chunk in _WORD_OR_CJK.findall(join_cjk(unicodedata.normalize("NFKC", text))):
        position = 0
        for run in CJK_RUN.finditer(chunk):
            if run.start() > position:
                out.append(("word", chunk[position : run.start()]))
            out.append(("cjk", run.group()))
            position = run.end()
        if position < len(chunk):
            out.append(("word", chunk[position:]))
    return out


# --- folding with a map back to the original text (for snippets) -------------------


@lru_cache(maxsize=4096)
def fold_char(char: str) -> str:
    """One character folded like the index folds it: NFKC, lower case, no diacritics."""
    text = unicodedata.normalize("NFKC", char).lower()
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", stripped) or text


class OffsetMap:
    """Folded offset -> original offset, stored as pieces rather than one entry per
    character: a run of text that folds in place maps linearly, and each character that
    folds to something else (é -> e, ﬁ -> fi) maps all its folded characters to itself."""

    __slots__ = ("_folded", "_length", "_linear", "_original")

    def __init__(self) -> None:
        self._folded: list[int] = []
        self._original: list[int] = []
        self._linear: list[bool] = []
        self._length = 0

    def _add(self, original: int, length: int, linear: bool) -> None:
        self._folded.append(self._length)
        self._original.append(original)
        self._linear.append(linear)
        self._length += length

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, index: int) -> int:
        if index < 0:
            index += self._length
        if not 0 <= index < self._length:
            raise IndexError(index)
        piece = bisect_right(self._folded, index) - 1
        start = self._original[piece]
        return start + (index - self._folded[piece]) if self._linear[piece] else start


#: One character that does not fold in place (the complement of ``_IN_PLACE``'s class).
_ODD_CHAR = re.compile("[^" + _IN_PLACE.pattern[1:-2] + "]")


def fold(text: str) -> tuple[str, OffsetMap | None]:
    """``text`` folded for matching, and the original offset of each folded character.

    The map is None when folding kept every character in place (ASCII, CJK and
    punctuation: the common case), so offsets are the same in both strings. Otherwise
    only the odd characters are folded one by one; the runs between them are lowered
    whole (a 40 KB agreement with a few accents folds in well under a millisecond).
    """
    if _IN_PLACE.fullmatch(text):
        return text.lower(), None
    pieces: list[str] = []
    offsets = OffsetMap()
    position = 0
    for match in _ODD_CHAR.finditer(text):
        if match.start() > position:
            run = text[position : match.start()].lower()
            pieces.append(run)
            offsets._add(position, len(run), True)
        folded = fold_char(match.group())
        pieces.append(folded)
        offsets._add(match.start(), len(folded), False)
        position = match.end()
    if position < len(text):
        run = text[position:].lower()
        pieces.append(run)
        offsets._add(position, len(run), True)
    return "".join(pieces), offsets


class FoldedPrefix:
    """The folded form of a growing prefix of ``text``: each :meth:`extend` folds only the
    characters not folded yet, so reading a long text in doubling steps costs one fold.
    (Folding is per character, so folding in pieces gives the same string.)"""

    def __init__(self, text: str) -> None:
        self.text = text
        self.end = 0
        self.folded = ""
        self._bases: list[int] = []  # folded offset where each piece starts
        self._starts: list[int] = []  # original offset where each piece starts
        self._maps: list[OffsetMap | None] = []

    def extend(self, end: int) -> None:
        """Fold the text up to ``end`` (an original offset)."""
        end = min(end, len(self.text))
        if end <= self.end:
            return
        folded, offsets = fold(self.text[self.end : end])
        self._bases.append(len(self.folded))
        self._starts.append(self.end)
        self._maps.append(offsets)
        self.folded += folded
        self.end = end

    def original(self, index: int) -> int:
        """The original offset of the folded character at ``index``."""
        piece = bisect_right(self._bases, index) - 1
        local = index - self._bases[piece]
        offsets = self._maps[piece]
        return self._starts[piece] + (local if offsets is None else offsets[local])
