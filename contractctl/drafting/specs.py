"""What a template declares, as frozen dataclasses: ``FieldSpec`` and ``TemplateSpec``.

:mod:`~contractctl.drafting.schema` builds them from a template's sidecar TOML, and
:mod:`~contractctl.drafting.fields` checks contract data against them; the schema in
turn uses the fields module to check a field's default and the sample values. They
live in a module of their own so that both can import them and the imports point one
way (schema -> fields -> specs), with no circle between the parser and the checker.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class ShareLimit:
    """A legal ceiling on a money field as a share of another (``max_share`` in the
    schema): a deposit (定金) may not exceed 20% of the contract price (民法典第五百八十六条).
    Exceeding it is a high-severity risk flag at submit, naming ``law``."""

    of: str
    percent: Decimal
    law: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The `template fields --json` shape."""
        return {"of": self.of, "percent": str(self.percent), "law": self.law}


@dataclass(frozen=True)
class FieldSpec:
    """One declared field (or one column of a table field)."""

    name: str
    type: str
    required: bool = False
    default: Any = None
    label_zh: str = ""
    label_en: str = ""
    help: str = ""
    pattern: str | None = None
    min: Any = None
    max: Any = None
    choices: tuple[str, ...] = ()
    currency: str | None = None
    columns: tuple[FieldSpec, ...] = ()
    #: (other field, value): required when that field equals value (None: when truthy)
    required_if: tuple[str, str | None] | None = None
    #: a legal ceiling as a share of another money field (money fields only)
    max_share: ShareLimit | None = None

    @property
    def label(self) -> str:
        """A label for messages: Chinese and English when both exist."""
        if self.label_zh and self.label_en:
            return f"{self.label_zh} / {self.label_en}"
        return self.label_zh or self.label_en or self.name

    def to_dict(self) -> dict[str, Any]:
        """The `template fields --json` shape (DESIGN.md §4)."""

        def plain(value: Any) -> Any:
            from contractctl.money import Money

            if isinstance(value, Money):
                return value.to_dict()
            if isinstance(value, (date, Decimal)):
                return str(value)
            return value

        return {
            "name": self.name,
            "type": self.type,
            "required": self.required,
            "default": plain(self.default),
            "label": {"zh": self.label_zh, "en": self.label_en},
            "help": self.help or None,
            "choices": list(self.choices) or None,
            "min": plain(self.min),
            "max": plain(self.max),
            "pattern": self.pattern,
            "currency": self.currency,
            "columns": [c.to_dict() for c in self.columns] or None,
            "required_if": (
                None
                if self.required_if is None
                else {"field": self.required_if[0], "equals": self.required_if[1]}
            ),
            "max_share": self.max_share.to_dict() if self.max_share else None,
        }


@dataclass(frozen=True)
class TemplateSpec:
    """A template's identity, fields, standard clauses and sample values."""

    name: str
    version: int
    type: str
    language: str
    title: str
    description: str
    signatories: tuple[str, ...]
    standard_clauses: tuple[int, ...]
    fields: tuple[FieldSpec, ...]
    sample: dict[str, Any] = field(default_factory=dict)
    #: ``[[milestones]]``: contractctl.drafting.milestones.MilestoneSpec, in order
    milestones: tuple[Any, ...] = ()

    def field(self, name: str) -> FieldSpec | None:
        """The field called ``name``, if declared."""
        for spec in self.fields:
            if spec.name == name:
                return spec
        return None

    @property
    def field_names(self) -> set[str]:
        """Every declared field name."""
        return {f.name for f in self.fields}
