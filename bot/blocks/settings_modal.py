"""Block Kit for `/rapport settings`: the admins' modal, reading what it sends back, and its confirmation.

Every input's block id and action id is the setting's key (bot.domain.workspace_settings), so an error for a
setting lands next to its field.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from bot.blocks.text import Block, context, date_token, escape, message, section, shorten
from bot.domain import workspace_settings as ws
from bot.domain import workspace_time as wt
from bot.domain.tone import CATEGORY_LABELS, ToneRule
from bot.domain.when import WEEKDAY_KEYS, WEEKDAYS
from bot.views.settings import TimezoneView

SETTINGS_MODAL_CALLBACK = "rapport_settings"
OPTION_TEXT_LIMIT = 75
MAX_OPTIONS = 100
RULES_HELP = (
    "One rule per line: category | phrase; another phrase | what to say instead. Categories: brush-off, threat, "
    "blame. For example: brush-off | not my circus | Let me find out who can help, and stay with you on it."
)


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}


def _input(key: str, element: dict[str, Any], *, hint: str | None = None, optional: bool = False) -> Block:
    block: Block = {
        "type": "input",
        "block_id": key,
        "label": _plain(ws.LABELS[key]),
        "element": {**element, "action_id": key},
        "optional": optional,
    }
    if hint:
        block["hint"] = _plain(hint[:2000])
    return block


def _text(initial: str, *, placeholder: str = "", multiline: bool = False, max_length: int = 3000) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "plain_text_input", "multiline": multiline, "max_length": max_length}
    if initial:
        element["initial_value"] = initial[:max_length]
    if placeholder:
        element["placeholder"] = _plain(placeholder)
    return element


def _number(initial: int) -> dict[str, Any]:
    # No min/max here: a value out of range gets Rapport's own message, with the allowed range, in the modal.
    return {"type": "number_input", "is_decimal_allowed": False, "initial_value": str(initial)}


def _option(text: str, value: str) -> dict[str, Any]:
    return {"text": _plain(shorten(text, OPTION_TEXT_LIMIT)), "value": value}


def _day_options() -> list[dict[str, Any]]:
    return [_option(name.capitalize(), key) for name, key in zip(WEEKDAYS, WEEKDAY_KEYS, strict=True)]


def rule_option(rule: ToneRule) -> dict[str, Any]:
    """A shipped rule as a choice: its category and first phrase."""
    return _option(f"{CATEGORY_LABELS.get(rule.category, rule.category)}: {rule.phrases[0]}", rule.id)


def timezone_source(zone: TimezoneView) -> str:
    """Where the workspace timezone came from, in words (mrkdwn, escaped): "America/Los_Angeles — from the primary
    owner, Dana"."""
    tz = escape(zone.tz)
    if zone.source == wt.ADMIN:
        return f"{tz} — set by an admin"
    if zone.source == wt.PRIMARY_OWNER:
        return (
            f"{tz} — from the primary owner, {escape(zone.owner_name)}"
            if zone.owner_name
            else f"{tz} — from the primary owner"
        )
    if zone.source == wt.COMMON:
        return f"{tz} — the most common among your people"
    if zone.read_ever:
        return f"{tz} — default UTC (no one's timezone was known)"
    return f"{tz} — default UTC (could not read your people's timezones yet; I'll try again)"


def _timezone_input(zone: TimezoneView) -> Block:
    """Empty means automatic (the primary owner's, else the most common); a zone typed here is an admin's choice."""
    element = _text(
        zone.tz if zone.source == wt.ADMIN else "", placeholder=f"{zone.automatic} (automatic)", max_length=64
    )
    return _input(
        ws.TIMEZONE,
        element,
        optional=True,
        hint="For working hours, the digest and monthly stats (people's reminders use their own timezone). Leave it "
        "empty to follow the primary owner's timezone (else the most common among your people); type one, such as "
        "Europe/Paris, to set it yourself.",
    )


