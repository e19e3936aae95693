"""Block Kit for follow-ups: help, confirmations, the list, the reminder DM with its buttons and menu, and the
follow-up form (new or edited) and the "Pick a time…" form."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.blocks.text import (
    MESSAGE_BLOCK_LIMIT,
    Block,
    context,
    date_token,
    escape,
    message,
    permalink,
    section,
    shorten,
)
from bot.domain.errors import CUSTOMER_FIELD, DAY_FIELD, NOTE_FIELD, WHEN_FIELD
from bot.domain.followup_commands import USAGE_EXAMPLES
from bot.domain.messages import is_slack_ts
from bot.domain.when import WHEN_EXAMPLES
from bot.views.followups import FollowUpEdit, FollowUpListing, FollowUpView

DONE_ACTION = "followup_done"
SNOOZE_ACTION = "followup_snooze"
REASSIGN_ACTION = "followup_reassign"
STOP_REPEATING_ACTION = "followup_stop_repeating"
MENU_ACTION = "followup_menu"  # the overflow menu: Edit…, Cancel (and Done, in `/followup list`)
PICK_CHOICE = "pick"
SNOOZE_CHOICES = (
    ("20m", "20 minutes"),
    ("1h", "1 hour"),
    ("3h", "3 hours"),
    ("tomorrow", "Tomorrow"),
    ("next_week", "Next week"),
    (PICK_CHOICE, "Pick a time…"),
)
EDIT, CANCEL, DONE = "edit", "cancel", "done"
LIST_BLOCK_PREFIX = "list_followup_"
NOTE_SHOWN = 500


def build_followup_help(*, date_order: str = "MDY") -> dict[str, Any]:
    """`/followup help`, saying how the workspace reads numeric dates."""
    order = "day/month" if date_order == "DMY" else "month/day"
    examples = "\n".join(f"`{e}`" for e in USAGE_EXAMPLES)
    whens = ", ".join(f"`{w}`" for w in WHEN_EXAMPLES)
    return message(
        "How to use /followup",
        [
            section(
                "*`/followup`* reminds the owner to get back to a customer, by DM, at the right time "
                "in their own timezone.\n" + examples
            ),
            context(
                f"Order: `@owner` (optional), customer (optional), when, note. When: {whens}. A date without a "
                "time means 09:00; an hour without am/pm from 1 to 7 is the afternoon; numeric dates are "
                f"{order} (a workspace setting; 2026-12-15 always works); no when means 2 working days. The "
                "*when* can also come last: `/followup Acme call back tomorrow at 3pm`. Repeating: `every 2 weeks`, "
                "`every monday at 10am`, `every month on the 1st` right after the customer; each occurrence is a "
                "follow-up of its own."
            ),
        ],
    )


def about(view: FollowUpView) -> str:
    """The customer (bold) and the note (quoted), escaped."""
    parts = []
    if view.customer_name:
        parts.append(f"*{escape(view.customer_name)}*")
    if view.note:
        parts.append(f"“{escape(shorten(view.note, NOTE_SHOWN))}”")
    return " — ".join(parts) or "a follow-up"


def due_in_words(view: FollowUpView, *, creator: str) -> str:
    """When the follow-up is due, in its owner's words and zone, with every assumption made reading the *when*.

    To its creator: "Thursday 3 Dec at 15:00, your time (I read “at 3” as 15:00)". For someone else: the
    `<!date^…>` token (each reader's own clock), then the owner's day and time: "<!date^…> (Thursday 3 Dec at
    15:00 their time; I read “at 3” as 15:00)". A stored follow-up (no words kept) has the token alone.
    """
    if not view.due_day:
        return date_token(view.due_at)
    read = "I read " + "; ".join(escape(a) for a in view.due_assumptions) if view.due_assumptions else ""
    if view.owner_user_id == creator:
        return f"{view.due_day}, your time" + (f" ({read})" if read else "")
    return f"{date_token(view.due_at)} ({view.due_day} their time" + (f"; {read})" if read else ")")


def confirm_created(views: list[FollowUpView], *, creator: str) -> dict[str, Any]:
    """The confirmation: each due time in its owner's words and zone, and how the *when* was read."""
    lines = []
    for view in views:
        owner = "you" if view.owner_user_id == creator else f"<@{view.owner_user_id}>"
        pause = "," if view.due_day else ""  # after "…, your time (…)" the sentence goes on after a comma
        if view.rule_words:
            lines.append(
                f":repeat: I'll remind {owner} {escape(view.rule_words)} about {about(view)}; the first one is "
                f"{due_in_words(view, creator=creator)}. Each one is a follow-up of its own: when it is done or "
                "skipped, the next is planned (on the next working day if it falls on a day off)."
            )
            continue
        lines.append(
            f":alarm_clock: I'll remind {owner} {due_in_words(view, creator=creator)}{pause} about {about(view)}."
        )
    return message("Follow-up created", [section("\n".join(lines))])


