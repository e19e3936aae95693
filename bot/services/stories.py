"""Stories: a story emoji or `/kudos` records a good service moment, and one shout-out shows it to the team.

The shout-out and its updates are outbox rows rendered when they are sent, from the story as it is then: so a
recognition withdrawn before the shout-out went out leaves no orphan, and of several quick updates the last one
shows the final state (earlier ones are skipped). Concurrent recognitions of one message take turns on the
story row (a row lock on PostgreSQL, the write lock on SQLite), so exactly one of them posts the shout-out.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from bot.blocks.stories import (
    STORIES_CHANNEL_PROBLEMS,
    build_credit_dm,
    build_self_note,
    build_shoutout,
    build_stories_channel_broken,
)
from bot.blocks.text import permalink
from bot.db.models import FollowUp, OutboxMessage, Story, WorkspaceSettings
from bot.db.queries import channels as channel_rows
from bot.db.queries import customers as customer_rows
from bot.db.queries import events as event_rows
from bot.db.queries import followups as followup_rows
from bot.db.queries import outbox as outbox_rows
from bot.db.queries import settings as settings_rows
from bot.db.queries import stories as story_rows
from bot.db.queries import workspaces as workspace_rows
from bot.domain.errors import BadCommand, NotWatched
from bot.domain.messages import is_from_bot, is_slack_ts
from bot.domain.principles import Principle, active, label_of, read_principles
from bot.domain.reactions import emoji_name, shoutout_emoji, story_emojis
from bot.domain.stories import (
    KUDOS_EXAMPLE,
    TEXT_LIMIT,
    THANKS_FIELD,
    BadStory,
    Kudos,
    check_shared_story,
    credited_for,
    only_self,
    shared_story_text,
)
from bot.runtime.deps import Deps
from bot.runtime.sender import Renderers, Rescuer
from bot.services import access
from bot.services.admin_notice import tell_admins_once
from bot.services.followups import require_hands
from bot.views.stories import SharedStory, StoryDraft, StorySource, StoryView

log = logging.getLogger(__name__)

SHOUTOUT, SHOUTOUT_UPDATE, SHOUTOUT_DELETE = "shoutout", "shoutout_update", "shoutout_delete"
STORY_CREDIT, STORY_SELF_NOTE = "story_credit", "story_self_note"
SHOUTOUT_REACTION = "shoutout_reaction"  # the bot's own story emoji on its shout-out, for others to add theirs


def _principles(session: Session, *, team_id: str) -> tuple[Principle, ...]:
    """The workspace's principles (the six shipped ones until an admin edits the list)."""
    return read_principles(settings_rows.principles(session, team_id=team_id))


def offered_tags(deps: Deps, *, team_id: str) -> tuple[tuple[str, str], ...]:
    """(key, label) of the principles a story can be tagged with now, for the story form."""
    with deps.session_factory.begin() as session:
        return active(_principles(session, team_id=team_id))


def _view(session: Session, story: Story) -> StoryView:
    workspace = workspace_rows.get(session, team_id=story.team_id)
    names = customer_rows.names_by_id(
        session, team_id=story.team_id, ids=[story.customer_id] if story.customer_id else []
    )
    principles = _principles(session, team_id=story.team_id)
    return StoryView(
        principles=active(principles),
        principle_label=label_of(principles, story.principle) if story.principle else None,
        id=story.id,
        text=story.text,
        credited=tuple(story_rows.credits(session, team_id=story.team_id, story_id=story.id)),
        recognisers=tuple(story_rows.recognisers(session, team_id=story.team_id, story_id=story.id)),
        principle=story.principle,
        customer_name=names.get(story.customer_id) if story.customer_id else None,
        source_channel_id=story.source_channel_id,
        source_ts=story.source_ts,
        source_thread_ts=story.source_thread_ts,
        workspace_url=workspace.url if workspace is not None else "",
    )


# --- recording ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Message:
    text: str
    author: str | None
    thread_ts: str | None


