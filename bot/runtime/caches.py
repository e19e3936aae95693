"""Per-workspace caches kept in each process, checked against version counters the database holds.

A directory change bumps the workspace's directory version, a channel change its channels version and a settings
change its settings version (in whichever process makes it), so every process notices on its next read and reloads.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache

from sqlalchemy.orm import Session

from bot.db.queries import customers as customer_rows
from bot.db.queries import workspaces as workspace_rows
from bot.db.queries.intake import ToneSettingsRow
from bot.domain.matcher import CustomerMatcher, NameEntry
from bot.domain.messages import ChannelMessage
from bot.domain.people import Kind
from bot.domain.tone import (
    ToneHit,
    ToneMatcher,
    ToneRule,
    ToneRulesError,
    load_rules_file,
    parse_rules_text,
    shipped_rules,
)
from bot.domain.tone_model import shipped_model
from bot.domain.workspace_settings import id_list

log = logging.getLogger(__name__)

Versions = tuple[int, int]  # (directory version, channels version)


class DirectoryMatchers:
    """Per-workspace CustomerMatcher cache; the database's directory version is the truth."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[int, CustomerMatcher]] = {}

    def for_team(self, session: Session, *, team_id: str) -> CustomerMatcher:
        """The matcher for the workspace's current directory, rebuilt if another writer changed it."""
        directory_version, _, _ = workspace_rows.versions(session, team_id=team_id)
        return self.get(
            team_id=team_id,
            version=directory_version,
            load=lambda: customer_rows.all_names(session, team_id=team_id),
        )

    def get(
        self, *, team_id: str, version: int, load: Callable[[], Iterable[tuple[int, str, bool | None]]]
    ) -> CustomerMatcher:
        """The cached matcher if it was built from this directory version, else one built from `load()`:
        (customer id, name, exact) rows."""
        with self._lock:
            cached = self._cache.get(team_id)
        if cached is not None and cached[0] == version:
            return cached[1]
        matcher = CustomerMatcher.build([NameEntry(cid, name, exact) for cid, name, exact in load()])
        with self._lock:
            current = self._cache.get(team_id)
            if current is None or current[0] <= version:
                self._cache[team_id] = (version, matcher)
        return matcher


