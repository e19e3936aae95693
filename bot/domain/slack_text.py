"""Slack message text, read: what a person sees of it, the people it names, what the customer matcher scans, and
the short excerpts kept of it.

Slack writes `&`, `<` and `>` that a person typed as `&amp;`, `&lt;` and `&gt;`, so every `<…>` in its text is a
token Slack composed: a user (`<@U…>`), a channel (`<#C…|name>`), a link (`<https://…|label>`), a special mention
(`<!here>`, `<!subteam^S…|@team>`) or a date. `parse_slack_text` reads such text into parts: plain text as a person
reads it, and the people it mentions. Everything but a person is flattened into the words a reader sees (a link is
its label, a channel `#name`, `<!here>` the harmless words "@here"), so nothing read from Slack can turn back into
a ping or a link; only a mention of a valid user ID survives as a person.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# Slack escapes a literal "<" as "&lt;", so any "<...>" is a control token (link, mention, date);
# a stray "<" that does not close is left alone.
_TOKEN = re.compile(r"<([^<>]+)>")
_USER_ID = re.compile(r"[UW][A-Z0-9]{1,30}")
_USER_TOKEN = re.compile(r"@([UW][A-Z0-9]{1,30})(?:\|(.*))?", re.DOTALL)

_SPECIAL_MENTIONS = frozenset({"here", "channel", "everyone"})

_ELLIPSIS = "…"
# Stands for one person in `searchable_text`, so that a position found there is a position among the parts' atoms.
PERSON_MARK = "\ufffc"


@dataclass(frozen=True)
class Person:
    """A person a text mentions (`<@U…>`), by a valid Slack user ID; `label` is the name old clients added."""

    user_id: str
    label: str = ""

    def __post_init__(self) -> None:
        if not _USER_ID.fullmatch(self.user_id):
            raise ValueError(f"not a Slack user ID: {self.user_id!r}")


# A part of a text: words as a person reads them (entities undone, tokens as their words), or a person.
Part = str | Person


def _unescape(text: str) -> str:
    # "&amp;" goes last so "&amp;lt;" becomes the literal "&lt;" the author typed, not "<".
    if "&" not in text:
        return text
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _entities(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _render_token(body: str, *, hide_mentions: bool, channel_names: bool = False) -> str:
    target, _, label = body.partition("|")
    kind = target[:1]
    if kind == "@":
        if hide_mentions:
            return " "
        return f"@{label}" if label else "@someone"
    if kind == "#":
        if channel_names and label:
            # A channel named after a customer ("#acme_support") names it: the underscore separates words here.
            return f" #{label.replace('_', '-')} "
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


def _name_token(token: re.Match[str]) -> str:
    return _render_token(token.group(1), hide_mentions=True, channel_names=True)


def _render(text: str, *, hide_mentions: bool, channel_names: bool = False) -> str:
    if "<" in text:
        render = _visible_token if not hide_mentions else _name_token if channel_names else _matchable_token
        text = _TOKEN.sub(render, text)
    # Unescape after rendering tokens so an escaped "&lt;" in a label can never open a new token.
    return _unescape(text)


def visible_text(text: str) -> str:
    """Return what a person sees of a Slack mrkdwn text: entities unescaped, links and mentions rendered."""
    if "<" not in text and "&" not in text:
        return text
    return _render(text, hide_mentions=False)


def matchable_text(text: str, *, channel_names: bool = False) -> str:
    """Return the visible text with every user, channel, special and group mention replaced by one space; with
    `channel_names`, a channel mention is its name instead (`#acme-support`, set off by spaces), which can name a
    customer."""
    if "<" not in text and "&" not in text:
        return text
    return _render(text, hide_mentions=True, channel_names=channel_names)


# C0 control characters other than tab and newlines, and DEL: never meaningful in Slack text, and PostgreSQL
# refuses NUL in text columns.
_CONTROLS = dict.fromkeys([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])


def strip_controls(text: str) -> str:
    """Remove control characters (NUL and friends) that no person meant to type."""
    return text.translate(_CONTROLS)


# --- parts: a text read into words and people -------------------------------------------------------------


def _joined(parts: Iterable[Part]) -> tuple[Part, ...]:
    """Adjacent words merged, empty words dropped."""
    out: list[Part] = []
    for part in parts:
        if isinstance(part, str):
            if not part:
                continue
            last = out[-1] if out else None
            if isinstance(last, str):
                out[-1] = last + part
                continue
        out.append(part)
    return tuple(out)


def parse_slack_text(text: str) -> tuple[Part, ...]:
    """Read Slack message text into words and people: `<@U…>` is a person; every other token is the words a reader
    sees (a link its label, a channel `#name`, `<!here>` "@here", a date its fallback); entities are undone."""
    parts: list[Part] = []
    start = 0
    for token in _TOKEN.finditer(text):
        parts.append(_unescape(text[start : token.start()]))
        body = token.group(1)
        user = _USER_TOKEN.fullmatch(body)
        if user:
            parts.append(Person(user.group(1), _unescape(user.group(2) or "")))
        else:
            parts.append(_unescape(_render_token(body, hide_mentions=False)))
        start = token.end()
    parts.append(_unescape(text[start:]))
    return _joined(parts)


def one_line(parts: Sequence[Part]) -> tuple[Part, ...]:
    """The parts on one line: every run of whitespace one space, none at either end."""
    flat: list[Part] = []
    for part in parts:
        if isinstance(part, str):
            words = " ".join(part.split())
            lead = " " if part[:1].isspace() else ""
            trail = " " if part[-1:].isspace() and words else ""
            part = lead + words + trail
        flat.append(part)
    joined = list(_joined(flat))
    if joined and isinstance(joined[0], str):
        joined[0] = joined[0].lstrip()
    if joined and isinstance(joined[-1], str):
        joined[-1] = joined[-1].rstrip()
    return _joined(joined)


def searchable_text(parts: Sequence[Part]) -> str:
    """The parts with each person as one `PERSON_MARK`: an index into it is an index among the parts' atoms
    (a character of words, or a person), as `shortened(around=…)` counts them."""
    return "".join(p if isinstance(p, str) else PERSON_MARK for p in parts)


def slack_length(part: Part) -> int:
    """How many characters a part takes as Slack text (and so as escaped mrkdwn): entities for `&`, `<`, `>`,
    `<@U…>` for a person."""
    if isinstance(part, Person):
        return len(part.user_id) + 3
    return len(part) + 4 * part.count("&") + 3 * (part.count("<") + part.count(">"))


def as_slack_text(parts: Sequence[Part]) -> str:
    """The parts written back as Slack writes message text (how excerpts are stored): `&`, `<`, `>` as entities,
    each person as `<@U…>`, and no other token."""
    return "".join(f"<@{p.user_id}>" if isinstance(p, Person) else _entities(p) for p in parts)


def _atoms(parts: Sequence[Part]) -> list[Part]:
    return [atom for part in parts for atom in (part if isinstance(part, str) else (part,))]


def _window(atoms: Sequence[Part], *, lead: bool, trail: bool) -> tuple[Part, ...]:
    parts = list(_joined(atoms))
    if lead and parts and isinstance(parts[0], str):
        parts[0] = parts[0].lstrip()
    if trail and parts and isinstance(parts[-1], str):
        parts[-1] = parts[-1].rstrip()
    return _joined([_ELLIPSIS if lead else "", *parts, _ELLIPSIS if trail else ""])


def shortened(parts: Sequence[Part], *, limit: int, around: int | None = None) -> tuple[Part, ...]:
    """One-line parts in at most `limit` characters of Slack text (`slack_length`): all of them when they fit,
    else the window around atom `around` (the start when None) with an ellipsis at each end that was cut. A
    person or an entity is never cut in half: Slack would show a broken token."""
    if limit <= 0:
        return ()
    if sum(slack_length(p) for p in parts) <= limit:
        return tuple(parts)
    if limit == 1:
        return (_ELLIPSIS,)
    atoms = _atoms(parts)
    costs = [slack_length(a) for a in atoms]
    n = len(atoms)
    pos = 0 if around is None else min(max(around, 0), n - 1)
    keep, used, end = limit - 1, 0, 0
    while end < n and used + costs[end] <= keep:
        used += costs[end]
        end += 1
    if pos < end:
        return _window(atoms[:end], lead=False, trail=True)
    used, start = 0, n
    while start > 0 and used + costs[start - 1] <= keep:
        start -= 1
        used += costs[start]
    if pos >= start:
        return _window(atoms[start:], lead=True, trail=False)
    # Both ends cut: grow the window from `around` on each side in turn. It never reaches either end, or the
    # text from that end to `around` would have fitted above.
    keep = limit - 2
    if costs[pos] > keep:
        return (_ELLIPSIS,)
    start, end, used, grew = pos, pos + 1, costs[pos], True
    while grew:
        grew = False
        if start > 0 and used + costs[start - 1] <= keep:
            start -= 1
            used += costs[start]
            grew = True
        if end < n and used + costs[end] <= keep:
            used += costs[end]
            end += 1
            grew = True
    return _window(atoms[start:end], lead=True, trail=True)


def excerpt(text: str, *, around: int | None = None, limit: int = 280) -> str:
    """A one-line excerpt of Slack text, as Slack text (how excerpts are stored): people kept as `<@U…>`, every
    other token as the words a reader sees, `&`, `<`, `>` as entities; at most `limit` characters, ellipses
    included, around atom `around` of `searchable_text` (see `shortened`)."""
    parts = one_line(parse_slack_text(strip_controls(text)))
    return as_slack_text(shortened(parts, limit=limit, around=around))
