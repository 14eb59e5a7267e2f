"""A template's milestones: what the contract obliges each side to do after signing.

A schema lists them as ``[[milestones]]`` tables, in the order they happen, so that a
signed contract gets its obligations from the wording it was drafted from (see
contractctl.obligations.schedule, which turns them into dated rows). Each milestone
names one date rule and, for money, one amount rule, in terms of the template's fields:

- when: ``date = "delivery_date"`` (a date field), or ``after = "signing"`` or after an
  earlier milestone (``after = "delivery"``: its date is known only when that event is
  recorded), plus an offset ``days``/``workdays``/``months`` (a number or an integer
  field); ``before = "end_date"`` with ``days`` counts back from a date field;
- how much: ``share = "prepay_percent"`` (a percent of ``amount``: a number or an
  integer field), ``share = "rest"`` (what the other money milestones leave of
  ``amount``), or ``money = "deposit_amount"`` (a money field);
- ``when = "deposit_required"``: only when that field is true (or a non-zero number);
- ``by``: ``company`` or ``counterparty``, who must perform (for money: who pays).

Every name is checked against the template's fields when the schema is read, with the
file and line of the mistake, like the rest of the schema.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from contractctl import tomlfile
from contractctl.drafting.specs import FieldSpec

#: What a milestone is (the obligation kinds a template can declare).
MILESTONE_KINDS = (
    "deposit",
    "prepayment",
    "delivery",
    "acceptance",
    "balance",
    "retention",
    "warranty",
    "renewal_notice",
    "payment",
    "other",
)
#: Kinds that move money.
MONEY_KINDS = ("deposit", "prepayment", "balance", "retention", "payment")
MILESTONE_KEYS = (
    "name",
    "kind",
    "label",
    "by",
    "after",
    "date",
    "before",
    "days",
    "workdays",
    "months",
    "share",
    "money",
    "when",
)
UNITS = ("days", "workdays", "months")


@dataclass(frozen=True)
class MilestoneSpec:
    """One declared milestone (see the module docstring for the keys)."""

    name: str
    kind: str
    label_zh: str
    label_en: str
    by: str
    after: str | None = None
    date: str | None = None
    before: str | None = None
    offset: int | str = 0  # a number, or the name of an integer field
    unit: str = "days"
    share: int | str | None = None  # percent, an integer field, or "rest"
    money: str | None = None
    when: str | None = None

    @property
    def label(self) -> str:
        """Chinese and English label, for messages and descriptions."""
        if self.label_zh and self.label_en:
            return f"{self.label_zh} / {self.label_en}"
        return self.label_zh or self.label_en or self.name

    def to_dict(self) -> dict[str, Any]:
        """The `template fields --json` shape of a milestone."""
        return {
            "name": self.name,
            "kind": self.kind,
            "label": {"zh": self.label_zh, "en": self.label_en},
            "by": self.by,
            "after": self.after,
            "date": self.date,
            "before": self.before,
            "offset": self.offset,
            "unit": self.unit,
            "share": self.share,
            "money": self.money,
            "when": self.when,
        }


def parse_milestones(
    doc: tomlfile.TomlDoc, raw: Any, fields: tuple[FieldSpec, ...]
) -> tuple[MilestoneSpec, ...]:
    """Validate ``[[milestones]]`` against the template's ``fields``."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise doc.error("milestones: use [[milestones]] tables", "milestones")
    by_name = {f.name: f for f in fields}
    out: list[MilestoneSpec] = []
    for entry in raw:
        if not isinstance(entry, dict):
            raise doc.error("milestones: each entry is a table", "milestones")
        out.append(_one(doc, entry, by_name, [m.name for m in out]))
    conditional = {m.name for m in out if m.when}
    for milestone in out:
        if milestone.after in conditional:
            raise _error(
                doc,
                milestone.name,
                f"milestones -> {milestone.name} -> after: {milestone.after!r} may not "
                "happen (it has 'when'); count from a milestone that always does",
                "after",
            )
    return tuple(out)


