"""Errors the domain raises for users to read; each message stands on its own."""

from __future__ import annotations


class DomainError(ValueError):
    """A request the rules refuse; `field` names the input at fault, if any."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotFound(DomainError):
    """The record asked for does not exist (or no longer does)."""


class Conflict(DomainError):
    """Someone else saved the row since it was read; nothing was written."""

    def __init__(self, message: str, by: str = "", at: str = "") -> None:
        super().__init__(message)
        self.by = by
        self.at = at


class PermissionDenied(DomainError):
    """The user's role does not allow this."""
