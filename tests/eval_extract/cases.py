"""One evaluated document: its text and what it truly says."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from contractctl.metadata import Term
from contractctl.money import Money


@dataclass
class Case:
    """A document and its labels.

    A field left None is "the document does not state it": a value extracted for it is
    wrong. ``renewal_known`` says whether the document's renewal was labelled (a model
    contract's own wording is not, so there only a claim of automatic renewal is judged).
    """

    name: str
    kind: str  # zh-filled | zh-blank | en | en-blank
    text: str
    parties: list[str] = field(default_factory=list)
    amount: Money | None = None
    signed_date: date | None = None
    effective_date: date | None = None
    expiry_date: date | None = None
    auto_renewal: bool | None = None
    notice: Term | None = None
    governing_law: str | None = None
    renewal_known: bool = False
    filename: str | None = None