def _fetch_message(client: WebClient, *, channel_id: str, ts: str, bot_user_id: str | None) -> _Message | None:
    """The reacted-to message (one call for a top-level message, two for a thread reply); None if the bot cannot
    read it, or it is a bot's.

    A read Slack refused for now (a 429 or its own 5xx) is raised, not dropped: nothing of the reaction is stored
    yet, so the event is answered with a 503 (bot.listeners.adapter) and Slack delivers it again; its event id
    keeps the recognition once."""
    try:
        found = client.conversations_history(channel=channel_id, latest=ts, inclusive=True, limit=1)["messages"]
        message = next((m for m in found if m.get("ts") == ts), None)
        if message is None:
            thread = client.conversations_replies(channel=channel_id, ts=ts, limit=200)["messages"]
            message = next((m for m in thread if m.get("ts") == ts), None)
    except SlackApiError as error:
        if error.response.status_code == 429 or error.response.status_code >= 500:
            raise
        log.info("cannot read the reacted-to message %s/%s: %s", channel_id, ts, error.response.get("error"))
        return None
    if not isinstance(message, dict) or is_from_bot(message, bot_user_id):
        return None
    thread_ts, author = message.get("thread_ts"), message.get("user")
    return _Message(
        text=str(message.get("text") or "")[:TEXT_LIMIT],
        author=author if isinstance(author, str) else None,
        thread_ts=thread_ts if is_slack_ts(thread_ts) and thread_ts != ts else None,
    )


def recognise_reaction(
    deps: Deps,
    client: WebClient,
    *,
    team_id: str,
    event_id: str | None,
    reactor: str,
    emoji: str,
    channel_id: str,
    ts: str,
    bot_user_id: str | None,
) -> bool:
    """A story emoji on a message: record the story (once per message) and this recognition; True if `emoji` is
    one of the workspace's story emoji (handled here, whatever came of it)."""
    now = deps.clock()
    key = f"{channel_id}:{ts}"
    with deps.session_factory.begin() as session:
        settings = settings_rows.of_workspace(session, team_id=team_id, now=now)
        if emoji_name(emoji) not in story_emojis(settings.story_emojis):
            return False
        shoutout = _shoutout_story(session, team_id=team_id, channel_id=channel_id, ts=ts)
        if shoutout is not None:
            if event_id is None or event_rows.claim(session, team_id=team_id, event_id=event_id, now=now):
                _recognise(session, shoutout, settings, reactor=reactor, emoji=emoji_name(emoji), now=now)
            deps.wake_sender()
            return True
        known = story_rows.by_reaction_key(session, team_id=team_id, reaction_key=key) is not None
    message = None
    if not known:
        message = _fetch_message(client, channel_id=channel_id, ts=ts, bot_user_id=bot_user_id)
        if message is None:
            return True  # unreadable, gone, or a bot's own message: nothing to record
    with deps.session_factory.begin() as session:
        workspace_rows.ensure(session, team_id=team_id, now=now)
        if event_id is not None and not event_rows.claim(session, team_id=team_id, event_id=event_id, now=now):
            return True  # Slack's retry of a reaction already recorded
        if message is not None:
            named = deps.matchers.for_team(session, team_id=team_id).customer_ids(message.text)
            story_rows.add_for_reaction(
                session,
                team_id=team_id,
                via="reaction",
                reaction_key=key,
                source_channel_id=channel_id,
                source_ts=ts,
                source_user_id=message.author,
                text=message.text,
                customer_id=named[0] if named else None,
                created_by=reactor,
                created_at=now,
                source_thread_ts=message.thread_ts,
            )
        story = story_rows.by_reaction_key(session, team_id=team_id, reaction_key=key)
        if story is None:
            return True
        if message is not None and not story_rows.credits(session, team_id=story.team_id, story_id=story.id):
            credited = credited_for(message.text, author=message.author, bot_user_id=bot_user_id)
            story_rows.add_credits(session, team_id=team_id, story_id=story.id, user_ids=credited)
        _recognise(session, story, settings, reactor=reactor, emoji=emoji_name(emoji), now=now)
    deps.wake_sender()
    return True


