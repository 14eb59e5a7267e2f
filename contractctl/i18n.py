"""The language people read: English, or Chinese when the locale or the user asks.

Messages are English in the code and looked up in gettext catalogs
(``contractctl/locale/<lang>/LC_MESSAGES/contractctl.mo``, compiled from the ``.po``
files by Babel when the project is set up or built). A message with no translation, or a
checkout whose catalogs were never compiled, reads in English: never a crash, never a
message id.

The language is, in order: ``set_language()`` (the CLI's ``--lang``), then
``CONTRACTCTL_LANG``, then the POSIX locale (``LC_ALL``, ``LC_MESSAGES``, ``LANG``):
``zh_CN.UTF-8`` and any other ``zh*`` give Chinese; anything else gives English.
"""

from __future__ import annotations

import gettext as _gettext
import os
import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path

DOMAIN = "contractctl"
LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("en", "zh")

_chosen: str | None = None


def normalise(value: str | None) -> str | None:
    """``zh``, ``zh_CN.UTF-8``, ``zh-Hans`` -> ``zh``; ``en``, ``C``, ``POSIX`` -> ``en``;
    nothing -> None. Anything else is English too: we ship only these two."""
    if not value:
        return None
    head = value.strip().lower().replace("-", "_").split(".")[0].split("@")[0]
    if not head:
        return None
    return "zh" if head.split("_")[0] == "zh" else "en"


def from_environment(environ: Mapping[str, str] | None = None) -> str:
    """The language the environment asks for: CONTRACTCTL_LANG, then the locale."""
    env = os.environ if environ is None else environ
    for name in ("CONTRACTCTL_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        chosen = normalise(env.get(name))
        if chosen is not None:
            return chosen
    return "en"


def set_language(value: str | None) -> str:
    """Choose the language for this process (None: back to the environment's)."""
    global _chosen
    _chosen = normalise(value)
    return language()


def language() -> str:
    """The language messages are shown in now: ``en`` or ``zh``."""
    return _chosen if _chosen is not None else from_environment()


@cache
def _catalog(lang: str) -> _gettext.NullTranslations:
    if lang == "en":
        return _gettext.NullTranslations()
    return _gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang], fallback=True)


def _(message: str) -> str:
    """``message`` in the current language (itself when there is no translation)."""
    if not message:
        return message
    return _catalog(language()).gettext(message)


def translate(message: str) -> str:
    """A message made elsewhere, with its values already in it (an error, a refusal, a
    hint), in the current language.

    The catalog's exact entry first; else the entry whose msgid has ``{placeholders}``
    and the message's English shape (``no contract {id}`` for ``no contract
    'C-2026-0009'``), the values carried over into the translation. So the core raises
    plain English f-strings and the error boundary shows them in Chinese; a message the
    catalog lacks stays English, whole. A value that is itself a sentence of the catalog
    is translated too (the "an active contract allows: ..." inside a refusal), once."""
    return _translate(message, nested=True)


def _translate(message: str, *, nested: bool) -> str:
    if not message or language() == "en":
        return message
    exact = _(message)
    if exact != message:
        return exact
    for pattern, target in _templates(language()):
        found = pattern.fullmatch(message)
        if found:
            values = {
                name: _translate(value, nested=False) if nested and " " in value else value
                for name, value in found.groupdict().items()
            }
            return target.format_map(values)
    return message


@cache
def _templates(lang: str) -> tuple[tuple[re.Pattern[str], str], ...]:
    """The catalog's messages with placeholders as patterns, the longest fixed text first
    (the most particular shape wins)."""
    catalog = getattr(_catalog(lang), "_catalog", None) or {}
    found: list[tuple[int, re.Pattern[str], str]] = []
    for msgid, msgstr in catalog.items():
        if not isinstance(msgid, str) or "{" not in msgid or not msgstr:
            continue
        pieces = re.split(r"\{(\w+)\}", msgid)
        if len(pieces) < 3:
            continue
        regex, fixed, seen = "", 0, set()
        for index, piece in enumerate(pieces):
            if index % 2 == 0:
                regex += re.escape(piece.replace("{{", "{").replace("}}", "}"))
                fixed += len(piece)
            elif piece in seen:
                regex += f"(?P={piece})"
            else:
                seen.add(piece)
                # {n} is a count: digits only, so "{n}d" never takes a sentence ending in d
                regex += f"(?P<{piece}>[0-9][0-9,.]*)" if piece == "n" else f"(?P<{piece}>.+?)"
        found.append((fixed, re.compile(regex, re.S), msgstr))
    found.sort(key=lambda item: -item[0])
    return tuple((pattern, target) for _, pattern, target in found)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The singular or plural form for ``count``, in the current language."""
    return _catalog(language()).ngettext(singular, plural, count)


def catalogs_compiled() -> bool:
    """Whether the Chinese catalog was compiled (a fresh checkout before setup: no)."""
    return (LOCALE_DIR / "zh" / "LC_MESSAGES" / f"{DOMAIN}.mo").is_file()
