"""Values that matter in a contract: amounts, dates, percentages, durations, parties.

A lawyer reading a redline wants ``合同总价款 ¥120,000.00 → ¥150,000.00``, not a cloud of
changed digits, so each aligned clause's values are extracted from both versions and
compared. Recognised forms:

* amounts: ``¥120,000.00``, ``￥120000元``, ``人民币120,000元``, ``12万元``, ``RMB 1,200.50``,
  ``CNY``/``USD 3,000``, ``$3,000.00``, and capitals (``人民币壹拾贰万元整``, read by
  :func:`contractctl.money.parse_chinese_upper`). Figures and the capitals that restate
  them next to each other (``¥120,000.00（大写：人民币壹拾贰万元整）``) are one value,
  shown as the figure. Money stays :class:`~contractctl.money.Money`, never a float;
* dates: ``2026年1月5日``, ``二〇二六年一月五日``, ``2026-01-05``, ``2026/1/5``,
  ``January 5, 2026``, ``5 January 2026``;
* percentages: ``5%``, ``5.5%``, ``百分之五``, ``千分之一``, ``万分之五``, ``5 per cent``;
* durations: ``30日``, ``30天``, ``三十日``, ``7个工作日``, ``12个月``, ``两年``, ``24小时``,
  ``30 days``, ``thirty (30) days``, ``12 months``, ``2 years``; years count as 12 months
  and weeks as 7 days, so ``1年`` and ``12个月`` are the same value;
* parties: ``甲方：X``, ``乙方（供方）：X``, ``委托方：X``, ``Party A: X``, ``Buyer: X``
  at the start of a line or table cell, and ``between X and Y``.

Each value gets a label: the row's name in a table, else the nearest known term before
it in the sentence (合同总价款, 定金, 税率, Fees), else a ``label：`` that opens the
sentence, else the clause title. Old and new values are paired by label and order; a
value present on both sides unchanged is not reported.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final

from contractctl.compare.model import SemanticChange, What
from contractctl.compare.normalise import comparison_form, fold_ocr_values
from contractctl.compare.recognise import (
    amounts,
    dates,
    decimal_text,
    durations,
    parties,
    percentages,
    prepare,
)
from contractctl.compare.wrapped import CURRENCY_WORDS
from contractctl.money import format_money

__all__ = ["Value", "compare_values", "extract"]


@dataclass(frozen=True)
class Value:
    """One value found in a clause: kind, label, display string, machine value, span."""

    what: What
    label: str
    display: str
    value: Any
    key: tuple[Any, ...]
    start: int
    end: int
    source: str = ""


# --- labels ----------------------------------------------------------------------------

_TERMS: Final[dict[str, tuple[str, ...]]] = {
    "amount": (
        "合同总价款", "合同总价", "总价款", "合同价款", "合同金额", "总金额", "月租金", "年租金",
        "租金总额", "租赁保证金", "质量保证金", "保证金", "押金", "定金", "违约金", "赔偿金",
        "预付款", "首付款", "尾款", "余款", "服务费", "租金", "价款", "单价", "合计", "总价",
        "金额", "费用",
        "Contract Price", "Price", "total Fees", "Fees", "Fee", "Deposit", "Rent", "Total",
        "Amount", "liquidated damages", "penalty",
    ),
    "percentage": (
        "增值税税率", "税率", "预付款", "质量保证金", "违约金", "利率", "比例", "折扣",
        "VAT", "tax rate", "interest", "service credit", "availability", "discount",
    ),
    "date": (
        "签订日期", "签署日期", "签订时间", "签署时间", "生效日期", "交货日期", "交货期限",
        "交付日期", "交付日", "付款日期", "开始日期", "起始日期", "终止日期", "截止日期",
        "租赁期限", "到期日", "截止",
        "Effective Date", "Date", "Term", "expiry",
    ),
    "duration": (
        "付款期限", "有效期", "质量保证期", "保修期", "免租期", "租赁期", "验收期限", "通知期",
        "期限",
        "Term", "notice", "warranty period", "payment",
    ),
}  # fmt: skip
_ALL_TERMS: Final = frozenset(term for terms in _TERMS.values() for term in terms)
_GENERIC: Final = {
    "amount": ("金额", "amount"),
    "date": ("日期", "date"),
    "percentage": ("比例", "percentage"),
    "duration": ("期限", "period"),
}
_SENTENCE_BREAK: Final = re.compile(r"[。;!?\n]")
_COLON_LABEL: Final = re.compile(
    r"^(?:\d{1,3}(?:\.\d{1,3})*\.?)?\s?([^,:;。\t()]{1,12}?)\s?(?:\([^)]{0,12}\))?\s?:"
)
_NEAR: Final = 16
#: Words that name a value by their ending (保管费, 货款, 保管期限, 交货时间, 利率).
_KIND_WORDS: Final = {
    "amount": re.compile(r"[\u4e00-\u9fff]{1,2}(?:费|款|金|价)"),
    "date": re.compile(r"[\u4e00-\u9fff]{1,2}(?:期限|日期|时间)"),
    "percentage": re.compile(r"[\u4e00-\u9fff]{1,2}(?:率|比例)"),
}
#: A short Title Case line that names the value on the line below it.
_HEADING_LABEL: Final = re.compile(r"[A-Z][A-Za-z]*(?: (?:[A-Z][A-Za-z]*|of|and)){0,3}")
_COPULA: Final = re.compile(r"(?<=\S)(?:为|是)$")
#: An aside in brackets: the terms in it qualify the thing named before it.
_ASIDE: Final = re.compile(r"\([^()]*\)")
_NOT_LABELS: Final = frozenset({"大写", "小写", "(大写)", "(小写)", "大写金额", "小写金额"})


def _label(text: str, start: int, what: str, title: str) -> str:
    """What names the value at ``start``; a copula it ends with left out (签约合同价为：)."""
    return _COPULA.sub("", _find_label(text, start, what, title)).rstrip()


def _find_label(text: str, start: int, what: str, title: str) -> str:
    line_start = text.rfind("\n", 0, start) + 1
    context = text[line_start:start]
    breaks = list(_SENTENCE_BREAK.finditer(context))
    sentence = context[breaks[-1].end() :] if breaks else context
    sentence = sentence.split("\t")[-1] if "\t" in sentence else sentence
    if "\t" in context and what != "party":
        # In a table row the value's own cell speaks first (单价：¥100), then the
        # nearest cell that names something (项目名称 | 2号线 | 项目投资额 | ¥1,280,000.00).
        own = _sentence_label(sentence, what, near_only=True)
        if own:
            return own
        cell = _label_cell(context.split("\t")[:-1])
        if cell:
            return cell
    if not sentence.strip():
        label = _label_above(text, line_start)
        if label:
            return label
    label = _sentence_label(sentence, what, near_only=False)
    if label:
        return label
    if title:
        return title
    chinese = bool(re.search(r"[\u4e00-\u9fff]", sentence or text))
    return _GENERIC[what][0 if chinese else 1]


def _sentence_label(sentence: str, what: str, *, near_only: bool) -> str:
    """The known term nearest before the value (an aside in brackets passed over:
    本车价款（不含税费或其它费用）为 is 本车价款, not 费用), else the sentence's ``label:``."""
    masked = _ASIDE.sub(lambda m: " " * len(m.group()), sentence).lower()
    best: tuple[int, int, int] | None = None  # (end, length, start)
    for term in _TERMS[what]:
        at = masked.rfind(term.lower())
        if at >= 0 and (best is None or (at + len(term), len(term)) > best[:2]):
            best = (at + len(term), len(term), at)
    named = ""
    if best is not None:
        lead = sentence[: best[2]].strip()
        # 本车价款, 首期租金: a word of two characters before the term opens the sentence
        word = re.fullmatch(r"[\u4e00-\u9fff]{2}", lead) and lead not in _ALL_TERMS
        at = best[2] - len(lead) if word else best[2]
        named = sentence[at : best[0]]
        if len(sentence) - best[0] <= _NEAR:
            return named
    colon = _COLON_LABEL.match(sentence.strip())
    if colon and colon.group(1).strip():
        return colon.group(1).strip()
    # a word no list has but whose ending says what it names: 保管费, 保管期限, 利率
    words = list(_KIND_WORDS[what].finditer(masked)) if what in _KIND_WORDS else []
    if words and len(sentence) - words[-1].end() <= _NEAR:
        return sentence[words[-1].start() : words[-1].end()]
    return "" if near_only else named


