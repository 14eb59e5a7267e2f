"""people.toml: who takes part in approvals, and their roles.

The approval issue grows this file (department heads, delegation); drafting needs only
one fact from it today: who holds the ``legal`` role, because only legal may approve a
new template version.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from contractctl import tomlfile

PERSON_KEYS = ("id", "name", "email", "department", "roles")


@dataclass(frozen=True)
class Person:
    """Someone who can act in contractctl (``--as ID``)."""

    id: str
    name: str
    email: str
    department: str
    roles: tuple[str, ...]


@dataclass(frozen=True)
class People:
    """Everyone in people.toml, by id."""

    by_id: dict[str, Person]

    def with_role(self, role: str) -> list[Person]:
        """Everyone holding ``role``, in file order."""
        return [p for p in self.by_id.values() if role in p.roles]

    def has_role(self, person_id: str, role: str) -> bool:
        """Whether ``person_id`` holds ``role``."""
        person = self.by_id.get(person_id)
        return person is not None and role in person.roles


def load_people(home: Path) -> People:
    """Read and validate ``home/people.toml``; a missing file means nobody is listed."""
    path = home / "people.toml"
    if not path.exists():
        return People({})
    doc = tomlfile.load(path, display="people.toml")
    tomlfile.reject_unknown(doc, doc.data, ("people",))
    raw = doc.data.get("people", [])
    if not isinstance(raw, list):
        raise doc.error("people: use [[people]] tables", "people")
    people: dict[str, Person] = {}
    for entry in raw:
        if not isinstance(entry, dict):
            raise doc.error("people: each entry is a table", "people")
        tomlfile.reject_unknown(doc, entry, PERSON_KEYS, "people")
        pid = entry.get("id")
        if not isinstance(pid, str) or not pid.strip():
            raise doc.error("people -> id: every person needs an id", "people")
        if pid in people:
            raise doc.error(f"people -> {pid}: listed twice", "id")
        roles = entry.get("roles", [])
        if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
            raise doc.error(f"people -> {pid} -> roles: a list of role names", "roles")
        people[pid] = Person(
            id=pid,
            name=str(entry.get("name", pid)),
            email=str(entry.get("email", "")),
            department=str(entry.get("department", "")),
            roles=tuple(roles),
        )
    return People(people)
