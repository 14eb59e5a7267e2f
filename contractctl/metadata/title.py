"""Title, contract type and language.

The title is the short line near the top that names a kind of contract (设备采购合同,
技术服务协议, "SOFTWARE LICENSE AGREEMENT"), skipping contract numbers, company
letterheads and page headers. Failing that, the sentence that names the document ("This
Purchase Agreement ...", 本保密协议…) or, last, the file name (flag ``from_filename``).
The type is read from the title first, then from the parties' labels (出租方 means a
lease), then from the body.
"""

from __future__ import annotations

import re
from pathlib import PurePath
from typing import Final

from contractctl.metadata.model import Extracted, PartyGuess
from contractctl.metadata.text import CJK, Doc

_ZH_TITLE: Final = re.compile(
    r"[\u4e00-\u9fffA-Za-z0-9()\-“”《》·、]{0,36}?"
    r"(?:合同书|合同|协议书|协议|合约|契约|确认书|订单|订购单|意向书|备忘录)(?:\([^()]{1,16}\))?"
)
_EN_TITLE: Final = re.compile(
    r"(?i)(?:[\w&'’\-]+\s+){0,8}?(?:agreement|contract|lease|deed|memorandum(?:\s+of\s+understanding)?"
    r"|terms\s+and\s+conditions|purchase\s+order|letter\s+of\s+intent)(?:\s*\([^()]{1,30}\))?"
)
_NOT_TITLE_START: Final = re.compile(
    r"(?i)(?:this|the|each|in|whereas|now|party|本|甲方|乙方|第[一二三四五六七八九十\d]+条|\d+\.|article)"
    r"(?![a-z])"
)
_SMALL_WORDS: Final = frozenset({"of", "and", "for", "the", "on", "in", "to", "a", "an", "&"})
_EN_SENTENCE: Final = re.compile(
    r"\bThis\s+(?P<t>(?:[A-Z][\w\-]*\s+){0,5}(?:Agreement|Contract|Lease))\b"
)
_ZH_SENTENCE: Final = re.compile(r"本(?P<t>[\u4e00-\u9fff]{2,10}?(?:合同|协议))")
_LATIN_WORD: Final = re.compile(r"[A-Za-z]{2,}")
_FILENAME_NOISE: Final = re.compile(
    r"(?i)^[\d\s._\-]+|[\s._\-]*(?:final|signed|scan(?:ned)?|copy|副本|扫描件|扫描|终稿|定稿|签字版|v\d+)?"
    r"[\s._\-\d]*$"
)
_CONTRACT_WORD: Final = re.compile(r"合同|协议|合约|(?i:agreement|contract|lease|nda)")


def detect_language(doc: Doc) -> str:
    """``zh`` when CJK characters outweigh Latin words, else ``en``."""
    sample = doc.flow[:4000]
    # Every character outside ASCII takes 3 bytes in UTF-8 (CJK, and the few others
    # are rare): a cheap count of CJK characters.
    wide = (len(sample.encode("utf-8")) - len(sample)) // 2
    latin_words = len(_LATIN_WORD.findall(sample))
    return "zh" if wide >= latin_words else "en"


def _is_en_title(text: str) -> bool:
    if _EN_TITLE.fullmatch(text) is None or text.endswith((".", ":", ";", ",")):
        return False
    words = re.findall(r"[A-Za-z][\w'’\-]*", text)
    if not words or len(words) > 10:
        return False
    return text.upper() == text or all(w[0].isupper() or w.lower() in _SMALL_WORDS for w in words)


def extract_title(doc: Doc, filename: str | None) -> Extracted[str] | None:
    """The contract's title as written (CJK spacing removed, whitespace collapsed)."""
    flow = doc.flow
    seen = 0
    position = 0
    for line in flow.split("\n"):
        start = position
        position += len(line) + 1
        text = line.strip()
        if not text:
            continue
        seen += 1
        if seen > 14:
            break
        if len(text) > 90 or _NOT_TITLE_START.match(text) or ":" in text:
            continue
        compact = text.replace(" ", "") if re.search(f"[{CJK}]", text) else " ".join(text.split())
        if _ZH_TITLE.fullmatch(compact) or _is_en_title(compact):
            confidence = 0.95 if seen <= 6 else 0.85
            offset = start + line.find(text)
            return Extracted(compact, confidence, doc.source(offset, offset + len(text)))
    head = flow[: max(3000, len(flow) // 4)]
    for pattern, confidence in ((_EN_SENTENCE, 0.65), (_ZH_SENTENCE, 0.6)):
        match = pattern.search(head)
        if match:
            title = " ".join(match.group("t").split())
            return Extracted(title, confidence, doc.source(match.start(), match.end()))
    if filename:
        stem = PurePath(filename.replace("\\", "/")).stem
        stem = _FILENAME_NOISE.sub("", stem).replace("_", " ").strip(" -.")
        if stem:
            confidence = 0.5 if _CONTRACT_WORD.search(stem) else 0.3
            return Extracted(stem, confidence, filename[-120:], ("from_filename",))
    return None


_TYPES: Final = (
    ("nda", re.compile(r"保密|(?i:non-?disclosure|confidentiality|\bnda\b|secrecy)"), 0.92),
    ("lease", re.compile(r"租赁|租房|(?i:\blease\b|tenancy|rental)"), 0.92),
    ("purchase", re.compile(r"采购|购买|订购|(?i:purchase|procurement)"), 0.9),
    ("sales", re.compile(r"销售|经销|(?i:\bsales?\b|distribution)"), 0.9),
    (
        "service",
        re.compile(
            r"服务|咨询|委托|外包|维护|维保|开发|运维|"
            r"(?i:services?\b|consult|maintenance|outsourc|development|support)"
        ),
        0.88,
    ),
    ("purchase", re.compile(r"买卖|购销|供货|(?i:supply)"), 0.6),
)
_LABEL_TYPES: Final = (
    ("lease", re.compile(r"出租|承租|(?i:landlord|tenant|lessor|lessee)"), 0.75),
    ("nda", re.compile(r"披露方|接收方|(?i:disclosing|receiving)"), 0.75),
    (
        "service",
        re.compile(r"委托|受托|服务|(?i:service\s+provider|consultant|contractor|customer)"),
        0.7,
    ),
    ("purchase", re.compile(r"买方|卖方|供方|需方|采购方|(?i:buyer|seller|purchaser|vendor)"), 0.6),
)


def guess_type(title: Extracted[str] | None, parties: list[PartyGuess]) -> Extracted[str]:
    """purchase / sales / service / lease / nda / other, from the title, then the labels."""
    if title is not None and title.value:
        for kind, pattern, confidence in _TYPES:
            if pattern.search(title.value):
                if "from_filename" in title.flags:
                    return Extracted(kind, confidence * 0.6, title.source, ("from_filename",))
                return Extracted(kind, confidence, title.source)
    labels = " ".join(p.label for p in parties)
    for kind, pattern, confidence in _LABEL_TYPES:
        if pattern.search(labels):
            return Extracted(kind, confidence, parties[0].source if parties else "")
    if title is None:
        return Extracted("other", 0.4, "")
    return Extracted(
        "other", 0.6, title.source, tuple(f for f in title.flags if f == "from_filename")
    )
