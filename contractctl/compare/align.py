"""Which clause of the old version is which clause of the new one.

Clauses are matched on their comparison form without the heading number, so a clause
that only shifted number (because one was inserted before it) still matches:

1. identical bodies in document order (``difflib`` over the clause keys), then identical
   bodies anywhere (a clause moved elsewhere);
2. for the rest, similar bodies: a cheap character-bigram Jaccard measure picks the
   candidates, ``difflib`` ratio decides, with a bonus when the neighbours are matched to
   each other; unmatched old clauses are deleted, unmatched new ones added;
3. segmentation repair: a clause that one side split in two only because a list marker
   landed at a line start (PDF wrapping) is merged back when the two parts together read
   exactly as the other side's clause.

Moves are found per context (the children of one matched parent, or the top level) with
a longest increasing subsequence over the matched pairs: pairs outside it moved, and a
clause whose parent is not its old parent's match moved too. A number change is reported
as renumbering only when the new number breaks the new document's sequence (第五条 became
第六条 with nothing inserted before it), never for the shift an insertion, a deletion or
a move explains.
"""

from __future__ import annotations

import bisect
import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

from contractctl.compare.normalise import comparison_form
from contractctl.compare.segment import Clause

__all__ = ["Alignment", "align"]

_JACCARD_MIN: Final = 0.2
_SIMILAR_MIN: Final = 0.55
_NEIGHBOUR_BONUS: Final = 0.15
_SAME_ID_BONUS: Final = 0.05
_MAX_CANDIDATE_PAIRS: Final = 40_000
_MAX_MERGE: Final = 6
_MERGE_SIMILAR: Final = 0.9


@dataclass
class Alignment:
    """Matched clauses (old index -> new index) and what the matching implies."""

    pairs: dict[int, int]
    #: pairs where one side's clause absorbed the following clauses of that side.
    merged_old: dict[int, list[int]] = field(default_factory=dict)
    merged_new: dict[int, list[int]] = field(default_factory=dict)
    #: new indexes of matched clauses that moved, or whose number changed unexplained.
    moved: set[int] = field(default_factory=set)
    renumbered: set[int] = field(default_factory=set)

    @property
    def absorbed_old(self) -> set[int]:
        """Old clauses merged into a pair (neither matched alone nor deleted)."""
        return {i for extra in self.merged_old.values() for i in extra}

    @property
    def absorbed_new(self) -> set[int]:
        """New clauses merged into a pair (neither matched alone nor added)."""
        return {j for extra in self.merged_new.values() for j in extra}


def _bigrams(text: str) -> frozenset[str]:
    return frozenset(text[k : k + 2] for k in range(max(1, len(text) - 1)))


def _exact(old_keys: Sequence[str], new_keys: Sequence[str], pairs: dict[int, int]) -> None:
    matcher = difflib.SequenceMatcher(None, old_keys, new_keys, autojunk=False)
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            pairs[block.a + k] = block.b + k
    taken = set(pairs.values())
    waiting: dict[str, list[int]] = {}
    for j, key in enumerate(new_keys):
        if j not in taken:
            waiting.setdefault(key, []).append(j)
    for i, key in enumerate(old_keys):
        if i not in pairs and waiting.get(key):
            pairs[i] = waiting[key].pop(0)