def _listing_title(listing: FollowUpListing) -> str:
    """ "Your open follow-ups", "<@U…>'s overdue follow-ups for *Acme Corp*"…"""
    whose = "Your" if listing.owner_user_id in (None, listing.viewer) else f"<@{listing.owner_user_id}>'s"
    if listing.owner_user_id is None and listing.customer_name:
        whose = "The"  # a customer's follow-ups, whoever owns them
    state = "overdue" if listing.overdue else "open"
    customer = f" for *{escape(listing.customer_name)}*" if listing.customer_name else ""
    return f"{whose} {state} follow-ups{customer}"


def _empty_listing(listing: FollowUpListing, title: str) -> str:
    if listing.owner_user_id == listing.viewer and not listing.customer_name and not listing.overdue:
        return "You have no open follow-ups. Create one with `/followup Acme tomorrow call back`."
    return f"{title.replace('open ', '', 1)}: none right now. `/followup list` shows all of yours."


def menu(followup_id: int, *, with_done: bool) -> Block:
    """The overflow menu of one follow-up: Edit… and Cancel (and Done, where no Done button is shown)."""
    choices = ([(DONE, "Done")] if with_done else []) + [(EDIT, "Edit…"), (CANCEL, "Cancel")]
    return {
        "type": "overflow",
        "action_id": MENU_ACTION,
        "options": [
            {"text": {"type": "plain_text", "text": label}, "value": f"{followup_id}:{verb}"} for verb, label in choices
        ],
    }


def build_followup_list(listing: FollowUpListing, *, now: datetime) -> dict[str, Any]:
    """`/followup list [@owner] [overdue] [customer]`: open follow-ups, overdue first, each with its menu (Done,
    Edit…, Cancel)."""
    title = _listing_title(listing)
    if not listing.followups:
        return message("No open follow-ups", [section(_empty_listing(listing, title))])
    blocks: list[Block] = [section(f"*{title.replace('*', '')}*")]  # one bold title: no bold inside it
    for view in listing.followups:
        flag = ":red_circle: overdue since " if view.due_at <= now else ""
        owner = f" · <@{view.owner_user_id}>" if view.owner_user_id != listing.viewer else ""
        rhythm = f" · :repeat: {escape(view.rhythm)}" if view.rhythm and not view.rhythm_stopped else ""
        item = section(f"• {flag}{date_token(view.due_at)}: {about(view)}{owner}{rhythm}")
        item["block_id"] = f"{LIST_BLOCK_PREFIX}{view.id}"
        item["accessory"] = menu(view.id, with_done=True)
        blocks.append(item)
    return message(title.replace("*", ""), blocks[:MESSAGE_BLOCK_LIMIT])


def followup_actions(followup_id: int, *, block_id: str, reassign: bool) -> Block:
    """Done, Snooze (Slack's presets and Pick a time…), Reassign (in a reminder DM) and the menu (Edit…, Cancel)."""
    value = str(followup_id)
    elements: list[Block] = [
        {
            "type": "button",
            "style": "primary",
            "action_id": DONE_ACTION,
            "value": value,
            "text": {"type": "plain_text", "text": "Done"},
        },
        {
            "type": "static_select",
            "action_id": SNOOZE_ACTION,
            "placeholder": {"type": "plain_text", "text": "Snooze"},
            "options": [
                {"text": {"type": "plain_text", "text": label}, "value": f"{value}:{key}"}
                for key, label in SNOOZE_CHOICES
            ],
        },
    ]
    if reassign:
        elements.append(
            {
                "type": "users_select",
                "action_id": REASSIGN_ACTION,
                "placeholder": {"type": "plain_text", "text": "Reassign"},
            }
        )
    elements.append(menu(followup_id, with_done=False))
    return {"type": "actions", "block_id": block_id, "elements": elements}


