"""Parsing `/customer` text into typed commands; no I/O."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from bot.domain.errors import BadCommand, BadDate
from bot.domain.slack_text import strip_controls

USAGE_EXAMPLES = (
    "/customer add Acme Corp aka Acme, ACME Inc owner @dana since 2019-04-01",
    "/customer Acme",
    "/customer Acme history",
    "/customer list",
    "/customer owner Acme @lee",
    "/customer backup Acme @lee",
    "/customer alias Acme Acme Labs",
    "/customer remove Acme",
    "/customer link Acme",
    "/customer exact Target on",
    "/customer triage Acme #acme-triage target 30 escalate 90",
)

EXACT_USAGE = "/customer exact Target off"
TRIAGE_USAGE = "/customer triage Acme #acme-triage target 30 escalate 90"
_CHANNEL_TOKEN = re.compile(r"<#([CG][A-Z0-9]+)(?:\|[^>]*)?>")
_TRIAGE_PART = re.compile(r"\s+(?=<#|(?:target|escalate)\s+\d|off$)", re.IGNORECASE)
MAX_TRIAGE_MINUTES = 10080  # a working week and more: anything longer is a typo
BACKUP_USAGE = "/customer backup Acme @lee"
# What clears a backup owner: `/customer backup Acme off`.
_NO_BACKUP = ("off", "none", "nobody", "clear", "remove")
_SWITCH = {"on": True, "off": False}

_USER_TOKEN = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
# A keyword counts only after a word of the name and before its kind of value, so "Since 1900 Bakery"
# and "Owner Financial" stay names.
_KEYWORD = re.compile(r"\s+(aka(?=\s)|owner(?=\s+[<@])|since(?=\s+\S*\d))", re.IGNORECASE)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# Words people reach for that mean one of the real subcommands.
_SYNONYMS = {
    "delete": "remove",
    "del": "remove",
    "rm": "remove",
    "drop": "remove",
    "new": "add",
    "create": "add",
    "ls": "list",
    "all": "list",
    "show": "card",
    "card": "card",
    "view": "card",
    "info": "card",
    "rename": "alias",
    "assign": "owner",
    "connect": "link",
}


@dataclass(frozen=True)
class Help:
    """`/customer help`."""


@dataclass(frozen=True)
class OpenModal:
    """`/customer` with no text."""


@dataclass(frozen=True)
class ListCustomers:
    """`/customer list`."""


@dataclass(frozen=True)
class AddCustomer:
    """`/customer add NAME [aka A, B] [owner @u] [since YYYY-MM-DD]`."""

    name: str
    aliases: tuple[str, ...] = ()
    owner_user_id: str | None = None
    since: date | None = None
    # Only as written (True), in any letter case (False), or as the shipped word lists decide (None).
    exact: bool | None = None
    # Alerted too while the owner is away (the form and the CSV import set it).
    backup_user_id: str | None = None


@dataclass(frozen=True)
class ShowCustomer:
    """`/customer NAME`: the card."""

    query: str


@dataclass(frozen=True)
class ShowHistory:
    """`/customer NAME history`: the whole relationship, newest first."""

    query: str


@dataclass(frozen=True)
class SetOwner:
    """`/customer owner NAME @user`."""

    query: str
    owner_user_id: str


@dataclass(frozen=True)
class SetBackup:
    """`/customer backup NAME @user`, or `off` to have none."""

    query: str
    backup_user_id: str | None


@dataclass(frozen=True)
class AddAlias:
    """`/customer alias NAME ALIAS`: which words are the name is settled against the directory."""

    text: str


@dataclass(frozen=True)
class RemoveCustomer:
    """`/customer remove NAME`."""

    query: str


@dataclass(frozen=True)
class LinkChannel:
    """`/customer link NAME`, typed inside the channel to link."""

    query: str


@dataclass(frozen=True)
class SetExact:
    """`/customer exact NAME on|off`: the name counts only as written, or in any letter case; no switch shows it."""

    query: str
    exact: bool | None


@dataclass(frozen=True)
class SetTriage:
    """`/customer triage NAME [#channel] [target MIN] [escalate MIN]`, or `off` for the workspace's again; with
    nothing after the name it shows what applies."""

    query: str
    channel_id: str | None = None
    target_minutes: int | None = None
    escalation_minutes: int | None = None
    reset: bool = False

    @property
    def changes(self) -> bool:
        return self.reset or any(v is not None for v in (self.channel_id, self.target_minutes, self.escalation_minutes))


CustomerCommand = (
    Help
    | OpenModal
    | ListCustomers
    | AddCustomer
    | ShowCustomer
    | ShowHistory
    | SetOwner
    | SetBackup
    | AddAlias
    | RemoveCustomer
    | LinkChannel
    | SetExact
    | SetTriage
)


def parse_date(text: str) -> date:
    """Parse an ISO date (2019-04-01) or raise BadDate with an example."""
    text = text.strip()
    if not _ISO_DATE.match(text):
        raise BadDate(
            f"“{text}” is not a date I can read. Use year-month-day.",
            example="/customer add Acme Corp since 2019-04-01",
        )
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadDate(f"“{text}” is not a real date.", example="/customer add Acme Corp since 2019-04-01") from None


def clean_name(text: str) -> str:
    """Collapse whitespace, drop control characters and strip quotes people put around names."""
    text = " ".join(strip_controls(text).split())
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'“”":
        text = text[1:-1].strip()
    if len(text) >= 2 and text[0] == "“" and text[-1] == "”":
        text = text[1:-1].strip()
    return text


def parse_user(text: str, *, usage: str) -> str:
    """The user ID in a Slack mention token, or BadCommand explaining how to pick someone."""
    match = _USER_TOKEN.fullmatch(text.strip())
    if match:
        return match.group(1)
    raise BadCommand(
        f"I couldn't tell who “{text.strip()}” is. Mention the person with @ and pick them from Slack's list.",
        example=usage,
    )


def parse_customer_command(text: str) -> CustomerCommand:
    """Turn the text after `/customer` into a command, or raise BadCommand with an example."""
    text = strip_controls(text).strip()
    if not text:
        return OpenModal()
    head, _, rest = text.partition(" ")
    verb = head.lower()
    rest = rest.strip()
    if verb in ("help", "?", "-h", "--help"):
        return Help()
    if verb == "list" and not rest:
        return ListCustomers()
    if verb == "add":
        return _parse_add(rest)
    if verb == "owner":
        return _parse_owner(rest)
    if verb == "backup":
        return _parse_backup(rest)
    if verb == "alias":
        if not rest or len(rest.split()) < 2:
            raise BadCommand("Tell me the customer and the new alias.", example="/customer alias Acme Acme Labs")
        return AddAlias(text=rest)
    if verb == "remove":
        if not rest:
            raise BadCommand("Tell me which customer to remove.", example="/customer remove Acme")
        return RemoveCustomer(query=clean_name(rest))
    if verb == "exact":
        return _parse_exact(rest)
    if verb == "triage":
        return parse_triage(rest)
    if verb == "link":
        if not rest:
            raise BadCommand("Tell me which customer this channel belongs to.", example="/customer link Acme")
        return LinkChannel(query=clean_name(rest))
    if verb == "history":
        if not rest:
            raise BadCommand("Tell me whose history to show.", example="/customer Acme history")
        return ShowHistory(query=clean_name(rest))
    name, _, last = text.rpartition(" ")
    if last.lower() == "history" and name.strip() and not _USER_TOKEN.search(name):
        return ShowHistory(query=clean_name(name))
    if verb in _SYNONYMS and rest:
        meant = _SYNONYMS[verb]
        if meant == "card":
            return ShowCustomer(query=clean_name(rest))
        raise BadCommand(
            f"`{head}` isn't a /customer subcommand. Did you mean `{meant}`?",
            example=f"/customer {meant} {clean_name(rest)}" + (" @someone" if meant == "owner" else ""),
        )
    if _USER_TOKEN.search(text):
        raise BadCommand(
            "I didn't understand that. To change an owner, start with `owner`.", example="/customer owner Acme @lee"
        )
    return ShowCustomer(query=clean_name(text))


def _parse_add(rest: str) -> AddCustomer:
    usage = "/customer add Acme Corp aka Acme, ACME Inc owner @dana since 2019-04-01"
    if not rest:
        raise BadCommand("Tell me the customer's name.", example=usage)
    parts = _KEYWORD.split(rest)
    # parts: [name, kw1, value1, kw2, value2, ...]; a keyword must follow at least one word of the name.
    name = clean_name(parts[0])
    if not name:
        raise BadCommand("Start with the customer's name, then the optional parts.", example=usage)
    aliases: tuple[str, ...] = ()
    owner: str | None = None
    since: date | None = None
    seen: set[str] = set()
    for keyword, value in zip(parts[1::2], parts[2::2], strict=True):
        keyword = keyword.lower()
        value = value.strip()
        if keyword in seen:
            raise BadCommand(f"`{keyword}` appears twice.", example=usage)
        seen.add(keyword)
        if not value:
            raise BadCommand(f"`{keyword}` needs something after it.", example=usage)
        if keyword == "aka":
            aliases = tuple(a for a in (clean_name(x) for x in value.split(",")) if a)
        elif keyword == "owner":
            owner = parse_user(value, usage=usage)
        else:
            since = parse_date(value)
    return AddCustomer(name=name, aliases=aliases, owner_user_id=owner, since=since)


def _parse_exact(rest: str) -> SetExact:
    if not rest:
        raise BadCommand("Tell me which name, then `on` or `off`.", example=EXACT_USAGE)
    head, _, last = rest.rpartition(" ")
    switch = _SWITCH.get(last.lower())
    if switch is not None and not head.strip():
        raise BadCommand(f"Tell me which name to switch {last.lower()}.", example=EXACT_USAGE)
    if switch is None:
        # No switch: the whole text is the name, and the answer says how it is matched now.
        return SetExact(query=clean_name(rest), exact=None)
    return SetExact(query=clean_name(head), exact=switch)


_DURATION = re.compile(
    r"(\d+(?:\.\d+)?)\s*(m|min|mins|minute|minutes|h|hr|hrs|hour|hours)?\.?", re.IGNORECASE | re.ASCII
)


def _minutes(word: str, value: str, *, lowest: int) -> int:
    """Working minutes as people write them: `30`, `30m`, `30 min`, `90 minutes`, `2h`, `1.5 hours`."""
    minutes = -1.0
    if found := _DURATION.fullmatch(value.strip()):
        number, unit = float(found.group(1)), (found.group(2) or "m").lower()
        minutes = number * 60 if unit.startswith("h") else number
    if not minutes.is_integer() or not lowest <= minutes <= MAX_TRIAGE_MINUTES:
        raise BadCommand(
            f"`{word}` takes working minutes from {lowest} to {MAX_TRIAGE_MINUTES} (`{word} 30`) or hours "
            f"(`{word} 2h`), not “{value[:20]}”.",
            example=TRIAGE_USAGE,
        )
    return int(minutes)


def parse_triage(rest: str) -> SetTriage:
    """`/customer triage` text: the customer, then a triage channel, a target and an escalation delay, or `off`."""
    if not rest.strip():
        raise BadCommand("Tell me which customer, then its triage channel or targets.", example=TRIAGE_USAGE)
    name, *parts = _TRIAGE_PART.split(rest.strip())
    query = clean_name(name)
    if not query or _CHANNEL_TOKEN.match(query):
        raise BadCommand("Start with the customer's name.", example=TRIAGE_USAGE)
    channel_id: str | None = None
    target: int | None = None
    escalation: int | None = None
    reset = False
    for part in parts:
        word, _, value = part.strip().partition(" ")
        lowered = word.lower()
        channel = _CHANNEL_TOKEN.fullmatch(part.strip())
        if channel is not None and channel_id is None:
            channel_id = channel.group(1)
        elif lowered == "target" and target is None:
            target = _minutes("target", value.strip(), lowest=1)
        elif lowered == "escalate" and escalation is None:
            escalation = _minutes("escalate", value.strip(), lowest=0)
        elif lowered == "off" and not value:
            reset = True
        else:
            raise BadCommand(
                f"I didn't understand “{part.strip()[:40]}”: give a #channel, `target` minutes, `escalate` minutes, "
                "or `off`, once each.",
                example=TRIAGE_USAGE,
            )
    if reset and (channel_id or target is not None or escalation is not None):
        raise BadCommand(
            "`off` goes alone: it gives the customer the workspace's triage settings back.",
            example="/customer triage Acme off",
        )
    return SetTriage(
        query=query, channel_id=channel_id, target_minutes=target, escalation_minutes=escalation, reset=reset
    )


def _parse_owner(rest: str) -> SetOwner:
    usage = "/customer owner Acme @lee"
    match = _USER_TOKEN.search(rest)
    if not match or rest[match.end() :].strip():
        raise BadCommand("Name the customer, then mention the new owner.", example=usage)
    query = clean_name(rest[: match.start()])
    if not query:
        raise BadCommand("Name the customer before the new owner.", example=usage)
    return SetOwner(query=query, owner_user_id=match.group(1))


def _parse_backup(rest: str) -> SetBackup:
    head, _, last = rest.rpartition(" ")
    if last.lower() in _NO_BACKUP:
        query = clean_name(head)
        if not query:
            raise BadCommand("Name the customer whose backup to remove.", example="/customer backup Acme off")
        return SetBackup(query=query, backup_user_id=None)
    match = _USER_TOKEN.search(rest)
    if not match or rest[match.end() :].strip():
        raise BadCommand("Name the customer, then mention the backup owner (or `off` for none).", example=BACKUP_USAGE)
    query = clean_name(rest[: match.start()])
    if not query:
        raise BadCommand("Name the customer before the backup owner.", example=BACKUP_USAGE)
    return SetBackup(query=query, backup_user_id=match.group(1))
