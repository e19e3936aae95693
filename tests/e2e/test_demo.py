"""`rapport demo` plays its day and shows what a person would see."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.demo import run_demo

BERLIN = ZoneInfo("Europe/Berlin")  # Lee's zone in the simulated workspace


def _day(day: date) -> str:
    """A date as confirmations write it: "Wednesday 2 Dec"."""
    return f"{day:%A} {day.day} {day:%b}"


def test_demo_transcript() -> None:
    # The demo runs on today's date: "tomorrow" is Lee's tomorrow in Berlin (either side of a midnight during the run).
    before = datetime.now(UTC).astimezone(BERLIN).date()
    out = io.StringIO()
    assert run_demo(out=out) == 0
    transcript = out.getvalue()
    tomorrows = {before + timedelta(days=1), datetime.now(UTC).astimezone(BERLIN).date() + timedelta(days=1)}
    assert any(
        f"I'll remind you {_day(t)} at 09:00, your time, about *Acme Corp*" in transcript for t in tomorrows
    )  # lee's words and zone (Berlin)
    # "on Monday at 10am", said the morning after: the first Monday from then on, and the click confirms that time.
    [monday] = re.findall(r"\*When:\* (\w+ \d+ \w+) at 10:00, your time", transcript)
    assert monday.startswith("Monday ") and any(
        monday == _day(t + timedelta(days=k)) for t in tomorrows for k in range(8)
    )
    assert f"I'll remind you {monday} at 10:00, your time, about *Acme Corp*" in transcript
    # The promised call moved to the Tuesday after that Monday, in the follow-up form opened by Edit….
    edit = next(s for s in transcript.split("── ") if s.startswith("Acme asks to move the call"))
    tuesday = next(
        _day(t + timedelta(days=k + 1)) for t in tomorrows for k in range(8) if _day(t + timedelta(days=k)) == monday
    )
    assert "*The open follow-ups for Acme Corp*" in edit and "lee picks Edit… in the follow-up's menu" in edit
    assert "When: [" in edit and "at 10:00]" in edit  # the form, filled in with the promised time on Lee's clock
    assert f":pencil2: Saved. I'll remind you {tuesday} at 14:00, your time, about *Acme Corp*" in edit
    assert "(moved to Tuesday)”" in edit and "UTC" not in edit  # every time as Lee reads it
    # Lee on holiday: Bob's waiting message reaches Kiri (Acme's backup, told why) and #triage, where Kiri claims it.
    waiting = next(s for s in transcript.split("── ") if s.startswith("Bob, at Acme, writes"))
    kiri = waiting.split("Rapport (DM to @kiri, Acme's backup owner):")[1].split("Rapport (")[0]
    assert "@lee is away (:palm_tree: On holiday), so you're getting this as *Acme Corp*'s backup owner." in kiri
    assert "You seem to be away (:palm_tree: On holiday), so @kiri" in waiting
    triage_posts = waiting.split("Rapport (")[3:]
    assert [p.split(")")[0] for p in triage_posts] == ["in #triage"] + ["the same message in #triage, updated"] * 2
    assert "*Acme Corp* has 1 message waiting for an answer · owner @lee" in triage_posts[0]
    assert "[Claim]  [Answered]" in triage_posts[0] and "Claimed by @kiri" in triage_posts[1]
    assert ":white_check_mark: *Acme Corp*: answered by @kiri after 1 h 42 min." in triage_posts[2]
    # Acme's history, newest first: Bob's message answered, the check-in done, the edited promise, the anniversaries.
    history = next(s for s in transcript.split("── ") if s.startswith("Lee reads Acme's history"))
    lines = [line for line in history.splitlines() if line.startswith("  │ *")]
    assert "@bob mentioned Acme Corp" in lines[1] and lines[1].startswith("  │ *today*")
    assert "@bob wrote, answered in 1 h 42 min" in history and "Follow-up done by @lee" in history
    assert "(moved to Tuesday)" in history and "@stephanie mentioned Acme Corp" in history
    assert lines[-1] == "  │ *Apr 1, 2019* · :seedling: Acme Corp became a customer"
    for expected in (
        "Added *Acme Corp*, owned by @lee",
        "is already a name of *Acme Corp*",
        "Hi! I'm *Rapport*",
        "Acme's drive failed again and they're frustrated.   ✓ recorded 1 mention",
        "Lunch in Acmeville today? @lee you in?   (no customer named)",
        "Rapport now holds 3 mentions.",
        "ACME CORP",
        ">I'll call ACME back this afternoon",
        "• *Initech* · @dana · last touch never",
        "Did you mean `remove`?",
        "lee: /followup Acme tomorrow call back to make sure the new drive works",
        "Time to follow up: *Acme Corp* — “call back to make sure the new drive works”",
        "[Done]  [Snooze]  [Reassign]",
        "lee clicks Snooze → 1 hour",
        ":zzz: Snoozed until",
        ":white_check_mark: Done (by @lee): *Acme Corp*",
        "[Check back in 3 days]",
        "to check back in.",
        "“Check back in: make sure everything is still good”",
        "Slack Web API calls made to the simulator",
        "lee: /followup Acme every month on the 1st check everything is still good",
        "I'll remind you every month on the 1st at 09:00 about *Acme Corp*",
        ":repeat: Repeats every month on the 1st, next",
        "[Stop repeating]",
        ":repeat: Repeats every month on the 1st: the next one is planned.",
        "Next month's check-in is planned: a follow-up of its own",
        # A promise offered to its author alone, and taken with one click.
        "Rapport (only visible to @lee):\n  │ :handshake: *That sounds like a promise.",
        "[Remind me]  [Change…]  [Not this time]",
        "lee clicks Remind me",
    ):
        assert expected in transcript, expected
    scenes = transcript.split("── ")
    morning = next(s for s in scenes if s.startswith("The next morning"))
    assert "Due" not in morning and morning.count("Time to follow up") == 1  # one reminder, at 09:00 Berlin

    # Stephanie's story: three recognitions and a withdrawal, each shown on the one shout-out, updated in place.
    story = next(s for s in scenes if s.startswith("Stephanie goes the extra mile"))
    assert "stephanie: Of course, I can take care of that for you… here, let me call them for you" in story
    assert "[Check back in 3 days]  [Share as a story]" in transcript
    shoutouts = story.split("Rapport (")[1:]
    assert [s.split(")")[0] for s in shoutouts] == ["in the thread, a shout-out"] + [
        "the same shout-out, updated"
    ] * 3 + ["DM to @stephanie"]
    recognised = [next(line for line in s.splitlines() if "Recognised by" in line) for s in shoutouts[:4]]
    assert [r.split("Recognised by ")[1].split(" · ")[0] for r in recognised] == [
        "@dana",
        "@dana and @lee",
        "@dana, @lee and @kiri",
        "@dana and @kiri",
    ]
    assert all(":star2: *A good story*: @stephanie" in s for s in shoutouts[:4])
    assert "lee removes their :star2:" in story
    assert "@dana shared a good story about you. See the shout-out" in shoutouts[4]
    digest = next(s for s in scenes if s.startswith("Friday afternoon"))
    assert "in #random, the weekly digest" in digest  # its wording is the digest's own, tested there
    assert "@stephanie" in digest and "let me call them for you" in digest

    # Kiri's brush-off: a tip only Kiri sees; Kiri's warmer second reply is recognised.
    tip = next(s for s in scenes if s.startswith("A brush-off, and a private tip"))
    assert "kiri: You'll have to call customer service for that, all I do is sell stuff." in tip
    assert "Rapport (only visible to @kiri)" in tip and "can sound like a brush-off" in tip
    assert "[Thanks]  [Don't show me these]" in tip and "kiri clicks Thanks" in tip
    again = next(s for s in scenes if s.startswith("Kiri tries again"))
    assert ":star2: *A good story* with *Initech*: @kiri" in again and "Recognised by @dana" in again
    # The stories channel is set through the admins' settings modal.
    assert "dana: /rapport settings" in digest and "*Stories channel*: (none) → #random" in digest
    assert "1 private tone tip" in digest and "@kiri" in digest