def _recognise(
    session: Session, story: Story, settings: WorkspaceSettings, *, reactor: str, emoji: str, now: Any
) -> None:
    """One person's story emoji on a story's message or on its shout-out: a recognition, unless the story is about
    them alone."""
    credited = tuple(story_rows.credits(session, team_id=story.team_id, story_id=story.id))
    if not credited:
        return
    if only_self(credited, reactor):
        _tell_self(session, story, reactor, now=now)
    elif story_rows.add_recognition(
        session, team_id=story.team_id, story_id=story.id, user_id=reactor, emoji=emoji, now=now
    ):
        _changed(session, story, settings, now=now)


def _shoutout_story(session: Session, *, team_id: str, channel_id: str, ts: str) -> Story | None:
    """The story whose current shout-out is the message at (channel, ts), locked; None for any other message."""
    post = outbox_rows.posted(session, team_id=team_id, kind=SHOUTOUT, channel_id=channel_id, ts=ts)
    if post is None:
        return None
    story = story_rows.get(session, team_id=team_id, story_id=int(post.payload.get("story_id") or 0))
    if story is None or post.payload.get("generation") != story.generation:
        return None  # a shout-out since removed
    return (
        story_rows.by_reaction_key(session, team_id=team_id, reaction_key=story.reaction_key)
        if (story.reaction_key)
        else story
    )


def withdraw_reaction(
    deps: Deps, *, team_id: str, event_id: str | None, reactor: str, emoji: str, channel_id: str, ts: str
) -> bool:
    """A story emoji taken off a message: that recognition is withdrawn; True if `emoji` is a story emoji."""
    now = deps.clock()
    with deps.session_factory.begin() as session:
        settings = settings_rows.of_workspace(session, team_id=team_id, now=now)
        if emoji_name(emoji) not in story_emojis(settings.story_emojis):
            return False
        if event_id is not None and not event_rows.claim(session, team_id=team_id, event_id=event_id, now=now):
            return True
        story = _shoutout_story(session, team_id=team_id, channel_id=channel_id, ts=ts)
        if story is None:
            story = story_rows.by_reaction_key(session, team_id=team_id, reaction_key=f"{channel_id}:{ts}")
        if story is None:
            return True
        before = story_rows.recognisers(session, team_id=story.team_id, story_id=story.id)
        story_rows.remove_recognition(
            session, team_id=team_id, story_id=story.id, user_id=reactor, emoji=emoji_name(emoji)
        )
        if story_rows.recognisers(session, team_id=story.team_id, story_id=story.id) != before:
            _changed(session, story, settings, now=now)
    deps.wake_sender()
    return True


GROUP_KUDOS_EXAMPLE = "/kudos @support-team stayed late to get Acme's drive working"


def group_members(deps: Deps, client: WebClient, *, team_id: str, group_id: str) -> tuple[str, ...]:
    """A user group's members (usergroups.users.list), cached for USERGROUP_TTL; a group Slack does not know is
    explained with an example."""
    now = deps.clock()
    known = deps.usergroups.get(team_id=team_id, group_id=group_id, now=now)
    if known is not None:
        return known
    try:
        users = client.usergroups_users_list(usergroup=group_id)["users"]
    except SlackApiError as error:
        code = error.response.get("error")
        if code == "no_such_subteam":
            raise BadCommand(
                "I couldn't find that user group in Slack. Pick the group from Slack's list as you type @.",
                example=GROUP_KUDOS_EXAMPLE,
            ) from None
        if code == "plan_upgrade_required":
            raise BadCommand(
                "This workspace's Slack plan has no user groups, so I can't tell who is in it. Mention the people.",
                example=KUDOS_EXAMPLE,
            ) from None
        raise
    members = tuple(u for u in users if isinstance(u, str) and u) if isinstance(users, list) else ()
    deps.usergroups.remember(team_id=team_id, group_id=group_id, members=members, read_at=now)
    return members


