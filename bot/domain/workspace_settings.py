"""The workspace settings an admin edits in `/rapport settings`: reading the form, validating it, describing
changes; no I/O beyond reading a named rules file to check it.

Each setting has a key: the modal's block id, the audit log's name, and the key of its error message.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.domain.away import DEFAULT_AWAY_STATUSES, check_away_statuses
from bot.domain.errors import RapportError
from bot.domain.principles import (
    parse_principles,
    principles_text,
    read_principles,
    shown_principles,
    store_principles,
)
from bot.domain.stored_lists import id_list
from bot.domain.tone import ToneRulesError, load_rules_file, parse_rules_text
from bot.domain.when import DATE_ORDERS, WEEKDAY_KEYS, WEEKDAYS

STORIES_CHANNEL = "stories_channel"
STORIES_IN_THREAD = "stories_in_thread"
STORY_EMOJI = "story_emoji"
FOLLOWUP_EMOJI = "followup_emoji"
DEFAULT_DELAY = "default_delay"
DATE_ORDER = "date_order"
WORK_START = "working_hours_start"
WORK_END = "working_hours_end"
WORKING_DAYS = "working_days"
QUIET_DAYS = "quiet_days"
UNANSWERED_MINUTES = "unanswered_minutes"
DIGEST_DAY = "digest_day"
DIGEST_TIME = "digest_time"
TIMEZONE = "timezone"
NUDGES = "nudges"
NUDGE_EXCLUDED = "nudge_excluded_channels"
RETENTION_DAYS = "retention_days"
RULES_ADDED = "tone_rules_added"
RULES_DISABLED = "tone_rules_disabled"
RULES_FILE = "tone_rules_file"
PROMISE_OFFERS = "promise_offers"
PRINCIPLES = "principles"
PRINCIPLES_RETIRED = "principles_retired"
TRIAGE_CHANNEL = "triage_channel"
TRIAGE_OFF = "triage_off"
FIRST_RESPONSE_TARGET = "first_response_target_minutes"
ESCALATION_MINUTES = "escalation_minutes"
AWAY_STATUSES = "away_statuses"

LABELS = {
    STORIES_CHANNEL: "Stories channel",
    STORIES_IN_THREAD: "No stories channel",  # a box, shown while one is set
    STORY_EMOJI: "Story emoji",
    FOLLOWUP_EMOJI: "Follow-up emoji",
    DEFAULT_DELAY: "Default follow-up delay (working days)",
    DATE_ORDER: "Numeric dates",
    WORK_START: "Working hours start",
    WORK_END: "Working hours end",
    WORKING_DAYS: "Working days",
    QUIET_DAYS: "Quiet-customer threshold (days)",
    UNANSWERED_MINUTES: "Unanswered-message alert (working minutes)",
    DIGEST_DAY: "Digest day",
    DIGEST_TIME: "Digest time",
    TIMEZONE: "Workspace timezone",
    NUDGES: "Tone nudges",
    NUDGE_EXCLUDED: "Channels without nudges",
    RETENTION_DAYS: "Excerpt retention (days)",
    RULES_ADDED: "Your own tone rules",
    RULES_DISABLED: "Shipped tone rules turned off",
    RULES_FILE: "Tone rules file",
    PROMISE_OFFERS: "Promise offers",
    PRINCIPLES: "Service principles",
    PRINCIPLES_RETIRED: "Retired principles",
    TRIAGE_CHANNEL: "Triage channel",
    TRIAGE_OFF: "No triage channel",  # a box, shown while one is set
    FIRST_RESPONSE_TARGET: "First-response target (working minutes)",
    ESCALATION_MINUTES: "Escalation delay (working minutes, 0 = never)",
    AWAY_STATUSES: "Statuses that mean away",
}

_EMOJI = re.compile(r"^[a-z0-9_+'\-]{1,100}$")
_TIME = re.compile(r"^(?P<h>-?\d{1,3})(?::(?P<m>\d{1,2}))?\s*(?P<ampm>am|pm)?$")
MAX_STORY_EMOJIS = 10
RANGES = {  # key: (lowest, highest, example)
    DEFAULT_DELAY: (1, 30, "2"),
    QUIET_DAYS: (1, 365, "30"),
    UNANSWERED_MINUTES: (1, 1440, "30"),
    RETENTION_DAYS: (1, 3650, "90"),
    FIRST_RESPONSE_TARGET: (1, 10080, "60"),
    ESCALATION_MINUTES: (0, 10080, "120"),
}
_NOUNS = {
    DEFAULT_DELAY: "working days",
    QUIET_DAYS: "days",
    UNANSWERED_MINUTES: "minutes",
    RETENTION_DAYS: "days",
    FIRST_RESPONSE_TARGET: "minutes",
    ESCALATION_MINUTES: "minutes",
}


class SettingsInvalid(RapportError):
    """Some values of the settings form are wrong; `errors` maps each setting's key to what to fix."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("Some settings need a fix: " + " ".join(errors.values()))
        self.errors = dict(errors)


