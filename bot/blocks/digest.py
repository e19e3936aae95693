"""Block Kit for the weekly digest: the week's good stories and what the team did, congratulating everyone and
ranking no one."""

from __future__ import annotations

from typing import Any

from bot.blocks.stats import story_text
from bot.blocks.text import Block, context, date_token, divider, header, message, section
from bot.blocks.triage import response_blocks
from bot.domain.tone import CATEGORY_LABELS
from bot.views.digest import Digest

DATE = "{date_short_pretty}"


def _stories(digest: Digest) -> list[Block]:
    if not digest.stories:
        return []
    total = len(digest.stories) + digest.more_stories
    blocks: list[Block] = [section(f"*{total} good {'story' if total == 1 else 'stories'}* this week:")]
    blocks.extend(section(story_text(line)) for line in digest.stories)
    if digest.more_stories:
        more = digest.more_stories
        blocks.append(
            context(f"…and {more} more {'story' if more == 1 else 'stories'}, each worth a read in this channel.")
        )
    return blocks


def _numbers(digest: Digest) -> str:
    lines = []
    done, on_time = digest.followups_done, digest.followups_on_time
    if done:
        timely = "all of them on time" if on_time == done else f"{on_time} of them on time"
        lines.append(f":white_check_mark: *{done} follow-up{'' if done == 1 else 's'} done*, {timely}.")
    checked = digest.customers_checked_in
    if checked:
        lines.append(
            f":telephone_receiver: *{checked} customer{'' if checked == 1 else 's'} checked in on*, "
            "to make sure everything is still good."
        )
    quiet = digest.quiet_customers
    if quiet:
        lines.append(
            f":hourglass_flowing_sand: {quiet} customer{' has' if quiet == 1 else 's have'} had no touch "
            f"for {digest.quiet_days} days: a friendly check-in would make their week."
        )
    else:
        lines.append(f":seedling: Every customer was touched in the last {digest.quiet_days} days.")
    tips = sum(digest.tips.values())
    if tips:
        kinds = ", ".join(
            f"{count} {CATEGORY_LABELS.get(category, category)}" for category, count in sorted(digest.tips.items())
        )
        seen = "Only its reader saw it." if tips == 1 else "Only their readers saw them."
        lines.append(
            f":seedling: {tips} private tone tip{'' if tips == 1 else 's'} offered a warmer way to say "
            f"something ({kinds}). {seen}"
        )
    return "\n".join(lines)


def build_digest(digest: Digest) -> dict[str, Any]:
    """The digest message: thanks, the stories (most recognised first, at most 10), then the team's numbers."""
    week = digest.week
    blocks: list[Block] = [
        header(":star2: This week in good service"),
        context(f"{date_token(week.start, fmt=DATE)} to {date_token(week.moment, fmt=DATE)}"),
        section("Thank you, everyone, for treating customers like friends this week. Here is what the team did."),
        *_stories(digest),
        divider(),
        section(_numbers(digest)),
        *(
            response_blocks(digest.first_responses, digest.customer_responses)
            if digest.first_responses is not None and digest.first_responses.settled
            else []
        ),
        context(
            "Share a good story any time: react to a message with :star2:, or "
            "`/kudos @teammate what they did`. `/rapport stats` shows the workspace's numbers."
        ),
    ]
    stories = len(digest.stories) + digest.more_stories
    fallback = f"This week in good service: {stories} good stories, {digest.followups_done} follow-ups done"
    return message(fallback, blocks)