def build_reminder(view: FollowUpView, *, second: bool = False) -> dict[str, Any]:
    """The reminder DM: customer, note, who asked, a link to the source message, and the buttons."""
    opener = "Still open from yesterday:" if second else "Time to follow up:"
    lines = [f":alarm_clock: {opener} {about(view)}"]
    asked = "you" if view.created_by == view.owner_user_id else f"<@{view.created_by}>"
    detail = f"Asked by {asked}, due {date_token(view.due_at)}"
    if view.source_channel_id and view.source_ts:
        link = permalink(view.workspace_url, view.source_channel_id, view.source_ts)
        detail += f" · <{link}|source message>"
    actions = followup_actions(view.id, block_id=f"followup_{view.id}", reassign=True)
    fallback = f"Time to follow up: {view.customer_name or ''} {view.note}".strip()
    blocks: list[Block] = [section("\n".join(lines)), context(detail), actions]
    if view.rhythm:
        blocks[2:2] = [_rhythm_block(view)]
    return message(fallback, blocks)


def rhythm_line(view: FollowUpView, *, now: datetime | None = None) -> str:
    """A repeating follow-up's rhythm: "Repeats every 2 weeks on Tuesday, next Tue 15 Dec" (the next one after
    this, or this one when still ahead of `now`), or that it was stopped."""
    if view.rhythm_stopped:
        return f":repeat: Stopped repeating ({escape(view.rhythm)}): this one is the last."
    due = view.due_at if now is not None and view.due_at > now else view.rhythm_next
    if due is None:
        return f":repeat: Repeats {escape(view.rhythm)}"
    local = due.astimezone(UTC).astimezone(_zone(view.rhythm_tz))
    return f":repeat: Repeats {escape(view.rhythm)}, next {local:%a} {local.day} {local:%b}"


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _rhythm_block(view: FollowUpView) -> Block:
    """The rhythm, with **Stop repeating** while it still repeats."""
    block = section(rhythm_line(view))
    if not view.rhythm_stopped:
        block["accessory"] = {
            "type": "button",
            "action_id": STOP_REPEATING_ACTION,
            "value": str(view.id),
            "text": {"type": "plain_text", "text": "Stop repeating"},
            "confirm": {
                "title": {"type": "plain_text", "text": "Stop repeating?"},
                "text": {"type": "plain_text", "text": "No more occurrences are planned; this one stays open."},
                "confirm": {"type": "plain_text", "text": "Stop repeating"},
                "deny": {"type": "plain_text", "text": "Keep it"},
            },
        }
    return block


CHECK_BACK_ACTION = "followup_check_back"
SHARE_STORY_ACTION = "followup_share_story"


def build_done(result_view: FollowUpView, *, closed_by: str | None, changed: bool, state: str) -> dict[str, Any]:
    """The reminder, updated in place once the follow-up is closed; offers to check back in 3 days and to share
    it as a story."""
    who = f"<@{closed_by}>" if closed_by else "someone"
    if state == "done":
        status = f":white_check_mark: Done{'' if changed else ' already'} (by {who}): {about(result_view)}"
    elif state == "cancelled":
        status = f":no_entry_sign: Cancelled by {who}: {about(result_view)}"
    else:
        status = f":no_entry_sign: This follow-up was {escape(state)} by {who}: {about(result_view)}"
    blocks: list[Block] = [section(status)]
    if result_view.rhythm and not result_view.rhythm_stopped and state in ("done", "cancelled"):
        blocks.append(context(f":repeat: Repeats {escape(result_view.rhythm)}: the next one is planned."))
    if state == "done":
        blocks.append(context("Solved? Call back in a few days to make sure everything is still good."))
        blocks.append(
            {
                "type": "actions",
                "block_id": f"followup_done_{result_view.id}",
                "elements": [
                    {
                        "type": "button",
                        "action_id": CHECK_BACK_ACTION,
                        "value": str(result_view.id),
                        "text": {"type": "plain_text", "text": "Check back in 3 days"},
                    },
                    {
                        "type": "button",
                        "action_id": SHARE_STORY_ACTION,
                        "value": str(result_view.id),
                        "text": {"type": "plain_text", "text": "Share as a story"},
                    },
                ],
            }
        )
    return message("Follow-up done" if state == "done" else "Follow-up closed", blocks)


