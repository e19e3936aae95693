"""The Slack app manifest: scopes, events, commands, shortcuts; Socket Mode or HTTP request URLs."""

from __future__ import annotations

from typing import Any

# Exactly the scopes Rapport uses (tests/test_manifest_scopes.py derives them from the methods and events the code
# uses); `rapport doctor` checks an install granted each of them.
BOT_SCOPES = (
    "channels:history",  # hear messages in public channels the bot is in, read a message someone reacted to
    "channels:read",  # the bot joining and leaving public channels; is it in the stories channel
    "groups:history",  # the same in private channels it is invited to
    "groups:read",
    "chat:write",  # reminders, alerts, DMs, tips, shout-outs, the digest, intro notes
    "commands",  # the slash commands and message shortcuts
    "reactions:read",  # story and follow-up emoji
    "reactions:write",  # the story emoji on each shout-out, so anyone can add theirs to recognise it
    "usergroups:read",  # `/kudos @support-team`: the group's members (usergroups.users.list)
    "users:read",  # timezones and admin flags (users.info), the workspace's own time (users.list), presence
    "users:read.email",  # CSV import by email
    "users.profile:read",  # an owner's status (users.profile.get): away, so the customer's backup is alerted too
)
BOT_EVENTS = (
    "app_home_opened",
    "app_uninstalled",  # delivered only to apps subscribed to it (no scope): sending stops at once
    "channel_left",
    "group_left",
    "member_joined_channel",
    "member_left_channel",
    "message.channels",
    "message.groups",
    "reaction_added",
    "reaction_removed",
    "tokens_revoked",  # the same
)
COMMANDS = (
    (
        "/customer",
        "Your customer directory: cards, owners, aliases",
        "[add|list|owner|backup|alias|remove|link|help] [name] [history]",
    ),
    ("/followup", "Remind yourself or a teammate to follow up", "[@owner] [customer] [when] note · list · help"),
    ("/kudos", "Share a good service story about a teammate", "@someone what they did"),
    ("/rapport", "Help, settings, stats and your nudge preference", "[help|settings|stats|nudges on|nudges off]"),
)
SHORTCUTS = (
    ("Follow up on this", "followup_from_message"),
    ("Share as a good story", "story_from_message"),
)


def build_manifest(*, url: str | None = None) -> dict[str, Any]:
    """The manifest as a dict: Socket Mode by default, HTTP request URLs when `url` is given (and the OAuth
    redirect URL, /slack/oauth_redirect, for installs with SLACK_CLIENT_ID/SLACK_CLIENT_SECRET)."""
    events_url = f"{url.rstrip('/')}/slack/events" if url else None
    commands = []
    for name, description, hint in COMMANDS:
        command: dict[str, Any] = {
            "command": name,
            "description": description,
            "usage_hint": hint,
            "should_escape": True,
        }
        if events_url:
            command["url"] = events_url
        commands.append(command)
    interactivity: dict[str, Any] = {"is_enabled": True}
    event_subscriptions: dict[str, Any] = {"bot_events": list(BOT_EVENTS)}
    if events_url:
        interactivity["request_url"] = events_url
        event_subscriptions = {"request_url": events_url, **event_subscriptions}
    return {
        "display_information": {
            "name": "Rapport",
            "description": "Serve relationally: remember customers, follow up, share good stories.",
            "background_color": "#2c5f2d",
        },
        "features": {
            "app_home": {
                "home_tab_enabled": True,
                "messages_tab_enabled": True,
                "messages_tab_read_only_enabled": True,
            },
            "bot_user": {"display_name": "Rapport", "always_online": True},
            "shortcuts": [
                {
                    "name": name,
                    "type": "message",
                    "callback_id": callback_id,
                    "description": f"{name} with Rapport",
                }
                for name, callback_id in SHORTCUTS
            ],
            "slash_commands": commands,
        },
        "oauth_config": {
            **({"redirect_urls": [f"{url.rstrip('/')}/slack/oauth_redirect"]} if url else {}),
            "scopes": {"bot": list(BOT_SCOPES)},
        },
        "settings": {
            "event_subscriptions": event_subscriptions,
            "interactivity": interactivity,
            "org_deploy_enabled": False,
            "socket_mode_enabled": url is None,
            "token_rotation_enabled": False,
        },
    }


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    # Quote every string: YAML's plain scalars have too many special cases (#, :, [, leading /).
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_yaml(value: Any, indent: int = 0) -> str:
    """Render dicts, lists and scalars as block-style YAML."""
    pad = "  " * indent
    lines: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, dict | list) and item:
                lines.append(f"{pad}{key}:")
                lines.append(to_yaml(item, indent + 1))
            else:
                lines.append(f"{pad}{key}: {_scalar(item) if not isinstance(item, dict | list) else '[]'}")
    else:
        for item in value:
            if isinstance(item, dict):
                rendered = to_yaml(item, indent + 1).splitlines()
                first = rendered[0].lstrip()
                lines.append(f"{pad}- {first}")
                lines.extend(rendered[1:])
            else:
                lines.append(f"{pad}- {_scalar(item)}")
    return "\n".join(lines)


def render_manifest(*, url: str | None = None) -> str:
    """The manifest as YAML text."""
    return "# Slack app manifest for Rapport. Generated by `rapport manifest`; do not edit by hand.\n" + (
        to_yaml(build_manifest(url=url)) + "\n"
    )
