"""people.toml: who takes part in approvals, their roles, department heads, delegation.

Approval rules name roles (``legal``, ``finance``, ``ceo``) and the dynamic role
``dept_head``, which resolves from the contract's department. A person who is out of
office delegates for a date range: the delegate may decide in their place, and the
decision records both. Circular delegation is an error when the file is read,
because it would leave a task nobody can decide.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from contractctl import tomlfile
from contractctl.errors import ConfigError

#: A person's own robot or webhook channels (contractctl.notify reads their keys).
CHANNEL_KEYS = ("dingtalk", "wecom", "feishu", "webhook")
PERSON_KEYS = ("id", "name", "email", "department", "roles", "lang", "login", "key", *CHANNEL_KEYS)
DEPARTMENT_KEYS = ("head", "name")
DELEGATION_KEYS = ("from", "to", "start", "end", "reason")


@dataclass(frozen=True)
class Person:
    """Someone who can act in contractctl (``--as ID``)."""

    id: str
    name: str
    email: str
    department: str
    roles: tuple[str, ...]
    #: the language messages to them are written in (``zh``/``en``; empty: guessed)
    lang: str = ""
    #: their own robot or webhook channels: ``dingtalk = { webhook = "...", secret = "..." }``
    channels: dict[str, dict[str, str]] = field(default_factory=dict, hash=False, compare=False)
    #: their operating-system login: who runs contractctl as it acts as this person
    login: str = ""
    #: their personal signing identity (keys/), for signed approval decisions
    key: str = ""


@dataclass(frozen=True)
class Delegation:
    """``source`` is away from ``start`` to ``end`` (inclusive); ``target`` decides instead."""

    source: str
    target: str
    start: date
    end: date
    reason: str = ""

    def active(self, on: date) -> bool:
        """Whether the delegation applies on ``on``."""
        return self.start <= on <= self.end


@dataclass(frozen=True)
class People:
    """Everyone in people.toml, by id, with department heads and delegations."""

    by_id: dict[str, Person]
    heads: dict[str, str]
    delegations: tuple[Delegation, ...] = ()
    #: people (ids) or OS logins that may act for anyone listed (``--as``)
    admins: tuple[str, ...] = ()

    def by_login(self, login: str) -> Person | None:
        """The person whose ``login`` is ``login``, if any."""
        return next((p for p in self.by_id.values() if p.login and p.login == login), None)

    @property
    def roles(self) -> set[str]:
        """Every role somebody holds."""
        return {role for person in self.by_id.values() for role in person.roles}

    def with_role(self, role: str) -> list[Person]:
        """Everyone holding ``role``, in file order."""
        return [p for p in self.by_id.values() if role in p.roles]

    def has_role(self, person_id: str, role: str) -> bool:
        """Whether ``person_id`` holds ``role``."""
        person = self.by_id.get(person_id)
        return person is not None and role in person.roles

    def resolve_role(self, role: str, department: str) -> list[str]:
        """The people a role means for a contract of ``department``."""
        if role == "dept_head":
            head = self.heads.get(department)
            return [head] if head else []
        return [p.id for p in self.with_role(role)]

    def delegate_of(self, person_id: str, on: date) -> str | None:
        """Who decides for ``person_id`` on ``on`` (following chains), if anyone."""
        current, seen = person_id, {person_id}
        while True:
            step = next(
                (d.target for d in self.delegations if d.source == current and d.active(on)), None
            )
            if step is None:
                return None if current == person_id else current
            if step in seen:
                return None
            seen.add(step)
            current = step

    def may_act_for(self, actor: str, approver: str, on: date) -> bool:
        """Whether ``actor`` may decide a task assigned to ``approver`` on ``on``."""
        if actor == approver:
            return True
        current, seen = approver, {approver}
        while True:
            step = next(
                (d.target for d in self.delegations if d.source == current and d.active(on)), None
            )
            if step is None or step in seen:
                return False
            if step == actor:
                return True
            seen.add(step)
            current = step


def load_people(home: Path) -> People:
    """Read and validate ``home/people.toml``; a missing file means nobody is listed."""
    path = home / "people.toml"
    if not path.exists():
        return People({}, {})
    doc = tomlfile.load(path, display="people.toml")
    tomlfile.reject_unknown(doc, doc.data, ("admins", "people", "departments", "delegations"))
    people = _people(doc)
    heads = _departments(doc, people)
    delegations = _delegations(doc, people)
    admins = doc.data.get("admins", [])
    if not isinstance(admins, list) or not all(isinstance(a, str) and a for a in admins):
        raise doc.error("admins: a list of people ids or logins", "admins")
    return People(people, heads, delegations, tuple(admins))


def _people(doc: tomlfile.TomlDoc) -> dict[str, Person]:
    raw = doc.data.get("people", [])
    if not isinstance(raw, list):
        raise doc.error("people: use [[people]] tables", "people")
    people: dict[str, Person] = {}
    for entry in raw:
        if not isinstance(entry, dict):
            raise doc.error("people: each entry is a table", "people")
        pid = entry.get("id")
        if not isinstance(pid, str) or not pid.strip():
            raise doc.error("people -> id: every person needs an id", "people")
        tomlfile.reject_unknown(doc, entry, PERSON_KEYS, "people", pid)
        if pid in people:
            raise doc.error(f"people -> {pid}: listed twice", pid)
        roles = entry.get("roles", [])
        if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
            raise doc.error(f"people -> {pid} -> roles: a list of role names", pid, "roles")
        people[pid] = Person(
            id=pid,
            name=str(entry.get("name", pid)),
            email=str(entry.get("email", "")),
            department=str(entry.get("department", "")),
            roles=tuple(roles),
            lang=str(entry.get("lang", "")),
            channels=_channels(doc, pid, entry),
            login=_login(doc, pid, entry, people),
            key=str(entry.get("key", "")),
        )
    return people


def _login(
    doc: tomlfile.TomlDoc, pid: str, entry: dict[str, object], people: dict[str, Person]
) -> str:
    login = entry.get("login", "")
    if not isinstance(login, str):
        raise doc.error(f"people -> {pid} -> login: an operating-system login name", pid, "login")
    other = next((p.id for p in people.values() if login and p.login == login), None)
    if other is not None:
        raise doc.error(f"people -> {pid} -> login: {login} is already {other}'s", pid, "login")
    return login


def _channels(
    doc: tomlfile.TomlDoc, pid: str, entry: dict[str, object]
) -> dict[str, dict[str, str]]:
    """A person's robot and webhook tables, as tables of strings."""
    out: dict[str, dict[str, str]] = {}
    for kind in CHANNEL_KEYS:
        raw = entry.get(kind)
        if raw is None:
            continue
        if not isinstance(raw, dict) or not all(isinstance(v, str) for v in raw.values()):
            raise doc.error(
                f'people -> {pid} -> {kind}: a table like {{ webhook = "https://..." }}', pid, kind
            )
        out[kind] = dict(raw)
    return out