def _similar(
    old: Sequence[Clause],
    new: Sequence[Clause],
    old_keys: Sequence[str],
    new_keys: Sequence[str],
    pairs: dict[int, int],
) -> None:
    taken = set(pairs.values())
    free_old = [i for i in range(len(old)) if i not in pairs]
    free_new = [j for j in range(len(new)) if j not in taken]
    if not free_old or not free_new:
        return
    grams_new = {j: _bigrams(new_keys[j]) for j in free_new}
    reverse = {j: i for i, j in pairs.items()}
    window = None
    if len(free_old) * len(free_new) > _MAX_CANDIDATE_PAIRS:
        window = max(20, _MAX_CANDIDATE_PAIRS // max(1, len(free_old)) // 2)
    scored: list[tuple[float, int, int]] = []
    for i in free_old:
        grams = _bigrams(old_keys[i])
        expected = i * len(new) / max(1, len(old))
        for j in free_new:
            if window is not None and abs(j - expected) > window:
                continue
            other = grams_new[j]
            union = len(grams | other)
            if not union or len(grams & other) / union < _JACCARD_MIN:
                continue
            matcher = difflib.SequenceMatcher(None, old_keys[i], new_keys[j], autojunk=False)
            if matcher.real_quick_ratio() < _SIMILAR_MIN - _NEIGHBOUR_BONUS:
                continue
            score = matcher.ratio()
            anchored = pairs.get(i - 1) == j - 1 or (i + 1 in pairs and pairs[i + 1] == j + 1)
            anchored = anchored or reverse.get(j - 1) == i - 1
            if anchored:
                score += _NEIGHBOUR_BONUS
            if old[i].id == new[j].id:
                score += _SAME_ID_BONUS
            if score >= _SIMILAR_MIN:
                scored.append((score, i, j))
    scored.sort(key=lambda s: (-s[0], s[1], s[2]))
    for _, i, j in scored:
        if i not in pairs and j not in taken:
            pairs[i] = j
            taken.add(j)


def _repair(
    mine: Sequence[Clause],
    theirs: Sequence[Clause],
    mine_free: set[int],
    partner: dict[int, int],
    their_keys: Sequence[str],
    ocr: bool,
) -> dict[int, list[int]]:
    """Merge runs of unmatched clauses into the matched clause before them when the
    merged text reads as its partner's (a list marker that wrapped to a line start in
    one rendering split the clause): exactly, or far closer than the clause alone."""
    merged: dict[int, list[int]] = {}
    for k in sorted(partner):
        if k + 1 not in mine_free:
            continue
        target = their_keys[partner[k]]
        extra: list[int] = []
        text = mine[k].body
        alone = comparison_form(text, ocr=ocr)
        best: tuple[float, list[int]] | None = None
        for n in range(k + 1, min(len(mine), k + 1 + _MAX_MERGE)):
            if n not in mine_free:
                break
            extra.append(n)
            text += "\n" + mine[n].text
            joined = comparison_form(text, ocr=ocr)
            if joined == target:
                best = (1.0, list(extra))
                break
            if abs(len(joined) - len(target)) <= 0.1 * len(target):
                score = difflib.SequenceMatcher(None, joined, target, autojunk=False).ratio()
                if best is None or score > best[0]:
                    best = (score, list(extra))
        if best is None:
            continue
        if best[0] == 1.0:
            merged[k] = best[1]
            continue
        before = difflib.SequenceMatcher(None, alone, target, autojunk=False).ratio()
        if best[0] >= _MERGE_SIMILAR and best[0] > before + 0.1:
            merged[k] = best[1]
    return merged


def _lis(values: Sequence[int]) -> set[int]:
    """Positions of one longest strictly increasing subsequence of ``values``."""
    tails: list[int] = []
    tail_at: list[int] = []
    previous = [-1] * len(values)
    for n, value in enumerate(values):
        k = bisect.bisect_left(tails, value)
        if k == len(tails):
            tails.append(value)
            tail_at.append(n)
        else:
            tails[k] = value
            tail_at[k] = n
        previous[n] = tail_at[k - 1] if k else -1
    keep: set[int] = set()
    n = tail_at[-1] if tail_at else -1
    while n >= 0:
        keep.add(n)
        n = previous[n]
    return keep


def _moves(old: Sequence[Clause], new: Sequence[Clause], pairs: dict[int, int]) -> set[int]:
    contexts: dict[tuple[int, int] | None, list[tuple[int, int]]] = {}
    moved: set[int] = set()
    for i, j in pairs.items():
        p_old, p_new = old[i].parent, new[j].parent
        if p_old is None and p_new is None:
            contexts.setdefault(None, []).append((i, j))
        elif p_old is not None and p_new is not None and pairs.get(p_old) == p_new:
            contexts.setdefault((p_old, p_new), []).append((i, j))
        else:
            moved.add(j)
    for members in contexts.values():
        members.sort()
        keep = _lis([j for _, j in members])
        moved.update(j for n, (_, j) in enumerate(members) if n not in keep)
    return moved


def _sequential(clauses: Sequence[Clause], j: int) -> bool:
    """Whether clause j's number follows from its previous sibling (or starts at 1)."""
    clause = clauses[j]
    if not clause.number:
        return True
    for k in range(j - 1, -1, -1):
        other = clauses[k]
        if other.level < clause.level and other.index == clause.parent:
            break
        if other.parent == clause.parent and other.style == clause.style and other.number:
            return clause.number[:-1] == other.number[:-1] and (
                clause.number[-1] == other.number[-1] + 1
            )
    if clause.number[-1] != 1:
        return False
    if len(clause.number) > 1 and clause.parent is not None:
        parent_number = clauses[clause.parent].number
        return not parent_number or clause.number[:-1] == parent_number[-len(clause.number) + 1 :]
    return True


def align(
    old: Sequence[Clause],
    new: Sequence[Clause],
    old_keys: Sequence[str] | None = None,
    new_keys: Sequence[str] | None = None,
    *,
    ocr: bool = False,
) -> Alignment:
    """Match the clauses of two versions (keys default to each clause's ``norm``)."""
    old_keys = old_keys if old_keys is not None else [c.norm for c in old]
    new_keys = new_keys if new_keys is not None else [c.norm for c in new]
    pairs: dict[int, int] = {}
    if old and new and old[0].id == "preamble" and new[0].id == "preamble":
        pairs[0] = 0  # the preambles are each other's, whatever their text
        shifted: dict[int, int] = {}
        _exact(old_keys[1:], new_keys[1:], shifted)
        pairs.update({i + 1: j + 1 for i, j in shifted.items()})
    else:
        _exact(old_keys, new_keys, pairs)
    _similar(old, new, old_keys, new_keys, pairs)
    taken = set(pairs.values())
    free_old = {i for i in range(len(old)) if i not in pairs}
    free_new = {j for j in range(len(new)) if j not in taken}
    alignment = Alignment(pairs)
    alignment.merged_new = _repair(
        new, old, free_new, {j: i for i, j in pairs.items()}, old_keys, ocr
    )
    alignment.merged_old = _repair(old, new, free_old, pairs, new_keys, ocr)
    alignment.moved = _moves(old, new, pairs)
    for i, j in pairs.items():
        if j in alignment.moved or old[i].number == new[j].number or not new[j].number:
            continue
        if not _sequential(new, j):
            alignment.renumbered.add(j)
    return alignment
