"""The parties of an English agreement as lawyers write them: the preamble and the signatures.

A preamble names the parties in one sentence - "... by and between Northwind Analytics,
Inc., a Delaware corporation ("Company"), and Harbor Point Logistics LLC ("Customer")" -
or in a numbered list under BETWEEN: or PARTIES ("(1) ASHCOMBE INSTRUMENTS LIMITED, a
company incorporated in England ... (the "Supplier"); and"). Each party is the words
before its defined name, with the descriptor that follows a name (", a Delaware statutory
trust", "incorporated and registered in England", "whose registered office is") cut off.
Where no preamble names two parties, the signature block does: a name on the line above
"By:", or "for and on behalf of X".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from contractctl.metadata.text import Doc

_OPENING: Final = re.compile(
    r"\b(?:by\s+and\s+(?:between|among)|between|among)\b\s*:?\s*"
    r"|\b(?:made|entered\s+into|executed)\b[^.\n]{0,80}?\bby\s+(?!and\b)"
    r"|(?m:^\s*(?:BETWEEN|PARTIES|Parties|Between)\s*:?\s*$)",
    re.IGNORECASE,
)
_LIST_HEAD: Final = re.compile(r"(?:BETWEEN|PARTIES|Parties|Between)\s*:?\s*$")
_STOP: Final = re.compile(
    r"\n\s*(?:IT\s+IS|WHEREAS|RECITALS|BACKGROUND|AGREED|NOW|W\s*I\s*T\s*N\s*E\s*S\s*S|"
    r"\d+(?:\.\d+)*[.)]?\s+[A-Z]|ARTICLE|Article|Section|SECTION)"
)
_ABBREVIATION: Final = re.compile(
    r"(?:\b(?:Inc|Ltd|Corp|Co|LLC|L\.L\.C|L\.P|LP|N\.A|P\.C|P\.A|Mr|Ms|Mrs|Dr|No|St|Bhd|Pte|S\.A|"
    r"B\.V|N\.V|Jr|Sr|U\.S|Sdn|Cos|Assn|Ass'n|plc|PLC)|\b[A-Z])$"
)
_DEFINED: Final = re.compile(
    r"\(\s*(?:each\s+a\s+|collectively\s+|together\s+)?(?:hereinafter\s+(?:referred\s+to\s+as|called)\s+)?"
    r"(?:the\s+)?[\"“”']?(?P<label>[A-Z][\w&.' -]{1,40}?)[\"“”']?\s*\)"
)
_LIST_ITEM: Final = re.compile(
    r"(?:^|\n)\s*(?:\(\s*(?:\d{1,2}|[a-h]|i{1,3}|iv)\s*\)|\d{1,2}[.)])\s+"
)
_DESCRIPTOR: Final = re.compile(
    r",?\s*\b(?:a|an)\s+(?=[\w\s-]{0,60}?\b(?:corporation|company|partnership|trust|association"
    r"|individual|entity|bank|cooperative|limited|liability|organi[sz]ation|nonstock|municipal"
    r"|society|firm|institution|LLC|body|agency)\b)"
    r"|,\s*(?:incorporated|organi[sz]ed|registered|whose|with|having|located|residing|existing"
    r"|duly|acting|doing|being|as\s+(?:agent|trustee)|of\s+\d|its\s+)\b"
    r"|\s+(?:incorporated|registered|organi[sz]ed|established)\s+(?:and|in|under|with)\b"
    r"|\s+whose\s|\s+with\s+(?:its|offices?|a\s+place|company|principal|registered)\b"
    r"|\s+residing\s|\s*\(|,\s*\d|\s+\d{2,}",
    re.IGNORECASE,
)
_ROLE_WORD: Final = re.compile(r"[A-Z][\w&.' -]{1,40}")


@dataclass(frozen=True)
class PreambleParty:
    """One party named in the preamble or the signature block."""

    label: str  # the defined name ("Company", "Supplier") or "" when none is given
    name: str
    start: int
    end: int
    signature: bool = False


def _sentence_end(text: str, start: int) -> int:
    """Where the sentence that starts at ``start`` ends: a full stop outside brackets, not
    after Inc., Ltd., N.A. or an initial, followed by a space; or the paragraph's end."""
    depth = 0
    for index in range(start, len(text)):
        char = text[index]
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(0, depth - 1)
        elif char == "\n":
            return index
        elif char == "." and depth == 0:
            if text[index + 1 : index + 2] not in ("", " ", "\n"):
                continue
            if _ABBREVIATION.search(text, start, index):
                continue
            return index
    return len(text)


