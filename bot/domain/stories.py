"""Stories, without I/O: who a message credits, the principle tags, and reading `/kudos`."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.domain.errors import BadCommand
from bot.domain.slack_text import strip_controls

# The service principles of the spec, as tags a shout-out can carry: (key, label).
PRINCIPLES = (
    ("listen", "Really listened"),
    ("follow_up", "Followed up"),
    ("loyal", "Didn't take them for granted"),
    ("unheard", "Never left them waiting"),
    ("friend", "Treated them like a friend"),
    ("story", "A story worth sharing"),
)
PRINCIPLE_LABELS = dict(PRINCIPLES)

TEXT_LIMIT = 3000  # a story keeps at most this many characters of its words
KUDOS_EXAMPLE = "/kudos @stephanie called the call centre for the customer and stayed until it was solved"
_USER = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
# A user group as Slack writes it in a command's text: <!subteam^S123|@support-team> (the label may be missing).
_GROUP = re.compile(r"<!subteam\^(S[A-Z0-9]+)(?:\|[^>]*)?>")
_LEADING_USERS = re.compile(r"(?:\s*<(?:@[UW][A-Z0-9]+|!subteam\^S[A-Z0-9]+)(?:\|[^>]*)?>)+")


def mentioned_users(text: str) -> list[str]:
    """The users a message mentions (`<@U…>`), in order, each once."""
    found: list[str] = []
    for user in _USER.findall(text or ""):
        if user not in found:
            found.append(user)
    return found


def credited_for(text: str, *, author: str | None, bot_user_id: str | None) -> tuple[str, ...]:
    """Who a reacted-to message credits: the people it mentions (a message *about* someone), else its author."""
    mentioned = tuple(u for u in mentioned_users(text) if u != bot_user_id)
    if mentioned:
        return mentioned
    return (author,) if author else ()


def only_self(credited: tuple[str, ...], user: str) -> bool:
    """A story that credits nobody but this person: their recognition counts for nothing."""
    return set(credited) == {user}


@dataclass(frozen=True)
class Kudos:
    """`/kudos @a @b what they did`: who is credited (never the giver), the user groups named (each of their
    members is credited too, once the service has read them), and the words."""

    credited: tuple[str, ...]
    text: str
    groups: tuple[str, ...] = ()

    def with_members(self, members: tuple[str, ...], *, giver: str) -> Kudos:
        """The kudos crediting the groups' members too: each person once, never the giver."""
        credited = list(self.credited)
        credited.extend(u for u in members if u != giver and u not in credited)
        return Kudos(credited=tuple(credited), text=self.text, groups=self.groups)


def mentioned_groups(text: str) -> list[str]:
    """The user groups a text mentions (`<!subteam^S…>`), in order, each once."""
    found: list[str] = []
    for group in _GROUP.findall(text or ""):
        if group not in found:
            found.append(group)
    return found


@dataclass(frozen=True)
class KudosHelp:
    """`/kudos help` (or nothing at all)."""


def parse_kudos(text: str, *, giver: str) -> Kudos | KudosHelp:
    """Read `/kudos`; nobody mentioned, or only the giver, is explained with an example."""
    text = " ".join(strip_controls(text or "").split())
    if text.lower() in ("", "help", "?", "-h", "--help"):
        return KudosHelp()
    mentioned = mentioned_users(text)
    groups = tuple(mentioned_groups(text))
    credited = tuple(u for u in mentioned if u != giver)
    if not credited and not groups:
        if mentioned:
            raise BadCommand(
                "Kudos are for your teammates: mention someone other than yourself.", example=KUDOS_EXAMPLE
            )
        raise BadCommand("Who should get the kudos? Mention them with @.", example=KUDOS_EXAMPLE)
    # The people named first are who the kudos is for, and the shout-out names them; later mentions are part of
    # the words ("covered for @lee"), which the shout-out shows as people too.
    lead = _LEADING_USERS.match(text)
    head, rest = (text[: lead.end()], text[lead.end() :]) if lead else ("", text)
    head = _USER.sub(lambda m: m.group(0) if m.group(1) not in credited else "", head)
    head = _GROUP.sub("", head)
    words = " ".join((head + rest).split())
    return Kudos(credited=credited, text=words or text, groups=groups)


SHARE_EXAMPLE = "Pick a teammate under “Who gets the credit”, then Share."
CREDITED_FIELD, THANKS_FIELD, PRINCIPLE_FIELD = "credited", "thanks", "principle"


class BadStory(BadCommand):
    """A shared story that cannot be recorded as filled in; `field` names the part of the form to fix."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message, example=SHARE_EXAMPLE)
        self.field = field


def check_shared_story(
    credited: tuple[str, ...],
    *,
    sharer: str,
    principle: str | None,
    self_allowed: bool = False,
    offered: frozenset[str] | None = None,
) -> tuple[str, ...]:
    """Who a story shared through the modal credits (each once, in order); nobody, or only the sharer (unless
    `self_allowed`), or a principle not `offered` (default: the shipped six) is explained next to its field."""
    people = tuple(dict.fromkeys(u for u in credited if u))
    if not people:
        raise BadStory("Who should get the credit? Pick at least one teammate.", field=CREDITED_FIELD)
    if only_self(people, sharer) and not self_allowed:
        raise BadStory("Stories are for your teammates: pick someone other than yourself.", field=CREDITED_FIELD)
    if principle is not None and principle not in (PRINCIPLE_LABELS if offered is None else offered):
        raise BadStory("That is not one of Rapport's principles.", field=PRINCIPLE_FIELD)
    return people


def shared_story_text(*, thanks: str, about: str, limit: int) -> str:
    """A shared story's words: the line of thanks, then what it is about (the message, or the follow-up's note)
    in quotes; at most `limit` characters, the quoted part shortened first. Stored as Slack sends message text
    (`&`, `<`, `>` as entities, like every story's text), so the typed thanks is encoded the same way."""
    thanks = " ".join(strip_controls(thanks or "").split())[: limit // 4]
    thanks = thanks.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    about = strip_controls(about or "").strip()
    if not about:
        return thanks
    if not thanks:
        return about[:limit]
    room = limit - len(thanks) - 3
    if len(about) > room:
        about = about[: max(0, room - 1)].rstrip() + "…"
    return f"{thanks}\n“{about}”"
