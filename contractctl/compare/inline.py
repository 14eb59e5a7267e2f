"""The diff inside one clause: token runs for redlines, and layout-only differences.

Tokens (:func:`contractctl.compare.normalise.tokenise`) are one CJK character, one Latin
word, one number or one punctuation mark, so a Chinese redline marks characters and an
English one words, and ``120,000.00`` changes as a whole. The runs come from
``difflib.SequenceMatcher(autojunk=False)`` on the token keys, adjacent runs of the same
kind merged.

PDF extraction and OCR do not only wrap lines: they read table cells column by column,
put a label and its value on different lines, and repeat a table's header row at the top
of each page. :func:`layout_only` recognises a diff made only of such moves: every
deleted and inserted piece is matched by an equal piece on the other side (greedily,
longest first), and each moved piece is either at least :data:`MIN_MOVED` tokens long or a
whole line or table cell on one side, so that swapping two words inside a sentence
(甲方向乙方 → 乙方向甲方) is never taken for layout. A short line or cell that one side
has once more than the other (a table header repeated at the top of a page, the cells
of a merged table cell) is layout when the same line stands elsewhere on that side (or
the line opens a page) and in the other text.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import Final

from contractctl.compare.normalise import Token

__all__ = [
    "MIN_MOVED",
    "Op",
    "diff_tokens",
    "layout_only",
    "opcodes",
    "whole_names",
    "whole_values",
]

#: Token counts above which a diff goes line by line first.
_DIRECT: Final = 6000

#: A run of (op, text): op is "equal", "insert" or "delete".
Op = tuple[str, str]

#: Moved pieces shorter than this must be a whole line or cell on one side.
MIN_MOVED: Final = 3
#: The longest line or cell (in tokens) taken for a layout repetition.
MAX_REPEATED: Final = 30

_Opcode = tuple[str, int, int, int, int]


def _keys(tokens: Sequence[Token]) -> list[str]:
    return [t.key for t in tokens]


def _unit_bounds(tokens: Sequence[Token]) -> list[tuple[int, int]]:
    """(start, end) of each line or cell."""
    starts = [i for i, t in enumerate(tokens) if t.starts or i == 0]
    return list(zip(starts, [*starts[1:], len(tokens)], strict=True))


def _span(bounds: list[tuple[int, int]], k1: int, k2: int, size: int) -> tuple[int, int]:
    """Token range of units k1..k2 (empty ranges sit where unit k1 starts)."""
    start = bounds[k1][0] if k1 < len(bounds) else size
    return start, (bounds[k2 - 1][1] if k2 > k1 else start)


def opcodes(old: Sequence[Token], new: Sequence[Token]) -> list[_Opcode]:
    """``SequenceMatcher`` opcodes over the token keys (no junk heuristic).

    A long text (a contract without clause headings) is matched line by line first and
    token by token only inside the lines that differ: ``difflib`` is quadratic at worst,
    and tens of thousands of tokens would take seconds.
    """
    if len(old) + len(new) <= _DIRECT:
        matcher = difflib.SequenceMatcher(None, _keys(old), _keys(new), autojunk=False)
        return [(tag, i1, i2, j1, j2) for tag, i1, i2, j1, j2 in matcher.get_opcodes()]
    old_units, new_units = _unit_bounds(old), _unit_bounds(new)
    lines = difflib.SequenceMatcher(
        None,
        ["\x1f".join(t.key for t in old[a:b]) for a, b in old_units],
        ["\x1f".join(t.key for t in new[a:b]) for a, b in new_units],
        autojunk=False,
    )
    codes: list[_Opcode] = []
    for tag, k1, k2, m1, m2 in lines.get_opcodes():
        i1, i2 = _span(old_units, k1, k2, len(old))
        j1, j2 = _span(new_units, m1, m2, len(new))
        if tag == "equal" or i1 == i2 or j1 == j2:
            codes.append((tag if tag != "replace" else ("insert" if i1 == i2 else "delete"),
                          i1, i2, j1, j2))  # fmt: skip
            continue
        inner = difflib.SequenceMatcher(None, _keys(old[i1:i2]), _keys(new[j1:j2]), autojunk=False)
        codes += [
            (t, i1 + a1, i1 + a2, j1 + b1, j1 + b2) for t, a1, a2, b1, b2 in inner.get_opcodes()
        ]
    return codes


def _matching_blocks(old: Sequence[Token], new: Sequence[Token]) -> list[tuple[int, int, int]]:
    """(old start, new start, size) of each equal run, as :func:`opcodes` finds them."""
    return [(i1, j1, i2 - i1) for tag, i1, i2, j1, _ in opcodes(old, new) if tag == "equal"]


def diff_tokens(
    old: Sequence[Token], new: Sequence[Token], codes: list[_Opcode] | None = None
) -> list[Op]:
    """Redline runs: equal text from the new side, deletions from the old, merged."""
    runs: list[list[str]] = []

    def add(op: str, text: str) -> None:
        if not text:
            return
        if runs and runs[-1][0] == op:
            runs[-1][1] += text
        else:
            runs.append([op, text])

    for tag, i1, i2, j1, j2 in codes if codes is not None else opcodes(old, new):
        if tag == "equal":
            add("equal", "".join(t.text for t in new[j1:j2]))
            continue
        # The space before a changed word stays outside the mark: "are <del>132</del>".
        removed = "".join(t.text for t in old[i1:i2])
        added = "".join(t.text for t in new[j1:j2])
        lead = added if tag != "delete" else removed
        space = lead[: len(lead) - len(lead.lstrip())]
        add("equal", space)
        add("delete", removed.lstrip() if tag != "delete" else removed[len(space) :])
        add("insert", added[len(space) :] if tag != "delete" else "")
    return [(op, text) for op, text in _tidy(runs)]


def _tidy(runs: list[list[str]]) -> list[tuple[str, str]]:
    """Strip leading whitespace that belongs to the layout, keep it readable."""
    tidy: list[tuple[str, str]] = []
    for n, (op, text) in enumerate(runs):
        if n == 0:
            text = text.lstrip()
        if text:
            tidy.append((op, text))
    return tidy


class _Pool:
    """The unmatched tokens of one side, consumed as they are matched."""

    def __init__(self, tokens: Sequence[Token], runs: list[tuple[int, int]]) -> None:
        self.tokens = tokens
        self.free = {i for a, b in runs for i in range(a, b)}
        self.partner: dict[int, int] = {}

    def keys(self, tag: str) -> list[str]:
        """Keys of free tokens; every other position a sentinel that matches nothing."""
        return [t.key if i in self.free else f"\x00{tag}{i}" for i, t in enumerate(self.tokens)]

    def find(self, keys: list[str]) -> int | None:
        """Start of a free contiguous run with these keys, or None."""
        n = len(keys)
        for start in sorted(self.free):
            if all(
                (start + k) in self.free and self.tokens[start + k].key == keys[k] for k in range(n)
            ):
                return start
        return None

    def take(self, start: int, n: int, other: int | None = None) -> None:
        """Mark n tokens matched (to the other side's tokens from ``other`` on)."""
        for k in range(n):
            self.free.discard(start + k)
            if other is not None:
                self.partner[start + k] = other + k

    def free_units(self) -> list[tuple[int, int]]:
        """Whole lines or cells all of whose tokens are free."""
        units: list[tuple[int, int]] = []
        start = 0
        for i in range(1, len(self.tokens) + 1):
            if i == len(self.tokens) or self.tokens[i].starts:
                if all(k in self.free for k in range(start, i)):
                    units.append((start, i))
                start = i
        return units

    def pieces(self) -> list[tuple[int, int]]:
        """Maximal free runs, in order."""
        found: list[tuple[int, int]] = []
        run: list[int] = []
        for i in sorted(self.free):
            if run and i != run[-1] + 1:
                found.append((run[0], run[-1] + 1))
                run = []
            run.append(i)
        if run:
            found.append((run[0], run[-1] + 1))
        return found


def _whole(tokens: Sequence[Token], a: int, b: int) -> bool:
    """Whether tokens[a:b] are whole lines or cells."""
    return tokens[a].starts and tokens[b - 1].ends


def _move_long_blocks(old: _Pool, new: _Pool) -> None:
    """Match the longest common blocks of free tokens while they are long enough."""
    while old.free and new.free:
        a, b = old.keys("o"), new.keys("n")
        matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
        match = matcher.find_longest_match(0, len(a), 0, len(b))
        if match.size < MIN_MOVED:
            return
        old.take(match.a, match.size, match.b)
        new.take(match.b, match.size, match.a)


def _move_whole_units(mine: _Pool, theirs: _Pool) -> None:
    """Match short free lines or cells of ``mine`` with equal free tokens of ``theirs``."""
    for a, b in mine.free_units():
        where = theirs.find([mine.tokens[i].key for i in range(a, b)])
        if where is not None:
            mine.take(a, b - a, where)
            theirs.take(where, b - a, a)


def _repeated(pool: _Pool, other: Sequence[Token]) -> None:
    """Consume free lines or cells that repeat a line of the same side and of the other.

    A table's header row repeated at the top of each page it continues on, or the
    identical cells of a merged table cell that one extraction writes once and the
    other once per column.
    """
    other_keys = "\x1f" + "\x1f".join(t.key for t in other) + "\x1f"
    for a, b in pool.free_units():
        if b - a > MAX_REPEATED:
            continue
        needle = "\x1f" + "\x1f".join(pool.tokens[i].key for i in range(a, b)) + "\x1f"
        if needle not in other_keys:
            continue
        mine = (
            "\x1f"
            + "\x1f".join(
                t.key if i not in pool.free else "\x00" for i, t in enumerate(pool.tokens)
            )
            + "\x1f"
        )
        if needle in mine or any(pool.tokens[i].page_start for i in range(max(0, a - 2), a + 1)):
            pool.take(a, b - a)


def _trim(
    old: Sequence[Token], new: Sequence[Token], a: int, b: int, size: int
) -> tuple[int, int, int]:
    """A matched block without a short torn-off end of a line at either edge.

    A block that starts with the last token or two of one line (``:`` of ``Address:``)
    and goes on into the next leaves the head of that line unmatched; giving the tail
    back lets the line be matched whole elsewhere.
    """
    head = 0
    while head < size and not (old[a + head].starts or new[b + head].starts):
        head += 1
    if 0 < head < MIN_MOVED and head < size:
        a, b, size = a + head, b + head, size - head
    tail = 0
    while tail < size and not (old[a + size - 1 - tail].ends or new[b + size - 1 - tail].ends):
        tail += 1
    if 0 < tail < MIN_MOVED and tail < size:
        size -= tail
    return a, b, size


def _extend(old: _Pool, new: _Pool) -> None:
    """Grow matched blocks over equal free neighbours on both sides.

    The head of a line whose rest was matched in order (``Bank`` of ``Bank of
    Hangzhou``, when ``difflib`` gave that ``Bank`` to a ``Bank:`` label) belongs with it.
    """
    work = list(old.partner.items())
    while work:
        i, j = work.pop()
        for step in (-1, 1):
            a, b = i + step, j + step
            if a in old.free and b in new.free and old.tokens[a].key == new.tokens[b].key:
                old.take(a, 1, b)
                new.take(b, 1, a)
                work.append((a, b))


def _punctuation(token: Token) -> bool:
    return not any(c.isalnum() for c in token.key)


def layout_only(old: Sequence[Token], new: Sequence[Token]) -> bool:
    """Whether old and new differ only by layout moves (see the module docstring).

    In-order matches from ``difflib`` are kept when they are at least :data:`MIN_MOVED`
    tokens or whole lines; shorter ones (a colon matched to another line's colon) are
    released, so that a moved line is matched whole rather than in fragments.
    """
    kept_old: dict[int, int] = {}  # old index -> new index
    for a, b, size in _matching_blocks(old, new):
        a, b, size = _trim(old, new, a, b, size)
        if size and (size >= MIN_MOVED or _whole(old, a, a + size) or _whole(new, b, b + size)):
            kept_old.update({a + k: b + k for k in range(size)})
    kept_new = set(kept_old.values())
    old_pool = _Pool(old, [(i, i + 1) for i in range(len(old)) if i not in kept_old])
    new_pool = _Pool(new, [(j, j + 1) for j in range(len(new)) if j not in kept_new])
    old_pool.partner = dict(kept_old)
    new_pool.partner = {j: i for i, j in kept_old.items()}
    if not old_pool.free and not new_pool.free:
        return True
    if len(old_pool.free) + len(new_pool.free) > 4000:
        return False  # far too much changed to be layout; do not spend the time
    _move_long_blocks(old_pool, new_pool)
    _move_whole_units(new_pool, old_pool)
    _move_whole_units(old_pool, new_pool)
    _extend(old_pool, new_pool)
    _repeated(new_pool, old)
    _repeated(old_pool, new)
    left_old = sorted(old[i].key for i in old_pool.free)
    left_new = sorted(new[j].key for j in new_pool.free)
    punctuation = all(
        _punctuation(t)
        for t in (*(old[i] for i in old_pool.free), *(new[j] for j in new_pool.free))
    )
    if not punctuation:
        return False
    # Punctuation that changed place with the text around it (a colon left behind).
    if left_old == left_new:
        return True
    # A mark or two lost or gained where a line wraps (a hanging comma PDF drops).
    return len(left_old) + len(left_new) <= 2 and all(
        _at_break(k, pool.partner, other)
        for pool, other in ((old_pool, new), (new_pool, old))
        for k in pool.free
    )


def _at_break(k: int, partner: dict[int, int], other: Sequence[Token]) -> bool:
    """Whether the other text wraps a line where token k (unmatched) would stand."""
    before, after = partner.get(k - 1), partner.get(k + 1)
    return (before is not None and other[before].ends) or (
        after is not None and other[after].starts
    )


#: Characters that write a value: figures, capitals (大写), date parts, currency marks.
_VALUE: Final = frozenset(
    "0123456789,.%¥$€£零壹贰叁肆伍陆柒捌玖拾佰仟万亿元圆角分整〇一二三四五六七八九十年月日"
)


def _value_like(text: str) -> bool:
    stripped = text.strip()
    return bool(stripped) and all(c in _VALUE for c in stripped)


def whole_values(ops: list[Op]) -> list[Op]:
    """The redline with a changed amount, capitals or date replaced whole.

    ``人民币贰万壹仟元整`` → ``人民币柒万壹仟元整`` reads as one value replaced, not as
    人民币~~贰~~柒万壹仟元整: a change made only of value characters takes in the value
    characters around it on both sides, and changes of one value (3 → 4 and 1 → 15 in
    2026年3月1日) become one.
    """
    runs: list[list[str]] = [[op, text] for op, text in ops]
    n = 0
    while n < len(runs):
        op, text = runs[n]
        if op == "equal" or not _value_like(text):
            n += 1
            continue
        # the changed run: this op and following delete/insert ops, and value-only equal
        # text between two value changes
        end = n
        while end + 1 < len(runs):
            follower = runs[end + 1]
            if follower[0] != "equal" and _value_like(follower[1]):
                end += 1
            elif (
                follower[0] == "equal"
                and _value_like(follower[1])
                and end + 2 < len(runs)
                and runs[end + 2][0] != "equal"
                and _value_like(runs[end + 2][1])
            ):
                end += 2
            else:
                break
        before = runs[n - 1][1] if n and runs[n - 1][0] == "equal" else ""
        after = runs[end + 1][1] if end + 1 < len(runs) and runs[end + 1][0] == "equal" else ""
        head = len(before) - len(before.rstrip("".join(_VALUE)))
        head = len(before[len(before) - head :].lstrip(".,")) if head else 0
        lead = before[len(before) - head :] if head else ""
        if before[: len(before) - head].endswith("人民币"):
            head, lead = head + 3, "人民币" + lead  # the capitals' currency word
        tail = len(after) - len(after.lstrip("".join(_VALUE)))
        tail = len(after[:tail].rstrip(".,"))  # a sentence's full stop is not the value's
        trail = after[:tail]
        deleted = lead + "".join(t for o, t in runs[n : end + 1] if o in ("equal", "delete"))
        inserted = lead + "".join(t for o, t in runs[n : end + 1] if o in ("equal", "insert"))
        replacement = [["delete", deleted + trail], ["insert", inserted + trail]]
        replacement = [r for r in replacement if r[1]]
        if head:
            runs[n - 1][1] = before[: len(before) - head]
        if tail:
            runs[end + 1][1] = after[tail:]
        runs[n : end + 1] = replacement
        n += len(replacement)
    return [(op, text) for op, text in runs if text]


def whole_names(ops: list[Op], names: list[tuple[str, str]]) -> list[Op]:
    """The redline with each changed name (old, new) replaced as one token.

    ``上海星河电子科技有限公司`` → ``杭州云栖数据服务有限公司`` reads as one party replaced,
    not as ``~~上海星河电子科技~~杭州云栖数据服务有限公司``: every change that touches the
    name on either side grows to the whole name on both.
    """
    for old_name, new_name in names:
        ops = _whole_span(ops, old_name, new_name)
    return ops


def _whole_span(ops: list[Op], old_name: str, new_name: str) -> list[Op]:
    # One item per character: (op, char, old position or -1, new position or -1).
    items: list[tuple[str, str, int, int]] = []
    o = n = 0
    for op, text in ops:
        for char in text:
            items.append((op, char, o if op != "insert" else -1, n if op != "delete" else -1))
            o += op != "insert"
            n += op != "delete"
    old_text = "".join(c for op, c, _, _ in items if op != "insert")
    new_text = "".join(c for op, c, _, _ in items if op != "delete")
    o_start, n_start = old_text.find(old_name), new_text.find(new_name)
    if o_start < 0 or n_start < 0 or not old_name or not new_name:
        return ops
    o_end, n_end = o_start + len(old_name), n_start + len(new_name)
    inside = [
        k
        for k, (_, _, po, pn) in enumerate(items)
        if o_start <= po < o_end or n_start <= pn < n_end
    ]
    first, last = inside[0], inside[-1]
    region = items[first : last + 1]
    if all(op == "equal" for op, *_ in region):
        return ops
    out: list[Op] = []
    for op, char, _, _ in items[:first]:
        _append(out, op, char)
    _append(out, "delete", "".join(c for op, c, _, _ in region if op != "insert"))
    _append(out, "insert", "".join(c for op, c, _, _ in region if op != "delete"))
    for op, char, _, _ in items[last + 1 :]:
        _append(out, op, char)
    return [(op, text) for op, text in out if text]


def _append(out: list[Op], op: str, text: str) -> None:
    if out and out[-1][0] == op:
        out[-1] = (op, out[-1][1] + text)
    else:
        out.append((op, text))
