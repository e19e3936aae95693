"""Parsing /customer text."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain import customer_commands as cmd
from bot.domain.errors import BadCommand, BadDate


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", cmd.OpenModal()),
        ("  help ", cmd.Help()),
        ("list", cmd.ListCustomers()),
        ("Acme", cmd.ShowCustomer("Acme")),
        ("  Acme   Corp ", cmd.ShowCustomer("Acme Corp")),
        ('"List"', cmd.ShowCustomer("List")),
        ("show Acme", cmd.ShowCustomer("Acme")),
        ("add Acme Corp", cmd.AddCustomer("Acme Corp")),
        (
            "add Acme Corp aka Acme, ACME Inc owner <@U0DANA|dana> since 2019-04-01",
            cmd.AddCustomer("Acme Corp", ("Acme", "ACME Inc"), "U0DANA", date(2019, 4, 1)),
        ),
        ("add Acme since 2019-04-01 owner <@W0X>", cmd.AddCustomer("Acme", (), "W0X", date(2019, 4, 1))),
        ("add Owner Financial", cmd.AddCustomer("Owner Financial")),
        ("add Since 1900 Bakery", cmd.AddCustomer("Since 1900 Bakery")),
        ("ADD acme AKA a1,,a2 ", cmd.AddCustomer("acme", ("a1", "a2"))),
        ("owner Acme <@U0LEE>", cmd.SetOwner("Acme", "U0LEE")),
        ("alias Acme Acme Labs", cmd.AddAlias("Acme Acme Labs")),
        ("remove Acme Corp", cmd.RemoveCustomer("Acme Corp")),
        ("link Acme", cmd.LinkChannel("Acme")),
        ("exact Target on", cmd.SetExact("Target", True)),
        ("exact Target OFF", cmd.SetExact("Target", False)),
        ("Exact Square One Dental on", cmd.SetExact("Square One Dental", True)),
        ("exact Target", cmd.SetExact("Target", None)),
        ("exact Target maybe", cmd.SetExact("Target maybe", None)),
        ('exact "Box" off', cmd.SetExact("Box", False)),
        (
            "triage Acme Corp <#C0TRI|acme-triage> target 30 escalate 90",
            cmd.SetTriage("Acme Corp", channel_id="C0TRI", target_minutes=30, escalation_minutes=90),
        ),
        ("triage Acme escalate 0", cmd.SetTriage("Acme", escalation_minutes=0)),
        ("triage Target Systems target 20m", cmd.SetTriage("Target Systems", target_minutes=20)),
        ("triage Acme target 2h escalate 1.5 hours", cmd.SetTriage("Acme", target_minutes=120, escalation_minutes=90)),
        ("triage Acme target 45 minutes", cmd.SetTriage("Acme", target_minutes=45)),
        ("triage Acme off", cmd.SetTriage("Acme", reset=True)),
        ("triage Acme", cmd.SetTriage("Acme")),
    ],
)
def test_parses(text: str, expected: cmd.CustomerCommand) -> None:
    assert cmd.parse_customer_command(text) == expected


@pytest.mark.parametrize(
    ("text", "error", "example_start"),
    [
        ("add", BadCommand, "/customer add"),
        ("add Acme since 2019-13-01", BadDate, "/customer add"),
        ("add Acme since 01/04/2019", BadDate, "/customer add"),
        ("add Acme owner @dana", BadCommand, "/customer add"),
        ("add Acme aka x aka y", BadCommand, "/customer add"),
        ("owner Acme", BadCommand, "/customer owner"),
        ("owner <@U0LEE>", BadCommand, "/customer owner"),
        ("alias Acme", BadCommand, "/customer alias"),
        ("remove", BadCommand, "/customer remove"),
        ("link", BadCommand, "/customer link"),
        ("triage", BadCommand, "/customer triage"),
        ("triage Acme target 0", BadCommand, "/customer triage"),
        ("triage Acme target 0.5", BadCommand, "/customer triage"),
        ("triage Acme target 200h", BadCommand, "/customer triage"),
        ("triage Acme escalate 99999", BadCommand, "/customer triage"),
        ("triage Acme <#C0TRI> off", BadCommand, "/customer triage"),
        ("triage Acme target 5 target 6", BadCommand, "/customer triage"),
        ("triage <#C0TRI>", BadCommand, "/customer triage"),
        ("exact", BadCommand, "/customer exact"),
        ("exact off", BadCommand, "/customer exact"),
        ("delete Acme", BadCommand, "/customer remove Acme"),
        ("Acme <@U0LEE>", BadCommand, "/customer owner"),
    ],
)
def test_bad_input_explains_with_an_example(text: str, error: type[Exception], example_start: str) -> None:
    with pytest.raises(error) as raised:
        cmd.parse_customer_command(text)
    assert raised.value.message  # type: ignore[attr-defined]
    assert raised.value.example.startswith(example_start)  # type: ignore[attr-defined]


def test_control_characters_never_reach_the_database() -> None:
    assert cmd.parse_customer_command("add Ac\x00me\x07 Corp aka A\x00") == cmd.AddCustomer("Acme Corp", ("A",))
    assert cmd.parse_customer_command("\x00") == cmd.OpenModal()


def test_a_target_that_is_not_working_minutes_or_hours_says_how_to_write_one() -> None:
    with pytest.raises(BadCommand) as raised:
        cmd.parse_customer_command("triage Acme target 200h")
    assert raised.value.message == (
        "`target` takes working minutes from 1 to 10080 (`target 30`) or hours (`target 2h`), not “200h”."
    )
