"""Who is acting: the operating-system login, mapped to a person in people.toml.

``--as`` used to be a label: anyone at the shell could approve as the CEO. Now the
person acting is the one whose ``login = "..."`` in people.toml is the login of the
process (the effective user id, not $USER or $LOGNAME, which anyone can set). ``--as ID``
(or $CONTRACTCTL_USER, which asks the same) names someone else only where the login's
person may act for them:

- an active delegation from ID to them (people.toml ``[[delegations]]``, chains too), or
- they, or their login, are in people.toml's ``admins`` list.

ID must then be listed in people.toml: nobody acts as a name nobody is. The act counts
for ID (the audit event's actor, the approval's decided_by) and the event records who
did it as ``operator``. A login nobody's ``login`` names acts as itself, with no roles.

A store whose people.toml lists nobody has no identities to protect (one user, no
approvals: routing needs people) and keeps ``--as`` as the label it was.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date

from contractctl.errors import NotAllowed
from contractctl.records.people import People


def os_login() -> str:
    """The login of the process's effective user id (``unknown`` when it has no name)."""
    try:
        import pwd

        return pwd.getpwuid(os.geteuid()).pw_name
    except (ImportError, KeyError, OSError):
        import getpass

        try:
            return getpass.getuser()
        except (KeyError, OSError):
            return "unknown"


@dataclass(frozen=True)
class Acting:
    """The person an act counts for, and who did it when that is someone else."""

    actor: str
    operator: str | None = None
    login: str = ""


def resolve(people: People, login: str, requested: str | None, on: date) -> Acting:
    """Who acts, for the process of ``login`` asking to act as ``requested``.

    NotAllowed (exit 3, with the reason) when ``requested`` names someone the login's
    person may not act for.
    """
    me = people.by_login(login)
    own = me.id if me is not None else login
    if not people.by_id:
        return Acting(requested or own, None, login)
    if not requested or requested in (own, login):
        return Acting(own, None, login)
    who = f"{own}" if me is not None else f"{login} (a login no person in people.toml has)"
    if requested not in people.by_id:
        raise NotAllowed(
            f"--as {requested}: nobody in people.toml has that id; you act as {who}",
            hint="act as yourself (drop --as), or as a person listed in people.toml",
        )
    admin = own in people.admins or login in people.admins
    delegated = me is not None and people.may_act_for(me.id, requested, on)
    if not (admin or delegated):
        raise NotAllowed(
            f"--as {requested}: you are {who}, and acting for {requested} needs a delegation "
            f"from {requested} to you or your id in people.toml's admins",
            hint=f'add login = "{login}" to your entry in people.toml and act as yourself',
        )
    return Acting(requested, own, login)