def build_settings_modal(
    values: ws.WorkspaceSettingsValues,
    *,
    rules: Sequence[ToneRule],
    last_change: tuple[str, Any] | None = None,
    timezone: TimezoneView | None = None,
) -> dict[str, Any]:
    """The settings modal, filled in with the current values; the timezone says where it came from."""
    zone = timezone or TimezoneView(tz=values.timezone, source=wt.ADMIN)
    days = _day_options()
    chosen_days = [o for o in days if o["value"] in ws.id_list(values.working_days)]
    channels_filter = {"include": ["public", "private"], "exclude_bot_users": True}
    stories: dict[str, Any] = {"type": "conversations_select", "filter": channels_filter}
    if values.stories_channel:
        stories["initial_conversation"] = values.stories_channel
    excluded: dict[str, Any] = {"type": "multi_conversations_select", "filter": channels_filter}
    excluded_ids = list(ws.id_list(values.nudge_excluded_channels))
    if excluded_ids:
        excluded["initial_conversations"] = excluded_ids
    on_off = [
        _option("On: tips are shown (each person can still turn theirs off)", "on"),
        _option("Off: no tips for anyone in this workspace", "off"),
    ]
    rule_options = [rule_option(r) for r in rules][:MAX_OPTIONS]
    disabled_ids = set(ws.id_list(values.tone_rules_disabled))
    disabled_element: dict[str, Any] = {
        "type": "multi_static_select",
        "options": rule_options,
        "placeholder": _plain("None: every shipped rule is used"),
    }
    chosen_rules = [o for o in rule_options if o["value"] in disabled_ids]
    if chosen_rules:
        disabled_element["initial_options"] = chosen_rules
    digest_day: dict[str, Any] = {"type": "static_select", "options": days}
    digest_day["initial_option"] = next((o for o in days if o["value"] == values.digest_day), days[4])
    working_days: dict[str, Any] = {"type": "checkboxes", "options": days}
    if chosen_days:
        working_days["initial_options"] = chosen_days
    nudges: dict[str, Any] = {
        "type": "radio_buttons",
        "options": on_off,
        "initial_option": on_off[0] if values.nudges_enabled else on_off[1],
    }
    offers_on_off = [
        _option("On: promises are offered as follow-ups (each person can still turn theirs off)", "on"),
        _option("Off: no promise offers for anyone in this workspace", "off"),
    ]
    promise_offers: dict[str, Any] = {
        "type": "radio_buttons",
        "options": offers_on_off,
        "initial_option": offers_on_off[0] if values.promise_offers_enabled else offers_on_off[1],
    }
    orders = [
        _option("Month/day: 12/15 is 15 December", "MDY"),
        _option("Day/month: 15/12 is 15 December", "DMY"),
    ]
    date_order: dict[str, Any] = {
        "type": "static_select",
        "options": orders,
        "initial_option": orders[1] if values.date_order == "DMY" else orders[0],
    }
    # Slack cannot empty a channel menu once chosen: a stories channel is given up with this box instead.
    stop_using = [_option("Stop using a stories channel (shout-outs go in the story's thread; no digest)", "yes")]
    triage: dict[str, Any] = {"type": "conversations_select", "filter": channels_filter}
    if values.triage_channel:
        triage["initial_conversation"] = values.triage_channel
    stop_triage = [_option("Stop using a triage channel (alerts go to the owner's DM only)", "yes")]
    blocks: list[Block] = [
        section("*Stories and follow-ups*"),
        _input(
            ws.STORIES_CHANNEL,
            stories,
            optional=True,
            hint="Where shout-outs and the weekly digest go. Invite me to the channel first. Until one is set, "
            "a shout-out goes into the thread of the story's message.",
        ),
        *(
            [_input(ws.STORIES_IN_THREAD, {"type": "checkboxes", "options": stop_using}, optional=True)]
            if values.stories_channel
            else []
        ),
        _input(
            ws.STORY_EMOJI,
            _text(values.story_emojis.replace(",", ", "), placeholder="star2, tada"),
            hint="Reacting with one of these records a good story. Several allowed, separated by commas.",
        ),
        _input(
            ws.FOLLOWUP_EMOJI,
            _text(values.followup_emoji, placeholder="alarm_clock"),
            hint="Reacting with this creates a follow-up about the message.",
        ),
        _input(
            ws.DEFAULT_DELAY,
            _number(values.default_followup_working_days),
            hint="A follow-up with no *when* is due this many working days later, at 09:00.",
        ),
        _input(
            ws.DATE_ORDER,
            date_order,
            hint="How a follow-up date like 3/4 reads. ISO dates (2026-12-15) and month names always work.",
        ),
        _input(
            ws.PROMISE_OFFERS,
            promise_offers,
            hint="When a teammate promises a customer something with a time (“I'll call you back tomorrow”), "
            "Rapport offers them, privately, a follow-up in one click. Each person can still turn theirs off.",
        ),
        _input(
            ws.PRINCIPLES,
            _text(ws.principles_text(ws.read_principles(values.principles), retired=False), multiline=True),
            hint="The tags a story can carry, one `key: Label` a line. Change a label to rename it (its stories "
            "follow); write a new line as just its label to add one; move a line below to retire it.",
        ),
        _input(
            ws.PRINCIPLES_RETIRED,
            _text(ws.principles_text(ws.read_principles(values.principles), retired=True), multiline=True),
            optional=True,
            hint="No longer offered as tags; the stories tagged with them keep showing them. Move a line back up to "
            "offer it again.",
        ),
        section("*Working time*"),
        _input(ws.WORK_START, _text(ws.format_time_of_day(values.working_hours_start), placeholder="09:00")),
        _input(ws.WORK_END, _text(ws.format_time_of_day(values.working_hours_end), placeholder="17:00")),
        _input(ws.WORKING_DAYS, working_days),
        _timezone_input(zone),
        context(f"Workspace timezone now: {timezone_source(zone)}."),
        section("*Customers*"),
        _input(
            ws.QUIET_DAYS,
            _number(values.quiet_days),
            hint="A customer with no touch for this many days is listed in the owner's Monday gone-quiet DM.",
        ),
        _input(
            ws.UNANSWERED_MINUTES,
            _number(values.unanswered_minutes),
            hint="A customer's message in their shared channel unanswered this long (in working time) "
            "gets one DM to the owner.",
        ),
        _input(
            ws.TRIAGE_CHANNEL,
            triage,
            optional=True,
            hint="Where waiting customers are listed too, one message per customer with Claim and Answered buttons, "
            "updated in place. Invite me to the channel first. A customer may have its own: /customer triage.",
        ),
        *(
            [_input(ws.TRIAGE_OFF, {"type": "checkboxes", "options": stop_triage}, optional=True)]
            if values.triage_channel
            else []
        ),
        _input(
            ws.FIRST_RESPONSE_TARGET,
            _number(values.first_response_target_minutes),
            hint="How soon a customer's message should get its first answer (working time); the digest and "
            "/rapport stats report the median and the share answered within it.",
        ),
        _input(
            ws.ESCALATION_MINUTES,
            _number(values.escalation_minutes),
            hint="A waiting message nobody claimed or answered this long after it was written (working time) is "
            "raised once more in the triage channel, mentioning the owner. 0 never escalates.",
        ),
        _input(
            ws.AWAY_STATUSES,
            _text(values.away_statuses, multiline=True, placeholder=":palm_tree:, OOO, vacation"),
            optional=True,
            hint="An owner whose Slack status has one of these emojis (between colons) or words is away: a "
            "customer's backup owner is alerted too. Separate them with commas; empty: status alone never counts.",
        ),
        section("*Weekly digest*"),
        _input(ws.DIGEST_DAY, digest_day),
        _input(ws.DIGEST_TIME, _text(ws.format_time_of_day(values.digest_time), placeholder="15:00")),
        section("*Tone nudges* (private tips, shown only to the person who wrote the message)"),
        _input(ws.NUDGES, nudges),
        _input(ws.NUDGE_EXCLUDED, excluded, optional=True, hint="No tips are shown for messages in these channels."),
        _input(ws.RULES_DISABLED, disabled_element, optional=True),
        _input(ws.RULES_ADDED, _text(values.tone_rules_added, multiline=True), optional=True, hint=RULES_HELP),
        _input(
            ws.RULES_FILE,
            _text(values.tone_rules_file, placeholder="/etc/rapport/tone_rules.toml", max_length=500),
            optional=True,
            hint="A rules file on the Rapport server (TOML, like the shipped list), read as well as the rules "
            "above; changes to the file are picked up within seconds.",
        ),
        section("*Privacy*"),
        _input(
            ws.RETENTION_DAYS,
            _number(values.retention_days),
            hint="Message excerpts older than this are deleted every day; the mention itself (who, where, when) stays.",
        ),
    ]
    if last_change is not None:
        who, when = last_change
        blocks.append(context(f"Last changed by <@{escape(who)}> {date_token(when)}."))
    return {
        "type": "modal",
        "callback_id": SETTINGS_MODAL_CALLBACK,
        "title": _plain("Rapport settings"),
        "submit": _plain("Save"),
        "close": _plain("Cancel"),
        "blocks": blocks,
    }


