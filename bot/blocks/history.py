"""Block Kit for a customer's history: a modal of events, newest first, with Newer and Older buttons."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.blocks.text import (
    MODAL_BLOCK_LIMIT,
    Block,
    context,
    date_token,
    escape,
    permalink,
    readable,
    section,
    shorten,
)
from bot.domain.history import HISTORY_PAGE_SIZE
from bot.views.history import CustomerHistory, HistoryEvent

HISTORY_CALLBACK = "customer_history"
HISTORY_ACTION = "customer_history_open"  # the History button on the customer card
NEWER_ACTION, OLDER_ACTION = "customer_history_newer", "customer_history_older"
TEXT_SHOWN = 200  # a quote per event: 40 of them stay far inside a modal's limits
PEOPLE_SHOWN = 10

_FOLLOWUP_WORDS = {
    "followup": ":memo: Follow-up created for",
    "followup_done": ":white_check_mark: Follow-up done by",
    "followup_late": ":hourglass: Follow-up done late by",
    "followup_cancelled": ":heavy_multiplication_x: Follow-up cancelled by",
    "checkin": ":calendar: Check-in planned for",
    "checkin_done": ":handshake: Checked in by",
    "checkin_late": ":hourglass: Checked in late by",
    "checkin_cancelled": ":heavy_multiplication_x: Check-in cancelled by",
}


def history_value(customer_id: int, page: int) -> str:
    """A button's value naming a customer and a page of their history ("12:0")."""
    return f"{customer_id}:{page}"


def read_history_value(value: str) -> tuple[str, str]:
    """The (customer id, page) texts of a history button's value; blanks when it names none."""
    customer, _, page = value.partition(":")
    return customer, page


def duration(span: timedelta) -> str:
    """A response time in words: "45 s", "12 min", "3 h 5 min", "2 d 4 h"."""
    seconds = max(0, int(span.total_seconds()))
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def _link(history: CustomerHistory, event: HistoryEvent, label: str) -> str:
    if not (event.channel_id and event.message_ts):
        return ""
    url = permalink(history.workspace_url, event.channel_id, event.message_ts, event.thread_ts)
    return f" · <{url}|{label}>"


def _quote(text: str) -> str:
    return f"\n>{readable(text, limit=TEXT_SHOWN)}" if text.strip() else ""


def _people(users: tuple[str, ...]) -> str:
    named = ", ".join(f"<@{u}>" for u in users[:PEOPLE_SHOWN])
    more = len(users) - PEOPLE_SHOWN
    return named + (f" and {more} more" if more > 0 else "")


def _wait_line(history: CustomerHistory, event: HistoryEvent) -> str:
    who = f"<@{event.user_id}>" if event.user_id else "The customer"
    if event.response is not None:
        how = f"answered in {duration(event.response)}"
    else:
        how = {"waiting": "still waiting for an answer", "alerted": "unanswered: the owner was alerted"}.get(
            event.wait_state, "no answer recorded"
        )
    return f":speech_balloon: {who} wrote, {how}{_link(history, event, 'open')}"


def event_line(history: CustomerHistory, event: HistoryEvent) -> str:
    """One event as mrkdwn: what happened, who, and a link to the message when there is one."""
    when = date_token(event.at, fmt="{date_short_pretty}")
    if event.kind == "mention":
        who = f"<@{event.user_id}>" if event.user_id else "Someone"
        text = f":mag: {who} mentioned {escape(history.name)}{_link(history, event, 'open')}"
        text += _quote(event.text) if event.text else "\n>_(excerpt expired)_"
    elif event.kind in _FOLLOWUP_WORDS:
        text = f"{_FOLLOWUP_WORDS[event.kind]} <@{event.user_id}>{_link(history, event, 'the message')}"
        text += _quote(event.text)
    elif event.kind == "story":
        text = f":star2: A good story: {_people(event.credited)}{_link(history, event, 'the message')}"
        text += _quote(event.text)
    elif event.kind == "wait":
        text = _wait_line(history, event)
    elif event.kind == "anniversary":
        years = f"{event.years} year{'s' if event.years > 1 else ''}"
        text = f":tada: {years} as a customer"
    else:
        text = f":seedling: {escape(history.name)} became a customer"
    return f"*{when}* · {text}"


def _pager(history: CustomerHistory) -> Block | None:
    buttons: list[Block] = []
    if history.page > 0:
        buttons.append(_button("← Newer", NEWER_ACTION, history_value(history.customer_id, history.page - 1)))
    if history.page + 1 < history.pages:
        buttons.append(_button("Older →", OLDER_ACTION, history_value(history.customer_id, history.page + 1)))
    return {"type": "actions", "block_id": "customer_history_pages", "elements": buttons} if buttons else None


def _button(text: str, action_id: str, value: str) -> Block:
    return {"type": "button", "action_id": action_id, "value": value, "text": {"type": "plain_text", "text": text}}


def build_history_modal(history: CustomerHistory) -> dict[str, Any]:
    """The history modal: a summary, one section per event (newest first), and Newer/Older to page."""
    facts = f"*{escape(history.name)}* · owner <@{history.owner_user_id}>"
    if history.since:
        facts += f" · customer since {history.since.isoformat()}"
    blocks: list[Block] = [section(facts)]
    if history.events:
        first = history.page * HISTORY_PAGE_SIZE + 1
        shown = f"{first}–{first + len(history.events) - 1} of {history.total}, newest first"
        blocks.append(context(f"Page {history.page + 1} of {history.pages} · events {shown}"))
        blocks.extend(section(event_line(history, e)) for e in history.events)
    else:
        blocks.append(context("Nothing yet: no mentions, follow-ups, stories or waiting messages."))
    pager = _pager(history)
    if pager is not None:
        blocks.append(pager)
    return {
        "type": "modal",
        "callback_id": HISTORY_CALLBACK,
        "private_metadata": str(history.customer_id),
        "title": {"type": "plain_text", "text": shorten(f"History: {history.name}", 24)},
        "close": {"type": "plain_text", "text": "Close"},
        "blocks": blocks[:MODAL_BLOCK_LIMIT],
    }
