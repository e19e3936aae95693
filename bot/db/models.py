"""The tables. Every row carries team_id; datetimes are stored in UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.sql.expression import false, true

from bot.domain.away import DEFAULT_AWAY_STATUSES


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite keeps no offset of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# SQLite only autoincrements INTEGER PRIMARY KEY; PostgreSQL gets 64-bit ids.
Id = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    """Declarative base for Rapport's models."""

    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON()}


class Workspace(Base):
    """One Slack team that installed Rapport."""

    __tablename__ = "workspaces"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    url: Mapped[str] = mapped_column(String(300), default="")
    bot_user_id: Mapped[str] = mapped_column(String(32), default="")
    bot_id: Mapped[str] = mapped_column(String(32), default="")
    # The workspace's Enterprise Grid organisation, once a request from it said so: an org-wide OAuth install serves
    # the workspace with the organisation's bot token.
    enterprise_id: Mapped[str | None] = mapped_column(String(32))
    # Bumped by every change to customer names, so each process knows when its matcher is stale.
    directory_version: Mapped[int] = mapped_column(Integer, default=0)
    # Bumped by every change to a channel's watched flag or linked customer, for every process's channel cache.
    channels_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Bumped by every settings change, so each process's cached tone rules and nudge settings are reloaded.
    settings_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class WorkspaceSettings(Base):
    """A workspace's settings; defaults are the spec's."""

    __tablename__ = "workspace_settings"

    team_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("workspaces.team_id", ondelete="CASCADE"), primary_key=True
    )
    stories_channel: Mapped[str | None] = mapped_column(String(32))
    story_emojis: Mapped[str] = mapped_column(String(500), default="star2")
    followup_emoji: Mapped[str] = mapped_column(String(100), default="alarm_clock")
    default_followup_working_days: Mapped[int] = mapped_column(Integer, default=2)
    working_hours_start: Mapped[int] = mapped_column(Integer, default=9 * 60)  # minutes after midnight
    working_hours_end: Mapped[int] = mapped_column(Integer, default=17 * 60)
    working_days: Mapped[str] = mapped_column(String(40), default="mon,tue,wed,thu,fri")
    quiet_days: Mapped[int] = mapped_column(Integer, default=30)
    unanswered_minutes: Mapped[int] = mapped_column(Integer, default=30)
    digest_day: Mapped[str] = mapped_column(String(3), default="fri")
    digest_time: Mapped[int] = mapped_column(Integer, default=15 * 60)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    nudges_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    retention_days: Mapped[int] = mapped_column(Integer, default=90)
    # Channels where nothing is nudged: channel ids, comma-separated.
    nudge_excluded_channels: Mapped[str] = mapped_column(Text, default="", server_default="")
    # The workspace's own tone rules, in the settings modal's line syntax (bot.domain.tone.parse_rules_text).
    tone_rules_added: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Ids of shipped (or file) rules the workspace turned off, comma-separated.
    tone_rules_disabled: Mapped[str] = mapped_column(Text, default="", server_default="")
    # A rules file on the server (TOML, like the shipped list), read in addition to the shipped rules.
    tone_rules_file: Mapped[str] = mapped_column(String(500), default="", server_default="")
    # How numeric dates in a *when* read: "MDY" (12/15 is 15 December) or "DMY" (15/12); ISO dates always work.
    date_order: Mapped[str] = mapped_column(String(3), default="MDY", server_default="MDY")
    # Whether a teammate's promise with a time ("I'll call Acme back tomorrow") is offered as a follow-up.
    promise_offers_enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # The service principles a story can be tagged with, as JSON ([{"key", "label", "retired"}]); "" = the six.
    principles: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Triage: where waiting customers are listed with Claim and Answered (none: the owner's DM only), the
    # first-response target the digest and stats measure against, and the escalation delay (0: never), both in
    # working minutes after the customer's message.
    triage_channel: Mapped[str | None] = mapped_column(String(32))
    first_response_target_minutes: Mapped[int] = mapped_column(Integer, default=60, server_default="60")
    escalation_minutes: Mapped[int] = mapped_column(Integer, default=120, server_default="120")
    # The status emojis and words that mean a customer's owner is away (bot.domain.away), comma-separated.
    away_statuses: Mapped[str] = mapped_column(
        Text, default=DEFAULT_AWAY_STATUSES, server_default=DEFAULT_AWAY_STATUSES
    )
    # `timezone` is the one every job uses. Until an admin sets it, it follows the automatic one: the primary
    # owner's, else the most common among the workspace's people (bot.domain.workspace_time), read from users.list.
    timezone_set_by_admin: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    auto_timezone: Mapped[str] = mapped_column(String(64), default="", server_default="")  # "" until read once
    auto_timezone_source: Mapped[str] = mapped_column(String(20), default="default", server_default="default")
    auto_timezone_name: Mapped[str] = mapped_column(String(200), default="", server_default="")  # the owner's
    timezone_read_at: Mapped[datetime | None]  # the last successful read
    timezone_next_read_at: Mapped[datetime | None]  # None: as soon as possible
    updated_at: Mapped[datetime]


class SettingsChange(Base):
    """One setting an admin changed: who, when, from what, to what."""

    __tablename__ = "settings_changes"
    __table_args__ = (Index("ix_settings_changes_team_time", "team_id", "changed_at"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32), ForeignKey("workspaces.team_id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(32))
    changed_at: Mapped[datetime]
    setting: Mapped[str] = mapped_column(String(60))
    old_value: Mapped[str] = mapped_column(Text, default="")
    new_value: Mapped[str] = mapped_column(Text, default="")


class UserSettings(Base):
    """A person's own settings (tone tips, promise offers); no row means the defaults."""

    __tablename__ = "user_settings"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    nudges_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    promises_enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    updated_at: Mapped[datetime]


class NudgeCooldown(Base):
    """When a person was last nudged in a category: at most one nudge per person per category per 24 hours."""

    __tablename__ = "nudge_cooldowns"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    category: Mapped[str] = mapped_column(String(20), primary_key=True)
    last_nudged_at: Mapped[datetime]


class Nudge(Base):
    """A tone nudge shown to someone: which rule and where, never the message's text."""

    __tablename__ = "nudges"
    __table_args__ = (
        Index("ix_nudges_team_time", "team_id", "created_at"),
        Index("ix_nudges_team_user", "team_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(32))
    category: Mapped[str] = mapped_column(String(20))
    rule_id: Mapped[str] = mapped_column(String(80))
    channel_id: Mapped[str] = mapped_column(String(32))
    message_ts: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]
    # What the author did with it: "thanks", "optout", or nothing yet.
    response: Mapped[str | None] = mapped_column(String(12))


class Customer(Base):
    """A customer in a workspace's directory."""

    __tablename__ = "customers"
    __table_args__ = (
        UniqueConstraint("team_id", "id", name="uq_customers_team_id_id"),
        Index("ix_customers_team_owner", "team_id", "owner_user_id"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32), ForeignKey("workspaces.team_id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    owner_user_id: Mapped[str] = mapped_column(String(32))
    # Alerted too about a waiting message while the owner is away (`/customer backup`); None: nobody.
    backup_user_id: Mapped[str | None] = mapped_column(String(32))
    since: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]
    # "Snooze 30 days" on the gone-quiet DM: not listed as quiet again before this.
    quiet_snoozed_until: Mapped[datetime | None]
    # `/customer triage`: this customer's own triage channel and targets (None: the workspace's).
    triage_channel_id: Mapped[str | None] = mapped_column(String(32))
    first_response_target_minutes: Mapped[int | None] = mapped_column(Integer)
    escalation_minutes: Mapped[int | None] = mapped_column(Integer)

    names: Mapped[list[CustomerName]] = relationship(
        back_populates="customer", cascade="all, delete-orphan", passive_deletes=True, order_by="CustomerName.id"
    )

    @property
    def aliases(self) -> list[str]:
        """The customer's other names, in the order they were added."""
        return [n.name for n in self.names if not n.is_primary]


class CustomerName(Base):
    """A customer's name or one alias; unique per workspace across names and aliases alike."""

    __tablename__ = "customer_names"
    __table_args__ = (
        UniqueConstraint("team_id", "name_key", name="uq_customer_names_team_key"),
        ForeignKeyConstraint(["team_id", "customer_id"], ["customers.team_id", "customers.id"], ondelete="CASCADE"),
        Index("ix_customer_names_customer", "team_id", "customer_id"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32))
    customer_id: Mapped[int] = mapped_column(Id)
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200))
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)
    # Counts only as written ("Target", not "our target"): None follows the shipped word lists, True/False is a
    # person's choice (`/customer exact`).
    exact: Mapped[bool | None] = mapped_column(Boolean, nullable=True, default=None)

    customer: Mapped[Customer] = relationship(back_populates="names")


class Channel(Base):
    """A channel Rapport knows of: watched while the bot is a member, optionally linked to a customer."""

    __tablename__ = "channels"
    __table_args__ = (Index("ix_channels_team_customer", "team_id", "customer_id"),)

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    channel_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    is_watched: Mapped[bool] = mapped_column(Boolean, default=False)
    is_shared: Mapped[bool] = mapped_column(Boolean, default=False)
    # A single-column key: SET NULL on a composite key would clear team_id too.
    customer_id: Mapped[int | None] = mapped_column(Id, ForeignKey("customers.id", ondelete="SET NULL"))
    joined_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]


class Mention(Base):
    """A message in a watched channel that names a customer."""

    __tablename__ = "mentions"
    __table_args__ = (
        UniqueConstraint("team_id", "customer_id", "channel_id", "message_ts", name="uq_mentions_message"),
        ForeignKeyConstraint(["team_id", "customer_id"], ["customers.team_id", "customers.id"], ondelete="CASCADE"),
        Index("ix_mentions_customer_time", "team_id", "customer_id", "mentioned_at"),
        Index("ix_mentions_message", "team_id", "channel_id", "message_ts"),
        Index("ix_mentions_excerpt_time", "team_id", "mentioned_at"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32))
    customer_id: Mapped[int] = mapped_column(Id)
    channel_id: Mapped[str] = mapped_column(String(32))
    message_ts: Mapped[str] = mapped_column(String(32))
    thread_ts: Mapped[str | None] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(32), default="")
    mentioned_at: Mapped[datetime]
    excerpt: Mapped[str | None] = mapped_column(String(300))


