"""What the admins' settings modal shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.tone import ToneRule
from bot.domain.workspace_settings import WorkspaceSettingsValues


@dataclass(frozen=True)
class SettingsView:
    """What the settings modal shows."""

    values: WorkspaceSettingsValues
    rules: tuple[ToneRule, ...]
    last_change: tuple[str, datetime] | None