def _label_cell(cells: list[str]) -> str:
    """The cell just before a value when it names it (项目名称 | 2号线 | 项目投资额 |
    ¥1,280,000.00: a form's label and value cells); else, as in a line-item row
    (服务器 | 台 | 2 | ¥10,000.00), the row's first cell without figures."""
    before = next((c.strip().rstrip(":") for c in reversed(cells) if c.strip()), "")
    if (
        before
        and len(before) <= 30
        and not re.search(r"\d", before)
        and before not in _NOT_LABELS
        and not re.fullmatch(r"[\u4e00-\u9fff]|(?i:[a-z]+s?)", before)  # 台, month: units
    ):
        return before
    first = next((c.strip() for c in cells if c.strip() and not re.fullmatch(r"[\d.\s]+", c)), "")
    return first.rstrip(":") if len(first) <= 30 else ""


def _label_above(text: str, line_start: int) -> str:
    """The ``label：`` on a line of its own above a value that opens its line (a narrow
    cell: ``项目投资额：`` | ``人民币`` | ``1,280,000.00元``), a currency word's line
    between them passed over; else nothing."""
    end = line_start - 1
    while end > 0:
        start = text.rfind("\n", 0, end) + 1
        above = text[start:end].strip()
        if re.fullmatch(CURRENCY_WORDS, above):
            end = start - 1
            continue
        colon = _COLON_LABEL.match(above)
        if above.endswith(":") and colon and colon.group(1).strip():
            return colon.group(1).strip()
        if _HEADING_LABEL.fullmatch(above):  # a cover page's "Effective Date" over its date
            return above
        break
    return ""


