"""What the outbox sender is handed at start-up: the renderers capabilities register."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy.orm import Session

from bot.db.models import OutboxMessage

# The Web API arguments of an outbox row as of now (given the row it depends on, if any); None when there is
# nothing to send any more (e.g. a shout-out whose story was withdrawn).
Renderer = Callable[[Session, OutboxMessage, OutboxMessage | None], dict[str, Any] | None]
Renderers = Mapping[str, Renderer]

