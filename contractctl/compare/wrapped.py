"""Values a narrow table cell wrapped over lines, put back on one.

pdftotext keeps a table cell's line breaks where the cell's edge fell, inside a number
too: ``人民币1,280,000.00元`` in a narrow value column comes out as ``人民币`` |
``1,280,000.0`` | ``0元`` (or ``1,28`` | ``0,000.00``, ``1,280,000`` | ``.00 元``:
wherever the edge falls), ``2026年10月31日`` as ``2026 年`` | ``10 月 31`` | ``日``.
Read line by line, that is a clipped number, a page of clause-like ``00.00`` headings
and no date at all. :func:`value_cut` tells such a break from one between two values;
:func:`unwrap_values` takes the cut breaks out of a text, and
:func:`contractctl.compare.normalise.clean_lines` out of a PDF's lines before clauses
are found, so a value is one value for segmenting, reading values and naming them
alike. Here rather than in ``recognise`` because ``normalise`` needs it and
``recognise`` needs ``normalise``.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

__all__ = ["CURRENCY_WORDS", "unwrap_values", "value_cut"]

#: The currency signs and words written before an amount.
CURRENCY_WORDS: Final = (
    r"US\$|HK\$|[¥$€£]|RMB|CNY|USD|EUR|GBP|HKD|JPY|人民币|美元|欧元|英镑|港币|港元|日元"
)

_LEFT_NUMBER: Final = re.compile(r"\d[\d,.]*$")
_RIGHT_NUMBER: Final = re.compile(r"[,.]?\d[\d,.]*")
#: A number or its beginning: ``1,2``, ``1,280,``, ``1,280,000.0``, ``2026``.
_PARTIAL_NUMBER: Final = re.compile(r"\d{1,3}(?:,\d{3})*(?:,\d{0,2}|\.\d*)?|\d+(?:\.\d*)?")
_CURRENCY_END: Final = re.compile(rf"(?:{CURRENCY_WORDS}) ?$")
_UNIT: Final = re.compile(r" ?(?:[元圆%‰万亿]|per ?cent\b|percent\b)", re.I)
_CAPITALS_END: Final = re.compile(r"[壹贰叁肆伍陆柒捌玖拾佰仟][零壹贰叁肆伍陆柒捌玖拾佰仟万亿]*$")
_CAPITALS_START: Final = re.compile(r"[零壹贰叁肆伍陆柒捌玖拾佰仟万亿]*[元圆]")
_DATE_PART_END: Final = re.compile(r"(?:\d{4}年|\d{1,2}月)$")
_DATE_PART_START: Final = re.compile(r"\d{1,2}(?:[月日]|$)")


def unwrap_values(text: str) -> str:
    """``text`` with the line breaks a narrow table cell put inside a value taken out.

    pdftotext wraps a cell's text where the cell's edge falls, inside a number too:
    ``人民币\\n1,280,000.0\\n0元`` is ¥1,280,000.00 and ``2026年\\n3月1日`` one date,
    but read line by line they are a clipped number and no date at all. A break is
    taken out when both sides are parts of one value: a thousands group cut
    (``1,28`` | ``0,000.00``), a grouped number going on (``1,280,000.0`` | ``0元``),
    a number and its unit (``1,200.00`` | ``元``), a date's parts (``2026年`` |
    ``3月1日``, ``20`` | ``26年``) or a capitals amount's characters. A break between
    two plain numbers may as well stand between a row's number and a cell's (``10`` |
    ``5%``): it is taken out only when the value is plainly one around it (a currency
    before, or text before and a unit after). Lines are otherwise kept as they are.
    """
    if "\n" not in text:
        return text
    lines = text.split("\n")
    out = [lines[0]]
    for line in lines[1:]:
        if value_cut(out[-1], line):
            out[-1] = out[-1].rstrip(" \t") + line.lstrip(" \t")
        else:
            out.append(line)
    return "\n".join(out)


#: How much of each line's end and start tells whether a value was cut between them.
_REACH: Final = 32
_CJK: Final = "\u2e80-\u9fff\uf900-\ufaff"
_LOOSE_SPACE: Final = re.compile(rf"(?<=[{_CJK}]) +| +(?=[{_CJK}])")


def value_cut(line: str, following: str) -> bool:
    """Whether the break between ``line`` and the ``following`` line cuts one value
    (see :func:`unwrap_values`): widths folded and pdftotext's spaces beside CJK
    characters (``2026 年``) aside."""
    left, right = line.rstrip(" \t\u3000")[-_REACH:], following.lstrip(" \t\u3000")[:_REACH]
    if not left or not right or not (left[-1].isalnum() or left[-1] in ",.，．"):
        return False
    left = _LOOSE_SPACE.sub("", unicodedata.normalize("NFKC", left))
    right = _LOOSE_SPACE.sub("", unicodedata.normalize("NFKC", right))
    return _one_value(left, right)


def _one_value(left: str, right: str) -> bool:
    """Whether a line ending ``left`` and the next line starting ``right`` (folded) hold
    one value the break between them cut."""
    if _CAPITALS_END.search(left) and _CAPITALS_START.match(right):
        return True
    tail = _LEFT_NUMBER.search(left)
    if tail is None:
        return bool(_DATE_PART_END.search(left) and _DATE_PART_START.match(right))
    first, before = tail.group(0), left[: tail.start()]
    if re.match(r"[元圆%‰]", right) and first[-1].isdigit():
        return bool(before.strip()) or not re.fullmatch(r"\d{1,3}", first)
    if re.match(r"[年月日天个周]", right) and first[-1].isdigit():
        return bool(before.strip()) or (right[0] == "年" and len(first) == 4)
    head = _RIGHT_NUMBER.match(right)
    if head is None:
        return False
    second, after = head.group(0), right[head.end() :]
    if after.startswith(("、", ")", "）")) or (
        second.endswith(".") and after.strip() and not after.lstrip()[0].isdigit()
    ):
        return False  # the next line opens with a numbered clause or item (2. 乙方…, 3、)
    joined = first + second
    if not _PARTIAL_NUMBER.fullmatch(joined):
        return False
    if "." in first and len(joined.partition(".")[2]) > 2:
        return False  # a number with its cents, then another (1,200.00 | 30天)
    if "," in first or second.startswith(","):
        return True  # a thousands group cut, or a grouped number going on
    if _CURRENCY_END.search(before):
        return True
    if before.endswith(("年", "月")):
        return bool(re.match(r"[月日]", after)) and len(joined) <= 2  # 2026年1 | 2月
    if after.startswith("年"):
        return len(joined) == 4 and joined.isdigit()  # a year cut: 20 | 26年
    if re.search(r"\.\d+$", first) and _UNIT.match(after):
        return True  # a decimal cut: 0.0 | 5%
    # a plain number cut (为1 | 280元); never a grouped one after a number (数量10 |
    # 2,000.00元: a quantity, then a price)
    return bool(before.strip()) and "," not in second and bool(_UNIT.match(after))