def with_group_members(deps: Deps, client: WebClient, *, team_id: str, giver: str, kudos: Kudos) -> Kudos:
    """The kudos crediting every member of the user groups it names too: each person once, never the giver."""
    if not kudos.groups:
        return kudos
    members: list[str] = []
    for group_id in kudos.groups:
        members.extend(group_members(deps, client, team_id=team_id, group_id=group_id))
    expanded = kudos.with_members(tuple(members), giver=giver)
    if not expanded.credited:
        raise BadCommand(
            "Nobody in that group but you: kudos are for your teammates. Mention someone else too.",
            example=KUDOS_EXAMPLE,
        )
    return expanded


def give_kudos(deps: Deps, *, team_id: str, giver: str, channel_id: str, kudos: Kudos) -> tuple[StoryView, str]:
    """`/kudos`: a story crediting the people mentioned, recognised by the giver; its view and where it goes."""
    now = deps.clock()
    with deps.session_factory.begin() as session:
        settings = settings_rows.of_workspace(session, team_id=team_id, now=now)
        channel = channel_rows.get(session, team_id=team_id, channel_id=channel_id)
        if not settings.stories_channel and (channel is None or not channel.is_watched):
            raise BadCommand(
                "I can only post the shout-out in a channel I'm in. Invite me here with `/invite @Rapport`, "
                "or ask an admin to choose a stories channel in `/rapport settings`.",
                example=KUDOS_EXAMPLE,
            )
        named = deps.matchers.for_team(session, team_id=team_id).customer_ids(kudos.text)
        story = _record(
            session,
            settings,
            team_id=team_id,
            via="kudos",
            text=kudos.text,
            customer_id=named[0] if named else None,
            credited=kudos.credited,
            recogniser=giver,
            now=now,
            shoutout_channel_id=settings.stories_channel or channel_id,
            source_channel_id=channel_id,  # where /kudos was typed: the shout-out's home if the stories channel fails
        )
        view = _view(session, story)
        where = story.shoutout_channel_id or channel_id
    deps.wake_sender()
    return view, where


def _record(
    session: Session,
    settings: WorkspaceSettings,
    *,
    team_id: str,
    via: str,
    text: str,
    customer_id: int | None,
    credited: tuple[str, ...],
    recogniser: str,
    now: Any,
    **source: Any,
) -> Story:
    """A story given by one person (`/kudos`, the modal): it, its credits, their recognition, and its shout-out."""
    story = story_rows.add(
        session,
        team_id=team_id,
        via=via,
        text=text[:TEXT_LIMIT],
        customer_id=customer_id,
        created_by=recogniser,
        created_at=now,
        **source,
    )
    story_rows.add_credits(session, team_id=team_id, story_id=story.id, user_ids=credited)
    story_rows.add_recognition(session, team_id=team_id, story_id=story.id, user_id=recogniser, emoji="", now=now)
    _changed(session, story, settings, now=now)
    return story


# --- sharing through the modal: "Share as a good story" on a message, "Share as a story" after Done -----------

STORY_SOURCE_TEXT = 2000  # the message's words kept in the modal (its private_metadata holds 3000 characters)


@dataclass(frozen=True)
class StoryForm:
    """What the modal submits."""

    credited: tuple[str, ...]
    thanks: str
    principle: str | None
    source: StorySource
    submission_id: str | None = None  # the modal's view id: the same modal submitted twice records one story


def _check_shoutout_home(
    session: Session, settings: WorkspaceSettings, *, team_id: str, channel_id: str | None
) -> None:
    """A shared story's shout-out goes to the stories channel, else into its source message's thread: one of them
    must be somewhere Rapport can post."""
    if settings.stories_channel:
        return
    channel = channel_rows.get(session, team_id=team_id, channel_id=channel_id) if channel_id else None
    if channel is not None and channel.is_watched:
        return
    where = f"Invite me to <#{channel_id}> with `/invite @Rapport`, or ask" if channel_id else "Ask"
    raise NotWatched(
        f"I have nowhere to post the shout-out yet. {where} an admin to choose a stories channel in "
        "`/rapport settings`.",
        example="/rapport settings",
    )


