"""What the outbox sender is handed at start-up: the renderers and rescuers capabilities register, and a way to wake
it."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.db.models import OutboxMessage

# The Web API arguments of an outbox row as of now (given the row it depends on, if any); None when there is
# nothing to send any more (e.g. a shout-out whose story was withdrawn).
Renderer = Callable[[Session, OutboxMessage, OutboxMessage | None], dict[str, Any] | None]
Renderers = Mapping[str, Renderer]
# What to do when Slack refuses an outbox row for good (e.g. `is_archived` for the stories channel), given the row
# Slack's error code and `now`: send it somewhere else (change what it renders to, tell whoever must know) and return
# True to send it again at once, or False to let it fail.
Rescuer = Callable[[Session, OutboxMessage, str, datetime], bool]
Rescuers = Mapping[str, Rescuer]


class SenderWake:
    """Runs the outbox sender now rather than at its next tick, once a scheduler has attached itself.

    Whatever queues outbox rows calls it after its transaction commits. Until something is attached (the CLI's
    one-off commands, tests calling jobs directly) a wake does nothing: the rows wait for the next pass.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._wake: Callable[[], None] | None = None

    def attach(self, wake: Callable[[], None]) -> None:
        """Call `wake` from now on whenever outbox rows are queued."""
        with self._lock:
            self._wake = wake

    def __call__(self) -> None:
        """Wake the sender, if one is attached."""
        with self._lock:
            wake = self._wake
        if wake is not None:
            wake()