def build_cancelled(result_view: FollowUpView, *, closed_by: str | None, changed: bool, state: str) -> dict[str, Any]:
    """The reminder, updated in place once the follow-up is cancelled (no buttons left); a closed one says so."""
    if not changed and state == "done":
        return build_done(result_view, closed_by=closed_by, changed=False, state=state)
    who = f"<@{closed_by}>" if closed_by else "someone"
    line = f":no_entry_sign: Cancelled by {who}{'' if changed else ' already'}: {about(result_view)}"
    after = "No more reminders will come for it."
    if result_view.rhythm and not result_view.rhythm_stopped:
        after = f"Skipped this one. :repeat: It repeats {escape(result_view.rhythm)}: the next one is planned."
    return message("Follow-up cancelled", [section(line), context(after)])


def build_stopped(view: FollowUpView, *, changed: bool, by: str) -> dict[str, Any]:
    """The reminder, updated in place after Stop repeating: the buttons stay for this last occurrence."""
    updated = build_reminder(view)
    who = f"<@{by}>" if changed else "someone, earlier"
    updated["blocks"][0] = section(f":repeat: Stopped repeating (by {who}): {about(view)}. This one is the last.")
    updated["text"] = "Follow-up stopped repeating"
    return updated


def build_snoozed(view: FollowUpView, *, changed: bool) -> dict[str, Any]:
    """The reminder, updated in place after a snooze (buttons kept for the next time)."""
    if not changed:
        return message("Follow-up already closed", [section(f"This follow-up is already closed: {about(view)}")])
    updated = build_reminder(view)
    updated["blocks"][0] = section(f":zzz: Snoozed until {date_token(view.due_at)}: {about(view)}")
    updated["text"] = "Follow-up snoozed"
    return updated


def build_snoozed_line(view: FollowUpView, *, changed: bool) -> dict[str, Any]:
    """What "Pick a time…" shows once saved (the reminder DM keeps its buttons)."""
    if not changed:
        return message("Follow-up already closed", [section(f"This follow-up is already closed: {about(view)}")])
    return message("Follow-up snoozed", [section(f":zzz: Snoozed until {date_token(view.due_at)}: {about(view)}")])


def build_reassigned(view: FollowUpView, *, changed: bool) -> dict[str, Any]:
    """The reminder, updated in place after handing the follow-up to someone else."""
    if not changed:
        return message("Follow-up unchanged", [section(f"Nothing to hand over: {about(view)}")])
    text = f":handshake: Handed to <@{view.owner_user_id}>: {about(view)}"
    return message("Follow-up reassigned", [section(text)])


def build_handover(view: FollowUpView, *, by: str) -> dict[str, Any]:
    """The DM to the new owner: the reminder, saying who handed it over."""
    handed = build_reminder(view)
    handed["blocks"][0] = section(f":handshake: <@{by}> handed you a follow-up: {about(view)}")
    handed["text"] = "A follow-up was handed to you"
    return handed


def confirm_check_back(view: FollowUpView, *, changed: bool) -> str:
    """The line added after scheduling a check-in."""
    verb = "I'll remind" if changed else "Already planned: I'll remind"
    return f":calendar: {verb} <@{view.owner_user_id}> {date_token(view.due_at)} to check back in."


FOLLOWUP_MODAL_CALLBACK = "followup_modal"
FOLLOWUP_EDIT_CALLBACK = "followup_edit"
PICK_TIME_CALLBACK = "followup_pick_time"
PICK_DATE_BLOCK, PICK_DATE_ACTION = "pick_date", DAY_FIELD
PICK_TIME_BLOCK, PICK_TIME_ACTION = "pick_time", WHEN_FIELD
FOLLOWUP_SHORTCUT_CALLBACK = "followup_from_message"
MODAL_OWNER_BLOCK, MODAL_OWNER_ACTION = "followup_owner", "owner"
MODAL_CUSTOMER_BLOCK, MODAL_CUSTOMER_ACTION = "followup_customer", CUSTOMER_FIELD  # action ids name the fields
MODAL_WHEN_BLOCK, MODAL_WHEN_ACTION = "followup_when", WHEN_FIELD
MODAL_NOTE_BLOCK, MODAL_NOTE_ACTION = "followup_note", NOTE_FIELD


