"""Reading reactions: emoji names as Slack sends them and as the workspace's settings store them; no I/O."""

from __future__ import annotations

from bot.domain.stored_lists import id_list


def emoji_name(name: str) -> str:
    """A reaction or setting name without colons or skin tone: ":star2::skin-tone-2:" -> "star2"."""
    return name.strip().strip(":").split("::", 1)[0].lower()


def story_emojis(text: str) -> set[str]:
    """The workspace's story emoji (several allowed, separated by commas or spaces)."""
    return {emoji_name(e) for e in text.replace(",", " ").split() if emoji_name(e)}


def shoutout_emoji(text: str) -> str:
    """The story emoji a shout-out carries itself: the first the workspace lists (`star2` when none)."""
    names = [emoji_name(e) for e in text.replace(",", " ").split() if emoji_name(e)]
    return names[0] if names else "star2"


def followup_emojis(text: str) -> set[str]:
    """The workspace's follow-up emoji, from its stored list."""
    return {emoji_name(e) for e in id_list(text)}