# --- extraction and pairing ------------------------------------------------------------


def extract(text: str, *, title: str = "", ocr: bool = False) -> list[Value]:
    """Every amount, date, percentage, duration and party named in ``text``, in order.

    ``title`` (the clause's) labels values nothing nearer names; ``ocr`` reads numbers
    through the common OCR confusions (``2O7`` is ``207``).
    """
    prepared = prepare(text)
    if ocr:
        prepared = fold_ocr_values(prepared)
    values: list[Value] = []
    spans: list[tuple[int, int]] = []
    for start, end, money, capitals in amounts(prepared):
        display = format_money(money)
        if capitals is not None and capitals != money:
            display += f" (大写 {format_money(capitals)})"
        key = (money.minor, money.currency, None if capitals in (None, money) else capitals.minor)
        label = _label(prepared, start, "amount", title)
        values.append(
            Value("amount", label, display, money.to_dict(), key, start, end, prepared[start:end])
        )
        spans.append((start, end))
    for start, end, day in dates(prepared):
        label = _label(prepared, start, "date", title)
        values.append(
            Value(
                "date",
                label,
                day.isoformat(),
                day.isoformat(),
                (day,),
                start,
                end,
                prepared[start:end],
            )
        )
        spans.append((start, end))
    for start, end, percent in percentages(prepared):
        text_value = decimal_text(percent)
        label = _label(prepared, start, "percentage", title)
        values.append(
            Value(
                "percentage",
                label,
                f"{text_value}%",
                text_value,
                (percent,),
                start,
                end,
                prepared[start:end],
            )
        )
        spans.append((start, end))
    for start, end, amount, unit, display in durations(prepared):
        if any(a < end and start < b for a, b in spans):
            continue  # the 22日 of a date, the 12 of 12个月 already read
        label = _label(prepared, start, "duration", title)
        value = {"amount": amount, "unit": unit}
        values.append(
            Value(
                "duration", label, display, value, (amount, unit), start, end, prepared[start:end]
            )
        )
    for start, end, role, name in parties(prepared):
        shown = re.sub(r"\s+", " ", name)
        name_key: tuple[Any, ...] = (comparison_form(name).casefold(),)
        values.append(Value("party", role, shown, shown, name_key, start, end, prepared[start:end]))
    return sorted(values, key=lambda v: (v.start, v.what))


def _groups(values: Iterable[Value]) -> dict[tuple[str, str], list[Value]]:
    groups: dict[tuple[str, str], list[Value]] = {}
    for value in values:
        groups.setdefault((value.what, value.label), []).append(value)
    return groups


