"""Reading TOML files so that every error says where: ``file:line: what``.

Configuration, people and rule files are edited by hand. A message like
``rules/approval.toml:14: route 'major' -> when -> amout_max: unknown key`` saves the
user a search, so parse errors keep tomllib's line and validation errors look the key
up in the text to find its line.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contractctl import limits
from contractctl.errors import ConfigError

_TOMLLIB_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")


@dataclass(frozen=True)
class TomlDoc:
    """A parsed TOML file with its text, so validation can point at lines."""

    path: Path
    text: str
    data: dict[str, Any]
    name: str = ""

    @property
    def display(self) -> str:
        """The file name as shown in messages (relative to the store when possible)."""
        return self.name or str(self.path)

    def line_of(self, *keys: str) -> int | None:
        """Best-effort line number of the last key in ``keys`` (a dotted path).

        Looks for ``key =`` or ``[table.key]`` after the line of the parent key; good
        enough to point a person at the right line of a hand-written file.
        """
        start = 0
        lines = self.text.splitlines()
        found: int | None = None
        for key in keys:
            pattern = re.compile(
                rf"^\s*(\[\[?\s*([\w.\"'-]+\.)?[\"']?{re.escape(key)}[\"']?\s*\]\]?|"
                rf"[\"']?{re.escape(key)}[\"']?\s*=)"
            )
            for index in range(start, len(lines)):
                if pattern.search(lines[index]) or re.search(
                    rf"[{{,]\s*[\"']?{re.escape(key)}[\"']?\s*=", lines[index]
                ):
                    found = index + 1
                    start = index
                    break
        return found

    def error(self, message: str, *keys: str) -> ConfigError:
        """A ConfigError that reads ``file:line: message``."""
        line = self.line_of(*keys) if keys else None
        where = f"{self.display}:{line}" if line else self.display
        return ConfigError(f"{where}: {message}")


def load(path: Path, *, display: str | None = None) -> TomlDoc:
    """Parse ``path``; a syntax error becomes a ConfigError naming file and line."""
    name = display or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError(f"{name}: file not found") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{name}: cannot read: {exc}") from exc
    return parse(text, path=path, display=name)


def parse(text: str, *, path: Path, display: str) -> TomlDoc:
    """Parse TOML text that came from ``display`` (a file or a stored object)."""
    name = display
    if len(text) > limits.MAX_TOML_BYTES:
        raise ConfigError(
            f"{name}: {len(text):,} characters is over the limit of "
            f"{limits.MAX_TOML_BYTES:,} for a TOML file"
        )
    try:
        data = tomllib.loads(text)
    except RecursionError:
        raise _too_deep(name) from None
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = _TOMLLIB_POSITION.search(message)
        if match:
            reason = _TOMLLIB_POSITION.sub("", message).strip()
            raise ConfigError(f"{name}:{match.group(1)}: invalid TOML: {reason}") from exc
        raise ConfigError(f"{name}: invalid TOML: {message}") from exc
    if limits.depth(data) > limits.MAX_DEPTH:
        raise _too_deep(name)
    return TomlDoc(path=path, text=text, data=data, name=name)


def _too_deep(name: str) -> ConfigError:
    error = limits.too_deep(name)
    return ConfigError(error.message, hint=error.hint)


def reject_unknown(
    doc: TomlDoc, table: Mapping[str, Any], allowed: Iterable[str], *where: str
) -> None:
    """Raise for the first key of ``table`` not in ``allowed``: nothing is ignored silently."""
    allowed_set = set(allowed)
    for key in table:
        if key not in allowed_set:
            path = " -> ".join([*where, key]) if where else key
            hint = ", ".join(sorted(allowed_set))
            raise doc.error(f"{path}: unknown key (expected one of: {hint})", *where, key)