class WatchedChannels:
    """Channels known to be watched, with their linked customer, per workspace and versions.

    Only committed facts go in (`remember` after the transaction that watched them), so a rolled-back
    transaction never leaves the cache ahead of the database.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[Versions, dict[str, int | None]]] = {}

    def lookup(
        self, *, team_id: str, versions: Versions, channel_ids: Sequence[str]
    ) -> tuple[dict[str, int | None], list[str]]:
        """(linked customer of each cached channel, channels not known to be watched at these versions)."""
        with self._lock:
            cached = self._cache.get(team_id)
            known = cached[1] if cached is not None and cached[0] == versions else {}
            found = {c: known[c] for c in channel_ids if c in known}
        return found, [c for c in dict.fromkeys(channel_ids) if c not in found]

    def remember(self, *, team_id: str, versions: Versions, linked: Mapping[str, int | None]) -> None:
        """Record channels seen watched at these versions (a newer version replaces older entries)."""
        with self._lock:
            cached = self._cache.get(team_id)
            if cached is None or cached[0] != versions:
                if cached is not None and cached[0] > versions:
                    return  # someone already saw a newer state
                cached = (versions, {})
                self._cache[team_id] = cached
            cached[1].update(linked)


# How often a process looks at a workspace's rules file for changes.
RULES_FILE_CHECK_SECONDS = 10.0


def split_ids(text: str) -> frozenset[str]:
    """Comma-separated ids (channels, rule ids) as a set."""
    return frozenset(id_list(text))


def _file_stamp(path: str) -> float | None:
    try:
        return os.stat(path).st_mtime
    except OSError:
        return None


def workspace_rules(*, rules_added: str, rules_file: str) -> tuple[ToneRule, ...]:
    """The shipped rules, then the rules file's, then the workspace's own; a broken part is logged and left out."""
    rules = list(shipped_rules())
    if rules_file:
        try:
            rules.extend(load_rules_file(rules_file))
        except ToneRulesError as error:
            log.warning("tone rules file %s is not used: %s", rules_file, error)
    if rules_added.strip():
        try:
            rules.extend(parse_rules_text(rules_added))
        except ToneRulesError as error:  # validated when saved; only a hand-edited database gets here
            log.warning("the workspace's own tone rules are not used: %s", error)
    return tuple(rules)


@lru_cache(maxsize=16)
def _tone_matcher(rules: tuple[ToneRule, ...], disabled: frozenset[str]) -> ToneMatcher:
    # Building takes a moment and happens on the intake path: a settings change that leaves the rules alone (or a
    # workspace with the same rules as another) reuses the matcher.
    return ToneMatcher.build(rules, disabled=disabled)


def warm_tone_matcher(*, rules_added: str, rules_disabled: str, rules_file: str) -> None:
    """Build (and keep) the matcher for these rules now, outside any transaction: the first message after a settings
    change then finds it ready instead of building it while the intake holds its write lock."""
    _tone_matcher(workspace_rules(rules_added=rules_added, rules_file=rules_file), split_ids(rules_disabled))


@dataclass(frozen=True)
class ToneSetup:
    """A workspace's nudge settings and rules, ready for the hot path."""

    enabled: bool
    excluded_channels: frozenset[str]
    matcher: ToneMatcher
    rules_file: str = ""
    file_stamp: float | None = None
    # The rules the workspace disabled: the word model does not tip what the workspace said not to.
    silenced: tuple[ToneRule, ...] = ()

    @classmethod
    def build(cls, row: ToneSettingsRow) -> ToneSetup:
        """Build the matcher for a workspace's stored settings."""
        rules = workspace_rules(rules_added=row.rules_added, rules_file=row.rules_file)
        disabled = split_ids(row.rules_disabled)
        silenced = tuple(rule for rule in rules if rule.id in disabled)
        return cls(
            enabled=row.nudges_enabled,
            excluded_channels=split_ids(row.excluded_channels),
            matcher=_tone_matcher(rules, disabled),
            rules_file=row.rules_file,
            file_stamp=_file_stamp(row.rules_file) if row.rules_file else None,
            silenced=silenced,
        )

    def may_tip(self, message: ChannelMessage) -> bool:
        """Whether a tip is possible at all: tips on in the workspace, a teammate's message, a channel not excluded."""
        return self.enabled and not message.is_external and message.channel_id not in self.excluded_channels

    def silenced_by_workspace(self, message: ChannelMessage) -> bool:
        """Whether a rule the workspace disabled fires on the message (then the word model stays quiet too).

        Called after the acknowledgement only: the disabled rules' matcher is built (and cached) on first use there.
        """
        return bool(self.silenced) and bool(_tone_matcher(self.silenced, frozenset()).check(message.text))

    def hits(self, message: ChannelMessage) -> list[ToneHit]:
        """What the tone rules find in a teammate's message; nothing for customers or in excluded channels."""
        if not self.may_tip(message):
            return []
        return self.matcher.check(message.text)


@dataclass
class _Cached:
    version: int
    setup: ToneSetup
    checked_at: float = field(default_factory=time.monotonic)


