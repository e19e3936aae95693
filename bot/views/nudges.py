"""What a person is told of their tone tips."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NudgeSwitch:
    """A person's tone-tip setting after a change, and the workspace's."""

    enabled: bool
    workspace_enabled: bool
