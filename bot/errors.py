"""Domain errors. Each carries a message fit to show the user as it is."""

from __future__ import annotations


class IntrobotError(Exception):
    """Something the user asked for can't be done; `message` says what to do instead."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UsageError(IntrobotError):
    """The command was not understood (unknown sub-command, missing or extra arguments)."""


class NotFound(IntrobotError):
    """An id or @member that this community doesn't know."""


class NotAllowed(IntrobotError):
    """The actor may not do this (not the mentor, not an admin, blocked …)."""


class InvalidInput(IntrobotError):
    """A value is malformed or out of range. `field` names the form field when there is one."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class Conflict(IntrobotError):
    """The state does not allow it (already decided, duplicate request, at capacity …)."""
