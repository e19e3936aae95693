"""The simulator's fake workspace: users, channels and the bot's identity."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

# Slack shows long timezone names in tz_label; zoneinfo only knows abbreviations, so the common zones are
# spelled out here (standard, daylight) and anything else falls back to the abbreviation.
_TZ_LABELS: dict[str, tuple[str, str]] = {
    "America/New_York": ("Eastern Standard Time", "Eastern Daylight Time"),
    "America/Chicago": ("Central Standard Time", "Central Daylight Time"),
    "America/Denver": ("Mountain Standard Time", "Mountain Daylight Time"),
    "America/Los_Angeles": ("Pacific Standard Time", "Pacific Daylight Time"),
    "Europe/Berlin": ("Central European Time", "Central European Summer Time"),
    "Europe/London": ("Greenwich Mean Time", "British Summer Time"),
    "Pacific/Honolulu": ("Hawaii-Aleutian Standard Time", "Hawaii-Aleutian Daylight Time"),
    "Pacific/Auckland": ("New Zealand Standard Time", "New Zealand Daylight Time"),
    "Asia/Tokyo": ("Japan Standard Time", "Japan Daylight Time"),
    "UTC": ("Coordinated Universal Time", "Coordinated Universal Time"),
}

DEFAULT_CREATED = 1_700_000_000

# The bot scopes the simulated install granted: those Rapport's manifest asks for. Slack reports a token's scopes in
# the `x-oauth-scopes` header of every Web API answer; a test removes one to play an install that lacks it.
INSTALLED_BOT_SCOPES = (
    "channels:history",
    "channels:read",
    "chat:write",
    "commands",
    "groups:history",
    "groups:read",
    "reactions:read",
    "reactions:write",
    "usergroups:read",
    "users:read",
    "users:read.email",
    "users.profile:read",
)
# An app-level token (xapp-) for Socket Mode carries this one scope.
APP_TOKEN_SCOPES = ("connections:write",)


def tz_info(tz: str, now: float) -> tuple[str, int]:
    """Return (tz_label, tz_offset seconds) for an IANA zone at the given unix time."""
    zone = ZoneInfo(tz)
    local = datetime.fromtimestamp(now, tz=UTC).astimezone(zone)
    offset = local.utcoffset()
    dst = local.dst()
    seconds = int(offset.total_seconds()) if offset is not None else 0
    names = _TZ_LABELS.get(tz)
    if names is None:
        return local.tzname() or tz, seconds
    return (names[1] if dst else names[0]), seconds


@dataclass
class SimUser:
    """A user of the fake workspace (a human, an external Slack Connect user or a bot)."""

    id: str
    name: str
    real_name: str = ""
    tz: str = "America/New_York"
    is_admin: bool = False
    is_owner: bool = False
    email: str | None = None
    team_id: str | None = None  # None means the workspace's own team
    is_bot: bool = False
    bot_id: str | None = None
    deleted: bool = False
    is_restricted: bool = False
    is_ultra_restricted: bool = False
    is_primary_owner: bool = False
    display_name: str = ""
    title: str = ""
    # Slack's `is_stranger`; people of another team who share no channel with the workspace get it anyway.
    is_stranger: bool = False
    # The Enterprise Grid organisation the user belongs to (`E…`): users.info says so in `enterprise_user`, and in a
    # shared channel their messages' `user_team` is this id rather than their workspace's.
    enterprise_id: str | None = None
    # What users.getPresence says ("active" or "away"), and the status users.info and users.profile.get show:
    # an emoji (":palm_tree:"), a text, and when it ends (Unix seconds; 0: no end). Slack clears an expired status.
    presence: str = "active"
    status_emoji: str = ""
    status_text: str = ""
    status_expiration: int = 0

    def team(self, workspace_team: str) -> str:
        """Return the user's team id, defaulting to the workspace's."""
        return self.team_id or workspace_team

    def profile_api(self, workspace: SimWorkspace, now: float) -> dict[str, object]:
        """Render the user's profile the way users.info and users.profile.get return it."""
        profile = self.to_api(workspace, now)["profile"]
        assert isinstance(profile, dict)
        return profile

    def status_at(self, now: float) -> tuple[str, str, int]:
        """(emoji, text, expiration) of the status as Slack shows it at `now`: an expired one is cleared."""
        if self.status_expiration and self.status_expiration <= now:
            return "", "", 0
        return self.status_emoji, self.status_text, self.status_expiration

    def to_api(self, workspace: SimWorkspace, now: float) -> dict[str, object]:
        """Render the user the way users.info returns it."""
        team = self.team(workspace.team_id)
        label, offset = tz_info(self.tz, now)
        status_emoji, status_text, status_expiration = self.status_at(now)
        digest = hashlib.md5((self.email or self.id).encode(), usedforsecurity=False).hexdigest()
        images = {f"image_{n}": f"https://secure.gravatar.com/avatar/{digest}.jpg?s={n}" for n in _IMAGE_SIZES}
        first, _, last = (self.real_name or self.name).partition(" ")
        profile: dict[str, object] = {
            "title": self.title,
            "phone": "",
            "skype": "",
            "real_name": self.real_name,
            "real_name_normalized": self.real_name,
            "display_name": self.display_name,
            "display_name_normalized": self.display_name,
            "status_text": status_text,
            "status_emoji": status_emoji,
            "status_emoji_display_info": [],
            "status_expiration": status_expiration,
            "avatar_hash": "g" + digest[:11],
            "first_name": first,
            "last_name": last,
            **images,
            "status_text_canonical": "",
            "team": team,
        }
        if self.email is not None and not self.is_bot:
            profile["email"] = self.email
        if self.is_bot:
            profile["bot_id"] = self.bot_id
            profile["api_app_id"] = workspace.api_app_id if self.id == workspace.bot_user_id else ""
            profile["always_active"] = True
        user: dict[str, object] = {
            "id": self.id,
            "team_id": team,
            "name": self.name,
            "deleted": self.deleted,
            "color": digest[:6],
            "real_name": self.real_name,
            "tz": self.tz,
            "tz_label": label,
            "tz_offset": offset,
            "profile": profile,
            "is_admin": self.is_admin,
            "is_owner": self.is_owner,
            "is_primary_owner": self.is_primary_owner,
            "is_restricted": self.is_restricted,
            "is_ultra_restricted": self.is_ultra_restricted,
            "is_bot": self.is_bot,
            "is_app_user": False,
            "updated": DEFAULT_CREATED,
            "is_email_confirmed": not self.is_bot,
            "who_can_share_contact_card": "EVERYONE",
        }
        if self.is_stranger or workspace.is_stranger(self):
            user["is_stranger"] = True
        if self.enterprise_id:
            user["enterprise_user"] = {
                "id": self.id,
                "enterprise_id": self.enterprise_id,
                "enterprise_name": workspace.external_teams.get(self.enterprise_id, ""),
                "is_admin": self.is_admin,
                "is_owner": self.is_owner,
                "is_primary_owner": self.is_primary_owner,
                "teams": [team],
            }
        return user


