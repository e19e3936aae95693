"""Domain errors: each carries a friendly sentence, an example that works, and the form field it concerns."""

from __future__ import annotations

# Form fields an error can name. A modal shows the error next to the input that answers for the field.
CUSTOMER_FIELD, WHEN_FIELD, NOTE_FIELD, DAY_FIELD = "customer", "when", "note", "day"
NAME_FIELD, ALIASES_FIELD, SINCE_FIELD, BACKUP_FIELD = "name", "aliases", "since", "backup"


class RapportError(Exception):
    """Something a person asked for cannot be done; the message says why, the example shows what works.

    `field` names the part of a form to fix (None: the request as a whole); an error about several fields at
    once lists them in `errors` (field -> what to fix there).
    """

    field: str | None = None
    icon = ":thinking_face:"  # how the reply begins

    def __init__(self, message: str, *, example: str | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.example = example
        self.errors: dict[str, str] = {}
        if field is not None:
            self.field = field


class BadCommand(RapportError):
    """The command text could not be understood."""


class BadDate(RapportError):
    """A date is malformed or out of range."""

    field = SINCE_FIELD


class UnknownCustomer(RapportError):
    """No customer has that name or alias."""

    field = CUSTOMER_FIELD


class AmbiguousCustomer(RapportError):
    """Several customers match; the person must choose."""

    field = CUSTOMER_FIELD

    def __init__(self, query: str, candidates: list[str], *, command: str) -> None:
        listed = ", ".join(f"*{c}*" for c in candidates)
        super().__init__(
            f"Several customers match “{query}”: {listed}. Which one did you mean?",
            example=f"{command} {candidates[0]}",
        )
        self.query = query
        self.candidates = candidates


class DuplicateName(RapportError):
    """A name or alias already belongs to a customer; `field` says which of the two was proposed."""

    field = NAME_FIELD

    def __init__(self, message: str, *, name: str, example: str | None = None, field: str | None = None) -> None:
        super().__init__(message, example=example, field=field)
        self.name = name


class NotWatched(RapportError):
    """The command needs a channel Rapport is a member of."""


class NotAllowed(RapportError):
    """The person may not do this (it is someone else's follow-up, story or customer); nothing was changed."""

    icon = ":lock:"
