"""Block Kit for the customer directory: help, cards, lists, replies and the add-customer modal."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.blocks.history import HISTORY_ACTION, history_value
from bot.blocks.text import (
    Block,
    context,
    date_token,
    divider,
    escape,
    header,
    message,
    permalink,
    readable,
    section,
)
from bot.domain.customer_commands import USAGE_EXAMPLES
from bot.domain.errors import ALIASES_FIELD, BACKUP_FIELD, NAME_FIELD, SINCE_FIELD
from bot.views.customers import AddedCustomer, CustomerCard, CustomerList, CustomerRemoval, NameMatching

ADD_CUSTOMER_CALLBACK = "customer_add"
NAME_BLOCK, NAME_ACTION = NAME_FIELD, "name_input"  # block ids name the fields: an error shows under its own
ALIASES_BLOCK, ALIASES_ACTION = ALIASES_FIELD, "aliases_input"
OWNER_BLOCK, OWNER_ACTION = "owner", "owner_select"
BACKUP_BLOCK, BACKUP_ACTION = BACKUP_FIELD, "backup_select"
SINCE_BLOCK, SINCE_ACTION = SINCE_FIELD, "since_date"
REMOVE_CONFIRM_ACTION = "customer_remove_confirm"
REMOVE_KEEP_ACTION = "customer_remove_keep"
EXACT_BLOCK, EXACT_ACTION = "exact", "exact_choice"
# The form's switch: as the word lists decide, only as written, or in any letter case.
EXACT_AUTO, EXACT_ON, EXACT_OFF = "auto", "on", "off"
LIST_LINES_PER_SECTION = 25
EXCERPT_SHOWN = 280


def build_customer_help() -> dict[str, Any]:
    """`/customer help`: usage with examples."""
    lines = "\n".join(f"• `{escape(e)}`" for e in USAGE_EXAMPLES)
    return message(
        "How to use /customer",
        [
            section(
                "*/customer* keeps your customer directory. Rapport notices these names in the channels "
                "it's in and shows each customer's recent mentions on their card."
            ),
            section(lines),
            context(
                "Every part after the name is optional; the owner defaults to you. Type `/customer` alone for a form."
            ),
            context(
                "A name that is also an everyday word or a tool's name (“Target”, “Box”, “Zoom”) counts only as "
                "written: “Target called” is a mention, “our target is 50” is not (a capital at the start of a "
                "sentence still counts). I switch this on by myself when such a name is added; "
                "`/customer exact Target off` counts it in any letter case, `/customer exact Target` says how it "
                "is matched now."
            ),
        ],
    )


def build_confirmation(mrkdwn: str, fallback: str) -> dict[str, Any]:
    """A short ephemeral confirmation; `mrkdwn` is already escaped by the caller, `fallback` is raw words."""
    return message(fallback, [section(f":white_check_mark: {mrkdwn}")])


def _as_written_note(matching: NameMatching) -> str:
    """Why and how a name counts only as written, and the switch; empty when it counts in any letter case."""
    if not matching.exact:
        return ""
    why = {
        "everyday word": f"“{escape(matching.name)}” is also an everyday word, so ",
        "tool": f"“{escape(matching.name)}” is also the name of a well-known tool or brand, so ",
    }.get(matching.reason, "")
    lower = escape(matching.written.lower())
    return (
        f"{why}I'll count “{escape(matching.name)}” only when it's written *{escape(matching.written)}*, "
        f"not “{lower}” (a capital at the start of a sentence still counts). To count it in any letter case: "
        f"`/customer exact {escape(matching.name)} off`"
    )


def confirm_added(added: AddedCustomer) -> dict[str, Any]:
    """Confirmation of a new customer, saying which of its names count only as written."""
    notes = [note for note in (_as_written_note(m) for m in added.names) if note]
    return build_confirmation(
        f"Added *{escape(added.name)}*, owned by <@{added.owner_user_id}>. I'll record mentions of it in the "
        "channels I'm in." + "".join(f"\n{note}" for note in notes),
        f"Added {added.name}",
    )


def confirm_backup(name: str, backup_user_id: str | None) -> dict[str, Any]:
    """Confirmation of a backup owner set or removed."""
    if backup_user_id is None:
        return build_confirmation(
            f"*{escape(name)}* has no backup owner now: while its owner is away, alerts go to the owner alone.",
            f"No backup owner for {name}",
        )
    return build_confirmation(
        f"<@{backup_user_id}> is now *{escape(name)}*'s backup owner: while its owner is away (away in Slack, a "
        "status such as :palm_tree: or “OOO”, or no longer a member), alerts about its waiting messages go to "
        f"<@{backup_user_id}> too.",
        f"New backup owner for {name}",
    )


def confirm_owner(name: str, owner_user_id: str) -> dict[str, Any]:
    """Confirmation of an owner change."""
    return build_confirmation(f"*{escape(name)}* is now owned by <@{owner_user_id}>.", f"New owner for {name}")


def confirm_alias(alias: NameMatching) -> dict[str, Any]:
    """Confirmation of a new alias, saying whether it counts only as written."""
    note = _as_written_note(alias)
    return build_confirmation(
        f"*{escape(alias.customer)}* is now also known as *{escape(alias.name)}*." + (f"\n{note}" if note else ""),
        f"{alias.customer} aka {alias.name}",
    )


def confirm_exact(matching: NameMatching, *, changed: bool) -> dict[str, Any]:
    """`/customer exact`: how a name is matched now, and the switch back."""
    name, customer = escape(matching.name), escape(matching.customer)
    of = "" if matching.name == matching.customer else f" (a name of *{customer}*)"
    if matching.exact:
        text = (
            f"“{name}”{of} {'now counts' if changed else 'counts'} only when it's written "
            f"*{escape(matching.written)}*, not “{escape(matching.written.lower())}”. "
            f"To count it in any letter case: `/customer exact {name} off`"
        )
    else:
        text = (
            f"“{name}”{of} {'now counts' if changed else 'counts'} in any letter case. "
            f"To count it only as written: `/customer exact {name} on`"
        )
    return build_confirmation(text, f"{matching.name}: {'only as written' if matching.exact else 'any case'}")


def _count(number: int, noun: str, nouns: str | None = None) -> str:
    return f"{number} {noun if number == 1 else nouns or noun + 's'}"


def _deleted(removal: CustomerRemoval) -> str:
    """What a removal deletes and unlinks, in words (the same before and after)."""
    channels = ", ".join(f"<#{c}>" for c in removal.channel_ids)
    verb = "is" if len(removal.channel_ids) == 1 else "are"
    unlinked = f"; {channels} {verb} unlinked from it (I stay in the channel)" if channels else ""
    return (
        f"its name and aliases, its {_count(removal.mentions, 'recorded mention')} with their excerpts, and any of "
        f"its messages still waiting for an answer{unlinked}"
    )


def _kept(removal: CustomerRemoval) -> str:
    """What a removal keeps, in words."""
    return (
        f"{_count(removal.open_followups, 'open follow-up')} (they stay with their owners) and "
        f"{_count(removal.stories, 'story', 'stories')}, no longer about the customer"
    )


def build_removal_question(removal: CustomerRemoval) -> dict[str, Any]:
    """`/customer remove`: what it deletes and keeps, with Remove and Keep buttons (nothing changes before)."""
    name, value = escape(removal.name), str(removal.customer_id)
    return message(
        f"Remove {removal.name}? Nothing is removed until you choose.",
        [
            section(f":wastebasket: *Remove {name}?*\nThis deletes {_deleted(removal)}."),
            context(f"Kept: {_kept(removal)}. A removal cannot be undone."),
            {
                "type": "actions",
                "block_id": f"customer_remove_{value}",
                "elements": [
                    {
                        "type": "button",
                        "action_id": REMOVE_CONFIRM_ACTION,
                        "style": "danger",
                        "value": value,
                        "text": {"type": "plain_text", "text": "Remove"},
                    },
                    {
                        "type": "button",
                        "action_id": REMOVE_KEEP_ACTION,
                        "value": value,
                        "text": {"type": "plain_text", "text": "Keep"},
                    },
                ],
            },
        ],
    )


def confirm_removed(removal: CustomerRemoval) -> dict[str, Any]:
    """What a confirmed removal deleted and kept."""
    return message(
        f"Removed {removal.name}",
        [
            section(f":white_check_mark: Removed *{escape(removal.name)}*: deleted {_deleted(removal)}."),
            context(f"Kept: {_kept(removal)}."),
        ],
    )


def build_removal_kept(name: str | None) -> dict[str, Any]:
    """Keep was chosen: nothing was removed."""
    who = f"*{escape(name)}*" if name else "the customer"
    return message("Nothing was removed.", [context(f"Okay: {who} stays, and nothing was removed.")])


def confirm_linked(name: str, channel_id: str) -> dict[str, Any]:
    """Confirmation of a channel link."""
    return build_confirmation(
        f"<#{channel_id}> is now linked to *{escape(name)}*: every message here counts as a mention of it.",
        f"Channel linked to {name}",
    )


def _touch(when: datetime | None) -> str:
    return date_token(when, fmt="{date_short_pretty}") if when else "never"


def build_customer_card(card: CustomerCard) -> dict[str, Any]:
    """The customer card: owner, since, last touch, latest mentions with links."""
    facts = [f"*Owner:* <@{card.owner_user_id}>", f"*Last touch:* {_touch(card.last_touch)}"]
    if card.backup_user_id:
        facts.insert(1, f"*Backup owner:* <@{card.backup_user_id}> (alerted too while the owner is away)")
    if card.since:
        facts.insert(1, f"*Customer since:* {card.since.isoformat()}")
    if card.aliases:
        facts.append("*Also known as:* " + ", ".join(escape(a) for a in card.aliases))
    if card.linked_channels:
        facts.append("*Channel:* " + ", ".join(f"<#{c}>" for c in card.linked_channels))
    facts += [f"*Repeating:* :repeat: {r}" for r in card.rhythms]
    if card.as_written:
        facts.append("*Counted only as written:* " + ", ".join(escape(w) for w in card.as_written))
    blocks: list[Block] = [header(card.name), section("\n".join(facts)), divider()]
    if card.mentions:
        blocks.append(section("*Latest mentions*"))
        for m in card.mentions:
            link = permalink(card.workspace_url, m.channel_id, m.message_ts, m.thread_ts)
            # Stored as Slack text: the people it mentions are named for each reader, links read as their label.
            quote = readable(m.excerpt, limit=EXCERPT_SHOWN) if m.excerpt else "_(excerpt expired)_"
            author = f"<@{m.user_id}>" if m.user_id else "someone"
            blocks.append(section(f"{author} in <#{m.channel_id}>, {date_token(m.at)} · <{link}|open>\n>{quote}"))
    else:
        blocks.append(context("No mentions yet. Invite me to your support channels and I'll notice this name."))
    if card.customer_id:
        blocks.append(
            {
                "type": "actions",
                "block_id": f"customer_card_{card.customer_id}",
                "elements": [
                    {
                        "type": "button",
                        "action_id": HISTORY_ACTION,
                        "value": history_value(card.customer_id, 0),
                        "text": {"type": "plain_text", "text": "History"},
                    }
                ],
            }
        )
    return message(f"Customer card: {card.name}", blocks)


def build_customer_list(listing: CustomerList) -> dict[str, Any]:
    """Customers, quietest first."""
    if not listing.customers:
        return message(
            "No customers yet",
            [section("No customers yet. Add the first one:"), context("`/customer add Acme Corp aka Acme`")],
        )
    lines = [
        f"• *{escape(c.name)}* · <@{c.owner_user_id}> · last touch {_touch(c.last_touch)}" for c in listing.customers
    ]
    blocks: list[Block] = [section(f"*Customers, quietest first* ({listing.total})")]
    for start in range(0, len(lines), LIST_LINES_PER_SECTION):
        blocks.append(section("\n".join(lines[start : start + LIST_LINES_PER_SECTION])))
    if listing.total > len(listing.customers):
        blocks.append(context(f"Showing the {len(listing.customers)} quietest of {listing.total}."))
    return message("Customers, quietest first", blocks)


def build_add_customer_modal(*, channel_id: str, owner_user_id: str) -> dict[str, Any]:
    """The modal `/customer` opens with no text."""
    return {
        "type": "modal",
        "callback_id": ADD_CUSTOMER_CALLBACK,
        "private_metadata": channel_id,
        "title": {"type": "plain_text", "text": "Add a customer"},
        "submit": {"type": "plain_text", "text": "Add"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            {
                "type": "input",
                "block_id": NAME_BLOCK,
                "label": {"type": "plain_text", "text": "Name"},
                "element": {
                    "type": "plain_text_input",
                    "action_id": NAME_ACTION,
                    "max_length": 200,
                    "placeholder": {"type": "plain_text", "text": "Acme Corp"},
                },
            },
            {
                "type": "input",
                "block_id": ALIASES_BLOCK,
                "optional": True,
                "label": {"type": "plain_text", "text": "Also known as"},
                "hint": {"type": "plain_text", "text": "Other names people use, separated by commas."},
                "element": {
                    "type": "plain_text_input",
                    "action_id": ALIASES_ACTION,
                    "placeholder": {"type": "plain_text", "text": "Acme, ACME Inc"},
                },
            },
            {
                "type": "input",
                "block_id": OWNER_BLOCK,
                "label": {"type": "plain_text", "text": "Owner"},
                "element": {"type": "users_select", "action_id": OWNER_ACTION, "initial_user": owner_user_id},
            },
            {
                "type": "input",
                "block_id": BACKUP_BLOCK,
                "optional": True,
                "label": {"type": "plain_text", "text": "Backup owner"},
                "hint": {"type": "plain_text", "text": "Alerted too about a waiting message while the owner is away."},
                "element": {"type": "users_select", "action_id": BACKUP_ACTION},
            },
            {
                "type": "input",
                "block_id": SINCE_BLOCK,
                "optional": True,
                "label": {"type": "plain_text", "text": "Customer since"},
                "element": {"type": "datepicker", "action_id": SINCE_ACTION},
            },
            _exact_input(),
        ],
    }


def _option(value: str, text: str, description: str) -> dict[str, Any]:
    return {
        "value": value,
        "text": {"type": "plain_text", "text": text},
        "description": {"type": "plain_text", "text": description},
    }


def _exact_input() -> dict[str, Any]:
    """The form's `/customer exact` switch, for the name and its aliases."""
    automatic = _option(
        EXACT_AUTO, "Automatically", "Only as written if a name is an everyday word or a tool (Target, Zoom)"
    )
    return {
        "type": "input",
        "block_id": EXACT_BLOCK,
        "optional": True,
        "label": {"type": "plain_text", "text": "Letter case"},
        "element": {
            "type": "radio_buttons",
            "action_id": EXACT_ACTION,
            "initial_option": automatic,
            "options": [
                automatic,
                _option(EXACT_ON, "Only as written", "“Target called” counts, “our target is 50” does not"),
                _option(EXACT_OFF, "Any letter case", "“target”, “Target” and “TARGET” all count"),
            ],
        },
    }