def draft_from_message(
    deps: Deps, *, team_id: str, channel_id: str, message: dict[str, Any], bot_user_id: str | None
) -> StoryDraft:
    """For "Share as a good story": credit the people the message mentions, else its author."""
    if is_from_bot(message, bot_user_id):
        raise BadCommand("That message is from a bot. Share a teammate's message instead.", example=KUDOS_EXAMPLE)
    text, ts = str(message.get("text") or ""), str(message.get("ts") or "")
    author, thread_ts = message.get("user"), message.get("thread_ts")
    source = StorySource(
        channel_id=channel_id,
        ts=ts if is_slack_ts(ts) else None,
        thread_ts=thread_ts if is_slack_ts(thread_ts) and thread_ts != ts else None,
        author=author if isinstance(author, str) else None,
        text=text[:STORY_SOURCE_TEXT],
    )
    now = deps.clock()
    with deps.session_factory.begin() as session:
        _check_shoutout_home(
            session,
            settings_rows.of_workspace(session, team_id=team_id, now=now),
            team_id=team_id,
            channel_id=channel_id,
        )
        named = deps.matchers.for_team(session, team_id=team_id).customer_ids(text)
        names = customer_rows.names_by_id(session, team_id=team_id, ids=named[:1])
        tags = active(_principles(session, team_id=team_id))
    return StoryDraft(
        principles=tags,
        credited=credited_for(text, author=source.author, bot_user_id=bot_user_id),
        about=source.text,
        customer_name=names.get(named[0]) if named else None,
        source=source,
    )


def _followup(session: Session, *, team_id: str, followup_id: int) -> FollowUp:
    row = followup_rows.get(session, team_id=team_id, followup_id=followup_id)
    if row is None:
        raise BadCommand("That follow-up no longer exists.", example="/followup list")
    return row


def draft_from_followup(deps: Deps, client: WebClient, *, team_id: str, followup_id: int, user_id: str) -> StoryDraft:
    """For "Share as a story" after Done: credit the follow-up's owner; the story is about its customer and note.

    Offered to the follow-up's owner, its creator or an admin, like the follow-up's other buttons."""
    require_hands(deps, client, team_id=team_id, followup_id=followup_id, user_id=user_id)
    now = deps.clock()
    with deps.session_factory.begin() as session:
        row = _followup(session, team_id=team_id, followup_id=followup_id)
        _check_shoutout_home(
            session,
            settings_rows.of_workspace(session, team_id=team_id, now=now),
            team_id=team_id,
            channel_id=row.source_channel_id,
        )
        names = customer_rows.names_by_id(session, team_id=team_id, ids=[row.customer_id] if row.customer_id else [])
        source = StorySource(channel_id=row.source_channel_id, ts=row.source_ts, followup_id=row.id)
        return StoryDraft(
            principles=active(_principles(session, team_id=team_id)),
            credited=(row.owner_user_id,),
            about=row.note,
            source=source,
            customer_name=names.get(row.customer_id) if row.customer_id else None,
        )