@dataclass(frozen=True)
class WorkspaceSettingsValues:
    """Every setting an admin can change, in the form they are stored."""

    stories_channel: str | None
    story_emojis: str  # "star2,tada"
    followup_emoji: str
    default_followup_working_days: int
    working_hours_start: int  # minutes after midnight
    working_hours_end: int
    working_days: str  # "mon,tue,wed,thu,fri"
    quiet_days: int
    unanswered_minutes: int
    digest_day: str  # "fri"
    digest_time: int  # minutes after midnight
    timezone: str
    nudges_enabled: bool
    nudge_excluded_channels: str  # "C1,C2"
    retention_days: int
    tone_rules_added: str
    tone_rules_disabled: str  # "rule.id,other.id"
    tone_rules_file: str
    date_order: str = "MDY"  # "MDY" (12/15 is 15 December) or "DMY" (15/12)
    promise_offers_enabled: bool = True  # a teammate's promise with a time is offered as a follow-up
    principles: str = ""  # JSON (bot.domain.principles); "" for the six shipped ones
    triage_channel: str | None = None  # where waiting customers are listed with Claim and Answered
    first_response_target_minutes: int = 60  # working minutes
    escalation_minutes: int = 120  # working minutes after the message; 0: never escalated
    away_statuses: str = DEFAULT_AWAY_STATUSES  # ":palm_tree:, OOO, vacation" (bot.domain.away)


# How each date order is shown in the audit log and the confirmation.
DATE_ORDER_NAMES = {"MDY": "month/day", "DMY": "day/month"}


# Each stored field, under the setting key the form and the audit log use.
FIELD_KEYS = {
    "stories_channel": STORIES_CHANNEL,
    "story_emojis": STORY_EMOJI,
    "followup_emoji": FOLLOWUP_EMOJI,
    "default_followup_working_days": DEFAULT_DELAY,
    "working_hours_start": WORK_START,
    "working_hours_end": WORK_END,
    "working_days": WORKING_DAYS,
    "quiet_days": QUIET_DAYS,
    "unanswered_minutes": UNANSWERED_MINUTES,
    "digest_day": DIGEST_DAY,
    "digest_time": DIGEST_TIME,
    "timezone": TIMEZONE,
    "nudges_enabled": NUDGES,
    "nudge_excluded_channels": NUDGE_EXCLUDED,
    "retention_days": RETENTION_DAYS,
    "tone_rules_added": RULES_ADDED,
    "tone_rules_disabled": RULES_DISABLED,
    "tone_rules_file": RULES_FILE,
    "date_order": DATE_ORDER,
    "promise_offers_enabled": PROMISE_OFFERS,
    "principles": PRINCIPLES,
    "triage_channel": TRIAGE_CHANNEL,
    "first_response_target_minutes": FIRST_RESPONSE_TARGET,
    "escalation_minutes": ESCALATION_MINUTES,
    "away_statuses": AWAY_STATUSES,
}


