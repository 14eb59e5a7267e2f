"""Contract text as extraction reads it: normalised, unwrapped, and traceable to the original.

Text from a PDF text layer, a DOCX or OCR differs in ways that do not change what a
contract says: full-width digits and punctuation (１２０，０００：), spaces between CJK
characters (``2026 年 3 月 5 日``, ``保 密 协 议``), page footers (``第 1 页 共 3 页``,
``Page 2 of 7``) and headers repeated on every page, and paragraphs wrapped into lines
(a value can be cut in two by a line end or a page break). :func:`prepare` removes all
of that and joins wrapped lines back into paragraphs, one per line of ``flow``, while
keeping for every character the offset it came from, so each extracted value can quote
its source from the text as it was given.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Final

#: CJK ideographs, CJK punctuation and kana: a space next to one of these is layout noise.
CJK: Final = r"\u2e80-\u2fff\u3001-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_CHAR: Final = re.compile(f"[{CJK}]")

SOURCE_MAX: Final = 120

# One character in, one character out, so offsets survive: full-width ASCII to ASCII,
# every kind of space to a plain space, the full-width yen sign to ¥, a form feed to a
# line end.
_WIDTH: Final = str.maketrans(
    {
        **{chr(c): chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)},
        "\u3000": " ",
        "\u00a0": " ",
        "\u202f": " ",
        **{chr(c): " " for c in range(0x2002, 0x200B)},
        "\t": " ",
        "\uffe5": "¥",
        "\u2212": "-",
    }
)
_WIDTH_CHARS: Final = re.compile("[" + re.escape("".join(chr(c) for c in _WIDTH)) + "]")
_WIDTH_MAP: Final = {chr(k): str(v) for k, v in _WIDTH.items()}
_INVISIBLE: Final = re.compile("[\u200b-\u200d\u2060\ufeff\u00ad\r\x00-\x08\x0b\x0e-\x1f]")
# Patterns that start with one character class run several times faster in Python's
# regex engine than ones starting with a look-behind or alternatives.
_SPACES: Final = re.compile(f"(?P<cjk>[{CJK}]) +| (?: +|(?=[{CJK}]))")
_PAGE_FRAGMENT: Final = re.compile(
    r"第\s*\d{1,4}\s*页\s*[,/、]?\s*(?:共\s*\d{1,4}\s*页)?|共\s*\d{1,4}\s*页\s*第\s*\d{1,4}\s*页"
    r"|\bPage\s+\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?\b|\b\d{1,4}\s*/\s*\d{1,4}\s*页"
)
# A page number alone, a rule, or the specks OCR reads in a margin (' , or _ _).
_PAGE_LINE: Final = re.compile(
    r"[-–— ]*\d{1,3}[-–— ]*|\d{1,4}\s*/\s*\d{1,4}|[-–—_=*·|~^` ]+|[\s'\",.`_|~^*·-]{2,6}"
)
_FORM_FEED: Final = re.compile("\f")
_LETTER_SPACED: Final = re.compile(r"(?:^|\s)(?P<run>(?:\S ){6,}\S)(?!\S)")
_ONE_SPACE: Final = re.compile(r"(?<=\S) (?=\S)")
_BREAK_AFTER: Final = tuple("。;!?")
# A line that starts a block: a clause heading or a list item, never a wrapped word.
_STARTS_BLOCK: Final = re.compile(
    r"第[一二三四五六七八九十百零〇\d]+[条章节]|\d{1,3}(?:\.\d{1,3})+(?=\s*[^\s\da-z])"
    r"|\d{1,3}[.、](?=\s*[A-Z\u4e00-\u9fff“\"(])"
    r"|\(\s*[a-zA-Z0-9一二三四五六七八九十]{1,3}\s*\)(?!\s*[a-z])|[一二三四五六七八九十]{1,3}、"
    r"|(?:Article|Section|Clause|ARTICLE|SECTION)\s+\d|[IVX]{1,4}\.\s"
    r"|IN WITNESS|WHEREAS|NOW,? THEREFORE"
)
# A "label: value" line: a new row when the line before is one too (a party block).
_STARTS_LABEL: Final = re.compile(
    r"[^\s:,;。、()“”]{1,10}:(?!//)|[A-Z][\w.()/&-]*(?: [\w.()/&-]+){0,3}:(?!//)"
)
_NUMBER_GOES_ON: Final = re.compile(r"(?:\d,?|[¥$€£])$")
# Tick boxes of a form's choices (期限：☐一年 ☑两年; "☒ Expires 2 years ... ☐ Continues until
# terminated"): a ticked option is the agreed one, an unticked one was offered and not
# chosen. Circles are not marks: ○ is also the zero of 二○二六年.
_UNTICKED: Final = "□☐❏❑❒◻⬜▢"
_TICKED: Final = "☑☒■√✓✔⊠▣"
_MARK: Final = re.compile(rf"[{_UNTICKED}{_TICKED}]|\[[ xX√✓✔]\]")
# Where an option written inside a sentence ends: （□一次性/□分期）付款, 续期：☑是 ☐否，...
_OPTION_END: Final = re.compile(r"[)\]】/;。,、]")


def display_width(line: str) -> int:
    """Columns a line takes in a fixed-width rendering: CJK characters count twice.

    Counted from the UTF-8 length (3 bytes for a CJK character, 1 for ASCII), which is
    many times faster than classifying the characters.
    """
    return (len(line.encode("utf-8")) + len(line)) // 2


@dataclass(frozen=True)
class Doc:
    """A prepared contract text.

    ``flow`` holds one paragraph per line, normalised; ``origin[i]`` is the offset in
    ``original`` that ``flow[i]`` came from.
    """

    original: str
    flow: str
    origin: list[int]

    def source(self, start: int, end: int) -> str:
        """The original text behind ``flow[start:end]``, at most :data:`SOURCE_MAX` chars."""
        if not self.origin or end <= start:
            return ""
        first = self.origin[min(start, len(self.origin) - 1)]
        last = self.origin[min(end, len(self.origin)) - 1] + 1
        return self.original[first : max(last, first)][:SOURCE_MAX]

    def paragraph(self, pos: int) -> tuple[int, int]:
        """The span of the paragraph (line of ``flow``) that holds ``pos``."""
        start = self.flow.rfind("\n", 0, pos) + 1
        end = self.flow.find("\n", pos)
        return start, len(self.flow) if end < 0 else end


def _apply(
    text: str, origin: list[int], edits: list[tuple[int, int, str]]
) -> tuple[str, list[int]]:
    """Replace the ``(start, end, new)`` spans (sorted, disjoint), carrying origins along."""
    if not edits:
        return text, origin
    parts: list[str] = []
    kept: list[int] = []
    pos = 0
    tail = origin[-1] if origin else 0
    for start, end, new in edits:
        parts.append(text[pos:start])
        kept.extend(origin[pos:start])
        if new:
            parts.append(new)
            kept.extend([origin[start] if start < len(origin) else tail] * len(new))
        pos = end
    parts.append(text[pos:])
    kept.extend(origin[pos:])
    return "".join(parts), kept


def _sub(pattern: re.Pattern[str], new: str, text: str, origin: list[int]) -> tuple[str, list[int]]:
    """``pattern.sub(new, text)`` with origins."""
    return _apply(text, origin, [(m.start(), m.end(), new) for m in pattern.finditer(text)])


def _squeeze_spaces(text: str, origin: list[int]) -> tuple[str, list[int]]:
    """No space next to a CJK character; one space for a run elsewhere."""
    edits = []
    for match in _SPACES.finditer(text):
        start, end = match.span()
        if match.group("cjk"):
            edits.append((start + 1, end, ""))
        elif end < len(text) and _CJK_CHAR.match(text, end):
            edits.append((start, end, ""))
        elif end - start > 1:
            edits.append((start, end, " "))
    return _apply(text, origin, edits)


def _mark_page_furniture(text: str, origin: list[int]) -> tuple[str, list[int]]:
    """Replace page numbers and running headers and footers with a form feed.

    A form feed line is a page break that a paragraph may run across; a blank line is
    a paragraph end. A short line at the top or bottom of a page that the text has
    already shown (a running header, or a footer once its page number is gone) is
    furniture; without page breaks in the text, a short line must repeat three times.
    """
    lines: list[tuple[int, str, str | None]] = []  # (start, line, cleaned or None to drop)
    pos = 0
    for line in text.split("\n"):
        stripped = line.strip()
        cleaned: str | None = stripped
        if "\f" in line:
            cleaned = None
        elif stripped and ("页" in line or "Page" in line):
            cleaned = _PAGE_FRAGMENT.sub("", stripped).strip()
        if (cleaned and _PAGE_LINE.fullmatch(cleaned)) or (stripped and not cleaned):
            cleaned = None
        lines.append((pos, line, cleaned))
        pos += len(line) + 1
    breaks = [i for i, (_, line, cleaned) in enumerate(lines) if cleaned is None and line]
    edge = [not breaks] * len(lines)  # among the first or last two lines of a page
    for index in breaks:
        for step in (-1, 1):
            j, found = index + step, 0
            while 0 <= j < len(lines) and found < 2 and abs(j - index) <= 8:
                if lines[j][2]:  # skipping blank lines, footers and form feeds
                    edge[j] = True
                    found += 1
                j += step
    counts = Counter(c for _, _, c in lines if c)
    # A running header is short; a full-width line at a page edge is body text, even when
    # a long contract repeats its boilerplate word for word.
    short = _wrap_width([display_width(c) for _, _, c in lines if c]) * 0.7
    seen: set[str] = set()
    edits: list[tuple[int, int, str]] = []
    for index, (start, line, cleaned) in enumerate(lines):
        end = start + len(line)
        if cleaned is None or (
            cleaned in seen
            and edge[index]
            and display_width(cleaned) < short
            and counts[cleaned] >= (2 if breaks else 3)
        ):
            edits.append((start, end, "\f"))
            continue
        seen.add(cleaned)
        if cleaned != line.strip():
            edits.extend(
                (start + m.start(), start + m.end(), "") for m in _PAGE_FRAGMENT.finditer(line)
            )
    return _apply(text, origin, edits)


def _joiner(previous: str, following: str, wrap_width: int) -> str | None:
    """How two consecutive lines join: None for a paragraph break, else the separator."""
    if previous.endswith(_BREAK_AFTER):
        return None
    wrapped = display_width(previous) >= wrap_width * 0.6
    if wrapped and following[0].isdigit() and _NUMBER_GOES_ON.search(previous):
        return ""  # ¥1,234,|567.00 - a figure cut by the line end
    if _STARTS_BLOCK.match(following) or (
        _STARTS_LABEL.match(following)
        and (previous.endswith((":", ".")) or _STARTS_LABEL.match(previous))
    ):
        return None
    if not wrapped:
        return None
    last, first = previous[-1], following[0]
    if _CJK_CHAR.match(last) or _CJK_CHAR.match(first) or last == "-":
        return ""
    return " "


def _wrap_width(widths: list[int]) -> int:
    """The width lines were wrapped at: the 90th percentile of line widths."""
    if len(widths) < 6:
        return 10**6  # too few lines to tell wrapping from paragraphs: never join
    ordered = sorted(widths)
    width = ordered[int(len(ordered) * 0.9)]
    return width if width >= 50 else 10**6  # nobody wraps a page at under 50 columns


def _choices(text: str) -> list[tuple[int, int, str]]:
    """Edits that take the unticked options of a form's choices out of the text, and the
    tick boxes out of the ticked ones, so that only what the parties chose is read.

    An option is the text after its box, up to the next box on the line or the line end
    (inside a sentence, up to a bracket, slash or comma too). Boxes written after their
    options (身份证□ 居住证☑, a line that ends in a box) and runs of empty boxes for
    digits (邮政编码 □□□□□□) are left as they are, the boxes only taken out.
    """
    edits: list[tuple[int, int, str]] = []
    pos = 0
    for line in text.split("\n"):
        start, pos = pos, pos + len(line) + 1
        marks = list(_MARK.finditer(line))
        if not marks:
            continue
        body = line.rstrip()
        marks_after = bool(_MARK.match(body, len(body) - 1) or body.endswith("]")) and bool(
            line[: marks[0].start()].strip()
        )
        for index, mark in enumerate(marks):
            box = mark.group()
            next_start = marks[index + 1].start() if index + 1 < len(marks) else len(line)
            between = line[mark.end() : next_start]
            unticked = box[0] in _UNTICKED or box == "[ ]"
            if not unticked or marks_after or not between.strip():
                edits.append((start + mark.start(), start + mark.end(), ""))
                continue
            end = next_start
            if line[: mark.start()].strip(" ()（【[" + _UNTICKED + _TICKED):
                cut = _OPTION_END.search(line, mark.end(), next_start)
                end = cut.start() if cut else end
            edits.append((start + mark.start(), start + end, " "))
    return edits


def prepare(text: str) -> Doc:
    """Normalise ``text`` and unwrap it into paragraphs, keeping every origin."""
    origin = list(range(len(text)))
    # A substitution per character is several times faster than str.translate with a
    # dict on mostly-CJK text.
    flat = _WIDTH_CHARS.sub(lambda m: _WIDTH_MAP[m.group()], text)
    flat, origin = _sub(_INVISIBLE, "", flat, origin)
    flat, origin = _apply(flat, origin, _choices(flat))
    # "合 同 金 额 ： 4 5 1 万 元": justified CJK with every character spaced out.
    spaced = [
        (m.start("run") + s.start(), m.start("run") + s.end(), "")
        for m in _LETTER_SPACED.finditer(flat)
        for s in _ONE_SPACE.finditer(m.group("run"))
    ]
    flat, origin = _apply(flat, origin, spaced)
    flat, origin = _squeeze_spaces(flat, origin)
    flat, origin = _sub(_FORM_FEED, "\f\n", flat, origin)  # a page break on a line of its own
    flat, origin = _mark_page_furniture(flat, origin)

    lines: list[tuple[int, int]] = []  # stripped spans; (-1, -1) blank, (-2, -2) page break
    pos = 0
    for line in flat.split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        if "\f" in line and not line.replace("\f", "").strip():
            lines.append((-2, -2))
            continue
        lead = len(line) - len(line.lstrip())
        body = line.strip()
        lines.append((start + lead, start + lead + len(body)) if body else (-1, -1))
    width = _wrap_width([display_width(flat[s:e]) for s, e in lines if s >= 0])

    parts: list[str] = []
    kept: list[int] = []
    previous: str | None = None
    gap = ""  # "" none, "blank" paragraph end, "page" page break only
    for start, end in lines:
        if start == -1:
            gap = "blank" if gap != "page" else "page"
            continue
        if start == -2:
            gap = "page"
            continue
        line = flat[start:end]
        if previous is not None:
            join = None if gap == "blank" else _joiner(previous, line, width)
            separator = "\n" if join is None else join
            if separator:
                parts.append(separator)
                kept.append(origin[start - 1] if start else 0)
        parts.append(line)
        kept.extend(origin[start:end])
        previous, gap = line, ""
    return Doc(original=text, flow="".join(parts), origin=kept)
