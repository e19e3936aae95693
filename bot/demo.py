"""`rapport demo`: the real app against the local Slack simulator, playing a scripted support day."""

from __future__ import annotations

import html
import json
import re
import shutil
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from bot.app import Runtime, build_runtime
from bot.config import Settings
from bot.db.queries import mentions as mention_rows
from bot.db.queries import outbox as outbox_rows
from bot.db.queries import settings as settings_rows
from bot.domain.messages import ts_to_datetime
from bot.domain.when import WorkWeek, add_working_minutes, zone
from bot.services import digest, followups, outbox, stories, unanswered
from bot.slacksim import SimChannel, SimWorkspace, SlackSimulator
from bot.slacksim.views import view_state
from bot.transports import HttpServer
from bot.views.followups import FollowUpView

SECRET, BOT_TOKEN = "demo-signing-secret", "xoxb-demo-token"


# Slack shows each reader a `<!date^…>` token on their own clock: the transcript reads them as Lee does.
READER_ZONE = ZoneInfo("Europe/Berlin")


class Transcript:
    """Prints what people would see in Slack, as plain text."""

    def __init__(self, out: TextIO, workspace: SimWorkspace, now: Callable[[], datetime]) -> None:
        self.out = out
        self.now = now
        self.names = {u.id: u.name for u in workspace.users}
        self.names[workspace.bot_user_id] = "rapport"
        self.channels = {c.id: c.name for c in workspace.channels}

    def heading(self, text: str) -> None:
        """A scene heading."""
        self.out.write(f"\n── {text} " + "─" * max(4, 66 - len(text)) + "\n")

    def say(self, who: str, text: str, *, indent: int = 0, note: str = "") -> None:
        """One line of conversation."""
        pad = "    " * indent
        self.out.write(f"{pad}{self.names.get(who, who)}: {self.plain(text)}{note}\n")

    def bot(self, body: dict[str, Any], *, label: str) -> None:
        """What Rapport showed, rendered from its blocks."""
        self.out.write(f"  Rapport ({label}):\n")
        for line in self.render(body).splitlines():
            self.out.write(f"  │ {line}\n")

    def note(self, text: str) -> None:
        """A stage direction."""
        self.out.write(f"  · {text}\n")

    def plain(self, text: str) -> str:
        """Slack mrkdwn as a person reads it."""
        text = re.sub(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>", lambda m: "@" + self.names.get(m.group(1), m.group(1)), text)
        text = re.sub(
            r"<#([CG][A-Z0-9]+)(?:\|[^>]*)?>", lambda m: "#" + self.channels.get(m.group(1), m.group(1)), text
        )
        text = re.sub(r"<!date\^(\d+)\^([^|>]*)\|[^>]*>", lambda m: self.date(int(m.group(1)), m.group(2)), text)
        text = re.sub(r"<(https?://[^|>]+)\|([^>]+)>", r"\2 (\1)", text)
        text = re.sub(r"<(https?://[^>]+)>", r"\1", text)
        return html.unescape(text)

    def date(self, timestamp: int, fmt: str) -> str:
        """A `<!date^…>` token as Slack shows it to the demo's reader (Lee, in Berlin, on a 24-hour clock), as of the
        demo's clock: "Dec 7, 2026", "today", "Monday, December 7th, 2026", "10:00"."""
        local = datetime.fromtimestamp(timestamp, tz=UTC).astimezone(READER_ZONE)
        today = self.now().astimezone(READER_ZONE).date()
        near = {-1: "yesterday", 0: "today", 1: "tomorrow"}.get((local.date() - today).days)
        day = local.day
        nth = f"{day}{'th' if 11 <= day % 100 <= 13 else {1: 'st', 2: 'nd', 3: 'rd'}.get(day % 10, 'th')}"
        words = {
            "date_num": f"{local:%Y-%m-%d}",
            "date": f"{local:%B} {nth}, {local.year}",
            "date_short": f"{local:%b} {day}, {local.year}",
            "date_long": f"{local:%A}, {local:%B} {nth}, {local.year}",
            "time": f"{local:%H:%M}",
            "time_secs": f"{local:%H:%M:%S}",
        }
        words["date_pretty"] = near or words["date"]
        words["date_short_pretty"] = near or words["date_short"]
        words["date_long_pretty"] = near or words["date_long"]
        return re.sub(r"\{(\w+)\}", lambda m: words.get(m.group(1), m.group(0)), fmt)

    def render(self, body: dict[str, Any]) -> str:
        """Block Kit sections, headers and contexts as lines of text."""
        lines: list[str] = []
        for block in body.get("blocks") or []:
            kind = block.get("type")
            if kind == "header":
                lines.append(block["text"]["text"].upper())
            elif kind in ("section", "context"):
                parts = [block.get("text")] if kind == "section" else block.get("elements", [])
                for part in parts:
                    if isinstance(part, dict) and "text" in part:
                        lines.append(self.plain(part["text"]))
                accessory = block.get("accessory") or {}
                if accessory.get("type") == "button":
                    lines.append(f"[{accessory['text']['text']}]")
            elif kind == "input":
                element = block.get("element") or {}
                value = element.get("initial_value") or element.get("initial_date") or element.get("initial_time")
                if element.get("initial_user"):
                    value = "@" + self.names.get(element["initial_user"], element["initial_user"])
                shown = self.plain(str(value)) if value else f"({self.element_label(element)})"
                lines.append(f"{block['label']['text']}: [{shown}]")
            elif kind == "divider":
                lines.append("─" * 20)
            elif kind == "actions":
                lines.append("  ".join(f"[{self.element_label(e)}]" for e in block["elements"]))
        return "\n".join(lines) if lines else self.plain(str(body.get("text", "")))

    @staticmethod
    def element_label(element: dict[str, Any]) -> str:
        """How an interactive element reads in the transcript: its text, its placeholder, or its menu's choices."""
        label = (element.get("text") or element.get("placeholder") or {}).get("text")
        if label:
            return str(label)
        if element.get("type") == "overflow":
            return "⋯ " + " / ".join(str(o["text"]["text"]) for o in element.get("options") or [])
        return str(element.get("type") or "?")


class DemoClock:
    """The app's clock in the demo: real time, moved forward when the script skips ahead to "the next morning"."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def jump_to(self, moment: datetime) -> None:
        """From now on, the clock reads `moment` (and runs on from there)."""
        self.offset = moment - datetime.now(UTC)


class Demo:
    """One scripted day: the simulator, the app in HTTP mode, and a transcript."""

    def __init__(self, sim: SlackSimulator, runtime: Runtime, transcript: Transcript, clock: DemoClock) -> None:
        self.sim, self.runtime, self.t, self.clock = sim, runtime, transcript, clock

    def mentions(self) -> int:
        """How many mentions Rapport has recorded."""
        with self.runtime.deps.session_factory.begin() as session:
            return mention_rows.count(session, team_id=self.sim.workspace.team_id)

    def command(self, user: str, channel: str, text: str, *, command: str = "/customer") -> dict[str, Any]:
        """Someone types a slash command and sees Rapport's private reply (returned)."""
        self.t.say(user, f"{command} {text}".rstrip())
        delivery = self.sim.slash_command(user, channel, command, text)
        if isinstance(delivery.body, dict) and delivery.body.get("blocks"):
            self.t.bot(delivery.body, label="only visible to you")
            return delivery.body
        return {}

    def post(self, user: str, channel: str, text: str, *, thread_ts: str | None = None) -> str:
        """Someone posts; the transcript says whether Rapport recorded a mention."""
        before = self.mentions()
        ts, _ = self.sim.post_message(user, channel, text, thread_ts=thread_ts)
        recorded = self.mentions() - before
        note = (
            f"   ✓ recorded {recorded} mention{'s' if recorded != 1 else ''}" if recorded else "   (no customer named)"
        )
        self.t.say(user, text, indent=1 if thread_ts else 0, note=note)
        return ts

    def wait_for_bot_post(self, channel: str, count: int, timeout: float = 10.0) -> dict[str, Any]:
        """The bot's latest message in a channel, once the sender has delivered it."""
        calls = self.sim.wait_for_calls("chat.postMessage", count, timeout=timeout)
        posted = [c.args for c in calls if c.args.get("channel") == channel]
        return posted[-1]

    def reminded_at(self, at: datetime, user: str, *, followup_id: int | None = None) -> tuple[str, dict[str, Any]]:
        """Skip ahead to `at`, run the scheduled jobs as they would run then; the DM channel and the reminder (of
        `followup_id`, if given: other reminders may come at the same moment)."""
        deps = self.runtime.deps
        before = len(self.sim.calls_to("chat.postMessage"))
        self.clock.jump_to(at)
        followups.queue_reminders(deps, now=at)
        outbox.send_outbox(deps, client=self.runtime.client, now=at, worker="demo")
        # The app's own scheduler may have sent it first: either way, exactly one new DM to this person. Other
        # messages the scheduler sends at the same moment are not it.
        deadline = time.monotonic() + 10
        while not (
            posts := [
                c
                for c in self.sim.calls_to("chat.postMessage")[before:]
                if c.ok
                and c.args.get("channel") == user
                and (followup_id is None or f'"followup_{followup_id}"' in json.dumps(c.args))
            ]
        ):
            if time.monotonic() > deadline:
                raise RuntimeError(f"no reminder DM for {user}")
            time.sleep(0.02)
        channel, ts = posts[0].response["channel"], posts[0].response["ts"]
        return channel, self.dm(user, ts)

    def dm(self, user: str, ts: str) -> dict[str, Any]:
        """One of the bot's DMs to a person, as it reads now (after in-place updates)."""
        return next(m for m in self.sim.dm_messages(user) if m["ts"] == ts)

    def click(
        self, user: str, channel: str, message: dict[str, Any], action_id: str, *, option: int | None = None, label: str
    ) -> None:
        """Someone clicks a button (or picks a menu option) on one of the bot's messages."""
        block, element = next(
            (b, e) for b in message["blocks"] for e in b.get("elements", []) if e.get("action_id") == action_id
        )
        action = {**element, "block_id": block["block_id"]}
        if option is not None:
            action["selected_option"] = element["options"][option]
        self.t.note(f"{self.t.names.get(user, user)} clicks {label}")
        self.sim.send_interactive(
            {
                "type": "block_actions",
                "user": user,
                "channel": {"id": channel},
                "container": {"type": "message", "message_ts": message["ts"], "channel_id": channel},
                "message": message,
                "actions": [action],
            }
        )

    def open_followups(self, user: str) -> list[FollowUpView]:
        """A person's open follow-ups."""
        return followups.list_open(self.runtime.deps, team_id=self.sim.workspace.team_id, user_id=user)

    def follow_up_scene(self) -> None:
        """A follow-up created, reminded, snoozed, done, and the check-back-in a few days later."""
        t, support = self.t, "C0SUPPORT"
        t.heading("Lee promises Acme a call back")
        self.command("U0LEE", support, "Acme tomorrow call back to make sure the new drive works", command="/followup")
        [promise] = self.open_followups("U0LEE")

        t.heading("The next morning, 09:00 in Berlin (Lee's timezone)")
        dm_channel, reminder = self.reminded_at(promise.due_at, "U0LEE")
        t.bot(reminder, label="DM to @lee")
        self.click("U0LEE", dm_channel, reminder, "followup_snooze", option=0, label="Snooze → 1 hour")
        t.bot(self.dm("U0LEE", reminder["ts"]), label="the same DM, updated")
        [snoozed] = self.open_followups("U0LEE")

        t.heading("An hour later")
        dm_channel, again = self.reminded_at(snoozed.due_at, "U0LEE")
        t.bot(again, label="DM to @lee")
        self.click("U0LEE", dm_channel, again, "followup_done", label="Done")
        done = self.dm("U0LEE", again["ts"])
        t.bot(done, label="the same DM, updated")
        self.click("U0LEE", dm_channel, done, "followup_check_back", label="Check back in 3 days")
        [checkin] = self.open_followups("U0LEE")
        t.bot(self.sim.responses()[-1]["body"], label="only visible to you")

        t.heading("Three days later")
        t.bot(self.reminded_at(checkin.due_at, "U0LEE")[1], label="DM to @lee")

    def monthly_scene(self) -> None:
        """A monthly check-in: set once, reminded on the 1st, done, and the next month's planned."""
        t, support = self.t, "C0SUPPORT"
        t.heading("Lee sets a monthly check-in with Acme")
        checkin = "Acme every month on the 1st check everything is still good"
        self.command("U0LEE", support, checkin, command="/followup")
        [first] = [f for f in self.open_followups("U0LEE") if f.rhythm]

        t.heading("On the 1st, 09:00 in Berlin")
        dm_channel, reminder = self.reminded_at(first.due_at, "U0LEE", followup_id=first.id)
        t.bot(reminder, label="DM to @lee")
        self.click("U0LEE", dm_channel, reminder, "followup_done", label="Done")
        t.bot(self.dm("U0LEE", reminder["ts"]), label="the same DM, updated")
        [following] = [f for f in self.open_followups("U0LEE") if f.rhythm]
        due = following.due_at.astimezone(READER_ZONE)
        when = f"{due:%A} {due.day} {due:%b %Y at %H:%M}"
        t.note(f"Next month's check-in is planned: a follow-up of its own, due {when}.")

    def triage_scene(self) -> None:
        """Lee is on holiday when Acme writes in its shared channel: the alert reaches Kiri, Acme's backup, and the
        triage channel, where Kiri claims the wait and answers it."""
        t, deps, sim, shared, triage_channel = self.t, self.runtime.deps, self.sim, "C0ACME", "C0TRIAGE"
        t.heading("Dana sets up Acme's shared channel, a backup owner and a triage channel")
        sim.add_bot_to_channel(shared, inviter="U0DANA")
        self.command("U0DANA", shared, "link Acme Corp")
        self.command("U0DANA", shared, "backup Acme <@U0KIRI|kiri>")
        sim.add_bot_to_channel(triage_channel, inviter="U0DANA")
        self.change_settings({"triage_channel": triage_channel}, "#triage as the triage channel")
        sim.set_status("U0LEE", emoji=":palm_tree:", text="On holiday")
        t.note("Lee sets a Slack status: :palm_tree: On holiday.")

        t.heading("Bob, at Acme, writes in #acme-shared; nobody answers")
        asked = self.post("W0EXTBOB", shared, "Hi all, the new drive is throwing errors again. Could someone look?")
        with deps.session_factory.begin() as session:
            rules = settings_rows.of_workspace(session, team_id=sim.workspace.team_id, now=self.clock())
        week = WorkWeek.from_settings(rules.working_days, rules.working_hours_start, rules.working_hours_end)
        due = add_working_minutes(ts_to_datetime(asked), rules.unanswered_minutes, week, zone(rules.timezone))
        self.clock.jump_to(due + timedelta(seconds=1))
        wrote, alert = ts_to_datetime(asked).astimezone(READER_ZONE), due.astimezone(READER_ZONE)
        t.note(
            f"Bob wrote at {wrote:%H:%M} on {wrote:%A} (Berlin time); the alert comes after {rules.unanswered_minutes} "
            f"working minutes (working hours in {rules.timezone}), at {alert:%H:%M} on {alert:%A}:"
        )
        unanswered.queue_unanswered_alerts(deps, now=self.clock(), client=self.runtime.client)
        self.settle(frozenset({"unanswered", "triage"}))
        t.bot(sim.dm_messages("U0KIRI")[-1], label="DM to @kiri, Acme's backup owner")
        t.bot(sim.dm_messages("U0LEE")[-1], label="DM to @lee, on holiday")
        [listed] = [m for m in sim.messages(triage_channel) if "waiting" in str(m.get("text"))]
        t.bot(listed, label="in #triage")

        self.click("U0KIRI", triage_channel, listed, "triage_claim", label="Claim")
        claimed = self.updated(triage_channel, listed["ts"], "Claimed by")
        t.bot(claimed, label="the same message in #triage, updated")
        self.clock.jump_to(self.clock() + timedelta(minutes=12))
        t.note("Kiri calls Bob and sorts the drive out, then clicks Answered.")
        self.click("U0KIRI", triage_channel, claimed, "triage_answered", label="Answered")
        t.bot(self.updated(triage_channel, listed["ts"], "answered by"), label="the same message in #triage, updated")
        sim.set_status("U0LEE")

    def updated(self, channel: str, ts: str, words: str, timeout: float = 10.0) -> dict[str, Any]:
        """One of the bot's channel messages once an update containing `words` has reached it."""
        deadline = time.monotonic() + timeout
        while True:
            outbox.send_outbox(self.runtime.deps, client=self.runtime.client, now=self.clock(), worker="demo")
            found = next((m for m in self.sim.messages(channel) if m.get("ts") == ts), {})
            if words in json.dumps(found):
                return found
            if time.monotonic() > deadline:
                raise RuntimeError(f"the message {ts} in {channel} was not updated with {words!r}")
            time.sleep(0.05)

    def change_settings(self, changes: dict[str, Any], said: str) -> None:
        """Dana, an admin, changes settings in `/rapport settings`."""
        t = self.t
        before = len(self.sim.calls_to("views.open"))
        t.say("U0DANA", "/rapport settings")
        self.sim.slash_command("U0DANA", "C0SUPPORT", "/rapport", "settings")
        opened = self.sim.wait_for_calls("views.open", before + 1)[-1].args["view"]
        view = opened if isinstance(opened, dict) else json.loads(opened)
        t.note(f"Dana picks {said} and saves.")
        state = view_state(view, changes)
        saved = self.sim.send_interactive(
            {
                "type": "view_submission",
                "user": "U0DANA",
                "view": {**view, "id": "VDEMOTRIAGE", "state": {"values": state}},
            }
        )
        body = saved.body if isinstance(saved.body, dict) else {}
        t.bot(body.get("view") or {}, label="in the modal")

    def history_scene(self) -> None:
        """Before calling, Lee reads the whole relationship with Acme: `/customer Acme history`, newest first."""
        t, support = self.t, "C0SUPPORT"
        t.heading("Lee reads Acme's history before the call")
        opened = len(self.sim.calls_to("views.open"))
        self.command("U0LEE", support, "Acme history")
        raw = self.sim.wait_for_calls("views.open", opened + 1)[-1].args["view"]
        view = raw if isinstance(raw, dict) else json.loads(raw)
        t.bot(view, label="a modal, for @lee")

    def promise_scene(self) -> None:
        """Lee promises a customer a call with a time; Rapport offers, privately, the follow-up, taken in one click."""
        t, support = self.t, "C0SUPPORT"
        t.heading("Lee makes a promise, and keeps it in one click")
        before = len(self.sim.ephemerals(user="U0LEE"))
        self.post(
            "U0LEE", support, "Thanks for your patience, I'll call Acme back on Monday at 10am with the new date."
        )
        offer = self.ephemeral_for("U0LEE", before + 1)
        t.bot(offer, label="only visible to @lee")
        self.click("U0LEE", support, {**offer, "ts": offer["message_ts"]}, "promise_accept", label="Remind me")
        t.bot(self.sim.responses()[-1]["body"], label="the same message, replaced")
        t.note("Nothing is created without a click; Not this time dismisses, Change… opens the follow-up form.")
        self.edit_scene(support)

    def edit_scene(self, channel: str) -> None:
        """The customer asks to move the call: Lee edits the follow-up from `/followup list` (Edit… in its menu)."""
        t, user = self.t, "U0LEE"
        t.heading("Acme asks to move the call to Tuesday: Lee edits the follow-up")
        newest = max(f.id for f in self.open_followups(user))
        listing = self.command(user, channel, "list Acme", command="/followup")
        block = next(b for b in listing["blocks"] if b.get("block_id") == f"list_followup_{newest}")
        menu = block["accessory"]
        [edit] = [o for o in menu["options"] if o["value"].endswith(":edit")]
        t.note(f"{t.names.get(user, user)} picks Edit… in the follow-up's menu")
        opened = len(self.sim.calls_to("views.open"))
        self.sim.send_interactive(
            {
                "type": "block_actions",
                "user": user,
                "channel": {"id": channel},
                "container": {"type": "message", "message_ts": "0", "channel_id": channel, "is_ephemeral": True},
                "message": {"type": "message", "text": listing.get("text", ""), "blocks": listing["blocks"]},
                "actions": [{**menu, "block_id": block["block_id"], "selected_option": edit}],
            }
        )
        raw = self.sim.wait_for_calls("views.open", opened + 1)[-1].args["view"]
        form = raw if isinstance(raw, dict) else json.loads(raw)
        t.bot(form, label="the follow-up form, filled in")
        fields = {b.get("block_id"): b.get("element", {}) for b in form["blocks"]}
        when, note = "tuesday at 2pm", f"{fields['followup_note'].get('initial_value', '')} (moved to Tuesday)"
        t.note(f"{t.names.get(user, user)} changes When to “{when}” and saves")
        values = {
            "followup_owner": {"owner": {"type": "users_select", "selected_user": user}},
            "followup_customer": {
                "customer": {"type": "plain_text_input", "value": fields["followup_customer"].get("initial_value")}
            },
            "followup_when": {"when": {"type": "plain_text_input", "value": when}},
            "followup_note": {"note": {"type": "plain_text_input", "value": note}},
        }
        saved = self.sim.send_interactive(
            {
                "type": "view_submission",
                "user": {"id": user},
                "view": {**form, "id": "V0DEMOEDIT", "state": {"values": values}},
            }
        )
        if isinstance(saved.body, dict) and isinstance(saved.body.get("view"), dict):
            t.bot(saved.body["view"], label="the form, saved")

    def settle(self, kinds: frozenset[str]) -> None:
        """Wait until the outbox rows of these kinds are sent (by the app's own sender, or by this pass)."""
        deps, deadline = self.runtime.deps, time.monotonic() + 10
        while True:
            outbox.send_outbox(deps, client=self.runtime.client, now=self.clock(), worker="demo")
            with deps.session_factory.begin() as session:
                busy = outbox_rows.count_unsent(session, team_id=self.sim.workspace.team_id, kinds=list(kinds))
            if not busy:
                return
            if time.monotonic() > deadline:
                raise RuntimeError("the outbox did not drain")
            time.sleep(0.05)

    def react(self, user: str, channel: str, ts: str, *, removed: bool = False) -> None:
        """Someone adds (or removes) a :star2: on a message."""
        name = self.t.names.get(user, user)
        self.t.note(f"{name} {'removes their' if removed else 'reacts with'} :star2:")
        event = {
            "type": "reaction_removed" if removed else "reaction_added",
            "user": user,
            "reaction": "star2",
            "item": {"type": "message", "channel": channel, "ts": ts},
            "event_ts": ts,
        }
        self.sim.send_event(event)
        self.settle(stories.RENDERED_KINDS)

    def shoutout(self, channel: str) -> dict[str, Any]:
        """The shout-out as it reads now in the channel (or a thread in it): Slack's stored copy, edits included."""
        return next(m for m in reversed(self.sim.messages(channel)) if m.get("bot_id") and "A good story" in m["text"])

    def ephemeral_for(self, user: str, count: int, timeout: float = 10.0) -> dict[str, Any]:
        """The latest private message the bot showed a person, once the sender has delivered it."""
        deadline = time.monotonic() + timeout
        while len(found := self.sim.ephemerals(user=user)) < count:
            if time.monotonic() > deadline:
                raise RuntimeError(f"no private message for {user}")
            outbox.send_outbox(self.runtime.deps, client=self.runtime.client, now=self.clock(), worker="demo")
            time.sleep(0.05)
        return found[-1]

    def tone_scene(self) -> None:
        """Kiri brushes a customer off, gets a private tip, answers again relationally and is recognised for it."""
        t, support = self.t, "C0SUPPORT"
        t.heading("A brush-off, and a private tip")
        ask = self.post("U0DANA", support, "Initech is asking how to get a copy of last month's invoice.")
        self.post(
            "U0KIRI", support, "You'll have to call customer service for that, all I do is sell stuff.", thread_ts=ask
        )
        tip = self.ephemeral_for("U0KIRI", 1)
        t.bot(tip, label="only visible to @kiri")
        t.note("Nobody else sees the tip, and nobody is ranked by it.")
        self.click("U0KIRI", support, {**tip, "ts": tip["message_ts"]}, "nudge_thanks", label="Thanks")

        t.heading("Kiri tries again, and the team notices")
        better = self.post(
            "U0KIRI",
            support,
            "Actually, of course, I can take care of that for you: I'll send Initech the copy myself within the hour.",
            thread_ts=ask,
        )
        self.react("U0DANA", support, better)
        t.bot(self.shoutout(support), label="in the thread, a shout-out")

    def settings_scene(self, stories_channel: str) -> None:
        """Dana, an admin, makes a channel the stories channel in `/rapport settings`."""
        t = self.t
        self.sim.add_bot_to_channel(stories_channel, inviter="U0DANA")
        t.note(f"Dana invites @Rapport to #{t.channels.get(stories_channel, stories_channel)}.")
        before = len(self.sim.calls_to("views.open"))
        t.say("U0DANA", "/rapport settings")
        self.sim.slash_command("U0DANA", stories_channel, "/rapport", "settings")
        opened = self.sim.wait_for_calls("views.open", before + 1)[-1].args["view"]
        view = opened if isinstance(opened, dict) else json.loads(opened)
        t.note(
            f"A modal opens with {sum(b['type'] == 'input' for b in view['blocks'])} settings; Dana picks "
            f"#{t.channels.get(stories_channel, stories_channel)} as the stories channel and saves."
        )
        state = view_state(view, {"stories_channel": stories_channel})
        saved = self.sim.send_interactive(
            {
                "type": "view_submission",
                "user": "U0DANA",
                "view": {**view, "id": "VDEMOSETTINGS", "state": {"values": state}},
            }
        )
        body = saved.body if isinstance(saved.body, dict) else {}
        t.bot(body.get("view") or {}, label="in the modal")

    def story_scene(self) -> None:
        """Stephanie goes the extra mile; three teammates recognise it, one changes their mind; the week's digest."""
        t, support, stories_channel = self.t, "C0SUPPORT", "C0RANDOM"
        t.heading("Stephanie goes the extra mile")
        ask = self.post("U0KIRI", support, "Globex's payment failed and their bank keeps putting them on hold.")
        reply = self.post(
            "U0STEPH",
            support,
            "Of course, I can take care of that for you… here, let me call them for you",
            thread_ts=ask,
        )
        self.react("U0DANA", support, reply)
        t.bot(self.shoutout(support), label="in the thread, a shout-out")
        for user, removed in (("U0LEE", False), ("U0KIRI", False), ("U0LEE", True)):
            self.react(user, support, reply, removed=removed)
            t.bot(self.shoutout(support), label="the same shout-out, updated")
        dm = next(m for m in self.sim.dm_messages("U0STEPH") if "good story about you" in m["text"])
        t.bot(dm, label="DM to @stephanie")

        t.heading("Friday afternoon: the week's digest")
        deps = self.runtime.deps
        with deps.session_factory.begin() as session:
            settings = settings_rows.of_workspace(session, team_id=self.sim.workspace.team_id, now=self.clock())
            day, minutes, tz = settings.digest_day, settings.digest_time, settings.timezone
        moment = digest.digest_week(self.clock() + timedelta(days=7), day=day, minutes=minutes, tz=tz).moment
        self.clock.jump_to(moment)
        self.settings_scene(stories_channel)
        digest.queue_weekly_digest(deps, now=moment)
        self.settle(frozenset({"digest"}))
        posted = next(
            m
            for m in reversed(self.sim.messages(stories_channel))
            if m.get("bot_id") and m.get("blocks") and "Hi! I'm" not in json.dumps(m)
        )
        t.bot(posted, label="in #random, the weekly digest")

    def play(self) -> None:
        """The script."""
        t, support = self.t, "C0SUPPORT"
        t.heading("Dana sets up the customer directory")
        self.command("U0DANA", support, "add Acme Corp aka Acme, ACME Inc owner <@U0LEE|lee> since 2019-04-01")
        self.command("U0DANA", support, "add Globex Industries aka Globex since 2021-09-15")
        self.command("U0DANA", support, "add Initech")
        self.command("U0DANA", support, "add Acme Corp")

        t.heading("Dana invites @Rapport to #support")
        self.sim.add_bot_to_channel(support, inviter="U0DANA")
        t.bot(self.wait_for_bot_post(support, 1), label="in #support, once, on joining")

        t.heading("A morning in #support")
        first = self.post("U0STEPH", support, "Acme's drive failed again and they're frustrated.")
        self.post(
            "U0LEE", support, "I'll call ACME back this afternoon and stay on it until it's fixed.", thread_ts=first
        )
        self.post("U0KIRI", support, "Anyone know who handles the Globex invoice question?")
        self.post("U0DANA", support, "Lunch in Acmeville today? <@U0LEE> you in?")
        edited = self.post("U0KIRI", support, "Initech wants a quote")
        self.sim.edit_message(support, edited, "Sorry, wrong channel: ignore this")
        t.note("Kiri edits the Initech message to remove the name: its mention is withdrawn.")
        t.note(f"Rapport now holds {self.mentions()} mentions.")

        t.heading("Lee checks the Acme card before calling")
        self.command("U0LEE", support, "Acme")
        t.heading("Dana looks for customers who have gone quiet")
        self.command("U0DANA", support, "list")
        t.heading("Mistakes get a friendly answer")
        self.command("U0DANA", support, "delete Initech")
        self.command("U0DANA", support, "Umbrella")
        self.command("U0DANA", support, "add Hooli since 2019-02-30")
        self.follow_up_scene()
        self.promise_scene()
        self.tone_scene()
        self.story_scene()
        self.monthly_scene()
        self.triage_scene()
        self.history_scene()


def run_demo(*, out: TextIO, keep: bool = False, sleep: Callable[[float], None] = time.sleep) -> int:
    """Run the demo in a temporary folder and print the transcript; returns an exit code."""
    folder = Path(tempfile.mkdtemp(prefix="rapport-demo-"))
    workspace = SimWorkspace.default()
    workspace.channels.append(SimChannel("C0TRIAGE", "triage", creator="U0DANA"))
    try:
        with SlackSimulator(workspace=workspace, signing_secret=SECRET, bot_token=BOT_TOKEN) as sim:
            settings = Settings.from_env(
                {
                    "SLACK_BOT_TOKEN": BOT_TOKEN,
                    "SLACK_SIGNING_SECRET": SECRET,
                    "SLACK_API_URL": sim.api_url,
                    "DATABASE_URL": f"sqlite:///{folder / 'rapport.db'}",
                }
            )
            clock = DemoClock()
            # Slack stamps messages with its own clock: in the demo, the app's (the script skips ahead on both).
            sim.clock = lambda: clock().timestamp()
            runtime = build_runtime(settings, clock=clock)
            server = HttpServer(runtime, host="127.0.0.1", port=0)
            server.start_in_thread()
            runtime.start_jobs()
            sim.deliver_http_to(f"{server.url}/slack/events")
            out.write("Rapport demo: the real app, a local Slack simulator, and a scripted support day.\n")
            out.write(f"(database: {folder / 'rapport.db'}; Slack simulator at {sim.api_url})\n")
            out.write("(Times in Rapport's messages read as Slack shows them to Lee, in Berlin.)\n")
            try:
                Demo(sim, runtime, Transcript(out, workspace, clock), clock).play()
            finally:
                server.close()
                runtime.close()
            calls = len(sim.calls)
        out.write(f"\nDone: {calls} Slack Web API calls made to the simulator.\n")
        return 0
    finally:
        if keep:
            out.write(f"Kept {folder}\n")
        else:
            shutil.rmtree(folder, ignore_errors=True)
