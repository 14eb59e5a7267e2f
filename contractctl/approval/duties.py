"""Separation of duties: whoever drafted or submitted a contract does not approve it.

An approval is worth something only when it is somebody else's judgement. So an
approver who drafted the contract (its row, or the version under review) or submitted
it for review is refused (exit 3, naming what they did), even where a role or a
delegation makes them an approver of the stage. It is on by default; a company that
wants it off says so in rules/approval.toml::

    [approval]
    separation_of_duties = false

The same table carries ``signed`` (each decision signed with the approver's personal
key); both are read and checked here so that `rules check` reports a mistake with file
and line, like every other key of the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contractctl import tomlfile
from contractctl.errors import NotAllowed

KEYS = ("separation_of_duties", "signed")


@dataclass(frozen=True)
class Duties:
    """The ``[approval]`` table of rules/approval.toml."""

    separation_of_duties: bool = True
    signed: bool = False


def from_doc(doc: tomlfile.TomlDoc) -> Duties:
    """Read and check the ``[approval]`` table of a loaded approval.toml."""
    table = doc.data.get("approval", {})
    if not isinstance(table, dict):
        raise doc.error("approval: a table ([approval])", "approval")
    tomlfile.reject_unknown(doc, table, KEYS, "approval")
    values: dict[str, bool] = {}
    for key in KEYS:
        if key in table:
            if not isinstance(table[key], bool):
                raise doc.error(f"approval -> {key}: true or false", "approval", key)
            values[key] = table[key]
    return Duties(**values)


def load_duties(home: Path) -> Duties:
    """The store's ``[approval]`` settings (defaults when the file has none)."""
    path = home / "rules" / "approval.toml"
    if not path.exists():
        return Duties()
    return from_doc(tomlfile.load(path, display="rules/approval.toml"))


def check_separation(
    duties: Duties, actor: str, contract_id: str, route: Any, drafted_by: list[str]
) -> None:
    """NotAllowed when ``actor`` drafted or submitted what they would approve."""
    if not duties.separation_of_duties:
        return
    did = []
    if actor in drafted_by:
        did.append("drafted")
    if route["submitted_by"] == actor:
        did.append("submitted")
    if did:
        raise NotAllowed(
            f"{actor} {' and '.join(did)} {contract_id} and cannot approve it "
            "(separation of duties): another approver of this stage decides",
            hint="rules/approval.toml [approval] separation_of_duties = false turns this off",
        )
