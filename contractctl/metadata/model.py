"""What metadata extraction returns: suggestions, each with a confidence and its source.

Every value found in an imported contract is an :class:`Extracted`: the typed value, how
sure the extractor is (0.0-1.0), the snippet of the original text it came from (so a
reviewer can find it in the document) and flags that say why it may need a human look
("ambiguous_date", "two_digit_year", "amount_words_disagree", "derived", "from_filename").
Nothing here is ever stored as fact without the import step deciding so.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, Literal, TypeVar

from contractctl.money import Money

T = TypeVar("T")

#: Flags that put a contract up for review whatever the confidence.
REVIEW_FLAGS = frozenset(
    {
        "ambiguous_date",
        "two_digit_year",
        "not_a_contract",
        "amount_words_disagree",
        "amount_conflict",
        "date_conflict",
        "invalid_credit_code",
        "credit_code_conflict",
    }
)

#: Fields whose absence alone sends a contract to review.
REQUIRED_FIELDS = ("title", "parties", "amount", "signed_date")
#: Fields reviewed when present but unsure (they drive reminders and routing).
CHECKED_FIELDS = ("effective_date", "expiry_date")
#: Every single-value field, in report order.
FIELDS = (
    "title",
    "amount",
    "signed_date",
    "effective_date",
    "expiry_date",
    "term",
    "auto_renewal",
    "notice",
    "governing_law",
    "contract_type",
    "document",
)


@dataclass(frozen=True)
class Term:
    """A contract's duration: ``count`` calendar months or days (years are 12 months)."""

    count: int
    unit: Literal["months", "days"]

    def to_dict(self) -> dict[str, int]:
        """``{"months": 12}`` or ``{"days": 90}``."""
        return {self.unit: self.count}


@dataclass(frozen=True)
class Extracted(Generic[T]):
    """One extracted value. ``value`` is None when the text names the field but cannot
    be read without guessing (an ambiguous 03/05/2026): the flags say why."""

    value: T | None
    confidence: float
    source: str
    flags: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe: Money as ``{"minor", "currency"}``, dates as ISO 8601."""
        return {
            "value": jsonable(self.value),
            "confidence": round(self.confidence, 3),
            "source": self.source,
            "flags": list(self.flags),
        }


@dataclass(frozen=True)
class PartyGuess:
    """A contracting party as the text names it.

    ``role`` is ``party_a``, ``party_b``, ``party_c``... (甲乙丙 / Party A, B, C, or the
    order of appearance when only capacities such as 出租方 or "Buyer" are written);
    ``label`` is the label as written ("甲方（买方）", "委托方", "Party A", "Buyer");
    ``credit_code`` is a 统一社会信用代码 that passed its check character, else None.
    """

    role: str
    label: str
    name: str
    credit_code: str | None
    confidence: float
    source: str
    flags: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form of the guess."""
        return {
            "role": self.role,
            "label": self.label,
            "name": self.name,
            "credit_code": self.credit_code,
            "confidence": round(self.confidence, 3),
            "source": self.source,
            "flags": list(self.flags),
        }


@dataclass(frozen=True)
class PartyMatch:
    """An existing counterparty that a :class:`PartyGuess` refers to."""

    party_id: str
    by: Literal["credit_code", "name"]
    confidence: float
    flags: tuple[str, ...] = ()


@dataclass
class Metadata:
    """Everything extracted from one contract's text; a missing field is None."""

    title: Extracted[str] | None = None
    parties: list[PartyGuess] = dataclasses.field(default_factory=list)
    amount: Extracted[Money] | None = None
    signed_date: Extracted[date] | None = None
    effective_date: Extracted[date] | None = None
    expiry_date: Extracted[date] | None = None
    term: Extracted[Term] | None = None
    auto_renewal: Extracted[bool] | None = None
    notice: Extracted[Term] | None = None
    governing_law: Extracted[str] | None = None
    contract_type: Extracted[str] | None = None
    #: A doubt about the document as a whole ("not clearly a contract: ..."), flagged
    #: ``not_a_contract`` for review; None when it reads as an agreement.
    document: Extracted[str] | None = None
    language: str = "zh"

    @property
    def notice_days(self) -> Extracted[int] | None:
        """The notice period when the contract counts it in days (None for months: a
        month is not 30 days, and the deadline is counted in calendar months)."""
        notice = self.notice
        if notice is None or notice.value is None or notice.value.unit != "days":
            return None
        return Extracted(notice.value.count, notice.confidence, notice.source, notice.flags)

    def field(self, name: str) -> Extracted[Any] | None:
        """The single-value field called ``name`` (one of :data:`FIELDS`; ``notice_days``,
        the notice in days, as before it was kept in its unit)."""
        if name == "notice_days":
            return self.notice_days
        if name not in FIELDS:
            raise KeyError(name)
        value: Extracted[Any] | None = getattr(self, name)
        return value

    def needs_review(self, threshold: float = 0.8) -> list[str]:
        """Names of the fields a person should check before the values are trusted.

        A field is listed when it matters and is missing (title, parties, amount - not
        for an NDA, which has none - and the signing date), when it matters and its
        confidence is below ``threshold`` (those and the effective and expiry dates,
        which drive reminders), or whenever it carries a flag such as
        ``ambiguous_date`` or ``amount_words_disagree``. ``parties`` is listed when
        fewer than two parties were found or any of them is unsure or flagged.
        """
        names: list[str] = []
        is_nda = (
            self.contract_type is not None
            and self.contract_type.value == "nda"
            and self.contract_type.confidence >= threshold
        )
        for name in FIELDS:
            item = self.field(name)
            required = name in REQUIRED_FIELDS and not (name == "amount" and is_nda)
            checked = required or name in CHECKED_FIELDS
            if item is None:
                if required:
                    names.append(name)
            elif (
                (checked and (item.confidence < threshold or item.value is None))
                or REVIEW_FLAGS.intersection(item.flags)
            ) and name not in names:
                names.append(name)
        if (
            len({p.role for p in self.parties}) < 2
            or any(p.confidence < threshold for p in self.parties)
            or any(REVIEW_FLAGS.intersection(p.flags) for p in self.parties)
        ):
            names.insert(1 if names[:1] == ["title"] else 0, "parties")
        return names

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form: every field (null when missing), parties, and the review list."""
        data: dict[str, Any] = {"language": self.language}
        for name in FIELDS:
            item = self.field(name)
            data[name] = item.to_dict() if item is not None else None
        data["parties"] = [p.to_dict() for p in self.parties]
        data["needs_review"] = self.needs_review()
        return data


def jsonable(value: object) -> object:
    """A value as JSON can hold it: Money and Term as objects, dates as ISO strings."""
    if isinstance(value, Money | Term):
        return value.to_dict()
    if isinstance(value, date):
        return value.isoformat()
    return value