_IMAGE_SIZES = (24, 32, 48, 72, 192, 512)

# Slackbot: a user of every workspace, not marked `is_bot`, whose messages carry no `bot_id`.
SLACKBOT = SimUser("USLACKBOT", "slackbot", "Slackbot", "America/Los_Angeles", display_name="Slackbot")


@dataclass
class SimChannel:
    """A conversation of the fake workspace; `members=None` means every internal human user."""

    id: str
    name: str
    is_private: bool = False
    is_im: bool = False
    is_mpim: bool = False
    is_ext_shared: bool = False
    shared_team_ids: list[str] = field(default_factory=list)
    members: list[str] | None = None
    bot_is_member: bool = False
    created: int = DEFAULT_CREATED
    creator: str = ""
    topic: str = ""
    purpose: str = ""
    is_archived: bool = False
    user: str | None = None  # the other party of an IM
    # The organisation that created a shared channel, when not the workspace (a customer invited the team): Slack
    # names it in the envelope's `team_id` of every event from the channel, and in conversations.info.
    host_team_id: str | None = None

    @property
    def channel_type(self) -> str:
        """Return the event `channel_type`: channel, group, im or mpim."""
        if self.is_im:
            return "im"
        if self.is_mpim:
            return "mpim"
        return "group" if self.is_private else "channel"