class Recurrence(Base):
    """A repeating follow-up's rhythm ("every 2 weeks", "every month on the 1st"): one open occurrence at a time,
    each a follow-up of its own (followups.recurrence_id)."""

    __tablename__ = "recurrences"
    __table_args__ = (
        Index("ix_recurrences_next", "stopped_at", "next_due"),
        Index("ix_recurrences_customer", "team_id", "customer_id"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32), ForeignKey("workspaces.team_id", ondelete="CASCADE"))
    owner_user_id: Mapped[str] = mapped_column(String(32))
    customer_id: Mapped[int | None] = mapped_column(Id, ForeignKey("customers.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(Text, default="")
    unit: Mapped[str] = mapped_column(String(8))  # workday | day | week | month | year
    interval: Mapped[int] = mapped_column(Integer, default=1)
    weekday: Mapped[int | None] = mapped_column(SmallInteger)  # weekly: 0 = Monday
    month_day: Mapped[int | None] = mapped_column(SmallInteger)  # monthly, yearly (clamped to the month's end)
    month: Mapped[int | None] = mapped_column(SmallInteger)  # yearly
    at_minute: Mapped[int] = mapped_column(Integer)  # local time, minutes after midnight
    start_day: Mapped[date] = mapped_column(Date)  # where the rhythm is anchored
    rule_text: Mapped[str] = mapped_column(String(200))  # as typed
    tz: Mapped[str] = mapped_column(String(64))  # the owner's zone when it was set
    # The nominal due time of the current occurrence, and of the one after it (when a still-open one rolls on).
    occurrence_due: Mapped[datetime]
    next_due: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]
    stopped_by: Mapped[str | None] = mapped_column(String(32))
    stopped_at: Mapped[datetime | None]


class FollowUp(Base):
    """Someone promised to get back to a customer: owner, optional customer and source message, note, due time."""

    __tablename__ = "followups"
    __table_args__ = (
        Index("ix_followups_due", "state", "due_at"),
        Index("ix_followups_owner", "team_id", "owner_user_id", "state", "due_at"),
        # At most one "check back in" per done follow-up, however often the button is clicked.
        Index("uq_followups_checkin_of", "team_id", "checkin_of_id", unique=True),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32), ForeignKey("workspaces.team_id", ondelete="CASCADE"))
    owner_user_id: Mapped[str] = mapped_column(String(32))
    # A single-column key: SET NULL on a composite key would clear team_id too.
    customer_id: Mapped[int | None] = mapped_column(Id, ForeignKey("customers.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(12), default="followup")  # followup | checkin
    note: Mapped[str] = mapped_column(Text, default="")
    source_channel_id: Mapped[str | None] = mapped_column(String(32))
    source_ts: Mapped[str | None] = mapped_column(String(32))
    checkin_of_id: Mapped[int | None] = mapped_column(Id)
    # An occurrence of a repeating follow-up (its rhythm in `recurrences`); None for a one-off.
    recurrence_id: Mapped[int | None] = mapped_column(Id, ForeignKey("recurrences.id", ondelete="SET NULL"))
    recurrence: Mapped[Recurrence | None] = relationship(lazy="select")
    due_at: Mapped[datetime]
    state: Mapped[str] = mapped_column(String(12), default="open")  # open | done | cancelled
    # Reminders sent since the follow-up was created or last snoozed: at most 2 (the due one, one working day on).
    reminders_sent: Mapped[int] = mapped_column(Integer, default=0)
    last_reminded_at: Mapped[datetime | None]
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]
    closed_by: Mapped[str | None] = mapped_column(String(32))
    closed_at: Mapped[datetime | None]


class PromiseOffer(Base):
    """A promise with a time offered to its author as a follow-up: where, the promise (the author's own sentence,
    the follow-up's note), when it was read as, and what the author did with the offer."""

    __tablename__ = "promise_offers"
    __table_args__ = (
        UniqueConstraint("team_id", "channel_id", "message_ts", name="uq_promise_offers_message"),
        Index("ix_promise_offers_user_time", "team_id", "user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32), ForeignKey("workspaces.team_id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    message_ts: Mapped[str] = mapped_column(String(32))
    customer_id: Mapped[int | None] = mapped_column(Id, ForeignKey("customers.id", ondelete="SET NULL"))
    rule_id: Mapped[str] = mapped_column(String(80))
    when_text: Mapped[str] = mapped_column(String(100))
    due_at: Mapped[datetime]
    note: Mapped[str] = mapped_column(Text, default="")  # cleared once the offer is answered
    state: Mapped[str] = mapped_column(String(12), default="offered")  # offered | accepted | changed | dismissed
    followup_id: Mapped[int | None] = mapped_column(Id)
    created_at: Mapped[datetime]
    answered_at: Mapped[datetime | None]


class CustomerWait(Base):
    """A customer's top-level message in their linked channel, waiting for an internal member's answer."""

    __tablename__ = "customer_waits"
    __table_args__ = (Index("ix_customer_waits_state", "state", "posted_at"),)

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    channel_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    message_ts: Mapped[str] = mapped_column(String(32), primary_key=True)
    customer_id: Mapped[int] = mapped_column(Id, ForeignKey("customers.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(32))
    posted_at: Mapped[datetime]
    # waiting, then answered | alerted | expired (too old, or its channel no longer linked to the customer)
    state: Mapped[str] = mapped_column(String(12), default="waiting")
    answered_by: Mapped[str | None] = mapped_column(String(32))
    closed_at: Mapped[datetime | None]  # answered (its first response), alerted or expired
    # The triage-channel message that lists this wait, once it was alerted with a triage channel set.
    triage_id: Mapped[int | None] = mapped_column(Id, ForeignKey("triage_messages.id", ondelete="SET NULL"))


class TriageMessage(Base):
    """One customer's message in the triage channel: the waits it lists while it is open, who claimed them, and
    whether it was escalated. Posted once (post_outbox_id), then updated in place (chat.update) at each change."""

    __tablename__ = "triage_messages"
    __table_args__ = (
        # One open triage message per customer, whichever process alerts first: is_open is NULL once closed, and
        # NULLs never collide in a unique constraint (SQLite and PostgreSQL alike).
        UniqueConstraint("team_id", "customer_id", "is_open", name="uq_triage_messages_open"),
        Index("ix_triage_messages_open", "is_open", "opened_at"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32), ForeignKey("workspaces.team_id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(Id, ForeignKey("customers.id", ondelete="CASCADE"))
    channel_id: Mapped[str] = mapped_column(String(32))  # the triage channel it is posted in
    is_open: Mapped[bool | None] = mapped_column(Boolean, default=True)  # True while open, NULL once closed
    opened_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    closed_by: Mapped[str | None] = mapped_column(String(32))  # who clicked Answered, or who answered in Slack
    claimed_by: Mapped[str | None] = mapped_column(String(32))
    claimed_at: Mapped[datetime | None]
    escalated_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(Integer, default=0)  # bumped at each change: one chat.update each
    post_outbox_id: Mapped[int | None] = mapped_column(Id, ForeignKey("outbox.id", ondelete="SET NULL"))


class Story(Base):
    """A good service moment: who is credited, who recognised it, its source message and its shout-out."""

    __tablename__ = "stories"
    __table_args__ = (
        # One story per reacted-to message, however many people react at once.
        Index("uq_stories_reaction_key", "team_id", "reaction_key", unique=True),
        Index("ix_stories_team_time", "team_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32), ForeignKey("workspaces.team_id", ondelete="CASCADE"))
    via: Mapped[str] = mapped_column(String(12))  # reaction | kudos | shortcut | followup
    reaction_key: Mapped[str | None] = mapped_column(String(80))  # "<channel>:<ts>" for reaction stories
    source_channel_id: Mapped[str | None] = mapped_column(String(32))
    source_ts: Mapped[str | None] = mapped_column(String(32))
    source_thread_ts: Mapped[str | None] = mapped_column(String(32))  # the thread it is a reply in, if any
    source_user_id: Mapped[str | None] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text, default="")
    customer_id: Mapped[int | None] = mapped_column(Id, ForeignKey("customers.id", ondelete="SET NULL"))
    principle: Mapped[str | None] = mapped_column(String(40))
    principle_by: Mapped[str | None] = mapped_column(String(32))
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]
    # Where the shout-out goes: the stories channel, or the source message's thread while none is set.
    shoutout_channel_id: Mapped[str | None] = mapped_column(String(32))
    shoutout_thread_ts: Mapped[str | None] = mapped_column(String(32))
    # Bumped when the shout-out is removed (no recogniser left), so a later recognition posts a fresh one.
    generation: Mapped[int] = mapped_column(Integer, default=0)
    # Bumped on every change, so each change queues its own update of the shout-out.
    version: Mapped[int] = mapped_column(Integer, default=0)


class StoryCredit(Base):
    """A person a story credits."""

    __tablename__ = "story_credits"
    __table_args__ = (Index("ix_story_credits_user", "team_id", "user_id"),)

    story_id: Mapped[int] = mapped_column(Id, ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))


class StoryRecognition(Base):
    """Someone recognised a story (a story emoji, or giving the kudos)."""

    __tablename__ = "story_recognitions"

    story_id: Mapped[int] = mapped_column(Id, ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    emoji: Mapped[str] = mapped_column(String(100), primary_key=True)  # "" for /kudos and the shortcut
    team_id: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]


class ProcessedEvent(Base):
    """An Events API event_id already stored, so Slack's retries change nothing."""

    __tablename__ = "processed_events"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(index=True)


class OutboxMessage(Base):
    """A Web API call the bot makes on its own, stored before it is made."""

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("team_id", "idempotency_key", name="uq_outbox_key"),
        Index("ix_outbox_due", "state", "not_before"),
        Index("ix_outbox_lane_due", "state", "lane", "not_before"),
        # Which row posted a message: a reaction on a shout-out finds its story this way.
        Index("ix_outbox_result", "team_id", "result_channel", "result_ts"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(40))
    # Which queue it waits in: 0 for a reply to what a person just did (a tip, a confirmation, a Home tab), sent
    # before 1, the bulk (reminders, digests, alerts). See bot.db.queries.outbox.INTERACTIVE.
    lane: Mapped[int] = mapped_column(SmallInteger, default=1, server_default="1")
    idempotency_key: Mapped[str] = mapped_column(String(255))
    method: Mapped[str] = mapped_column(String(60))
    payload: Mapped[dict[str, Any]]
    # The row whose (channel, ts) this call needs, e.g. the shout-out that a chat.update edits.
    depends_on_id: Mapped[int | None] = mapped_column(Id, ForeignKey("outbox.id", ondelete="SET NULL"))
    state: Mapped[str] = mapped_column(String(12), default="pending")  # pending, sending, sent, failed, skipped
    not_before: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(300))
    result_channel: Mapped[str | None] = mapped_column(String(32))
    result_ts: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    # When the retention job emptied the payload of this finished row (it may quote user text).
    redacted_at: Mapped[datetime | None]


class SendingHold(Base):
    """Sending paused for a workspace because Slack refused its token (method "*") or a scope one method needs.

    The outbox rows wait, pending; the sender asks Slack again (auth.test) at `retry_at`, and lifts the hold when
    the token works, or the scope is granted, again.
    """

    __tablename__ = "sending_holds"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    method: Mapped[str] = mapped_column(String(60), primary_key=True)  # "*" holds every method
    reason: Mapped[str] = mapped_column(String(60))  # Slack's error code, or the event that stopped sending
    needed: Mapped[str | None] = mapped_column(String(200))  # the scope(s) Slack said the method needs
    since: Mapped[datetime]
    retry_at: Mapped[datetime]
    probes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class UserProfile(Base):
    """A cached Slack user profile (timezone, admin flags), refreshed when older than a day."""

    __tablename__ = "user_profiles"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    real_name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str | None] = mapped_column(String(254))
    tz: Mapped[str] = mapped_column(String(64), default="UTC")
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    is_owner: Mapped[bool] = mapped_column(Boolean, default=False)
    is_bot: Mapped[bool] = mapped_column(Boolean, default=False)
    is_external: Mapped[bool] = mapped_column(Boolean, default=False)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    fetched_at: Mapped[datetime]


# OAuth installs (many workspaces): slack_sdk's SQLAlchemy stores own these tables; they are declared here with the
# stores' own builders so that the migrations (0012) and the stores agree. Single-token installs leave them empty.
INSTALLATIONS = SQLAlchemyInstallationStore.build_installations_table(Base.metadata, "slack_installations")
BOTS = SQLAlchemyInstallationStore.build_bots_table(Base.metadata, "slack_bots")
OAUTH_STATES = SQLAlchemyOAuthStateStore.build_oauth_states_table(Base.metadata, "slack_oauth_states")