def share_story(deps: Deps, *, team_id: str, sharer: str, form: StoryForm) -> SharedStory | None:
    """The modal's story: credited as chosen, recognised by the sharer, its shout-out and DMs queued like every
    story's. None if this modal was already submitted."""
    now = deps.clock()
    with deps.session_factory.begin() as session:
        followup = None
        if form.source.followup_id is not None:
            followup = _followup(session, team_id=team_id, followup_id=form.source.followup_id)
        # Sharing your own follow-up's good ending is allowed; crediting only yourself for a message is not.
        offered = frozenset(key for key, _ in active(_principles(session, team_id=team_id)))
        credited = check_shared_story(
            form.credited,
            sharer=sharer,
            principle=form.principle,
            self_allowed=followup is not None,
            offered=offered,
        )
        if followup is None and not form.source.text.strip() and not form.thanks.strip():
            # Shared from the Home tab, about no message: the line of thanks is the whole story.
            raise BadStory("What did they do? Write a line about the good moment.", field=THANKS_FIELD)
        settings = settings_rows.of_workspace(session, team_id=team_id, now=now)
        if followup is not None:
            about, customer_id = followup.note, followup.customer_id
            source: dict[str, Any] = dict(source_channel_id=followup.source_channel_id, source_ts=followup.source_ts)
        else:
            about = form.source.text
            named = deps.matchers.for_team(session, team_id=team_id).customer_ids(about)
            customer_id = named[0] if named else None
            source = dict(
                source_channel_id=form.source.channel_id,
                source_ts=form.source.ts,
                source_thread_ts=form.source.thread_ts,
                source_user_id=form.source.author,
            )
        _check_shoutout_home(session, settings, team_id=team_id, channel_id=source["source_channel_id"])
        if form.submission_id and not event_rows.claim(
            session, team_id=team_id, now=now, event_id=f"story-modal:{form.submission_id}"
        ):
            return None
        if form.principle:
            source.update(principle=form.principle, principle_by=sharer)
        story = _record(
            session,
            settings,
            team_id=team_id,
            via="followup" if followup is not None else "shortcut",
            text=shared_story_text(thanks=form.thanks, about=about, limit=TEXT_LIMIT),
            customer_id=customer_id,
            credited=credited,
            recogniser=sharer,
            now=now,
            **source,
        )
        shared = SharedStory(
            view=_view(session, story),
            channel_id=str(story.shoutout_channel_id),
            in_thread=story.shoutout_thread_ts is not None,
        )
    deps.wake_sender()
    return shared


def choose_principle(
    deps: Deps, client: WebClient, *, team_id: str, story_id: int, user_id: str, principle: str
) -> bool:
    """Tag a story with a principle, or change its tag: for its recognisers, the people it credits, whoever shared
    it, or an admin (anyone else: NotAllowed). True if this click changed the tag."""
    with deps.session_factory.begin() as session:
        if principle not in {key for key, _ in active(_principles(session, team_id=team_id))}:
            raise BadCommand(
                "That principle is no longer offered: an admin retired it in `/rapport settings`.",
                example=KUDOS_EXAMPLE,
            )
        story = story_rows.get(session, team_id=team_id, story_id=story_id)
        if story is None:
            raise BadCommand("That story no longer exists.", example=KUDOS_EXAMPLE)
        people = {
            story.created_by,
            *story_rows.recognisers(session, team_id=team_id, story_id=story_id),
            *story_rows.credits(session, team_id=team_id, story_id=story_id),
        }
    access.require(
        deps,
        client,
        team_id=team_id,
        user_id=user_id,
        owners=people,
        refusal=access.STORY_TAG_REFUSAL,
        example=access.STORY_TAG_EXAMPLE,
    )
    now = deps.clock()
    with deps.session_factory.begin() as session:
        story = story_rows.for_update(session, team_id=team_id, story_id=story_id)
        if story is None:
            raise BadCommand("That story no longer exists.", example=KUDOS_EXAMPLE)
        if story.principle == principle:
            return False
        story.principle, story.principle_by = principle, user_id
        _changed(session, story, settings_rows.of_workspace(session, team_id=team_id, now=now), now=now)
    deps.wake_sender()
    return True


def _tell_self(session: Session, story: Story, user: str, *, now: Any) -> None:
    """Once per story and person: reacting to a story about only yourself counts for nothing."""
    if not story.source_channel_id:
        return
    payload: dict[str, Any] = {"channel": story.source_channel_id, "user": user, **build_self_note()}
    if story.source_thread_ts:
        payload["thread_ts"] = story.source_thread_ts
    outbox_rows.enqueue(
        session,
        team_id=story.team_id,
        kind=STORY_SELF_NOTE,
        idempotency_key=f"story-self:{story.id}:{user}",
        method="chat.postEphemeral",
        payload=payload,
        not_before=now,
        now=now,
        lane=outbox_rows.INTERACTIVE,
    )


