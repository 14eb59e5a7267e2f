"""One exception hierarchy for the whole core, each class carrying its exit code.

The CLI converts these to one line on stderr (and a JSON object with ``--json``) at a
single boundary, so the core never prints or exits. The codes are the command
contract of DESIGN.md §4 that scripts rely on:

    0 success, 1 a check found problems, 2 bad usage or input,
    3 not allowed now, 4 environment problem, 130 interrupted (Ctrl-C), 143 terminated.
"""

from __future__ import annotations


class ContractctlError(Exception):
    """Base of every error contractctl reports to a user.

    ``hint`` is an optional remedy shown under the message ("run contractctl init").
    """

    exit_code = 2
    kind = "error"

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        #: What the command had done before it failed (``--json`` shows it as "done").
        self.done: dict[str, object] | None = None

    def to_dict(self) -> dict[str, object]:
        """The ``{"code", "type", "message"}`` shape printed with ``--json``."""
        data: dict[str, object] = {
            "code": self.exit_code,
            "type": self.kind,
            "message": self.message,
        }
        if self.hint:
            data["hint"] = self.hint
        if self.done is not None:
            data["done"] = self.done
        return data


class CheckFailed(ContractctlError):
    """A check ran to the end and found problems (verify, audit verify, fsck...)."""

    exit_code = 1
    kind = "check_failed"


class InvalidInput(ContractctlError):
    """Bad usage or bad input: a malformed value, a missing field, a bad file."""

    exit_code = 2
    kind = "invalid_input"


class NotFound(InvalidInput):
    """An id, name or file that does not exist."""

    kind = "not_found"


class ConfigError(InvalidInput):
    """A configuration or rule file that cannot be accepted; the message names file:line."""

    kind = "config_error"


class NotAllowed(ContractctlError):
    """The request is well formed but not allowed now (wrong state, wrong person)."""

    exit_code = 3
    kind = "not_allowed"


class Duplicate(NotAllowed):
    """The thing already exists (a party with the same credit code...)."""

    kind = "duplicate"


class EnvironmentProblem(ContractctlError):
    """Something outside contractctl is missing or broken: a tool, the store, a lock."""

    exit_code = 4
    kind = "environment"


class ToolMissing(EnvironmentProblem):
    """An external program (soffice, tesseract, pdftoppm) is not installed."""

    kind = "tool_missing"


class ToolFailed(EnvironmentProblem):
    """An external program ran but failed, timed out or wrote nothing."""

    kind = "tool_failed"


class StoreProblem(EnvironmentProblem):
    """The store is missing, locked, unreadable or from a newer contractctl."""

    kind = "store"


class Interrupted(ContractctlError):
    """The user pressed Ctrl-C (130) or the process got SIGTERM (143); whatever was in
    hand was finished or rolled back."""

    exit_code = 130
    kind = "interrupted"

    def __init__(
        self, message: str, *, hint: str | None = None, cause: BaseException | None = None
    ) -> None:
        super().__init__(message, hint=hint)
        if isinstance(cause, Terminated):
            self.exit_code = 143


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so the same clean-up runs; the exit code is 143."""


class ValidationFailed(InvalidInput):
    """Input data failed validation; ``problems`` lists every problem found at once."""

    kind = "validation_failed"

    def __init__(self, message: str, problems: list[object], *, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.problems = problems

    def to_dict(self) -> dict[str, object]:
        """The error object, with each problem as ``{"field", "value", "expected"}``."""
        data = super().to_dict()
        data["problems"] = [p.to_dict() if hasattr(p, "to_dict") else str(p) for p in self.problems]
        return data