def _chunks(segment: str) -> list[tuple[int, int, str]]:
    """(start, end, label) of each party's words in the segment."""
    items = list(_LIST_ITEM.finditer(segment))
    if len(items) >= 2:
        out = []
        for item, following in zip(items, [*items[1:], None], strict=True):
            end = following.start() if following else len(segment)
            part = segment[item.end() : end]
            terms = list(_DEFINED.finditer(part))
            label = terms[-1].group("label").strip() if terms else ""
            out.append((item.end(), end, label))
        return out
    out = []
    position = 0
    for defined in _DEFINED.finditer(segment):
        before = segment[position : defined.start()]
        if not before.strip(" ,;\n") or _PLAIN_PAREN.fullmatch(defined.group()):
            continue
        out.append((position, defined.start(), defined.group("label").strip()))
        position = defined.end()
    if out:
        return out
    split = re.search(r",?\s+and\s+(?=[A-Z])", segment)
    if split is None:
        return []
    return [(0, split.start(), ""), (split.end(), len(segment), "")]


_PLAIN_PAREN: Final = re.compile(
    r"\(\s*(?:the\s+)?[\"“”']?(?:Effective\s+Date|Agreement)[\"“”']?\s*\)"
)
_AND_LEAD: Final = re.compile(r"^[\s,;]*(?:and\b|&)?[\s,;]*", re.IGNORECASE)


def _name(words: str) -> str:
    """A party's name: the chunk's words before its descriptor."""
    words = _AND_LEAD.sub("", words)
    cut = _DESCRIPTOR.search(words)
    if cut:
        words = words[: cut.start()]
    words = re.sub(r"^(?i:the)\s+", "", words.strip())
    return " ".join(words.split()).strip(" ,;:\"“”'")


def preamble_parties(doc: Doc, is_name: Callable[[str], bool]) -> list[PreambleParty]:
    """Parties defined in the opening of an English agreement, in order.

    ``is_name`` tells a name from other words (parties.name_strength > 0).
    """
    flow = doc.flow
    limit = max(2500, len(flow) // 4)
    for opening in _OPENING.finditer(flow, 0, min(limit, len(flow))):
        start = opening.end()
        if _LIST_HEAD.search(opening.group()):
            stop = _STOP.search(flow, start)
            end = min(stop.start() if stop else len(flow), start + 1500)
        else:
            end = min(_sentence_end(flow, start), start + 1200)
        segment = flow[start:end]
        found = []
        for chunk_start, chunk_end, label in _chunks(segment):
            name = _name(segment[chunk_start:chunk_end])
            if name and is_name(name):
                at = start + chunk_start + max(0, segment.find(name, chunk_start))
                found.append(
                    PreambleParty(label, name, start + chunk_start, max(at, start + chunk_end))
                )
        if len(found) >= 2:
            return found
    return []


_BY_LINE: Final = re.compile(r"(?im)^[ \t]*By[ \t]*:")
_ON_BEHALF: Final = re.compile(
    r"(?i)for\s+and\s+on\s+behalf\s+of\s+(?P<name>[^\n,;]{2,80}?)\s*(?:$|[,;\n])", re.M
)


def signature_parties(doc: Doc, is_company: Callable[[str], bool]) -> list[PreambleParty]:
    """Parties named in the signature block: the line above "By:", or "on behalf of X"."""
    flow = doc.flow
    found: list[PreambleParty] = []
    for by in _BY_LINE.finditer(flow):
        end = flow.rfind("\n", 0, by.start())
        while end > 0 and not flow[flow.rfind("\n", 0, end) + 1 : end].strip():
            end = flow.rfind("\n", 0, end)  # skip blank lines
        if end <= 0:
            continue
        start = flow.rfind("\n", 0, end) + 1
        name = flow[start:end].strip().rstrip(":").strip()
        if is_company(name):
            found.append(PreambleParty("", name, start, end, True))
    for behalf in _ON_BEHALF.finditer(flow):
        name = behalf.group("name").strip()
        if is_company(name):
            found.append(PreambleParty("", name, behalf.start("name"), behalf.end("name"), True))
    return sorted(found, key=lambda p: p.start)