def compare_values(
    old: list[Value],
    new: list[Value],
    clause: str,
    *,
    tolerant: bool = False,
    old_text: str = "",
    new_text: str = "",
) -> list[SemanticChange]:
    """The value changes between two versions of one clause.

    Values are paired by (kind, label) and then by order (``difflib`` on the values, so
    one inserted amount does not shift the others). With ``tolerant`` (text from PDF or
    OCR, where labels and values may be torn apart by the layout) a value that only
    lost or gained its label, or that moved to another label while the other side still
    has it, is not reported; a party whose name changed always is. ``old_text`` and
    ``new_text`` are the clause texts in comparison form: a party name the layout tore
    from its role still counts as present when the other text contains it.
    """
    old, new = _cancel_unchanged(old, new)
    old_groups, new_groups = _groups(old), _groups(new)
    paired: list[tuple[Value | None, Value | None]] = []
    for group in list(old_groups) + [g for g in new_groups if g not in old_groups]:
        before, after = old_groups.get(group, []), new_groups.get(group, [])
        matcher = difflib.SequenceMatcher(
            None, [v.key for v in before], [v.key for v in after], autojunk=False
        )
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                continue
            pairs: list[tuple[Value | None, Value | None]] = list(
                zip(before[i1:i2], after[j1:j2], strict=False)
            )
            pairs += [(v, None) for v in before[i1 + len(pairs) : i2]]
            pairs += [(None, v) for v in after[j1 + len(pairs) : j2]]
            paired += pairs
    changes: list[tuple[int, SemanticChange]] = []
    for was, now in _pair_relabelled(paired):
        if tolerant and _layout_artifact(was, now, old, new, old_text, new_text):
            continue
        base = now or was
        assert base is not None
        changes.append(
            (
                base.start if now is not None else -1,
                SemanticChange(
                    what=base.what,
                    label=base.label,
                    old=was.display if was else None,
                    new=now.display if now else None,
                    clause=clause,
                    old_value=was.value if was else None,
                    new_value=now.value if now else None,
                ),
            )
        )
    return [change for _, change in sorted(changes, key=lambda c: c[0])]


def _identity(value: Value) -> tuple[Any, ...]:
    """What makes two values the same value: kind and value; for a party its role too
    (甲方 and 乙方 swapping names is a change)."""
    return (value.what, value.label if value.what == "party" else "", value.key)


def _cancel_unchanged(old: list[Value], new: list[Value]) -> tuple[list[Value], list[Value]]:
    """Both sides without the values that stand on both, whatever label the words
    around them gave them: an unchanged value is never reported removed and added."""
    waiting: dict[tuple[Any, ...], list[int]] = {}
    for n, value in enumerate(new):
        waiting.setdefault(_identity(value), []).append(n)
    gone: set[int] = set()
    kept_old: list[Value] = []
    for value in old:
        slots = waiting.get(_identity(value))
        if slots:
            gone.add(slots.pop(0))
        else:
            kept_old.append(value)
    return kept_old, [v for n, v in enumerate(new) if n not in gone]


def _pair_relabelled(
    pairs: list[tuple[Value | None, Value | None]],
) -> list[tuple[Value | None, Value | None]]:
    """A value removed under one label and one of the same kind added under another
    are one change (付款方式 30日 → 付款期限 45日), paired in order."""
    removed = [(n, was) for n, (was, now) in enumerate(pairs) if now is None and was is not None]
    added = [(n, now) for n, (was, now) in enumerate(pairs) if was is None and now is not None]
    merged: dict[int, tuple[Value | None, Value | None]] = {}
    dropped: set[int] = set()
    for n, was in removed:
        match = next(
            ((m, now) for m, now in added if m not in dropped and now.what == was.what), None
        )
        if match is not None and was.what != "party":
            m, now = match
            merged[n] = (was, now)
            dropped.add(m)
    return [merged.get(n, pair) for n, pair in enumerate(pairs) if n not in dropped]


def _layout_artifact(
    was: Value | None,
    now: Value | None,
    old: list[Value],
    new: list[Value],
    old_text: str,
    new_text: str,
) -> bool:
    """Whether a value change is the layout's doing rather than the text's (tolerant mode)."""

    def present(value: Value, values: list[Value], text: str) -> bool:
        if any(v.key == value.key and v.what == value.what for v in values):
            return True
        source = comparison_form(value.source or value.display)
        return bool(text) and bool(source) and source in text

    if was is not None and now is not None:
        if was.what == "party":
            # A name the layout cut short (a wrapped table cell), never another name.
            longer, shorter, text = (
                (was, now, new_text)
                if len(was.display) > len(now.display)
                else (now, was, old_text)
            )
            return longer.display.startswith(shorter.display) and present(longer, [], text)
        return present(was, new, new_text) and present(now, old, old_text)
    if was is not None:
        return present(was, new, new_text)
    assert now is not None
    return present(now, old, old_text)
