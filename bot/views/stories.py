"""What people see of stories: a story, and what the share-a-story modal starts from and ends with."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.stories import PRINCIPLES

Tags = tuple[tuple[str, str], ...]  # (key, label) of the principles offered as tags


@dataclass(frozen=True)
class StoryView:
    """What people see of a story."""

    id: int
    text: str
    credited: tuple[str, ...]
    recognisers: tuple[str, ...]
    principle: str | None
    customer_name: str | None
    source_channel_id: str | None
    source_ts: str | None
    source_thread_ts: str | None
    workspace_url: str
    principles: Tags = PRINCIPLES  # the workspace's tags on offer
    principle_label: str | None = None  # the label of the story's tag (retired ones too)


@dataclass(frozen=True)
class StorySource:
    """What a story shared through the modal is about: a message, whose words travel with the modal (so sharing
    works in a channel Rapport cannot read), or a follow-up, read again when the story is shared."""

    channel_id: str | None = None
    ts: str | None = None
    thread_ts: str | None = None
    author: str | None = None
    text: str = ""
    followup_id: int | None = None


@dataclass(frozen=True)
class StoryDraft:
    """What the modal starts from: who it credits, what the story is about, and where that came from."""

    credited: tuple[str, ...]
    about: str
    customer_name: str | None
    source: StorySource
    principles: Tags = PRINCIPLES  # the workspace's tags on offer


@dataclass(frozen=True)
class SharedStory:
    """A story shared through the modal, and where its shout-out goes."""

    view: StoryView
    channel_id: str
    in_thread: bool
