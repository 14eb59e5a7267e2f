"""Text that a PDF's layout moved, told apart from text that was changed.

``pdftotext`` reads a Word file's PDF in the order the page draws it, not the order the
document keeps it: a table cell by cell and column by column, a fill-in line's words
before or after the blank, the end of a clause after the page break or in the next
clause, a table of contents run into one line. The clauses around such a place differ in
order but not in words. The clause-by-clause diff reports them; this pass takes back
what only moved.

Changes are grouped into runs of neighbours: two changes belong to one run unless a
clause that both texts hold unchanged stands between them (layout moves text only so
far: within a page, across one page break). For each run, the words of its old side and
of its new side are counted (punctuation and fill-in blanks aside, as pdftotext drops
and moves them). A run whose counts agree only moved text and is dropped whole. In a
run whose counts differ, a change is kept only when it holds some of that difference:
the old words it lost that the run as a whole lost, or new words it gained that the run
as a whole gained, the change holding most of it first (a word lost once is one
change's, not every change's that lost one like it). So an amount changed from 30 to
45 is still reported, under its clause, even when the PDF also carried text between
that clause and the next. A run whose difference is the same characters cut into
other words (pdftotext splits ``ADDRESS`` into ``ADDRES S``, a calendar's ``10`` into
``1`` and ``0``; a bare number on its own line, which may be layout, may take one of
those characters) is dropped too, unless a value (an amount, a date, a percentage) reads
differently in it (the values the run's old side holds are not those of its new side,
a deleted clause's values counting as removed, an added one's as added): those are
compared as values. A short line that only repeats the line before it (a text box
drawn over its anchor paragraph, same words at the same place) may be missing from the
PDF's text: pdftotext keeps one copy of text drawn twice at one place.

A run's difference counts only as far as the whole document shares it: text carried
past an unchanged clause into another run balances there. What this cannot see: two
values swapped between changed clauses (the words are the same, only their places
changed). It runs only for a PDF's text (pages
separated by form feeds), never for two DOCX texts, where order is the document's own.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from contractctl.compare.model import ClauseChange
from contractctl.compare.normalise import running_form, tokenise

__all__ = ["without_reflow"]


_NONE: Mapping[str, int] = {}
#: Letters and digits apart (``m2`` and ``m`` with a superscript ``2`` a line below).
_PART = re.compile(r"[^\W\d_]+|\d+|[^\W_]")
#: A line that is only a short number: a page number pdftotext read mid-page (front
#: matter's in Roman numerals too), or a table's row number on a line of its own.
_BARE_NUMBER = re.compile(r"^[ \t]*(\d{1,3}|[ivxIVX]{1,5})[ \t]*$", re.M)
#: A footnote's number before its text (the DOCX reader writes the note's own mark and
#: the space Word keeps after it; the PDF sets it alone at the foot of the page, where it
#: may be read as the page's number).
_NOTE_NUMBER = re.compile(r"^[ \t]*(\d{1,3})[ \t]{2,}(?=\S)", re.M)
#: A table of contents' page number after its dot leader (the DOCX keeps none, Word's
#: and LibreOffice's pages differ).
_LEADER_NUMBER = re.compile(r"(?:\.{3,}|…{2,}|·{3,})[ \t]*(\d{1,4})[ \t]*$", re.M)
#: The longest line taken for a text box repeating the line before it.
_REPEAT_MAX = 24
#: What LibreOffice writes for a cross-reference whose target it cannot find, where
#: the DOCX keeps Word's last result.
_FIELD_ERROR = re.compile(
    r"(?:Error|错误)[!！:：]?\s*(?:Reference\s+source\s+not\s+found|未找到引用源)[.。]?"
)


def _words(
    text: str | None, running: Mapping[str, int] = _NONE
) -> tuple[Counter[str], Counter[str]]:
    """The words of a text as the diff compares them (punctuation and blanks aside), and
    the words that may be layout alone (bare numbers on a line of their own, a table of
    contents' page numbers, a footnote's number before its text, a line that reads as a
    running header of the PDF, which the PDF may have dropped as one)."""
    if not text:
        return Counter(), Counter()
    text = _FIELD_ERROR.sub(" ", text)
    words = Counter(
        part
        for t in tokenise(text)
        if any(ch.isalnum() for ch in t.key)
        for part in _PART.findall(t.key)
    )
    optional = Counter(m.group(1) for m in _BARE_NUMBER.finditer(text))
    optional.update(m.group(1) for m in _LEADER_NUMBER.finditer(text))
    optional.update(m.group(1) for m in _NOTE_NUMBER.finditer(text))
    optional.update(_repeated(text))
    if running:
        optional.update(
            part
            for line in text.splitlines()
            if line.strip() and running_form(line) in running
            for t in tokenise(line)
            for part in _PART.findall(t.key)
        )
    return words, optional


def _repeated(text: str) -> Counter[str]:
    """The words of a short line that only repeats the line before it: a text box drawn
    over the paragraph that anchors it, with the same words at the same place (a cover's
    ``制定``). The DOCX reader reads both; pdftotext keeps one copy of text drawn twice
    at one place, as the eye sees one."""
    found: Counter[str] = Counter()
    before = ""
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        parts = line.split()
        if before and len(line) <= _REPEAT_MAX and all(part == before for part in parts):
            found.update(part for t in tokenise(line) for part in _PART.findall(t.key))
        else:
            before = line
    return found


def without_reflow(
    changes: list[ClauseChange],
    matches: dict[int, int],
    unchanged_new: Iterable[int],
    quiet: Sequence[ClauseChange] = (),
    running: Mapping[str, int] = _NONE,
) -> list[ClauseChange]:
    """``changes`` (in report order) less those that only layout moved.

    ``matches`` maps old clause indexes to new ones for every matched pair and
    ``unchanged_new`` lists the new clause indexes that compare equal; each separates
    the runs of changes on either side of it. ``quiet`` are pairs that differ by layout
    alone on their own (a word the PDF carried in from the clause next to it): never
    reported, they join the runs so that the word they gained balances the neighbour
    that lost it. ``running`` are the PDF's running headers and footers
    (:func:`~contractctl.compare.normalise.running_lines`): the PDF dropped them as
    such, so a line of the other text that reads as one may be missing from it (a
    section's last page whose title reads like the header of the pages before).
    """
    if not changes:
        return changes
    reported = changes
    changes = sorted([*changes, *quiet], key=lambda c: _position(c, matches))
    fixed = sorted(unchanged_new)
    runs: list[list[int]] = [[0]]
    previous = _position(changes[0], matches)
    for n in range(1, len(changes)):
        position = _position(changes[n], matches)
        low, high = sorted((previous, position))
        if any(low < u < high for u in fixed):
            runs.append([n])
        else:
            runs[-1].append(n)
        previous = position
    counted = [_words(c.old, running) + _words(c.new, running) for c in changes]
    every = _residue(counted)
    keep: list[ClauseChange] = []
    for run in runs:
        lost, gained = _residue([counted[n] for n in run])
        lost &= every[0]
        gained &= every[1]
        if not lost and not gained:
            continue
        if _split(lost, gained, [counted[n] for n in run]) and _same_values(
            [changes[n] for n in run]
        ):
            continue  # a word or number pdftotext split (ADDRES S, a date table's 1 0)
        keep.extend(changes[n] for n in _holders(run, counted, lost, gained))
    return [c for c in reported if any(c is k for k in keep)]


def _holders(
    run: list[int],
    counted: list[tuple[Counter[str], Counter[str], Counter[str], Counter[str]]],
    lost: Counter[str],
    gained: Counter[str],
) -> list[int]:
    """The changes of a run that hold its difference: the one holding most of it first,
    each taking its share, until none is left (a word lost once is one change's)."""

    def share(n: int) -> tuple[Counter[str], Counter[str]]:
        old, _, new, _ = counted[n]
        return (old - new) & lost, (new - old) & gained

    holders: list[int] = []
    left = sorted(run, key=lambda n: -sum(sum(part.values()) for part in share(n)))
    for n in left:
        took_lost, took_gained = share(n)
        if took_lost or took_gained:
            holders.append(n)
            lost -= took_lost
            gained -= took_gained
    return holders


def _split(
    lost: Counter[str],
    gained: Counter[str],
    run: list[tuple[Counter[str], Counter[str], Counter[str], Counter[str]]],
) -> bool:
    """Whether what the run lost is what it gained cut into other words: the same
    characters, in more words on one side than on the other. A calendar's ``10`` to
    ``30`` read as a row of tens and a row of units may differ by the characters of
    words that may be layout alone (a page number the DOCX keeps in a text box, a bare
    ``1``, took one of the units' ``1``); a number changed in place (``10`` to ``19``)
    is as many words on both sides and never passes for split."""
    mine, theirs = _letters(lost), _letters(gained)
    if mine == theirs:
        return True
    if not lost or not gained or lost.total() == gained.total():
        return False
    spare = _letters(sum((c[1] + c[3] for c in run), Counter()))
    return mine - theirs <= spare and theirs - mine <= spare


def _same_values(run: list[ClauseChange]) -> bool:
    """Whether the run's values read the same on both sides: those a change removed (or
    a deleted clause held) are the ones another added (or an added clause holds), so
    the run's values only moved."""
    old: Counter[tuple[str, str]] = Counter()
    new: Counter[tuple[str, str]] = Counter()
    for change in run:
        for value in change.semantic:
            if value.old is not None:
                old[value.what, value.old] += 1
            if value.new is not None:
                new[value.what, value.new] += 1
    return old == new


def _letters(words: Counter[str]) -> Counter[str]:
    """The characters of ``words``, each as often as the words hold it."""
    found: Counter[str] = Counter()
    for word, n in words.items():
        for char in word:
            found[char] += n
    return found


def _residue(
    counted: list[tuple[Counter[str], Counter[str], Counter[str], Counter[str]]],
) -> tuple[Counter[str], Counter[str]]:
    """The words the old side has and the new lacks, and those the new side gained."""
    old = sum((c[0] for c in counted), Counter())
    new = sum((c[2] for c in counted), Counter())
    old_optional = sum((c[1] for c in counted), Counter())
    new_optional = sum((c[3] for c in counted), Counter())
    return old - new - old_optional, new - old - new_optional


def _position(change: ClauseChange, matches: dict[int, int]) -> float:
    """Where a change stands among the new text's clauses."""
    if change.new_index is not None:
        return float(change.new_index)
    i = change.old_index if change.old_index is not None else -1
    before = [j for k, j in matches.items() if k < i]
    return max(before, default=-1) + 0.5