@dataclass(frozen=True)
class SettingsForm:
    """What the modal sent: text as typed, choices as chosen (None where a field was left empty)."""

    stories_channel: str | None = None
    stories_in_thread: bool = False  # "stop using a stories channel": shout-outs go into the story's thread
    story_emoji: str | None = None
    followup_emoji: str | None = None
    default_delay: str | None = None
    date_order: str | None = None  # "MDY" | "DMY"
    working_hours_start: str | None = None
    working_hours_end: str | None = None
    working_days: tuple[str, ...] = ()
    quiet_days: str | None = None
    unanswered_minutes: str | None = None
    digest_day: str | None = None
    digest_time: str | None = None
    timezone: str | None = None
    nudges: str | None = None  # "on" | "off"
    nudge_excluded_channels: tuple[str, ...] = ()
    retention_days: str | None = None
    tone_rules_added: str | None = None
    tone_rules_disabled: tuple[str, ...] = ()
    tone_rules_file: str | None = None
    promise_offers: str | None = None  # "on" | "off"
    principles: str | None = None  # one `key: Label` a line
    principles_retired: str | None = None
    triage_channel: str | None = None
    triage_off: bool = False  # "stop using a triage channel": alerts go to the owner's DM only
    first_response_target_minutes: str | None = None
    escalation_minutes: str | None = None
    away_statuses: str | None = None  # emojis between colons and words, separated by commas
    # Settings the submission did not carry at all (Slack sends every input, so only an old or foreign view
    # lacks one): they keep their current values rather than being read as emptied.
    missing: frozenset[str] = frozenset()


@dataclass(frozen=True)
class SettingChange:
    """One setting changed: its key, and its old and new values as shown to people."""

    key: str
    old: str
    new: str


def form_of(values: WorkspaceSettingsValues) -> SettingsForm:
    """The form as it opens for stored values."""
    return SettingsForm(
        stories_channel=values.stories_channel,
        story_emoji=values.story_emojis,
        followup_emoji=values.followup_emoji,
        default_delay=str(values.default_followup_working_days),
        date_order=values.date_order,
        working_hours_start=format_time_of_day(values.working_hours_start),
        working_hours_end=format_time_of_day(values.working_hours_end),
        working_days=id_list(values.working_days),
        quiet_days=str(values.quiet_days),
        unanswered_minutes=str(values.unanswered_minutes),
        digest_day=values.digest_day,
        digest_time=format_time_of_day(values.digest_time),
        timezone=values.timezone,
        nudges="on" if values.nudges_enabled else "off",
        nudge_excluded_channels=id_list(values.nudge_excluded_channels),
        retention_days=str(values.retention_days),
        tone_rules_added=values.tone_rules_added,
        tone_rules_disabled=id_list(values.tone_rules_disabled),
        tone_rules_file=values.tone_rules_file,
        promise_offers="on" if values.promise_offers_enabled else "off",
        principles=principles_text(read_principles(values.principles), retired=False),
        principles_retired=principles_text(read_principles(values.principles), retired=True),
        triage_channel=values.triage_channel,
        first_response_target_minutes=str(values.first_response_target_minutes),
        escalation_minutes=str(values.escalation_minutes),
        away_statuses=values.away_statuses,
    )


def complete_form(form: SettingsForm, current: WorkspaceSettingsValues) -> SettingsForm:
    """The form with every setting it did not carry filled in from the current values."""
    if not form.missing:
        return form
    base = form_of(current)
    kept = {key: getattr(base, key) for key in form.missing if hasattr(base, key)}
    return replace(form, **kept, missing=frozenset())


