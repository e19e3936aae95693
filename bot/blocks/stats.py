"""Block Kit for `/rapport`: help, stats, what is not there yet; and the story line shared by the weekly
digest and the Home tab."""

from __future__ import annotations

from typing import Any

from bot.blocks.text import context, escape, message, permalink, readable, section, shorten
from bot.blocks.triage import response_blocks
from bot.domain.stories import PRINCIPLE_LABELS
from bot.views.stats import StoryLine, WorkspaceStats

PEOPLE_SHOWN = 10
QUOTE_SHOWN = 280
CUSTOMER_SHOWN = 80

STORES = (  # README.md, "What Rapport stores"
    "For each workspace Rapport stores its customers (name, aliases, owner, since date, linked channel) and, for "
    "each message that names a customer, the channel, the message timestamp, the author, the time and an excerpt "
    "of at most 280 characters. Excerpts are deleted after the workspace's retention period (90 days unless an "
    "admin changed it); deleting the Slack message deletes its excerpt and mention at once. It also stores the IDs "
    "of Slack events it has processed (kept for a day, so that Slack's retries change nothing), the messages it is "
    "about to send (emptied after the retention period), follow-ups (owner, customer, note, due time, who asked "
    "and who closed them) and, for the people it reminds, their Slack timezone and name (refreshed daily). For "
    "customers' messages in linked channels it keeps which ones are waiting for an answer (no text), and for each "
    "customer until when the gone-quiet DM was snoozed. For stories: the text of the message that was recognised "
    "(or of the `/kudos`), who is credited, who recognised it and with which emoji, the principle tag and where "
    "the shout-out was posted. For tone tips: who was shown one, which rule, in which channel and when (never the "
    "message's words); the weekly digest only counts them. Admins' settings changes are kept with who made them."
)
NUDGES_EXPLAINED = (
    "When a teammate's message sounds like a brush-off, a threat or blame, Rapport shows that person alone a "
    "private tip with a warmer way to say it: nobody else sees it, and nobody is ranked by it. At most one tip per "
    "person per kind a day; never for customers or bots."
)
TURN_OFF = (
    "Your tone tips: `/rapport nudges off` (or *Don't show me these* on a tip). Everything about you: "
    "`/rapport forget-me`. A channel: remove Rapport from it (`/kick @Rapport`). Admins: `/rapport settings` turns "
    "tips off for the workspace or for some channels, and sets the retention period."
)


def people(users: tuple[str, ...] | list[str], *, limit: int = PEOPLE_SHOWN) -> str:
    """People as mentions, "<@A>, <@B> and <@C>"; past `limit` people, "<@A>, … and N others"."""
    named = [f"<@{u}>" for u in users[:limit]]
    if len(users) > limit:
        named.append(f"{len(users) - limit} others")
    if len(named) <= 1:
        return "".join(named)
    return ", ".join(named[:-1]) + " and " + named[-1]


def story_text(line: StoryLine, *, quote_limit: int = QUOTE_SHOWN) -> str:
    """One story in mrkdwn: who is credited (and with which customer), its words quoted, how many recognised
    it, its principle tag and a link to the message; every user-written part escaped, well under 3,000 characters.
    """
    head = f":star2: {people(line.credited) or 'A teammate'}"
    if line.customer_name:
        head += f" with *{escape(shorten(line.customer_name, CUSTOMER_SHOWN))}*"
    parts = [head]
    # What a reader sees of the Slack text: people named, links as their label, no live @channel; one line.
    words = readable(line.text, limit=quote_limit)
    if words:
        parts.append(f">{words}")
    count = line.recognisers
    details = [f"Recognised by {count} {'person' if count == 1 else 'people'}"]
    if line.principle:
        label = line.principle_label or PRINCIPLE_LABELS.get(line.principle, line.principle)
        details.append(f":sparkles: {escape(shorten(label, 60))}")
    if line.source_channel_id and line.source_ts:
        details.append(f"<{permalink(line.workspace_url, line.source_channel_id, line.source_ts)}|the message>")
    parts.append(" · ".join(details))
    return "\n".join(parts)


def build_rapport_help() -> dict[str, Any]:
    """`/rapport help`: what Rapport does, every command, and what it stores."""
    commands = "\n".join(
        (
            "• `/customer Acme` — a customer's card; `/customer Acme history` — the whole relationship; "
            "`/customer add Acme Corp owner @dana`, `/customer list`",
            "• `/followup Acme tomorrow at 3pm call back about the drive` — a reminder DM when it is due (the when "
            "as with `/remind`: `in 2 hours`, `friday at 5`, `EOD`, `Dec 15`, or last); `/followup list`",
            "• `/kudos @stephanie stayed until it was solved` — share a good story about teammates "
            "(`/kudos @support-team …` credits the whole group)",
            "• `/rapport stats` — the workspace's numbers; `/rapport help` — this help",
            "• `/rapport nudges off` / `/rapport nudges on` — your own private tone tips",
            "• `/rapport promises off` / `/rapport promises on` — private offers to turn a promise you make "
            "(“I'll call you back tomorrow”) into a follow-up",
            "• `/rapport forget-me` — delete your excerpts, tone-tip history and settings",
            "• `/rapport settings` — the workspace's settings (admins)",
            "• React with :star2: to share a message as a good story, or with :alarm_clock: to follow up on it; "
            "or use the message shortcuts *Share as a good story* and *Follow up on this*",
        )
    )
    return message(
        "How to use Rapport",
        [
            section(
                "*Rapport* helps the team serve customers like friends: it remembers which customers were "
                "talked about, reminds owners to follow up and to check back in, and turns good service "
                "moments into stories the whole team sees, with a weekly digest. It also offers private tone tips "
                "toward warmer replies."
            ),
            section(f"*Commands* (each answers `help`)\n{commands}"),
            section(f"*Tone tips*\n{NUDGES_EXPLAINED}"),
            section(f"*What Rapport stores*\n{STORES}"),
            section(f"*Turning things off*\n{TURN_OFF}"),
        ],
    )


def build_stats(stats: WorkspaceStats) -> dict[str, Any]:
    """`/rapport stats`: the workspace's numbers, never anyone's ranking."""
    stories = stats.stories_this_month
    lines = [f":star2: *{stories} good {'story' if stories == 1 else 'stories'}* this month ({stats.month_name})"]
    if stats.followups_done:
        lines.append(
            f":white_check_mark: *{stats.followups_on_time} of {stats.followups_done}* follow-ups done on "
            f"time in the last {stats.on_time_days} days"
        )
    else:
        lines.append(f":white_check_mark: No follow-ups done in the last {stats.on_time_days} days yet")
    quiet = stats.quiet_customers
    lines.append(
        f":hourglass_flowing_sand: *{quiet} of {stats.customers}* customers quiet "
        f"(no touch for {stats.quiet_days} days)"
    )
    fallback = f"Rapport stats: {stories} stories this month, {quiet} quiet customers"
    responses = (
        response_blocks(stats.first_responses, stats.customer_responses, days=stats.on_time_days)
        if stats.first_responses is not None
        else []
    )
    return message(
        fallback,
        [
            section("*Rapport in this workspace*\n" + "\n".join(lines)),
            *responses,
            context(
                f"Workspace numbers only: Rapport never ranks people. Months follow the workspace timezone "
                f"({escape(stats.timezone)})."
            ),
        ],
    )
