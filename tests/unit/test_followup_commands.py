"""`/followup` text read into commands: the `list` filters."""

from __future__ import annotations

from bot.domain.followup_commands import ListFollowUps, NewFollowUp, parse_followup_command


def test_followup_list_filters_are_read_in_any_order() -> None:
    assert parse_followup_command("list") == ListFollowUps()
    assert parse_followup_command("list <@U0LEE|lee>") == ListFollowUps(owner="U0LEE")
    assert parse_followup_command("list Acme Corp") == ListFollowUps(customer="Acme Corp")
    assert parse_followup_command("LIST overdue") == ListFollowUps(overdue=True)
    assert parse_followup_command("ls <@U0LEE> Overdue Acme") == ListFollowUps(
        owner="U0LEE", customer="Acme", overdue=True
    )


def test_a_note_that_only_starts_like_list_is_a_new_follow_up() -> None:
    assert parse_followup_command("listen to Acme tomorrow") == NewFollowUp(owners=(), text="listen to Acme tomorrow")