@dataclass
class SimUsergroup:
    """A user group: its handle (`support-team`), its members, and whether it is disabled."""

    id: str
    handle: str
    users: list[str] = field(default_factory=list)
    disabled: bool = False

    def mention(self) -> str:
        """The group as Slack writes it in a message or a slash command's text."""
        return f"<!subteam^{self.id}|@{self.handle}>"


@dataclass
class SimWorkspace:
    """The fake workspace the simulator serves; build your own or use `SimWorkspace.default()`."""

    team_id: str = "T0SIM0001"
    team_name: str = "Rapport Sim"
    domain: str = "rapport-sim"
    api_app_id: str = "A0RAPPORT"
    bot_user_id: str = "U0RAPPORT"
    bot_id: str = "B0RAPPORT"
    bot_name: str = "rapport"
    users: list[SimUser] = field(default_factory=list)
    channels: list[SimChannel] = field(default_factory=list)
    external_teams: dict[str, str] = field(default_factory=dict)  # team id -> team name
    email_domain: str = "example.com"
    bot_scopes: list[str] = field(default_factory=lambda: list(INSTALLED_BOT_SCOPES))
    # User groups (`S…`, mentioned as `<!subteam^S…|@handle>`), by ID.
    usergroups: dict[str, SimUsergroup] = field(default_factory=dict)
    usergroups_on_plan: bool = True  # False: a free plan, where usergroups.* answer plan_upgrade_required
    # The workspace's Enterprise Grid organisation (`E…`), if it belongs to one.
    enterprise_id: str | None = None
    # Whether the app was installed org-wide into that organisation (its requests then say is_enterprise_install).
    is_enterprise_install: bool = False
    # Lookups hit an index rebuilt whenever a list is replaced or changes length, so callers may append
    # users/channels at any time (replacing an element in place needs a new list).
    _user_index: dict[str, SimUser] = field(default_factory=dict, init=False, repr=False, compare=False)
    _user_key: tuple[int, int] = field(default=(0, -1), init=False, repr=False, compare=False)
    _channel_index: dict[str, SimChannel] = field(default_factory=dict, init=False, repr=False, compare=False)
    _channel_key: tuple[int, int] = field(default=(0, -1), init=False, repr=False, compare=False)

    @classmethod
    def default(cls) -> SimWorkspace:
        """Return a fresh copy of the standard test workspace (ids other code depends on)."""
        ext = "T0EXT0001"
        users = [
            SimUser(
                "U0DANA",
                "dana",
                "Dana Scully",
                "America/New_York",
                is_admin=True,
                email="dana@example.com",
                display_name="Dana",
            ),
            SimUser("U0LEE", "lee", "Lee Adama", "Europe/Berlin", email="lee@example.com", display_name="Lee"),
            SimUser(
                "U0STEPH",
                "stephanie",
                "Stephanie Ruiz",
                "Pacific/Honolulu",
                email="steph@example.com",
                display_name="Steph",
            ),
            SimUser(
                "U0KIRI",
                "kiri",
                "Kiri Te Kanawa",
                "Pacific/Auckland",
                email="kiri@example.com",
                display_name="Kiri",
            ),
            SimUser(
                "U0OWNER",
                "olive",
                "Olive Owner",
                "Europe/London",
                is_admin=True,
                is_owner=True,
                is_primary_owner=True,
                email="olive@example.com",
                display_name="Olive",
            ),
            SimUser(
                "W0EXTBOB",
                "bob",
                "Bob Customer",
                "America/Chicago",
                email="bob@acme.example",
                team_id=ext,
                display_name="Bob",
            ),
            SimUser("U0OTHERBOT", "otherbot", "Other Bot", "America/Los_Angeles", is_bot=True, bot_id="B0OTHER"),
            SimUser("U0RAPPORT", "rapport", "Rapport", "America/Los_Angeles", is_bot=True, bot_id="B0RAPPORT"),
        ]
        channels = [
            SimChannel("C0SUPPORT", "support", creator="U0DANA", purpose="Customer support"),
            SimChannel(
                "C0ACME",
                "acme-shared",
                is_ext_shared=True,
                shared_team_ids=[ext],
                creator="U0DANA",
                purpose="Shared with Acme",
            ),
            SimChannel("C0RANDOM", "random", creator="U0OWNER"),
            SimChannel("G0PRIVATE", "private-support", is_private=True, creator="U0DANA"),
        ]
        groups = {"S0SUPPORT": SimUsergroup("S0SUPPORT", "support-team", ["U0DANA", "U0LEE", "U0STEPH"])}
        return cls(users=users, channels=channels, external_teams={ext: "Acme Corp"}, usergroups=groups)

    def user(self, user_id: str) -> SimUser | None:
        """Return the user with that id, if any (Slackbot is in every workspace)."""
        if self._user_key != (id(self.users), len(self.users)):
            self._user_index = {u.id: u for u in self.users}
            self._user_key = (id(self.users), len(self.users))
        found = self._user_index.get(user_id)
        return SLACKBOT if found is None and user_id == SLACKBOT.id else found

    def channel(self, channel_id: str) -> SimChannel | None:
        """Return the (non-DM) channel with that id, if any."""
        if self._channel_key != (id(self.channels), len(self.channels)):
            self._channel_index = {c.id: c for c in self.channels}
            self._channel_key = (id(self.channels), len(self.channels))
        return self._channel_index.get(channel_id)

    def channel_by_name(self, name: str) -> SimChannel | None:
        """Return the channel with that name (without '#'), if any."""
        return next((c for c in self.channels if c.name == name), None)

    def is_external(self, user: SimUser) -> bool:
        """Tell whether the user belongs to another organisation (Slack Connect): another team, and not one of the
        workspace's own Enterprise Grid organisation."""
        if user.team(self.team_id) == self.team_id:
            return False
        return not (self.enterprise_id and user.enterprise_id == self.enterprise_id)

    def is_stranger(self, user: SimUser) -> bool:
        """Slack's `is_stranger`: of another organisation, and in no shared channel with the workspace."""
        if not self.is_external(user):
            return False
        shared = (c for c in self.channels if c.is_ext_shared)
        return not any(user.id in self.members_of(c) for c in shared)

    def author_team(self, user: SimUser, channel: SimChannel) -> str:
        """The `user_team` Slack puts on a message in a shared channel: the author's Enterprise Grid organisation
        (`E…`) if they belong to one, else their workspace."""
        return user.enterprise_id or user.team(self.team_id) if channel.is_ext_shared else user.team(self.team_id)

    def bot_user(self) -> SimUser:
        """Return the app's bot user, synthesised when the user list lacks it."""
        found = self.user(self.bot_user_id)
        if found is not None:
            return found
        return SimUser(self.bot_user_id, self.bot_name, self.bot_name.title(), is_bot=True, bot_id=self.bot_id)

    def members_of(self, channel: SimChannel) -> list[str]:
        """Return the member ids of a channel, the bot included when it is a member."""
        if channel.members is not None:
            ids = list(channel.members)
        elif channel.is_im:
            ids = [channel.user] if channel.user else []
        else:
            ids = [
                u.id
                for u in self.users
                if not u.is_bot
                and not u.deleted
                and (not self.is_external(u) or u.team(self.team_id) in channel.shared_team_ids)
            ]
        if (channel.bot_is_member or channel.is_im) and self.bot_user_id not in ids:
            ids.append(self.bot_user_id)
        return ids
