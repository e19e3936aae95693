"""What every service call needs, built once at start-up and handed to listeners and jobs."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings
from bot.db.queries.intake import Intake
from bot.db.session import turned_away
from bot.domain.messages import ChannelMessage
from bot.runtime.after_ack import AfterAck, Gathered
from bot.runtime.batching import GroupCommit
from bot.runtime.caches import (
    AwayLooks,
    DirectoryMatchers,
    KnownPeople,
    ToneSetup,
    ToneSetups,
    UsergroupMembers,
    WatchedChannels,
)
from bot.runtime.clients import WorkspaceClients
from bot.runtime.model_worker import Verdict, score_texts
from bot.runtime.observe import Observer
from bot.runtime.pacing import SendPacing
from bot.runtime.sender import Renderers, Rescuers, SenderWake

Clock = Callable[[], datetime]
# How long what Slack said about a person (users.info) is trusted before it is read again.
PROFILE_TTL = timedelta(days=1)
# How long a user group's members (usergroups.users.list) are trusted before `/kudos @group` reads them again.
USERGROUP_TTL = timedelta(minutes=10)


def system_clock() -> datetime:
    """The current time in UTC."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class Deps:
    """The shared parts: database sessions, the clock, the cached matchers and the settings."""

    session_factory: sessionmaker[Session]
    clock: Clock
    matchers: DirectoryMatchers
    settings: Settings
    # Called after a transaction adds outbox rows, so the sender need not wait for its next tick; the scheduler
    # attaches itself once built.
    wake_sender: SenderWake = field(default_factory=SenderWake)
    # How the sender renders, at send time, the outbox rows whose kind a capability registered (wired in bot.app).
    renderers: Renderers = field(default_factory=dict)
    # What the sender does instead when Slack refuses a row of a registered kind for good (wired in bot.app).
    rescuers: Rescuers = field(default_factory=dict)
    # New messages arriving together are stored in one transaction (group commit); see services.mentions.
    message_batches: GroupCommit[Any, int] = field(default_factory=lambda: GroupCommit(turned_away=turned_away))
    # Workspaces this process has already made sure exist (rows are never deleted).
    known_teams: set[str] = field(default_factory=set)
    # Channels known to be watched (and their linked customer), checked against the workspace's versions.
    channels: WatchedChannels = field(default_factory=WatchedChannels)
    # Each workspace's tone rules and nudge settings, checked against its settings version.
    tone: ToneSetups = field(default_factory=ToneSetups)
    # Optional work that runs after Slack's event is acknowledged (the tone model); see bot.runtime.after_ack.
    after_ack: AfterAck = field(default_factory=AfterAck)
    # The word model's verdicts on texts: in this process by default; bot.app hands it to a worker process
    # (bot.runtime.model_worker) so that scoring never takes time from the threads answering Slack.
    tone_scores: Callable[[Sequence[str]], list[Verdict]] = score_texts
    # The messages waiting for the word model, handed to it together once per after-acknowledgement round.
    model_checks: Gathered[tuple[ToneSetup, ChannelMessage]] = field(default_factory=Gathered)
    # What Slack's 429s taught this process's outbox sender (paced channels, a workspace-wide hold).
    pacing: SendPacing = field(default_factory=SendPacing)
    # Who each author is (staff, external, bot), read from users.info and kept for PROFILE_TTL.
    people: KnownPeople = field(default_factory=lambda: KnownPeople(PROFILE_TTL))
    # Each user group's members, read from usergroups.users.list and kept for USERGROUP_TTL.
    usergroups: UsergroupMembers = field(default_factory=lambda: UsergroupMembers(USERGROUP_TTL))
    # What the unanswered-alert job's looks at owners found: presence (since when away) and status; services.away.
    away: AwayLooks = field(default_factory=AwayLooks)
    # The Enterprise Grid organisation of each installed workspace (auth.test's enterprise_id), where there is one.
    enterprises: dict[str, str] = field(default_factory=dict)
    # This process's metrics and whether Slack answered lately (/metrics, /readyz).
    observer: Observer = field(default_factory=Observer)
    # The bot's client of each workspace (its own token); None for one-off tools that send nothing.
    clients: WorkspaceClients | None = None
    # Set when the process is shutting down: the sender finishes the call in hand and releases its other claims.
    stopping: threading.Event = field(default_factory=threading.Event)

    @property
    def engine(self) -> Engine:
        """The engine the sessions are bound to, for the few Core transactions on hot paths."""
        bind = self.session_factory.kw["bind"]
        assert isinstance(bind, Engine)
        return bind

    @cached_property
    def intake(self) -> Intake:
        """The statements every new message runs, built once for the engine's dialect."""
        return Intake(self.engine)
