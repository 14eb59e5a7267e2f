"""The words of a notification, in the recipient's language.

A message is short enough for a phone's lock screen and a robot's chat bubble: what is
needed, the contract's id and title, the counterparty, the amount, and by when. The
texts are English msgids translated through the project's gettext catalog
(contractctl/locale/zh), looked up for the *recipient's* language rather than the
process's: one cron run writes to 王芳 in Chinese and to an English-speaking auditor in
English. A recipient's language is theirs when people.toml says (``lang``), Chinese when
their name is written in Chinese characters, else the language of the environment cron
runs in.
"""

from __future__ import annotations

import gettext as _gettext
from dataclasses import dataclass
from functools import cache
from typing import Any

from contractctl import i18n
from contractctl.dates import local_time_text
from contractctl.money import Money, format_money

#: kind -> (headline msgid, what is needed msgid); {stage}, {approver}, {what}, {n} filled.
HEADLINES: dict[str, tuple[str, str]] = {
    "waiting": ("Approval needed", "Your approval, stage {stage}"),
    "overdue": ("Approval overdue", "Your approval, stage {stage}, is past due"),
    "escalated": ("Approval escalated", "{approver} has not decided stage {stage} in time"),
    "submitted": ("Submitted for approval", "Approval by: {approvers}"),
    "stage_advanced": ("Stage approved", "Stage {stage} approved by {approver}"),
    "approved": ("Approved, ready to sign", "Signing"),
    "returned": ("Returned for changes", "Revise and submit again"),
    "rejected": ("Rejected", "Nothing: the route is closed"),
    "signed": ("Fully signed", "Nothing: every party has signed"),
    "amendment_in_force": ("Amendment in force", "Nothing: the signed amendment now binds"),
    "obligation_due": ("Due soon", "{what}"),
    "obligation_overdue": ("Overdue", "{what}"),
}


@dataclass(frozen=True)
class Facts:
    """What a message says about one thing that happened or is due."""

    kind: str
    contract_id: str
    title: str
    counterparty: str | None
    amount: Money | None
    due: str | None = None  # ISO date or date-time
    stage: str = ""
    approver: str = ""
    approvers: str = ""
    what: str = ""
    comment: str = ""


@dataclass(frozen=True)
class Text:
    """A rendered message: a subject line and a few lines of body."""

    subject: str
    body: str


def language_for(lang: str, name: str) -> str:
    """``zh`` or ``en`` for a recipient: their own setting, else Chinese for a Chinese
    name, else the environment's language."""
    chosen = i18n.normalise(lang)
    if chosen is not None:
        return chosen
    if any("\u3400" <= ch <= "\u9fff" for ch in name):
        return "zh"
    return i18n.from_environment()


@cache
def _catalog(lang: str) -> _gettext.NullTranslations:
    if lang == "en":
        return _gettext.NullTranslations()
    return _gettext.translation(i18n.DOMAIN, i18n.LOCALE_DIR, languages=[lang], fallback=True)


def tr(lang: str, message: str, **values: Any) -> str:
    """``message`` in ``lang``, with ``values`` filled in."""
    text = _catalog(lang).gettext(message)
    return text.format(**values) if values else text


def _colon(lang: str) -> str:
    return "：" if lang == "zh" else ": "


def render(facts: Facts, lang: str) -> Text:
    """One notification's subject and body."""
    headline, needed = HEADLINES[facts.kind]
    values = {
        "stage": facts.stage,
        "approver": facts.approver,
        "approvers": facts.approvers,
        "what": facts.what,
    }
    head = tr(lang, headline)
    subject = f"[{facts.contract_id}] {head}{_colon(lang)}{facts.title}"
    lines = [f"{head}{_colon(lang)}{facts.contract_id} {facts.title}"]
    lines += _lines(facts, lang, tr(lang, needed, **values))
    return Text(subject, "\n".join(lines))


def _lines(facts: Facts, lang: str, needed: str) -> list[str]:
    colon = _colon(lang)
    out = []
    if facts.counterparty:
        out.append(f"{tr(lang, 'Counterparty')}{colon}{facts.counterparty}")
    if facts.amount is not None:
        out.append(f"{tr(lang, 'Amount')}{colon}{format_money(facts.amount)}")
    out.append(f"{tr(lang, 'Needed')}{colon}{needed}")
    if facts.due:
        due = local_time_text(facts.due) if "T" in facts.due else facts.due
        out.append(f"{tr(lang, 'By')}{colon}{due}")
    if facts.comment:
        out.append(f"{tr(lang, 'Comment')}{colon}{facts.comment}")
    return out


def render_digest(items: list[tuple[str, str]], lang: str, day: str) -> Text:
    """A day's notifications in one message; ``items`` are (subject, body) pairs."""
    subject = tr(lang, "contractctl digest for {day}: {n} items", day=day, n=len(items))
    blocks = [body for _, body in items]
    return Text(subject, f"{subject}\n\n" + "\n\n".join(blocks))