class ToneSetups:
    """Per-workspace ToneSetup cache; the settings version in the database is the truth."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cache: dict[str, _Cached] = {}

    @staticmethod
    def warm() -> None:
        """Build the shipped rules' matcher now (at start-up, outside any transaction), so a workspace's first
        message, or a settings change, does not wait for it."""
        _tone_matcher(shipped_rules(), frozenset())
        shipped_model()  # read once here, not by the first message's check after the acknowledgement

    def get(self, *, team_id: str, version: int, load: Callable[[], ToneSettingsRow]) -> ToneSetup:
        """The cached setup if built at this settings version (and its rules file is unchanged), else a new one."""
        with self._lock:
            cached = self._cache.get(team_id)
        if cached is not None and cached.version == version and not self._file_changed(cached):
            return cached.setup
        setup = ToneSetup.build(load())
        with self._lock:
            current = self._cache.get(team_id)
            if current is None or current.version <= version:
                self._cache[team_id] = _Cached(version=version, setup=setup)
        return setup

    @staticmethod
    def _file_changed(cached: _Cached) -> bool:
        if not cached.setup.rules_file:
            return False
        now = time.monotonic()
        if now - cached.checked_at < RULES_FILE_CHECK_SECONDS:
            return False
        cached.checked_at = now
        return _file_stamp(cached.setup.rules_file) != cached.setup.file_stamp


class KnownPeople:
    """Who each person is (staff, external, bot), per workspace, as this process last read it: the message path
    asks for every author, so a person known here costs neither a query nor a Web API call until `ttl` passes."""

    def __init__(self, ttl: timedelta) -> None:
        self._ttl = ttl
        self._lock = threading.Lock()
        self._known: dict[tuple[str, str], tuple[Kind, datetime]] = {}

    def get(self, *, team_id: str, user_id: str, now: datetime) -> Kind | None:
        """The person's kind if read less than `ttl` before `now`, else None."""
        with self._lock:
            found = self._known.get((team_id, user_id))
        if found is None or now - found[1] >= self._ttl:
            return None
        return found[0]

    def remember(self, *, team_id: str, user_id: str, kind: Kind, read_at: datetime) -> None:
        """Keep what Slack said about a person at `read_at`."""
        with self._lock:
            self._known[(team_id, user_id)] = (kind, read_at)


class UsergroupMembers:
    """The members of each user group (`usergroups.users.list`), per workspace, as this process last read them:
    `/kudos @support-team` typed again within `ttl` costs no Web API call."""

    def __init__(self, ttl: timedelta) -> None:
        self._ttl = ttl
        self._lock = threading.Lock()
        self._known: dict[tuple[str, str], tuple[tuple[str, ...], datetime]] = {}

    def get(self, *, team_id: str, group_id: str, now: datetime) -> tuple[str, ...] | None:
        """The group's members if read less than `ttl` before `now`, else None."""
        with self._lock:
            found = self._known.get((team_id, group_id))
        if found is None or now - found[1] >= self._ttl:
            return None
        return found[0]

    def remember(self, *, team_id: str, group_id: str, members: tuple[str, ...], read_at: datetime) -> None:
        """Keep the members Slack listed at `read_at`."""
        with self._lock:
            self._known[(team_id, group_id)] = (members, read_at)


@dataclass(frozen=True)
class StatusSeen:
    """A person's Slack status as last read (users.profile.get), and whether they had left (users.info `deleted`)."""

    emoji: str
    text: str
    expiration: int  # Unix seconds; 0: no end
    departed: bool


class AwayLooks:
    """What this process's looks at owners found: since when each was seen away (users.getPresence), and their
    status. Only Rapport's own looks tell since when (Slack gives a bot another person's current presence only), so
    this is the one place that knows it; a restart starts counting again, which never makes an owner look away."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._presence: dict[tuple[str, str], tuple[datetime | None, datetime]] = {}
        self._status: dict[tuple[str, str], tuple[StatusSeen | None, datetime]] = {}

    def presence(self, *, team_id: str, user_id: str) -> tuple[datetime | None, datetime] | None:
        """(seen away since, or None if seen active; looked at) of the last look, if any."""
        with self._lock:
            return self._presence.get((team_id, user_id))

    def remember_presence(
        self, *, team_id: str, user_id: str, away_since: datetime | None, looked_at: datetime
    ) -> None:
        """Keep what a look at `looked_at` found."""
        with self._lock:
            self._presence[(team_id, user_id)] = (away_since, looked_at)

    def status(self, *, team_id: str, user_id: str) -> tuple[StatusSeen | None, datetime] | None:
        """(status, or None where Slack could not say; read at) of the last read, if any."""
        with self._lock:
            return self._status.get((team_id, user_id))

    def remember_status(self, *, team_id: str, user_id: str, status: StatusSeen | None, read_at: datetime) -> None:
        """Keep what a read at `read_at` found (None: Slack could not say, so it is not asked again at once)."""
        with self._lock:
            self._status[(team_id, user_id)] = (status, read_at)