def _state(state: dict[str, Any], key: str) -> dict[str, Any]:
    block = state.get(key)
    value = block.get(key) if isinstance(block, dict) else None
    return value if isinstance(value, dict) else {}


def _text_value(state: dict[str, Any], key: str) -> str | None:
    value = _state(state, key).get("value")
    return value if isinstance(value, str) else None


def _choice(state: dict[str, Any], key: str, field: str) -> str | None:
    chosen = _state(state, key).get(field)
    if isinstance(chosen, dict):
        chosen = chosen.get("value")
    return chosen if isinstance(chosen, str) and chosen else None


def _choices(state: dict[str, Any], key: str, field: str) -> tuple[str, ...]:
    chosen = _state(state, key).get(field)
    if not isinstance(chosen, list):
        return ()
    values = [c.get("value") if isinstance(c, dict) else c for c in chosen]
    return tuple(v for v in values if isinstance(v, str) and v)


def read_settings_form(view: dict[str, Any]) -> ws.SettingsForm:
    """What the submitted modal holds, as typed; nothing is judged here."""
    submitted = view.get("state")
    state = submitted.get("values") if isinstance(submitted, dict) else None
    if not isinstance(state, dict):
        state = {}
    return ws.SettingsForm(
        missing=frozenset(key for key in ws.LABELS if not isinstance(state.get(key), dict)),
        stories_channel=_choice(state, ws.STORIES_CHANNEL, "selected_conversation"),
        stories_in_thread=bool(_choices(state, ws.STORIES_IN_THREAD, "selected_options")),
        story_emoji=_text_value(state, ws.STORY_EMOJI),
        followup_emoji=_text_value(state, ws.FOLLOWUP_EMOJI),
        default_delay=_text_value(state, ws.DEFAULT_DELAY),
        date_order=_choice(state, ws.DATE_ORDER, "selected_option"),
        working_hours_start=_text_value(state, ws.WORK_START),
        working_hours_end=_text_value(state, ws.WORK_END),
        working_days=_choices(state, ws.WORKING_DAYS, "selected_options"),
        quiet_days=_text_value(state, ws.QUIET_DAYS),
        unanswered_minutes=_text_value(state, ws.UNANSWERED_MINUTES),
        digest_day=_choice(state, ws.DIGEST_DAY, "selected_option"),
        digest_time=_text_value(state, ws.DIGEST_TIME),
        timezone=_text_value(state, ws.TIMEZONE),
        nudges=_choice(state, ws.NUDGES, "selected_option"),
        nudge_excluded_channels=_choices(state, ws.NUDGE_EXCLUDED, "selected_conversations"),
        retention_days=_text_value(state, ws.RETENTION_DAYS),
        tone_rules_added=_text_value(state, ws.RULES_ADDED),
        tone_rules_disabled=_choices(state, ws.RULES_DISABLED, "selected_options"),
        tone_rules_file=_text_value(state, ws.RULES_FILE),
        promise_offers=_choice(state, ws.PROMISE_OFFERS, "selected_option"),
        principles=_text_value(state, ws.PRINCIPLES),
        principles_retired=_text_value(state, ws.PRINCIPLES_RETIRED),
        triage_channel=_choice(state, ws.TRIAGE_CHANNEL, "selected_conversation"),
        triage_off=bool(_choices(state, ws.TRIAGE_OFF, "selected_options")),
        first_response_target_minutes=_text_value(state, ws.FIRST_RESPONSE_TARGET),
        escalation_minutes=_text_value(state, ws.ESCALATION_MINUTES),
        away_statuses=_text_value(state, ws.AWAY_STATUSES),
    )


