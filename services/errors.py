"""Domain errors: raised by services, turned into messages by handlers."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every refusal a user can be told about."""


class NotAllowed(DomainError):
    """The acting user may not do this (wrong role, wrong residence, not theirs)."""


class NotFound(DomainError):
    pass


class InvalidInput(DomainError):
    def __init__(self, field: str, reason: str, **details: object) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason
        self.details = details


class SlotTaken(DomainError):
    pass


class EventFull(DomainError):
    pass