def format_time_of_day(minutes: int) -> str:
    """Minutes after midnight as "09:00" (24:00 for the end of the day)."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def parse_time_of_day(text: str, *, allow_midnight_end: bool = False) -> int:
    """ "9", "09:00", "9:30", "2pm" or "14:30" as minutes after midnight; ValueError saying what is wrong."""
    cleaned = text.strip().lower().replace(".", ":").replace("h", ":").rstrip(":")
    match = _TIME.match(cleaned)
    if match is None:
        raise ValueError(f"“{text.strip()[:40]}” is not a time of day. Write it as HH:MM, for example 09:00.")
    hour, minute = int(match["h"]), int(match["m"] or 0)
    if match["ampm"]:
        if not 1 <= hour <= 12:
            raise ValueError(f"“{text.strip()[:40]}” is not a time of day: with am/pm the hour goes from 1 to 12.")
        hour = hour % 12 + (12 if match["ampm"] == "pm" else 0)
    if allow_midnight_end and hour == 24 and minute == 0:
        return 24 * 60
    if not 0 <= hour <= 23:
        raise ValueError(
            f"An hour goes from 0 to 23, so “{text.strip()[:40]}” is not a time of day. For example: 09:00."
        )
    if not 0 <= minute <= 59:
        raise ValueError(
            f"Minutes go from 00 to 59, so “{text.strip()[:40]}” is not a time of day. For example: 09:30."
        )
    return hour * 60 + minute


def _whole_number(key: str, text: str | None, errors: dict[str, str]) -> int:
    low, high, example = RANGES[key]
    shown = (text or "").strip()
    try:
        value = int(shown)
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        what = f"“{shown[:20]}” is not allowed: " if shown else ""
        errors[key] = f"{what}use a whole number of {_NOUNS[key]} from {low} to {high}, for example {example}."
        return low
    return value


def emoji_list(text: str) -> list[str]:
    """Emoji names from "star2, :tada:" (colons, commas and spaces all separate)."""
    return [name.lower() for name in re.split(r"[\s,:]+", text) if name]


def _emojis(key: str, text: str | None, errors: dict[str, str], *, most: int) -> str:
    names = list(dict.fromkeys(emoji_list(text or "")))
    if not names:
        errors[key] = "Give an emoji name, for example star2 (with or without colons)."
    elif len(names) > most:
        errors[key] = (
            f"Give at most {most} emoji names." if most > 1 else "Give one emoji name, for example alarm_clock."
        )
    elif bad := [n for n in names if not _EMOJI.match(n)]:
        errors[key] = f"“{bad[0][:40]}” is not an emoji name: use letters, digits, - and _ only, for example star2."
    return ",".join(names)


def _time(key: str, text: str | None, errors: dict[str, str], *, end: bool = False) -> int:
    try:
        return parse_time_of_day(text or "", allow_midnight_end=end)
    except ValueError as error:
        errors[key] = str(error)
        return 0


def _principles(form: SettingsForm, current: str, errors: dict[str, str]) -> str:
    try:
        typed = parse_principles(form.principles or "", form.principles_retired or "", current=read_principles(current))
    except ValueError as error:
        errors[PRINCIPLES] = str(error)
        return current
    return store_principles(typed)


def validate_settings(
    form: SettingsForm, *, rule_ids: frozenset[str], current_principles: str = ""
) -> WorkspaceSettingsValues:
    """The values to store, or SettingsInvalid naming every setting that needs a fix (and how); a principle left
    out of the form stays, retired (`current_principles`: the stored list)."""
    errors: dict[str, str] = {}
    story_emojis = _emojis(STORY_EMOJI, form.story_emoji, errors, most=MAX_STORY_EMOJIS)
    followup_emoji = _emojis(FOLLOWUP_EMOJI, form.followup_emoji, errors, most=1)
    if FOLLOWUP_EMOJI not in errors and followup_emoji in id_list(story_emojis):
        errors[FOLLOWUP_EMOJI] = f"“{followup_emoji}” is already a story emoji: pick another, for example alarm_clock."
    start = _time(WORK_START, form.working_hours_start, errors)
    end = _time(WORK_END, form.working_hours_end, errors, end=True)
    if WORK_START not in errors and WORK_END not in errors and end <= start:
        errors[WORK_END] = "The working day must end after it starts, for example 09:00 to 17:00."
    days = [d for d in WEEKDAY_KEYS if d in {x.lower()[:3] for x in form.working_days}]
    if not days:
        errors[WORKING_DAYS] = "Pick at least one working day."
    digest_day = (form.digest_day or "").lower()[:3]
    if digest_day not in WEEKDAY_KEYS:
        errors[DIGEST_DAY] = "Pick the day the weekly digest goes out, for example Friday."
    digest_time = _time(DIGEST_TIME, form.digest_time, errors)
    timezone = (form.timezone or "").strip()
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        errors[TIMEZONE] = (
            f"“{timezone[:60]}” is not a timezone I know: use an IANA name such as Europe/Paris or America/New_York."
            if timezone
            else "Give the workspace's timezone, for example Europe/Paris or UTC."
        )
    date_order = form.date_order or ""
    if date_order not in DATE_ORDERS:
        errors[DATE_ORDER] = "Pick month/day or day/month."
    if form.nudges not in ("on", "off"):
        errors[NUDGES] = "Choose whether tone nudges are on or off for the workspace."
    if form.promise_offers not in ("on", "off"):
        errors[PROMISE_OFFERS] = "Choose whether promises are offered as follow-ups (on or off)."
    rules_added = (form.tone_rules_added or "").strip()
    if rules_added:
        try:
            parse_rules_text(rules_added)
        except ToneRulesError as error:
            errors[RULES_ADDED] = str(error)
    unknown = sorted(set(form.tone_rules_disabled) - rule_ids)
    if unknown:
        errors[RULES_DISABLED] = f"“{unknown[0][:60]}” is not one of the shipped rules."
    rules_file = (form.tone_rules_file or "").strip()
    if rules_file:
        try:
            load_rules_file(rules_file)
        except ToneRulesError as error:
            errors[RULES_FILE] = str(error)
    try:
        away_statuses = check_away_statuses(form.away_statuses or "")
    except ValueError as error:
        errors[AWAY_STATUSES] = str(error)
        away_statuses = ""
    values = WorkspaceSettingsValues(
        stories_channel=None if form.stories_in_thread else (form.stories_channel or None),
        story_emojis=story_emojis,
        followup_emoji=followup_emoji,
        default_followup_working_days=_whole_number(DEFAULT_DELAY, form.default_delay, errors),
        working_hours_start=start,
        working_hours_end=end,
        working_days=",".join(days),
        quiet_days=_whole_number(QUIET_DAYS, form.quiet_days, errors),
        unanswered_minutes=_whole_number(UNANSWERED_MINUTES, form.unanswered_minutes, errors),
        digest_day=digest_day,
        digest_time=digest_time,
        timezone=timezone,
        nudges_enabled=form.nudges == "on",
        nudge_excluded_channels=",".join(dict.fromkeys(form.nudge_excluded_channels)),
        retention_days=_whole_number(RETENTION_DAYS, form.retention_days, errors),
        tone_rules_added=rules_added,
        tone_rules_disabled=",".join(sorted(set(form.tone_rules_disabled))),
        tone_rules_file=rules_file,
        date_order=date_order,
        promise_offers_enabled=form.promise_offers == "on",
        principles=_principles(form, current_principles, errors),
        triage_channel=None if form.triage_off else (form.triage_channel or None),
        first_response_target_minutes=_whole_number(FIRST_RESPONSE_TARGET, form.first_response_target_minutes, errors),
        escalation_minutes=_whole_number(ESCALATION_MINUTES, form.escalation_minutes, errors),
        away_statuses=away_statuses,
    )
    if errors:
        raise SettingsInvalid(errors)
    return values


def shown_value(name: str, value: object) -> str:
    """A stored value as people read it in the audit log and the confirmation."""
    if name == "principles" and isinstance(value, str):
        return shown_principles(value)
    if value is None or value == "":
        return "(none)"
    if name in ("working_hours_start", "working_hours_end", "digest_time") and isinstance(value, int):
        return format_time_of_day(value)
    if name == "date_order" and isinstance(value, str):
        return DATE_ORDER_NAMES.get(value, value)
    if name in ("nudges_enabled", "promise_offers_enabled"):
        return "on" if value else "off"
    if name == "digest_day" and isinstance(value, str) and value in WEEKDAY_KEYS:
        return WEEKDAYS[WEEKDAY_KEYS.index(value)].capitalize()
    return str(value)


def changes_between(old: WorkspaceSettingsValues, new: WorkspaceSettingsValues) -> list[SettingChange]:
    """The settings whose values differ, in the form's order."""
    changed = []
    for item in fields(WorkspaceSettingsValues):
        before, after = getattr(old, item.name), getattr(new, item.name)
        if before != after:
            changed.append(
                SettingChange(
                    key=FIELD_KEYS[item.name], old=shown_value(item.name, before), new=shown_value(item.name, after)
                )
            )
    return changed


def with_timezone_choice(
    changes: list[SettingChange], *, old: tuple[str, bool], new: tuple[str, bool]
) -> list[SettingChange]:
    """The changes, saying so when the timezone went from an admin's choice to automatic or back (each side is
    (timezone, set by an admin)); a switch that keeps the same zone is a change too."""
    if old[1] == new[1]:
        return changes

    def shown(tz: str, by_admin: bool) -> str:
        return f"{tz} ({'set by an admin' if by_admin else 'automatic'})"

    choice = SettingChange(key=TIMEZONE, old=shown(*old), new=shown(*new))
    if any(c.key == TIMEZONE for c in changes):
        return [choice if c.key == TIMEZONE else c for c in changes]
    return [*changes, choice]
