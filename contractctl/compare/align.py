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
_CROSSING_PENALTY: Final = 0.25
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


_MAX_EDITS: Final = 2000


def _myers(a: Sequence[str], b: Sequence[str]) -> list[tuple[int, int]] | None:
    """Matched positions of a shortest edit script from ``a`` to ``b`` (Myers, O(ND)).

    Unlike ``difflib``'s longest-block-first matching, a minimal script never pairs a
    clause with a look-alike a whole cycle away in a document that repeats its clauses
    (schedules, boilerplate): insertions and deletions shift the alignment, nothing more.
    None when more than :data:`_MAX_EDITS` edits would be needed.
    """
    n, m = len(a), len(b)
    v: dict[int, int] = {1: 0}
    trace: list[dict[int, int]] = []
    for d in range(min(n + m, _MAX_EDITS) + 1):
        trace.append(dict(v))
        for k in range(-d, d + 1, 2):
            x = v[k + 1] if k == -d or (k != d and v[k - 1] < v[k + 1]) else v[k - 1] + 1
            y = x - k
            while x < n and y < m and a[x] == b[y]:
                x, y = x + 1, y + 1
            v[k] = x
            if x >= n and y >= m:
                return _backtrack(trace, n, m)
    return None


def _backtrack(trace: list[dict[int, int]], x: int, y: int) -> list[tuple[int, int]]:
    pairs: list[tuple[int, int]] = []
    for d in range(len(trace) - 1, -1, -1):
        v = trace[d]
        k = x - y
        previous = k + 1 if k == -d or (k != d and v[k - 1] < v[k + 1]) else k - 1
        start_x = v[previous]
        start_y = start_x - previous
        while x > start_x and y > start_y:
            x, y = x - 1, y - 1
            pairs.append((x, y))
        x, y = start_x, start_y
    return pairs[::-1]


def _exact(old_keys: Sequence[str], new_keys: Sequence[str], pairs: dict[int, int]) -> None:
    matched = _myers(old_keys, new_keys)
    if matched is None:
        matcher = difflib.SequenceMatcher(None, old_keys, new_keys, autojunk=False)
        matched = [
            (block.a + k, block.b + k)
            for block in matcher.get_matching_blocks()
            for k in range(block.size)
        ]
    pairs.update(matched)
    taken = set(pairs.values())
    waiting: dict[str, list[int]] = {}
    for j, key in enumerate(new_keys):
        if j not in taken:
            waiting.setdefault(key, []).append(j)
    for i, key in enumerate(old_keys):
        if i not in pairs and waiting.get(key):
            pairs[i] = waiting[key].pop(0)


def _crosses(anchors: Sequence[tuple[int, int]], i: int, j: int) -> bool:
    """Whether pairing old i with new j crosses a pair already matched (a move)."""
    k = bisect.bisect_left(anchors, (i, -1))
    before = anchors[k - 1][1] if k else -1
    after = anchors[k][1] if k < len(anchors) else 1 << 30
    return not before < j < after


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
    anchors = sorted(pairs.items())
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
            floor = _SIMILAR_MIN - _NEIGHBOUR_BONUS - _SAME_ID_BONUS
            if matcher.real_quick_ratio() < floor or matcher.quick_ratio() < floor:
                continue
            score = matcher.ratio()
            anchored = pairs.get(i - 1) == j - 1 or (i + 1 in pairs and pairs[i + 1] == j + 1)
            anchored = anchored or reverse.get(j - 1) == i - 1
            if anchored:
                score += _NEIGHBOUR_BONUS
            if old[i].id == new[j].id:
                score += _SAME_ID_BONUS
            if _crosses(anchors, i, j):
                score -= _CROSSING_PENALTY  # a moved and reworded clause must be close
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


def _heaviest(values: Sequence[int], weights: Sequence[int]) -> set[int]:
    """Positions of the heaviest strictly increasing subsequence of ``values``.

    Weighted by text length, so that when a long article and a short one swap places,
    the short one is the one that moved (O(n log n) with a Fenwick tree of maxima).
    """
    size = max(values, default=-1) + 2
    tree: list[tuple[int, int]] = [(0, -1)] * (size + 1)  # (best weight, position)
    previous = [-1] * len(values)
    best_at: list[int] = [0] * len(values)
    for n, value in enumerate(values):
        k, best = value + 1, (0, -1)  # best chain ending below value
        while k > 0:
            best = max(best, tree[k])
            k -= k & -k
        best_at[n] = best[0] + weights[n]
        previous[n] = best[1]
        k = value + 2
        while k <= size:
            if tree[k][0] < best_at[n]:
                tree[k] = (best_at[n], n)
            k += k & -k
    keep: set[int] = set()
    n = max(range(len(values)), key=lambda m: best_at[m], default=-1)
    while n >= 0:
        keep.add(n)
        n = previous[n]
    return keep


def _moves(old: Sequence[Clause], new: Sequence[Clause], pairs: dict[int, int]) -> set[int]:
    """New indexes of clauses whose place in the document order changed.

    The order kept is the heaviest increasing run of matched pairs over the whole
    document; a clause outside it moved, unless it moved along with an ancestor that
    moved (the children of a moved article are not reported one by one). A clause whose
    neighbours were deleted or inserted keeps its order and never counts as moved.
    """
    ordered = sorted(pairs.items())
    keep = _heaviest([j for _, j in ordered], [max(1, len(old[i].norm)) for i, _ in ordered])
    moved = {j for n, (_, j) in enumerate(ordered) if n not in keep}
    reported: set[int] = set()
    for i, j in ordered:
        if j not in moved:
            continue
        p_old, p_new = old[i].parent, new[j].parent
        carried = False
        while p_old is not None and p_new is not None and pairs.get(p_old) == p_new:
            if p_new in moved:
                carried = True
                break
            p_old, p_new = old[p_old].parent, new[p_new].parent
        if not carried:
            reported.add(j)
    return reported


#: Numbering that runs on through the whole document, across chapters and sections.
_RUNS_ON: Final = frozenset({"article", "chapter", "section_cn", "chapter_en", "roman_upper"})


def _sequential(clauses: Sequence[Clause], j: int) -> bool:
    """Whether clause j's number follows from its previous sibling (or starts at 1).

    第N条 and chapters are numbered through the document, so for them the previous
    clause of the same scheme counts wherever it stands (第九条 under 三、 follows
    第八条 under 二、).
    """
    clause = clauses[j]
    if not clause.number:
        return True
    for k in range(j - 1, -1, -1):
        other = clauses[k]
        if clause.style in _RUNS_ON:
            if other.style == clause.style and other.number:
                return clause.number[-1] in (other.number[-1] + 1, 1)
            continue
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
    # The front matters (cover, preamble) are each other's, whatever their text.
    fronts = {c.id: j for j, c in enumerate(new) if c.style == "preamble"}
    pairs = {i: fronts[c.id] for i, c in enumerate(old) if c.style == "preamble" and c.id in fronts}
    if pairs:
        rest_old = [i for i in range(len(old)) if i not in pairs]
        taken = set(pairs.values())
        rest_new = [j for j in range(len(new)) if j not in taken]
        shifted: dict[int, int] = {}
        _exact([old_keys[i] for i in rest_old], [new_keys[j] for j in rest_new], shifted)
        pairs.update({rest_old[i]: rest_new[j] for i, j in shifted.items()})
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
