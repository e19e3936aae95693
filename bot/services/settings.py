"""Workspace settings: who may change them, the current values, and saving a change with its audit trail.

A save bumps the workspace's settings version, so every process's cached nudge settings reload on their next
message; everything else reads the settings row in the transaction that uses it.
"""

from __future__ import annotations

import logging
from dataclasses import fields, replace

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.db.models import WorkspaceSettings
from bot.db.queries import channels as channel_rows
from bot.db.queries import settings as settings_rows
from bot.db.queries import workspaces as workspace_rows
from bot.domain import workspace_settings as ws
from bot.domain.tone import shipped_rules
from bot.runtime.caches import warm_tone_matcher
from bot.runtime.deps import Deps
from bot.services import profiles
from bot.services.workspace_time import timezone_view
from bot.views.settings import SettingsView

log = logging.getLogger(__name__)


def is_admin(deps: Deps, client: WebClient, *, team_id: str, user_id: str) -> bool:
    """RAPPORT_ADMINS, or a Slack admin or owner (asked of Slack each time: a demotion counts at once)."""
    if user_id in deps.settings.admins:
        return True
    profile = profiles.fresh_profile(deps, client, team_id=team_id, user_id=user_id)
    return profile is not None and (profile.is_admin or profile.is_owner)


def _values(row: WorkspaceSettings) -> ws.WorkspaceSettingsValues:
    return ws.WorkspaceSettingsValues(**{f.name: getattr(row, f.name) for f in fields(ws.WorkspaceSettingsValues)})


def current(deps: Deps, *, team_id: str) -> SettingsView:
    """The workspace's settings, the shipped rules an admin can turn off, and the latest change."""
    with deps.session_factory.begin() as session:
        row = settings_rows.of_workspace(session, team_id=team_id, now=deps.clock())
        values, timezone = _values(row), timezone_view(row)
        latest = settings_rows.changes(session, team_id=team_id, limit=1)
    last = (latest[0].user_id, latest[0].changed_at) if latest else None
    return SettingsView(values=values, rules=shipped_rules(), last_change=last, timezone=timezone)


def bot_is_in(deps: Deps, client: WebClient, *, team_id: str, channel_id: str) -> bool:
    """Whether the bot is a member of the channel (it can post there): watched, or Slack says so."""
    with deps.session_factory.begin() as session:
        if channel_rows.watched_ids(session, team_id=team_id, channel_ids=[channel_id]):
            return True
    try:  # joined before Rapport ran, or while it was down: Slack knows
        channel = client.conversations_info(channel=channel_id).get("channel") or {}
    except (SlackApiError, SlackClientError, OSError) as error:
        log.info("conversations.info for %s failed: %s", channel_id, error)
        return False
    return bool(channel.get("is_member"))


def save(deps: Deps, client: WebClient, *, team_id: str, user_id: str, form: ws.SettingsForm) -> list[ws.SettingChange]:
    """Validate and store the form; every changed setting is recorded (who, when, from, to).

    Raises SettingsInvalid with a message for each setting that needs a fix; then nothing is stored.
    """
    with deps.session_factory.begin() as session:
        row = settings_rows.of_workspace(session, team_id=team_id, now=deps.clock())
        before, was_admins = _values(row), row.timezone_set_by_admin
        automatic = timezone_view(row).automatic
    # The timezone field left empty means "automatic" (the primary owner's, or the most common); anything typed
    # there is an admin's choice, which a later read of the workspace's people never overrides.
    typed = (form.timezone or "").strip()
    admins_zone = was_admins if ws.TIMEZONE in form.missing else bool(typed)
    if ws.TIMEZONE not in form.missing and not typed:
        form = replace(form, timezone=automatic)
    form = ws.complete_form(form, before)
    values = ws.validate_settings(
        form, rule_ids=frozenset(rule.id for rule in shipped_rules()), current_principles=before.principles
    )
    if (
        values.stories_channel
        and values.stories_channel != before.stories_channel
        and not bot_is_in(deps, client, team_id=team_id, channel_id=values.stories_channel)
    ):
        raise ws.SettingsInvalid(
            {
                ws.STORIES_CHANNEL: "I'm not in that channel yet: invite me with "
                "`/invite @Rapport` there, then save again."
            }
        )
    if (
        values.triage_channel
        and values.triage_channel != before.triage_channel
        and not bot_is_in(deps, client, team_id=team_id, channel_id=values.triage_channel)
    ):
        raise ws.SettingsInvalid(
            {
                ws.TRIAGE_CHANNEL: "I'm not in that channel yet: invite me with "
                "`/invite @Rapport` there, then save again."
            }
        )
    now = deps.clock()
    with deps.session_factory.begin() as session:
        row = settings_rows.of_workspace(session, team_id=team_id, now=now)
        changes = ws.with_timezone_choice(
            ws.changes_between(_values(row), values),
            old=(row.timezone, row.timezone_set_by_admin),
            new=(values.timezone, admins_zone),
        )
        if not changes:
            return []
        for item in fields(ws.WorkspaceSettingsValues):
            setattr(row, item.name, getattr(values, item.name))
        row.timezone_set_by_admin = admins_zone
        row.updated_at = now
        settings_rows.add_changes(
            session,
            team_id=team_id,
            rows=[
                dict(team_id=team_id, user_id=user_id, changed_at=now, setting=c.key, old_value=c.old, new_value=c.new)
                for c in changes
            ],
        )
        workspace_rows.bump_settings_version(session, team_id=team_id)
    if any(c.key in (ws.RULES_ADDED, ws.RULES_DISABLED, ws.RULES_FILE) for c in changes):
        warm_tone_matcher(
            rules_added=values.tone_rules_added,
            rules_disabled=values.tone_rules_disabled,
            rules_file=values.tone_rules_file,
        )
    log.info("settings of %s changed by %s: %s", team_id, user_id, ", ".join(c.key for c in changes))
    return changes