def _error(doc: tomlfile.TomlDoc, name: str, message: str, key: str | None = None) -> Exception:
    """A ConfigError at the milestone's line (its ``name = "..."``), or its ``key``'s."""
    from contractctl.errors import ConfigError

    lines = doc.text.splitlines()
    at = next(
        (
            i
            for i, line in enumerate(lines)
            if re.match(rf"\s*name\s*=\s*[\"']{re.escape(name)}[\"']", line)
        ),
        None,
    )
    if at is not None and key:
        below = next(
            (
                i
                for i in range(at, len(lines))
                if re.match(rf"\s*{re.escape(key)}\s*=", lines[i])
                or (lines[i].startswith("[") and i > at)
            ),
            None,
        )
        if below is not None and not lines[below].startswith("["):
            at = below
    where = f"{doc.display}:{at + 1}" if at is not None else doc.display
    return ConfigError(f"{where}: {message}")


def _one(
    doc: tomlfile.TomlDoc, entry: dict[str, Any], fields: dict[str, FieldSpec], earlier: list[str]
) -> MilestoneSpec:
    name = entry.get("name")
    if not isinstance(name, str) or not name.isidentifier():
        raise doc.error("milestones -> name: every milestone needs a name (a-z, _)", "milestones")
    tomlfile.reject_unknown(doc, entry, MILESTONE_KEYS, "milestones", name)
    if name in earlier or name == "signing":
        raise _error(doc, name, f"milestones -> {name}: declared twice (or 'signing')")
    where = f"milestones -> {name}"
    kind = entry.get("kind", name)
    if kind not in MILESTONE_KINDS:
        raise _error(doc, name, f"{where} -> kind: one of {', '.join(MILESTONE_KINDS)}", "kind")
    label = entry.get("label", {})
    if not isinstance(label, dict):
        raise _error(doc, name, f"{where} -> label: {{ zh = ..., en = ... }}", "label")
    by = entry.get("by", "company")
    if by not in ("company", "counterparty"):
        raise _error(doc, name, f"{where} -> by: company or counterparty", "by")

    def field_of(key: str, types: tuple[str, ...]) -> str | None:
        value = entry.get(key)
        if value is None:
            return None
        spec = fields.get(value) if isinstance(value, str) else None
        if spec is None or spec.type not in types:
            raise _error(
                doc,
                name,
                f"{where} -> {key}: {value!r} is not a {' or '.join(types)} field of this template",
                key,
            )
        return str(value)

    after = entry.get("after")
    if after is not None and after != "signing" and after not in earlier:
        raise _error(
            doc,
            name,
            f"{where} -> after: 'signing' or an earlier milestone ({', '.join(earlier) or 'none'})",
            "after",
        )
    date_field = field_of("date", ("date",))
    before = field_of("before", ("date",))
    if sum(x is not None for x in (after, date_field, before)) != 1:
        raise _error(doc, name, f"{where}: give one of after, date or before")
    units = [u for u in UNITS if u in entry]
    if len(units) > 1 or (before and units != ["days"]):
        raise _error(doc, name, f"{where}: one offset (days, workdays or months; before: days)")
    unit = units[0] if units else "days"
    offset = entry.get(unit, 0)
    if isinstance(offset, str):
        field_of(unit, ("integer",))
    elif not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
        raise _error(doc, name, f"{where} -> {unit}: a whole number or an integer field", unit)
    share = entry.get("share")
    if share is not None:
        if share != "rest" and isinstance(share, str):
            field_of("share", ("integer",))
        elif share != "rest" and (
            not isinstance(share, int) or isinstance(share, bool) or not 0 < share <= 100
        ):
            raise _error(doc, name, f"{where} -> share: a percent, an integer field or 'rest'")
        if "amount" not in fields or fields["amount"].type != "money":
            raise _error(doc, name, f"{where} -> share: the template has no money field 'amount'")
    money = field_of("money", ("money",))
    if (share is not None or money is not None) != (kind in MONEY_KINDS):
        raise _error(
            doc,
            name,
            f"{where}: money kinds ({', '.join(MONEY_KINDS)}) and only they need share or money",
        )
    when = entry.get("when")
    if when is not None and when not in fields:
        raise _error(doc, name, f"{where} -> when: no field {when!r}", "when")
    return MilestoneSpec(
        name=name,
        kind=str(kind),
        label_zh=str(label.get("zh", "")),
        label_en=str(label.get("en", "")),
        by=str(by),
        after=after,
        date=date_field,
        before=before,
        offset=offset,
        unit=unit,
        share=share,
        money=money,
        when=when,
    )