def _departments(doc: tomlfile.TomlDoc, people: dict[str, Person]) -> dict[str, str]:
    raw = doc.data.get("departments", {})
    if not isinstance(raw, dict):
        raise doc.error("departments: a table of departments", "departments")
    heads: dict[str, str] = {}
    for name, entry in raw.items():
        if not isinstance(entry, dict):
            raise doc.error(f"departments -> {name}: a table with head = ID", name)
        tomlfile.reject_unknown(doc, entry, DEPARTMENT_KEYS, "departments", name)
        head = entry.get("head")
        if head not in people:
            raise doc.error(
                f"departments -> {name} -> head: {head!r} is not in [[people]]", name, "head"
            )
        heads[name] = str(head)
    return heads


def _delegations(doc: tomlfile.TomlDoc, people: dict[str, Person]) -> tuple[Delegation, ...]:
    raw = doc.data.get("delegations", [])
    if not isinstance(raw, list):
        raise doc.error("delegations: use [[delegations]] tables", "delegations")
    out: list[Delegation] = []
    for entry in raw:
        if not isinstance(entry, dict):
            raise doc.error("delegations: each entry is a table", "delegations")
        tomlfile.reject_unknown(doc, entry, DELEGATION_KEYS, "delegations")
        source, target = entry.get("from"), entry.get("to")
        for key, who in (("from", source), ("to", target)):
            if who not in people:
                raise doc.error(
                    f"delegations -> {key}: {who!r} is not in [[people]]", "delegations", key
                )
        start, end = entry.get("start"), entry.get("end")
        if not isinstance(start, date) or not isinstance(end, date) or end < start:
            raise doc.error(
                "delegations: start and end are dates, end not before start", "delegations", "start"
            )
        if source == target:
            raise doc.error(
                f"delegations: {source} cannot delegate to themselves", "delegations", "to"
            )
        out.append(Delegation(str(source), str(target), start, end, str(entry.get("reason", ""))))
    _refuse_cycles(doc, out)
    return tuple(out)


def _refuse_cycles(doc: tomlfile.TomlDoc, delegations: list[Delegation]) -> None:
    """A -> B -> ... -> A on any day they all apply is an error."""
    for first in delegations:
        chain = [first]
        while True:
            last = chain[-1]
            start = max(d.start for d in chain)
            end = min(d.end for d in chain)
            nxt = next(
                (
                    d
                    for d in delegations
                    if d.source == last.target
                    and d.start <= end
                    and d.end >= start
                    and d not in chain
                ),
                None,
            )
            if nxt is None:
                break
            chain.append(nxt)
            if nxt.target == first.source:
                path = " -> ".join([d.source for d in chain] + [first.source])
                raise ConfigError(
                    f"{doc.display}:{doc.line_of('delegations') or ''}: circular delegation "
                    f"{path} (from {max(d.start for d in chain)} to {min(d.end for d in chain)})"
                )