def _shown(key: str, value: str) -> str:
    """A changed value for the confirmation: channels as channel links, anything else escaped."""
    listed = key in (ws.STORIES_CHANNEL, ws.NUDGE_EXCLUDED, ws.TRIAGE_CHANNEL) and value != "(none)"
    channels = list(ws.id_list(value)) if listed else []
    if channels and all(re.fullmatch(r"[CG][A-Z0-9]{2,}", c) for c in channels):
        return ", ".join(f"<#{c}>" for c in channels)
    return escape(shorten(value, 200))


def build_settings_saved(changes: Sequence[ws.SettingChange]) -> dict[str, Any]:
    """The modal's confirmation: every change, or that nothing changed."""
    if not changes:
        return message("Nothing changed.", [section(":ok_hand: Nothing changed: every setting is as it was.")])
    lines = [
        f"• *{escape(ws.LABELS.get(c.key, c.key))}*: {_shown(c.key, c.old)} → {_shown(c.key, c.new)}" for c in changes
    ]
    return message(
        "Settings saved.",
        [
            section(
                ":white_check_mark: *Saved.* It takes effect right away, in every Rapport process.\n" + "\n".join(lines)
            ),
            context("Every change is recorded with who made it and when."),
        ],
    )


def build_not_admin() -> dict[str, Any]:
    """The polite refusal for people who are not admins."""
    return message(
        "Only workspace admins can change Rapport's settings.",
        [
            section(
                ":lock: Only workspace admins and owners (or people listed in RAPPORT_ADMINS) can change Rapport's "
                "settings. Ask one of them, or try `/rapport nudges off` to turn off your own tone tips."
            ),
        ],
    )