def _changed(session: Session, story: Story, settings: WorkspaceSettings, *, now: Any) -> None:
    """Queue what a change to a story means for its shout-out: the first post (and the credited people's DMs),
    an update in place, or its removal when no recogniser is left."""
    recognisers = story_rows.recognisers(session, team_id=story.team_id, story_id=story.id)
    post = outbox_rows.by_key(session, team_id=story.team_id, idempotency_key=f"shoutout:{story.id}:{story.generation}")
    story.version += 1
    if not recognisers:
        if post is not None:
            _enqueue(
                session,
                story,
                SHOUTOUT_DELETE,
                f"shoutout-delete:{story.id}:{story.generation}",
                "chat.delete",
                {"story_id": story.id, "generation": story.generation},
                now=now,
                depends_on=post,
            )
            story.generation += 1  # a later recognition posts a fresh shout-out
        return
    if post is not None:
        _enqueue(
            session,
            story,
            SHOUTOUT_UPDATE,
            f"shoutout-update:{story.id}:{story.generation}:{story.version}",
            "chat.update",
            {"story_id": story.id, "generation": story.generation, "version": story.version},
            now=now,
            depends_on=post,
        )
        return
    if story.shoutout_channel_id is None:
        # Until an admin sets a stories channel, the shout-out goes into the source message's thread.
        story.shoutout_channel_id = settings.stories_channel or story.source_channel_id
        if not settings.stories_channel:
            story.shoutout_thread_ts = story.source_thread_ts or story.source_ts
    post = _enqueue(
        session,
        story,
        SHOUTOUT,
        f"shoutout:{story.id}:{story.generation}",
        "chat.postMessage",
        {"story_id": story.id, "generation": story.generation},
        now=now,
    )
    _enqueue(
        session,
        story,
        SHOUTOUT_REACTION,
        f"shoutout-reaction:{story.id}:{story.generation}",
        "reactions.add",
        {"story_id": story.id, "generation": story.generation},
        now=now,
        depends_on=post,
    )
    for user in story_rows.credits(session, team_id=story.team_id, story_id=story.id):
        if user in recognisers:
            continue  # someone who recognised a story about themselves needs no news of it
        key = f"story-credit:{story.id}:{user}"
        told = outbox_rows.by_key(session, team_id=story.team_id, idempotency_key=key)
        if told is None:
            _enqueue(
                session,
                story,
                STORY_CREDIT,
                key,
                "chat.postMessage",
                {"story_id": story.id, "user": user},
                now=now,
                depends_on=post,
            )
        elif told.state == "skipped":  # its shout-out was withdrawn before it went out: tell them with this one
            told.state, told.depends_on_id, told.not_before = "pending", post.id, now


def _enqueue(
    session: Session,
    story: Story,
    kind: str,
    key: str,
    method: str,
    payload: dict[str, Any],
    *,
    now: Any,
    depends_on: OutboxMessage | None = None,
) -> OutboxMessage:
    outbox_rows.enqueue(
        session,
        team_id=story.team_id,
        kind=kind,
        idempotency_key=key,
        method=method,
        payload=payload,
        not_before=now,
        now=now,
        depends_on_id=depends_on.id if depends_on is not None else None,
        lane=outbox_rows.INTERACTIVE,  # the answer to someone's recognition
    )
    row = outbox_rows.by_key(session, team_id=story.team_id, idempotency_key=key)
    assert row is not None
    return row


# --- rendering at send time --------------------------------------------------------------------------------


