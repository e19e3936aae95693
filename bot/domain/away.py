"""When a customer's owner counts as away, so that the customer's backup owner is alerted too; no I/O.

The owner of a customer whose message waits past the alert minutes is away when, in this order:
- **gone**: no longer a member of the workspace (users.info says `deleted`: deactivated or removed);
- **status**: their Slack status says so: its emoji, or a word or phrase of its text, is one the workspace lists in
  its settings (`away_statuses`; :palm_tree:, "OOO", "vacation" … by default), and the status has not expired
  (`status_expiration`, 0 for a status without an end);
- **presence**: Slack shows them `away` throughout the wait: seen away, with no look in between finding them
  active, since the customer wrote (the first look comes within FIRST_LOOK of it) or for at least the alert minutes.
  Slack tells a bot only another person's current presence (`active` or `away`), so "since when" is what Rapport's
  own looks saw; a look longer than MAX_GAP after the previous one starts counting again.
Anything not known (Slack could not say) is not away.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

DEFAULT_AWAY_STATUSES = ":palm_tree:, :face_with_thermometer:, OOO, out of office, vacation, holiday, sick"
MAX_AWAY_STATUSES = 40
MAX_AWAY_STATUS_LENGTH = 60
# The alert job looks every 30 seconds and a presence is kept a minute: the first look at a new wait's owner comes
# within this of the customer's message.
FIRST_LOOK = timedelta(minutes=2)
# Two looks further apart than this say nothing about the time between them.
MAX_GAP = timedelta(minutes=10)

_EMOJI_ITEM = re.compile(r"^:([a-z0-9_+'\-]{1,100}):$")
_EMOJI_NAME = re.compile(r"^:([^:\s]+):")


class AwayKind(StrEnum):
    """Why an owner counts as away."""

    GONE = "gone"
    STATUS = "status"
    PRESENCE = "presence"


@dataclass(frozen=True)
class Absence:
    """An owner away, and what shows it: their status (emoji, text, until when) or since when Slack showed them away."""

    kind: AwayKind
    status_emoji: str = ""  # ":palm_tree:", as Slack gives it
    status_text: str = ""  # as the person wrote it (user text: escaped where shown)
    until: datetime | None = None  # the status's end, if it has one
    since: datetime | None = None  # presence: first seen away


@dataclass(frozen=True)
class AwayStatuses:
    """The status emojis (names, without colons) and words or phrases (lower case) that mean away."""

    emojis: frozenset[str]
    words: tuple[str, ...]

    def matches(self, *, emoji: str, text: str) -> bool:
        """Whether a status with this emoji (":palm_tree:") and text says its person is away."""
        name = _EMOJI_NAME.match(emoji.strip().lower())
        if name is not None and name.group(1) in self.emojis:
            return True
        lowered = text.lower()
        if any(f":{e}:" in lowered for e in self.emojis):
            return True
        return any(_phrase(word).search(lowered) for word in self.words)


def _phrase(word: str) -> re.Pattern[str]:
    """A listed word or phrase as a whole word of a status ("sick" is not "sickle"; spaces match any spacing)."""
    body = r"\s+".join(re.escape(part) for part in word.split())
    return re.compile(rf"(?<!\w){body}(?!\w)")


def _items(text: str) -> list[str]:
    return [" ".join(item.split()) for item in re.split(r"[,\n]", text) if item.strip()]


def parse_away_statuses(text: str) -> AwayStatuses:
    """The stored list (":palm_tree:, OOO, out of office"): `:name:` is an emoji, anything else a word or phrase."""
    emojis: set[str] = set()
    words: list[str] = []
    for item in _items(text):
        emoji = _EMOJI_ITEM.match(item.lower())
        if emoji is not None:
            emojis.add(emoji.group(1))
        elif item.lower() not in words:
            words.append(item.lower())
    return AwayStatuses(emojis=frozenset(emojis), words=tuple(words))


def check_away_statuses(text: str) -> str:
    """The list as stored (items separated by ", "), or ValueError saying what to fix."""
    items = list(dict.fromkeys(_items(text)))
    if len(items) > MAX_AWAY_STATUSES:
        raise ValueError(f"List at most {MAX_AWAY_STATUSES} emojis and words.")
    for item in items:
        if len(item) > MAX_AWAY_STATUS_LENGTH:
            raise ValueError(f"“{item[:40]}…” is too long: keep each word or phrase under {MAX_AWAY_STATUS_LENGTH}.")
        if item.startswith(":") and not _EMOJI_ITEM.match(item.lower()):
            raise ValueError(
                f"“{item[:40]}” is not an emoji: write it between colons, for example :palm_tree:, or as a word."
            )
    return ", ".join(items)


def status_absence(*, emoji: str, text: str, expiration: int, now: datetime, statuses: AwayStatuses) -> Absence | None:
    """Away by status: a listed emoji or word, on a status that has not expired (`expiration` 0: no end)."""
    if expiration and expiration <= now.timestamp():
        return None
    if not statuses.matches(emoji=emoji, text=text):
        return None
    until = datetime.fromtimestamp(expiration, UTC) if expiration else None
    return Absence(AwayKind.STATUS, status_emoji=emoji.strip(), status_text=text.strip(), until=until)


def next_away_since(*, previous: tuple[datetime | None, datetime] | None, away: bool, now: datetime) -> datetime | None:
    """Since when a person has been seen away, after a look at `now` (`previous`: (away since, looked at))."""
    if not away:
        return None
    if previous is None or previous[0] is None or now - previous[1] > MAX_GAP:
        return now
    return previous[0]


def presence_absence(
    *, away_since: datetime | None, now: datetime, minutes: int, wait_started: datetime
) -> Absence | None:
    """Away by presence: seen away since the customer wrote (give or take the first look), or for the alert minutes."""
    if away_since is None:
        return None
    if away_since <= wait_started + FIRST_LOOK or now - away_since >= timedelta(minutes=minutes):
        return Absence(AwayKind.PRESENCE, since=away_since)
    return None


def owner_absence(*, gone: bool, status: Absence | None, presence: Absence | None) -> Absence | None:
    """The reason the owner counts as away, the plainest first; None when not known to be away."""
    if gone:
        return Absence(AwayKind.GONE)
    return status or presence


@dataclass(frozen=True)
class Recipient:
    """Who gets an alert DM, and as whom: the owner, or the backup (with the owner's absence to explain why)."""

    user_id: str
    role: str  # "owner" | "backup"


def alert_recipients(*, owner: str, backup: str | None, absence: Absence | None) -> tuple[Recipient, ...]:
    """The owner (unless gone: a DM to a departed account reaches nobody), and the backup while the owner is away."""
    if backup is None or backup == owner or absence is None:
        return (Recipient(owner, "owner"),)
    if absence.kind is AwayKind.GONE:
        return (Recipient(backup, "backup"),)
    return (Recipient(owner, "owner"), Recipient(backup, "backup"))