def build_followup_modal(
    *,
    owner_user_id: str,
    customer_name: str | None,
    source: dict[str, str],
    editing: FollowUpEdit | None = None,
    reminder: tuple[str, str] | None = None,
    promise: tuple[int, str, str] | None = None,
) -> dict[str, Any]:
    """The modal of `/followup` with no text and of "Follow up on this" (prefilled with the customer named); with
    `editing`, the same form prefilled with a follow-up's owner, customer, due time and note, saving to it (and
    updating the `reminder` DM it was opened from, if any). With `promise` (offer id, *when*, note), a new follow-up
    prefilled from a promise offer's Change…; saving it answers the offer."""
    customer: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": MODAL_CUSTOMER_ACTION,
        "max_length": 200,
        "placeholder": {"type": "plain_text", "text": "Acme Corp"},
    }
    if customer_name:
        customer["initial_value"] = customer_name
    when: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": MODAL_WHEN_ACTION,
        "max_length": 100,
        "placeholder": {"type": "plain_text", "text": "tomorrow at 10am"},
    }
    note: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": MODAL_NOTE_ACTION,
        "multiline": True,
        "max_length": 2000,
        "placeholder": {"type": "plain_text", "text": "Call back about the drive"},
    }
    when_hint = (
        "Like “tomorrow at 10am”, “3pm”, “in 3 days”, “next monday”, “EOD”, “Dec 15”; repeating: “every 2 weeks”, "
        "“every monday at 10am”, “every month on the 1st”. Empty: 2 working days, 09:00 their time."
    )
    blocks: list[Block] = []
    if editing is not None:
        if editing.when_text:
            when["initial_value"] = editing.when_text
        if editing.note:
            note["initial_value"] = editing.note[:2000]
        when_hint = "In the owner's time. Leave it as it is (or empty) to keep the due time."
        blocks.append(context("Changes are saved to this follow-up; its reminder comes at the new time."))
    elif promise is not None:
        when["initial_value"], note["initial_value"] = promise[1][:100], promise[2][:2000]
        source = {**source, "offer": str(promise[0])}
        blocks.append(context("About your promise; the reminder links back to it."))
    elif source.get("ts"):
        blocks.append(context("About the message you picked; the reminder links back to it."))
    blocks += [
        {
            "type": "input",
            "block_id": MODAL_OWNER_BLOCK,
            "label": {"type": "plain_text", "text": "Who follows up"},
            "element": {"type": "users_select", "action_id": MODAL_OWNER_ACTION, "initial_user": owner_user_id},
        },
        {
            "type": "input",
            "block_id": MODAL_CUSTOMER_BLOCK,
            "optional": True,
            "label": {"type": "plain_text", "text": "Customer"},
            "element": customer,
        },
        {
            "type": "input",
            "block_id": MODAL_WHEN_BLOCK,
            "optional": True,
            "label": {"type": "plain_text", "text": "When"},
            "hint": {"type": "plain_text", "text": when_hint},
            "element": when,
        },
        {
            "type": "input",
            "block_id": MODAL_NOTE_BLOCK,
            "optional": True,
            "label": {"type": "plain_text", "text": "Note"},
            "element": note,
        },
    ]
    if editing is not None:
        meta = _metadata({"f": editing.id, "w": editing.when_text}, reminder)
        return {
            "type": "modal",
            "callback_id": FOLLOWUP_EDIT_CALLBACK,
            "private_metadata": meta,
            "title": {"type": "plain_text", "text": "Edit follow-up"},
            "submit": {"type": "plain_text", "text": "Save"},
            "close": {"type": "plain_text", "text": "Cancel"},
            "blocks": blocks,
        }
    return {
        "type": "modal",
        "callback_id": FOLLOWUP_MODAL_CALLBACK,
        "private_metadata": json.dumps(source, separators=(",", ":")),
        "title": {"type": "plain_text", "text": "Follow up"},
        "submit": {"type": "plain_text", "text": "Remind"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": blocks,
    }


def read_followup_source(raw: str | None) -> tuple[str | None, str | None]:
    """The (channel, ts) of the message a submitted follow-up modal was opened on; anything malformed is none."""
    try:
        meta = json.loads(raw or "{}")
    except ValueError:
        return None, None
    channel, ts = (meta.get("channel"), meta.get("ts")) if isinstance(meta, dict) else (None, None)
    if isinstance(channel, str) and channel and is_slack_ts(ts):
        return channel, str(ts)
    return None, None


def read_offer_of_form(raw: str | None) -> int | None:
    """The promise offer a submitted follow-up form was opened from (Change…), if any."""
    try:
        meta = json.loads(raw or "{}")
    except ValueError:
        return None
    offer = meta.get("offer") if isinstance(meta, dict) else None
    return int(offer) if isinstance(offer, str) and offer.isdigit() and len(offer) < 19 else None


def _metadata(values: dict[str, Any], reminder: tuple[str, str] | None) -> str:
    """A steering form's private_metadata: the follow-up, and the reminder DM it was opened from (to update)."""
    if reminder is not None:
        values = {**values, "c": reminder[0], "ts": reminder[1]}
    return json.dumps(values, ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True)
class SteerMetadata:
    """What a submitted edit or pick-a-time form carries: its follow-up, the *when* the edit form was prefilled
    with, and the reminder DM (channel, ts) it was opened from."""

    followup_id: int | None
    when: str = ""
    reminder: tuple[str, str] | None = None


def read_steer_metadata(raw: str | None) -> SteerMetadata:
    """The edit or pick-a-time form's metadata; anything malformed is none."""
    try:
        meta = json.loads(raw or "{}")
    except ValueError:
        return SteerMetadata(None)
    if not isinstance(meta, dict):
        return SteerMetadata(None)
    followup, when, channel, ts = meta.get("f"), meta.get("w"), meta.get("c"), meta.get("ts")
    valid = isinstance(followup, int) and not isinstance(followup, bool)
    reminder = (channel, str(ts)) if isinstance(channel, str) and channel and is_slack_ts(ts) else None
    return SteerMetadata(followup if valid else None, when if isinstance(when, str) else "", reminder)


def confirm_saved(view: FollowUpView, *, editor: str) -> dict[str, Any]:
    """The edit form's confirmation: the due time in the owner's words and zone, as when it was created."""
    owner = "you" if view.owner_user_id == editor else f"<@{view.owner_user_id}>"
    pause = "," if view.due_day else ""
    line = f":pencil2: Saved. I'll remind {owner} {due_in_words(view, creator=editor)}{pause} about {about(view)}."
    return message("Follow-up saved", [section(line)])


def build_pick_time_modal(
    view: FollowUpView, *, timezone: str, initial_day: date, reminder: tuple[str, str] | None = None
) -> dict[str, Any]:
    """ "Pick a time…": a date picker and a time picker, read in the owner's timezone (shown under the time)."""
    whose = f"<@{view.owner_user_id}>'s"
    return {
        "type": "modal",
        "callback_id": PICK_TIME_CALLBACK,
        "private_metadata": _metadata({"f": view.id}, reminder),
        "title": {"type": "plain_text", "text": "Snooze until…"},
        "submit": {"type": "plain_text", "text": "Snooze"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            section(f":zzz: Snooze {about(view)}"),
            {
                "type": "input",
                "block_id": PICK_DATE_BLOCK,
                "label": {"type": "plain_text", "text": "Day"},
                "element": {
                    "type": "datepicker",
                    "action_id": PICK_DATE_ACTION,
                    "initial_date": initial_day.isoformat(),
                },
            },
            {
                "type": "input",
                "block_id": PICK_TIME_BLOCK,
                "label": {"type": "plain_text", "text": "Time"},
                "element": {
                    "type": "timepicker",
                    "action_id": PICK_TIME_ACTION,
                    "initial_time": "09:00",
                    "timezone": timezone,
                },
            },
            context(f"Read in {whose} timezone, {escape(timezone)}: the reminder comes then."),
        ],
    }


def build_edited(view: FollowUpView) -> dict[str, Any]:
    """The reminder, updated in place after an edit by its owner's side: what it is about now, and when."""
    updated = build_reminder(view)
    updated["blocks"][0] = section(f":pencil2: Edited, due {date_token(view.due_at)}: {about(view)}")
    updated["text"] = "Follow-up edited"
    return updated
