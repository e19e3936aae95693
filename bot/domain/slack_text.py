"""What a person sees of a Slack mrkdwn message text, and what the customer matcher scans."""

from __future__ import annotations

import re

# Slack escapes a literal "<" as "&lt;", so any "<...>" is a control token (link, mention, date);
# a stray "<" that does not close is left alone.
_TOKEN = re.compile(r"<([^<>]+)>")

_SPECIAL_MENTIONS = frozenset({"here", "channel", "everyone"})

_ELLIPSIS = "…"


def _unescape(text: str) -> str:
    # "&amp;" goes last so "&amp;lt;" becomes the literal "&lt;" the author typed, not "<".
    if "&" not in text:
        return text
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _render_token(body: str, *, hide_mentions: bool) -> str:
    target, _, label = body.partition("|")
    kind = target[:1]
    if kind == "@":
        if hide_mentions:
            return " "
        return f"@{label}" if label else "@someone"
    if kind == "#":
        if hide_mentions:
            return " "
        return f"#{label}" if label else "#channel"
    if kind == "!":
        command = target[1:].partition("^")[0]
        if command == "date":
            # The fallback is what clients show when they cannot format the date: it is real text.
            return label
        if hide_mentions:
            return " "
        if command in _SPECIAL_MENTIONS:
            return f"@{command}"
        if command == "subteam":
            return label or "@group"
        return label or f"@{command}"
    # Anything else is a link: people see the label, or the URL itself when there is none.
    return label or target


def _visible_token(token: re.Match[str]) -> str:
    return _render_token(token.group(1), hide_mentions=False)


def _matchable_token(token: re.Match[str]) -> str:
    return _render_token(token.group(1), hide_mentions=True)


def _render(text: str, *, hide_mentions: bool) -> str:
    if "<" in text:
        text = _TOKEN.sub(_matchable_token if hide_mentions else _visible_token, text)
    # Unescape after rendering tokens so an escaped "&lt;" in a label can never open a new token.
    return _unescape(text)


def visible_text(text: str) -> str:
    """Return what a person sees of a Slack mrkdwn text: entities unescaped, links and mentions rendered."""
    if "<" not in text and "&" not in text:
        return text
    return _render(text, hide_mentions=False)


def matchable_text(text: str) -> str:
    """Return the visible text with every user, channel, special and group mention replaced by one space."""
    if "<" not in text and "&" not in text:
        return text
    return _render(text, hide_mentions=True)


# C0 control characters other than tab and newlines, and DEL: never meaningful in Slack text, and PostgreSQL
# refuses NUL in text columns.
_CONTROLS = dict.fromkeys([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])


def strip_controls(text: str) -> str:
    """Remove control characters (NUL and friends) that no person meant to type."""
    return text.translate(_CONTROLS)


def excerpt(text: str, *, around: int | None = None, limit: int = 280) -> str:
    """Return a one-line excerpt of the visible text of at most ``limit`` characters, ellipses included."""
    if limit <= 0:
        return ""
    flat = " ".join(visible_text(strip_controls(text)).split())
    n = len(flat)
    if n <= limit:
        return flat
    if limit == 1:
        return _ELLIPSIS
    pos = 0 if around is None else min(max(around, 0), n - 1)
    keep = limit - 1
    if pos < keep:
        return flat[:keep].rstrip() + _ELLIPSIS
    if pos >= n - keep:
        return _ELLIPSIS + flat[n - keep :].lstrip()
    keep = limit - 2
    if keep < 1:
        return _ELLIPSIS
    # Centre the window on ``around`` but never run past either end of the text.
    start = min(max(pos - keep // 2, 1), n - keep - 1)
    return _ELLIPSIS + flat[start : start + keep].strip() + _ELLIPSIS
