"""What the admins' settings modal shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.tone import ToneRule
from bot.domain.workspace_settings import WorkspaceSettingsValues


@dataclass(frozen=True)
class TimezoneView:
    """The workspace timezone and where it came from (bot.domain.workspace_time's sources)."""

    tz: str
    source: str  # admin | primary_owner | common | default
    owner_name: str = ""  # the primary owner's name, when the timezone is theirs
    automatic: str = "UTC"  # what it would be without an admin's choice
    automatic_source: str = "default"
    read_ever: bool = False  # whether the workspace's people were ever read


@dataclass(frozen=True)
class SettingsView:
    """What the settings modal shows."""

    values: WorkspaceSettingsValues
    rules: tuple[ToneRule, ...]
    last_change: tuple[str, datetime] | None
    timezone: TimezoneView = TimezoneView(tz="UTC", source="default")
