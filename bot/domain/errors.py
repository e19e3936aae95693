"""Domain errors: each carries a friendly sentence and an example that works."""

from __future__ import annotations


class RapportError(Exception):
    """Something a person asked for cannot be done; the message says why, the example shows what works."""

    def __init__(self, message: str, *, example: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.example = example


class BadCommand(RapportError):
    """The command text could not be understood."""


class BadDate(RapportError):
    """A date is malformed or out of range."""


class UnknownCustomer(RapportError):
    """No customer has that name or alias."""


class AmbiguousCustomer(RapportError):
    """Several customers match; the person must choose."""

    def __init__(self, query: str, candidates: list[str], *, command: str) -> None:
        listed = ", ".join(f"*{c}*" for c in candidates)
        super().__init__(
            f"Several customers match “{query}”: {listed}. Which one did you mean?",
            example=f"{command} {candidates[0]}",
        )
        self.query = query
        self.candidates = candidates


class DuplicateName(RapportError):
    """A name or alias already belongs to a customer."""

    def __init__(self, message: str, *, name: str, example: str | None = None) -> None:
        super().__init__(message, example=example)
        self.name = name


class NotWatched(RapportError):
    """The command needs a channel Rapport is a member of."""