def render(session: Session, row: OutboxMessage, dependency: OutboxMessage | None) -> dict[str, Any] | None:
    """The Web API arguments of a story's outbox row as of now; None when there is nothing to send any more."""
    payload = row.payload
    story = story_rows.get(session, team_id=row.team_id, story_id=int(payload.get("story_id") or 0))
    if story is None:
        return None
    if row.kind == STORY_CREDIT:
        if dependency is None or not dependency.result_ts:
            return None
        view = _view(session, story)
        link = permalink(
            view.workspace_url, str(dependency.result_channel), dependency.result_ts, story.shoutout_thread_ts
        )
        return {"channel": payload["user"], "unfurl_links": False, **build_credit_dm(view, shoutout_link=link)}
    if row.kind == SHOUTOUT_DELETE:  # queued as its generation ended
        return {"channel": dependency.result_channel, "ts": dependency.result_ts} if dependency is not None else None
    if row.kind == SHOUTOUT_REACTION:
        if dependency is None or not dependency.result_ts or payload.get("generation") != story.generation:
            return None  # never posted, or removed since
        settings = settings_rows.of_workspace(session, team_id=row.team_id, now=row.created_at)
        name = shoutout_emoji(settings.story_emojis)
        return {"channel": dependency.result_channel, "timestamp": dependency.result_ts, "name": name}
    if payload.get("generation") != story.generation:
        return None  # that shout-out was removed since
    view = _view(session, story)
    if not view.recognisers:
        return None  # withdrawn: a removal follows, or nothing was ever posted
    if row.kind == SHOUTOUT:
        extra = {"thread_ts": story.shoutout_thread_ts} if story.shoutout_thread_ts else {}
        return {"channel": story.shoutout_channel_id, "unfurl_links": False, **extra, **build_shoutout(view)}
    if row.kind == SHOUTOUT_UPDATE and dependency is not None and payload.get("version") == story.version:
        return {"channel": dependency.result_channel, "ts": dependency.result_ts, **build_shoutout(view)}
    return None  # a later update of the same shout-out will show the final state


RENDERED_KINDS = frozenset({SHOUTOUT, SHOUTOUT_UPDATE, SHOUTOUT_DELETE, STORY_CREDIT, SHOUTOUT_REACTION})
# What this capability gives the outbox sender (registered by the wiring, bot.app): these kinds render at send time.
RENDERERS: Renderers = MappingProxyType(dict.fromkeys(RENDERED_KINDS, render))


# --- when the stories channel refuses the shout-out --------------------------------------------------------

STORIES_CHANNEL_BROKEN = "stories_channel_broken"


def rescuer(admins: frozenset[str]) -> Rescuer:
    """The sender's answer to a shout-out the stories channel refused for good (archived, bot removed, gone):
    the shout-out goes into its source thread instead (for `/kudos`, where it was typed), and the admins (those in
    RAPPORT_ADMINS and whoever chose the channel) are told once per channel and problem."""

    def rescue(session: Session, row: OutboxMessage, code: str, now: datetime) -> bool:
        if code not in STORIES_CHANNEL_PROBLEMS:
            return False
        story = story_rows.get(session, team_id=row.team_id, story_id=int(row.payload.get("story_id") or 0))
        if story is None or not story.source_channel_id or story.shoutout_channel_id == story.source_channel_id:
            return False  # nowhere else to go (or its source thread refused it too)
        broken = str(story.shoutout_channel_id or "")
        story.shoutout_channel_id = story.source_channel_id
        story.shoutout_thread_ts = story.source_thread_ts or story.source_ts
        tell_admins(session, row, broken, code, admins, now=now)
        log.warning(
            "the stories channel %s of workspace %s refused a shout-out (%s): sent to its source thread",
            broken,
            row.team_id,
            code,
        )
        return True

    return rescue


def tell_admins(
    session: Session, row: OutboxMessage, channel_id: str, code: str, admins: frozenset[str], *, now: datetime
) -> None:
    """The stories channel refused `row` (Slack's `code`): once per channel, problem and settings version, a DM to
    each admin who should know (those in RAPPORT_ADMINS, and whoever chose the channel)."""
    tell_admins_once(
        session,
        row,
        setting="stories_channel",
        channel_id=channel_id,
        code=code,
        kind=STORIES_CHANNEL_BROKEN,
        message=build_stories_channel_broken(channel_id, code),
        admins=admins,
        now=now,
    )


def rescuers(admins: frozenset[str]) -> Mapping[str, Rescuer]:
    """What this capability gives the outbox sender for rows Slack refuses for good (wired in bot.app)."""
    return MappingProxyType({SHOUTOUT: rescuer(admins)})
