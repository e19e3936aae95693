"""Tests for the tone rules: the shipped phrases against realistic support messages, and rules as data."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.tone import (
    CATEGORIES,
    CATEGORY_LABELS,
    DEFAULT_PRINCIPLES,
    ToneHit,
    ToneMatcher,
    ToneRule,
    ToneRulesError,
    format_rules_text,
    load_rules_file,
    parse_rules_text,
    shipped_rules,
)

SHIPPED = ToneMatcher.build(shipped_rules())
B, T, L = "brush_off", "threat", "blame"

# (message as raw Slack text, the categories that must fire). Written for this test: realistic replies in a
# support channel, including near-misses that share words with a rule but must stay quiet.
# fmt: off
TABLE: list[tuple[str, set[str]]] = [
    # --- brush-offs
    ("Sorry, you'll have to call customer service for that.", {B}),
    ("That's not my department, try billing", {B}),
    ("Honestly all I do is sell the licences, I don't touch the invoices", {B}),
    ("There's nothing I can do.", {B}),
    ("I don't know.", {B}),
    ("idk", {B}),
    ("I don’t know, the export just does that sometimes", {B}),
    ("not my job tbh", {B}),
    ("You will need to contact support about the refund.", {B}),
    ("<@U024BE7LH> that’s not my problem, the integration is on their side", {B}),
    ("Our hands are tied here, it's company policy.", {B}),
    ("You'll just have to wait like everyone else.", {B}),
    ("I have no idea why your dashboard is empty", {B}),
    ("Sorry, you’ve got the wrong department — this is sales.", {B}),
    ("Ummm I DON'T KNOW", {B}),
    ("I do not know what happened to the order", {B}),
    ("Unfortunately that is out of our hands", {B}),
    ("See <https://status.example.com|the status page>, nothing I can do until it recovers.", {B}),
    ("Désolé, c'est la vie — not my department 🙃", {B}),
    ("You’re going to have to talk to someone else about the SSO setup.", {B}),
    ("we don't handle that, it's the reseller", {B}),
    ("I dunno, maybe restart it?", {B}),
    # --- threats
    ("This is your final warning: pay the invoice by Friday.", {T}),
    ("Send the signed DPA today, or else.", {T}),
    ("Pay the overdue balance or we’ll cancel your subscription.", {T}),
    ("If this continues we will take legal action.", {T}),
    ("We'll be forced to suspend the workspace.", {T}),
    ("Last warning — stop sharing the admin login or else!", {T}),
    ("Your account will be suspended unless the invoice is paid this week.", {T}),
    ("We're handing your account over to collections on Monday.", {T}),
    ("We will suspend your access if you don't update the card by Friday.", {T}),
    ("Stop reselling our API keys. You have been warned.", {T}),
    # --- blame
    ("Per my last email, the fix is already live.", {L}),
    ("As I already said, the SSO setting is under Admin &gt; Security.", {L}),
    ("You should have read the release notes before upgrading.", {L}),
    ("Like I said before, we don't support IE11.", {L}),
    ("How many times do I have to explain this? The API key goes in the header.", {L}),
    ("Well, that's user error, not a bug.", {L}),
    ("Please calm down, shouting won't get this fixed faster.", {L}),
    ("You should’ve backed up the workspace first.", {L}),
    ("As per my previous message, the webhook URL changed.", {L}),
    ("It's not our fault your firewall blocks the webhook.", {L}),
    ("&gt; can you help?\nPer my last message: no.", {L}),
    ("did you even read the setup guide", {L}),
    # --- several at once
    ("That's not my problem, and as I already said, it's your own fault.", {B, L}),
    ("I don't know. Final warning though: stop reopening this ticket or else.", {B, T}),
    # --- near-misses: none may fire
    ("I know the answer — it's the SSO toggle under Admin.", set()),
    ("They're moving the department store chain to the enterprise plan next quarter.", set()),
    ("I'll call customer service for you and stay on the line until it's sorted.", set()),
    ("Or else we could try the other cable if the USB-C one keeps dropping.", set()),
    ("As I said to Dana, it's fixed now 🎉", set()),
    ("You should have received an email from us with the new invoice.", set()),
    ("I don't know yet, let me check with engineering.", set()),
    ("I don't know if that works for you, but I can set it up for Thursday.", set()),
    ("I don’t know, but I’ll find out and get back to you today.", set()),
    ("There's nothing I can do about the outage itself, but I'll credit your account for the downtime.", set()),
    ("You should have read access to the billing dashboard now.", set()),
    ("We will cancel the duplicate invoice and send you a corrected one.", set()),
    ("If you'd like, we'll cancel the old order and refund you today.", set()),
    ("Legal reviewed the DPA and everything's approved.", set()),
    ("Is there anything else I can do for you?", set()),
    ("&gt; I don't know what happened\nThanks for the context, I'm looking into the logs now.", set()),
    ("The IVR plays `not my department` when the queue is full, weird.", set()),
    ("```\nWARN final warning: disk almost full\n```\nThe disk alert fired again, cleaning up now.", set()),
    ("The final warnings in the build log are harmless.", set()),
    ("We'll be in touch by Friday with the renewal quote.", set()),
    ("Thanks for your patience — still waiting on the carrier, I'll update you tomorrow.", set()),
    ("The policy editor now supports nested rules.", set()),
    ("Our legal team is drafting the MSA amendment.", set()),
    ("Customer service was great on the call, they said thanks!", set()),
    ("Things should calm down after the release.", set()),
    ("If you have any questions, let me know.", set()),
    ("Can you call customer service at <@U0ACME> for me? I need their PO number.", set()),
    ("I’m not sure I follow — could you send a screenshot?", set()),
    ("As I mentioned on the call, we'll send the SOC2 report today.", set()),
    ("No worries, it's not a problem at all!", set()),
    ("Who knows the admin password for the staging workspace?", set()),
    ("We had no idea the import was that slow — thanks for flagging, fixing it now.", set()),
    ("Our job is to make this easy for you, so I've set it up already.", set()),
    ("Nothing I can see in the logs points to your side; checking the proxy next.", set()),
    ("You need to call the API with the new token.", set()),
    ("Hmm I don’t know about you, but I love the new dashboard!", set()),
    ("There will be consequences for the schema if we drop that column.", set()),
    ("You shouldn't have to deal with this — I've escalated it.", set()),
    ("Once things calm down.", set()),
    ("Our legal team confirmed there is no legal action needed for the DPA.", set()),
    ("Can you ask someone on the billing team to double-check the credit note?", set()),
    ("Ça marche ! Je m'en occupe — I'll loop in Zoë from billing.", set()),
]
# fmt: on


def fired(text: str) -> set[str]:
    return {hit.rule.category for hit in SHIPPED.check(text)}


def test_the_table_is_big_and_varied() -> None:
    assert len(TABLE) >= 60
    assert sum(1 for _, expected in TABLE if not expected) >= 25
    firing = [expected for _, expected in TABLE if expected]
    assert len(firing) >= 20
    for category in CATEGORIES:
        assert sum(1 for expected in firing if category in expected) >= 8, category


def test_precision_and_recall_over_the_table(capsys: pytest.CaptureFixture[str]) -> None:
    true_positive = false_positive = false_negative = 0
    wrong: list[str] = []
    for text, expected in TABLE:
        got = fired(text)
        true_positive += len(got & expected)
        false_positive += len(got - expected)
        false_negative += len(expected - got)
        if got != expected:
            wrong.append(f"{text!r}: expected {sorted(expected)}, got {sorted(got)}")
    precision = true_positive / (true_positive + false_positive)
    recall = true_positive / (true_positive + false_negative)
    with capsys.disabled():
        print(
            f"\ntone rules over {len(TABLE)} messages: precision {precision:.3f}, recall {recall:.3f} "
            f"(tp={true_positive} fp={false_positive} fn={false_negative})"
        )
    assert precision >= 0.95
    assert recall >= 0.95
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize(
    "text",
    [
        "I don't know",
        "I don’t know",
        "I do not know",
        "i dont know",
        "I DON`T KNOW",
        "I don’t   know",
        "I don\u02bct know",
    ],
)
def test_apostrophes_contractions_and_spacing_are_equivalent(text: str) -> None:
    assert fired(text) == {B}


@pytest.mark.parametrize(
    "text",
    [
        "You'll have to call customer service",
        "You will have to call customer service",
        "you’ll need to contact billing",
        "youll have to call support",
        "You’re gonna have to call the help desk",
    ],
)
def test_passing_the_customer_elsewhere_fires_in_every_spelling(text: str) -> None:
    assert fired(text) == {B}


def test_a_phrase_written_long_matches_its_contraction_and_back() -> None:
    matcher = ToneMatcher.build(parse_rules_text("threat | we will not renew | Let's talk about your renewal"))
    assert matcher.check("We won't renew.")[0].phrase == "We won't renew"
    matcher = ToneMatcher.build(parse_rules_text("threat | we won't renew | Let's talk about your renewal"))
    assert matcher.check("we will not renew")[0].phrase == "we will not renew"


def test_the_hit_keeps_the_authors_words() -> None:
    [hit] = SHIPPED.check("Sorry — You’ll  have to CALL Customer\nService, it's not us.")
    assert hit.phrase == "You’ll  have to CALL Customer\nService"
    assert hit.rule.id == "brush-off.call-elsewhere"
    [hit] = SHIPPED.check("Sorry <@U1> &amp; team, per my last email…")
    assert hit.phrase == "per my last email"


def test_whole_words_only() -> None:
    assert fired("The kidk driver") == set()
    assert fired("not my jobs board") == set()
    assert fired("legal actions list") == set()
    assert fired("final warning") == {T}


def test_one_hit_per_category_in_category_order() -> None:
    hits = SHIPPED.check("As I already said: not my job. I don't know. Final warning, or else!")
    assert [h.rule.category for h in hits] == [B, T, L]
    assert hits[0].phrase == "not my job"  # the leftmost brush-off


def test_or_else_fires_only_at_the_end_of_a_clause() -> None:
    assert fired("Fix it or else") == {T}
    assert fired("Fix it, or else…") == {T}
    assert fired("Fix it or else!\nThanks") == {T}
    assert fired("Fix it or else we can try Tuesday") == set()


def test_the_next_step_guard() -> None:
    assert fired("I don't know, but I'll find out") == set()
    assert fired("I don't know. Let me check with Dana.") == set()
    assert fired("I don't know — happy to ask engineering though") == set()
    assert fired("I don't know; I've asked the team") == set()
    assert fired("Not my department, but I’m checking with them now") == set()
    assert fired("I don't know what I can do") == {B}  # "what I can" is not a next step
    assert fired("I don't know, I can't help you") == {B}
    assert fired("I don't know, let me know if you find out") == {B}  # "let me know" hands it back
    assert fired("There's nothing I can do") == {B}
    # Threats and blame are never cancelled by a promise.
    assert fired("Final warning. I'll send the invoice again tomorrow.") == {T}
    assert fired("As I already said, I'll look at it Monday.") == {L}


def test_quoted_and_code_text_never_fires() -> None:
    assert fired("> not my job\nThat's what they said, I'll fix it") == set()
    assert fired("   &gt; not my job") == set()
    assert fired("&gt;&gt;&gt; not my job\nor else\nper my last email") == set()
    assert fired("Their bot replies ```per my last message``` to everything") == set()
    assert fired("The template says `final warning` — I'll reword it") == set()
    assert fired("not my job\n> quoted") == {B}


def test_mentions_are_ignored_and_link_labels_count() -> None:
    assert fired("<@U0DANA|not my job> thanks!") == set()
    assert fired("<#C123|legal-action> has the thread") == set()
    assert fired("Read <https://example.com/faq|per my last message> please") == {L}


def test_unicode_text() -> None:
    assert fired("Ärger? Not my problem 🤷") == {B}
    assert fired("Σας ευχαριστώ — I'll call customer service for you") == set()
    assert fired("İ don't know") == set()  # a dotted capital I is not the word "I"
    custom = ToneMatcher.build(parse_rules_text("brush-off | c’est pas mon problème | Je m'en occupe"))
    assert [h.phrase for h in custom.check("Bof, C'EST PAS MON PROBLE\u0300ME.")] == ["C'EST PAS MON PROBLÈME"]


def test_empty_text_and_no_rules() -> None:
    assert SHIPPED.check("") == []
    assert ToneMatcher.build([]).check("not my job") == []
    assert ToneMatcher.build([]).rule_count == 0


# --- rules as data ---------------------------------------------------------------------------------


def test_the_shipped_rules_are_complete() -> None:
    rules = shipped_rules()
    assert 20 <= len(rules) <= 40
    assert len({rule.id for rule in rules}) == len(rules)
    assert {rule.category for rule in rules} == set(CATEGORIES)
    for rule in rules:
        assert rule.id.startswith(CATEGORY_LABELS[rule.category] + ".")
        assert rule.phrases
        assert 0 < len(rule.alternative) <= 150
        assert rule.principle
    assert SHIPPED.rule_count == len(rules)


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # Every phrase the issue and the SPEC name.
        ("you'll have to call customer service", B),
        ("not my department", B),
        ("not my job", B),
        ("all I do is sell stuff", B),
        ("there's nothing I can do", B),
        ("I don't know", B),
        ("final warning", T),
        ("or else", T),
        ("we will cancel your account unless you pay today", T),
        ("legal action", T),
        ("per my last message", L),
        ("as I already said", L),
        ("you should have told us", L),
    ],
)
def test_the_named_phrases_are_covered(text: str, category: str) -> None:
    assert fired(text) == {category}


def test_disabled_rules_do_not_fire() -> None:
    matcher = ToneMatcher.build(shipped_rules(), disabled={"brush-off.dont-know", "no.such.rule"})
    assert matcher.check("I don't know") == []
    assert matcher.check("not my job")
    assert matcher.rule_count == len(shipped_rules()) - 1


def test_custom_rules_fire_and_win_over_shipped_ones() -> None:
    custom = parse_rules_text(
        "# our own words\n\nbrush-off | not my circus; not my monkeys | Let me find out who can help\n"
        "blame | {you|u} {broke|borked} it | Let's fix it together | Really listen\n"
        "brush-off | not my job | Happy to take this on for you\n"
    )
    matcher = ToneMatcher.build((*shipped_rules(), *custom))
    [hit] = matcher.check("Not my circus.")
    assert (hit.rule.id, hit.phrase, hit.rule.alternative) == (
        "custom.3",
        "Not my circus",
        "Let me find out who can help",
    )
    assert matcher.check("u borked it")[0].rule.id == "custom.4"
    assert matcher.check("not my job")[0].rule.id == "custom.5"


def test_parse_rules_text() -> None:
    [rule] = parse_rules_text("  Brush_Off | not my circus ; !not my circus act | Let me find out | Treat them well ")
    assert rule == ToneRule(
        id="custom.1",
        category="brush_off",
        phrases=("not my circus",),
        alternative="Let me find out",
        principle="Treat them well",
        unless=("not my circus act",),
    )
    assert parse_rules_text("BRUSHOFF | a b | c")[0].principle == DEFAULT_PRINCIPLES["brush_off"]
    assert parse_rules_text("brush-off | {a|b} c | d")[0].phrases == ("{a|b} c",)
    assert parse_rules_text("") == ()
    assert parse_rules_text("# only a comment\n\n") == ()


def test_format_and_parse_round_trip() -> None:
    text = (
        "brush-off | not my circus; not my monkeys | Let me find out who can help, and stay until it's solved\n"
        "threat | or else $; {final|last} warning; !last warning light | I want to help you sort this out\n"
        "blame | as I said before | Let me put it another way | Really listen, always"
    )
    rules = parse_rules_text(text)
    assert format_rules_text(rules) == text
    assert parse_rules_text(format_rules_text(rules)) == rules
    # The shipped rules survive the trip too, apart from their ids.
    shipped = shipped_rules()
    again = parse_rules_text(format_rules_text(shipped))
    assert [(r.category, r.phrases, r.unless, r.alternative, r.principle) for r in again] == [
        (r.category, r.phrases, r.unless, r.alternative, r.principle) for r in shipped
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "brush-off | a | b\nshout | loud | quiet",
            "Line 2: “shout” is not a category; use brush-off, threat or blame.",
        ),
        ("\n\nthreat | or else", "Line 3: write the rule as category | phrases | alternative"),
        ("blame | a;; b | c", "Line 1: a phrase is empty"),
        ("blame |  | c", "Line 1: a phrase is empty"),
        ("blame | a | ", "Line 1: add the alternative to suggest"),
        ("blame | a | b | c | d", "Line 1: there are too many “|”"),
        ("blame | {a|b c | d", "Line 1: a “{” is never closed"),
        ("blame | a} b | d", "Line 1: “a} b” has a “{” or “}” that does not pair up"),
        ("blame | !a | d", "Line 1: the rule has no phrase that fires"),
        ("blame | ... | d", "Line 1: “...” has no words to match"),
        ("blame | a | " + "x" * 301, "Line 1: the alternative is 301 characters"),
        ("blame | {a|b}{a|b}{a|b}{a|b}{a|b}{a|b}{a|b}{a|b}{a|b}{a|b}{a|b}{a|b}{a|b}{a|b}{a|b} | c", "over 20,000"),
    ],
)
def test_parse_errors_name_the_line(text: str, message: str) -> None:
    with pytest.raises(ToneRulesError) as error:
        parse_rules_text(text)
    assert str(error.value).startswith(message) or message in str(error.value)


def test_load_a_toml_rules_file(tmp_path: Path) -> None:
    path = tmp_path / "ours.toml"
    path.write_text(
        '[[rule]]\ncategory = "Brush-Off"\nphrases = ["not my circus"]\nalternative = "Let me find out"\n\n'
        '[[rule]]\nid = "ours.threat"\ncategory = "threat"\nphrases = ["you will regret this"]\n'
        'unless = ["you will regret this purchase"]\nalternative = "Let\'s talk"\nprinciple = "Be kind"\n',
        encoding="utf-8",
    )
    first, second = load_rules_file(path)
    assert (first.id, first.category, first.principle) == ("custom.1", "brush_off", DEFAULT_PRINCIPLES["brush_off"])
    assert (second.id, second.unless, second.principle) == (
        "ours.threat",
        ("you will regret this purchase",),
        "Be kind",
    )
    matcher = ToneMatcher.build(load_rules_file(str(path)))
    assert [h.rule.id for h in matcher.check("You’ll regret this.")] == ["ours.threat"]
    assert matcher.check("you will regret this purchase") == []


def test_load_a_line_syntax_rules_file(tmp_path: Path) -> None:
    path = tmp_path / "ours.txt"
    path.write_text("# ours\nthreat | or else $ | Let's talk\nnope | x | y\n", encoding="utf-8")
    with pytest.raises(ToneRulesError, match="“ours.txt”, line 3: “nope” is not a category"):
        load_rules_file(path)
    path.write_text("# ours\nthreat | or else $ | Let's talk\n", encoding="utf-8")
    assert [r.id for r in load_rules_file(path)] == ["custom.2"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[[rule]\n", "is not valid TOML"),
        ('[[rule]]\ncategory = "shout"\nphrases = ["a"]\nalternative = "b"\n', "rule 1: “shout” is not a category"),
        (
            '[[rule]]\nid = "x"\ncategory = "blame"\nphrases = [""]\nalternative = "b"\n',
            "rule 1 (“x”): a phrase is empty",
        ),
        ('[[rule]]\ncategory = "blame"\nphrases = ["a"]\n', "add the alternative"),
        ('[[rule]]\ncategory = "blame"\nphrase = ["a"]\nalternative = "b"\n', "“phrase” is not a rule key"),
        ('[[rule]]\ncategory = "blame"\nphrases = [1]\nalternative = "b"\n', "must be a list of quoted phrases"),
        ('rule = "x"\n', "write each rule as a [[rule]] table"),
        ('[[rule]]\nid = "x"\ncategory = "blame"\nphrases = ["a"]\nalternative = "b"\n' * 2, "used twice"),
    ],
)
def test_bad_toml_rules_files(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ToneRulesError, match=message.replace("[", r"\[").replace("(", r"\(").replace(")", r"\)")):
        load_rules_file(path)


def test_missing_or_unreadable_rules_file(tmp_path: Path) -> None:
    with pytest.raises(ToneRulesError, match="could not find the tone rules file"):
        load_rules_file(tmp_path / "missing.toml")
    with pytest.raises(ToneRulesError, match="could not read"):
        load_rules_file(tmp_path)
    binary = tmp_path / "rules.txt"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ToneRulesError, match="not UTF-8"):
        load_rules_file(binary)


def test_building_with_a_bad_rule_explains_it() -> None:
    with pytest.raises(ToneRulesError, match="Rule “x”: “shout” is not a category"):
        ToneMatcher.build([ToneRule("x", "shout", ("a",), "b", "c")])
    with pytest.raises(ToneRulesError, match="Rule “y”: “{a” has"):
        ToneMatcher.build([ToneRule("y", "blame", ("{a",), "b", "c")])


# --- robustness ------------------------------------------------------------------------------------

_SLACKISH = st.lists(
    st.sampled_from(
        list("ab I'’`<>@|&;!?.…$ \n\t>#{}_-")
        + ["&gt;", "&amp;", "<@U1>", "```", "not my job", "or else", "I don't know", "I'll", "İ", "ß"]
    ),
    max_size=60,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), _SLACKISH))
def test_check_never_raises(text: str) -> None:
    hits = SHIPPED.check(text)
    assert isinstance(hits, list)
    assert [h.rule.category for h in hits] == [c for c in CATEGORIES if c in {h.rule.category for h in hits}]
    for hit in hits:
        assert isinstance(hit, ToneHit)
        assert hit.phrase


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_the_fast_and_the_mapped_normalization_agree(text: str) -> None:
    from bot.domain.tone import _normalize, _normalize_mapped, _visible

    visible = _visible(text)
    mapped, index = _normalize_mapped(visible)
    assert len(mapped) == len(index)
    assert len(mapped) == len(_normalize(visible))
    assert mapped.replace("ς", "σ") == _normalize(visible).replace("ς", "σ")


# --- how people write: formatting, chat spellings, rule families --------------------------------------


@pytest.mark.parametrize(
    ("text", "rule_id"),
    [
        # brush-off: passed elsewhere, gaps and chat spellings included
        ("You'll need to open a ticket for that.", "brush-off.call-elsewhere"),
        ("u'll have to call customer service", "brush-off.call-elsewhere"),
        ("You'll need to speak to our accounts team about that.", "brush-off.call-elsewhere"),
        ("Kindly get in touch with our finance department.", "brush-off.call-elsewhere"),
        ("Talk to your IT department.", "brush-off.call-elsewhere"),
        ("That's Salesforce's problem, not ours.", "brush-off.call-elsewhere"),
        ("Wrong channel, ask in #help-billing", "brush-off.wrong-department"),
        ("I'm not the person to ask about invoices.", "brush-off.wrong-department"),
        ("not my dept", "brush-off.not-my-job"),
        ("that isn't our problem", "brush-off.not-my-job"),
        ("We don't manage your DNS, sorry.", "brush-off.not-my-job"),
        ("I only handle billing.", "brush-off.all-i-do"),
        ("Can't help you there.", "brush-off.nothing-i-can-do"),
        ("Sorry, we cannot assist with third-party tools.", "brush-off.nothing-i-can-do"),
        ("no idea tbh", "brush-off.dont-know"),
        ("That's just how the product works, sorry.", "brush-off.policy"),
        ("You'll just have to wait like everybody else.", "brush-off.just-wait"),
        ("Good luck with that.", "brush-off.good-luck"),
        ("Read the docs.", "brush-off.read-the-docs"),
        ("All the info is on our website.", "brush-off.read-the-docs"),
        ("It works on my end.", "brush-off.works-for-me"),
        ("No issues on our end.", "brush-off.works-for-me"),
        ("Per our terms, we're not liable for data loss.", "brush-off.not-liable"),
        # threats: warnings, conditions, consequences
        ("This is your last warning.", "threat.final-warning"),
        ("We will not warn you again.", "threat.final-warning"),
        ("Pay up or else.", "threat.or-else"),
        ("If you don't pay by Friday we will cut off access.", "threat.cancel"),
        ("if u dont pay by friday we'll cut off access", "threat.cancel"),
        ("One more late payment and we'll suspend your account.", "threat.cancel"),
        ("Unless payment is received today, service will be suspended.", "threat.cancel"),
        ("Failure to comply will result in termination of your account.", "threat.result-in"),
        ("Continued misuse will result in permanent suspension.", "threat.result-in"),
        ("If this isn't resolved we will be contacting our solicitors.", "threat.legal"),
        ("We're sending this to collections.", "threat.collections"),
        # blame: openers, making the customer wrong
        ("per my last msg, the fix is live", "blame.per-my-last"),
        ("As stated in my previous email, you must allow our IPs.", "blame.per-my-last"),
        ("I've told you this three times now.", "blame.already-said"),
        ("As I said, you need to enable SSO first.", "blame.as-i-said"),
        ("As mentioned, the export only runs at night.", "blame.as-i-said"),
        ("Like I told you, restart the agent.", "blame.as-i-said"),
        ("How many times do we need to go over this?", "blame.how-many-times"),
        ("Did you even read the email?", "blame.should-have"),
        ("You misread the instructions.", "blame.should-have"),
        ("That's user error.", "blame.your-fault"),
        ("The problem is on your end.", "blame.your-end"),
        ("It's not our fault.", "blame.not-our-fault"),
        ("Calm down please.", "blame.calm-down"),
        # round two: going elsewhere, out of scope and policy
        ("For licensing you'll want to go via your procurement team.", "brush-off.go-elsewhere"),
        ("You're better off asking Microsoft.", "brush-off.go-elsewhere"),
        ("That falls under billing, reach out to them.", "brush-off.go-elsewhere"),
        ("That's between you and Stripe.", "brush-off.go-elsewhere"),
        ("I'd suggest googling the error message.", "brush-off.go-elsewhere"),
        ("We don't support custom plugins.", "brush-off.out-of-scope"),
        ("We no longer support older browsers.", "brush-off.out-of-scope"),
        ("Out of scope for support, sorry.", "brush-off.out-of-scope"),
        ("This isn't the place for that question.", "brush-off.out-of-scope"),
        ("Sorry, that's not how we do things.", "brush-off.out-of-scope"),
        ("We can't make exceptions.", "brush-off.out-of-scope"),
        ("Policy says no, sorry.", "brush-off.out-of-scope"),
        # round two: consequences and conditions, warnings, the legal route
        ("Pay the outstanding balance or we'll have to disable your workspace.", "threat.consequence"),
        ("Keep this up and we'll end the contract.", "threat.consequence"),
        ("One more chargeback and we're cancelling your plan.", "threat.consequence"),
        ("Should this happen again, we'll be terminating the agreement.", "threat.consequence"),
        ("We will be withholding your data export until payment clears.", "threat.consequence"),
        ("We can and will suspend accounts that break the terms.", "threat.consequence"),
        ("We'll be invoking the termination clause.", "threat.consequence"),
        ("Your contract will not be renewed if this continues.", "threat.consequence"),
        ("Your data will be wiped next week unless the invoice is paid.", "threat.consequence"),
        ("Consider this a formal warning.", "threat.warned"),
        ("You've had enough warnings.", "threat.warned"),
        ("This is the last time we'll warn you.", "threat.warned"),
        ("You're on thin ice here.", "threat.warned"),
        ("Legal will be contacting you.", "threat.legal-route"),
        ("Expect a call from our legal department.", "threat.legal-route"),
        ("We'll be passing this on to our legal team.", "threat.legal-route"),
        # round two: the customer's setup, "you were told"
        ("You set it up incorrectly.", "blame.your-setup"),
        ("Your firewall is blocking it.", "blame.your-setup"),
        ("That's a misconfiguration on your part.", "blame.your-setup"),
        ("You must've typed the password wrong.", "blame.your-setup"),
        ("Obviously you uploaded the wrong file.", "blame.your-setup"),
        ("The docs clearly say not to do that.", "blame.your-setup"),
        ("You changed the settings and broke it.", "blame.your-setup"),
        ("The import failed because your CSV had blank rows.", "blame.your-setup"),
        ("You were warned this would happen if you changed the schema.", "blame.you-were-told"),
        ("As you were told last week, that plan doesn't include SSO.", "blame.you-were-told"),
        ("Like I explained, restart the agent.", "blame.you-were-told"),
        ("This is the third time I'm explaining this.", "blame.you-were-told"),
        ("Not sure how many times I need to say this, but the limit is 100.", "blame.you-were-told"),
        ("Once again: restart the service after changing the config.", "blame.you-were-told"),
        ("Again, the SSO has to be enabled by your admin first.", "blame.you-were-told"),
    ],
)
def test_every_rule_family_fires(text: str, rule_id: str) -> None:
    assert rule_id in {hit.rule.id for hit in SHIPPED.check(text)}


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("_not my job_", B),  # Slack italics
        ("*Not our problem.*", B),  # bold
        ("~per my last email~ sorry", L),  # strike (still what they wrote)
        ("_u’ll have to call customer service_", B),  # a phone's curly apostrophe inside italics
        ("YOULL NEED TO CONTACT SUPPORT", B),
        ("cant help u with that sorry", B),
        ("pls read the documentation", B),
        ("not our dept, ask IT", B),
        ("Ur going to have to email support for that", B),
        ("did u even read my msg", L),
        ("consider urself warned", T),
        ("idk", B),
        ("u need to contact the billing dept", B),  # chat spellings inside a long phrase piece
        ("talk to ur IT ppl about that", B),
        ("cant help w that one sorry", B),
    ],
)
def test_formatting_and_chat_spellings_are_read_like_the_words(text: str, category: str) -> None:
    assert category in fired(text)


def test_an_underscore_inside_a_word_is_not_italics() -> None:
    assert fired("ERROR legal_action_flag not set for tenant 42") == set()
    assert fired("sync failed: user_error code E_USER") == set()


# --- what cancels a tip ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        # reported speech and quotation without ">"
        "Customer wrote: per my last email, we still can't log in.",
        'Customer wrote: "per my last email, we still can\'t log in"',
        "They said we'd have to call customer service, which is odd since we are customer service.",
        'Their exact words were "as I said before, the invoice is wrong".',
        "In their words: “it’s your fault the sync broke”. Not true, but let's be kind.",
        "FYI the client wrote: final warning before we cancel. We should call them today.",
        "Forwarding their note: you'll need to call customer service, says their IT.",
        "Dave in finance says not my department every time",
        # banter
        "the coffee machine is broken again, not my department 😂",
        "the coffee machine is broken again, not my department :joy:",
        "not my job to refill the snacks lol",
        "haha idk either, pizza or tacos?",
        "Sorry — you'll have to call customer service 🤣 jk, I'll sort it now",
        # pasted logs and harmless uses of trigger words
        "The last warning in the logs was at 09:14.",
        "2026-12-01T09:14:02Z WARN final warning threshold reached for disk /var",
        "[09:14] last warning: cert expires in 3 days",
        "The Collections API returns a cursor for paging.",
        "Legal action against the vendor was dropped, so the contract is fine.",
        # a next step, in the past tense too
        "Not my department, but we've moved your install to Thursday.",
        "I don't know, but I've escalated it to engineering.",
        "Nothing I can do about the carrier, but I booked a new pickup for Tuesday.",
        "You'll have to call the vendor for the licence — I've opened a ticket for you with them.",
        "Nothing I can do about the weather, but the truck is rescheduled for Tuesday.",
        "That's not our area but I know who to ask — give me 10 minutes.",
        # kind uses of blame openers (a next step or thanks)
        "As I said on the call, we'll ship it Thursday.",
        "As mentioned, I've attached the invoice.",
        "Like I said, happy to help anytime!",
        "Per my last message, I've also added the export — enjoy!",
        # kind conditionals
        "If you don't want the renewal, we'll cancel it — no charge.",
        "If you'd like, we'll cancel the old order and refund you today.",
        "Your account will be closed as you asked, and the refund is on its way.",
        "If you'd rather, we can cancel and refund.",
        # a next step after "but", in the past tense
        "That's not our area, but I've connected you with their support lead.",
        "We don't support that browser yet, but it's on the roadmap and I've added your vote.",
        # kind uses of the round-two openers and trigger words
        "Again, thanks for your patience.",
        "Once again, sorry for the trouble, the fix is live.",
        "You were told the wrong date by our sales rep, sorry about that.",
        "Your setup is fine, the problem is on our side.",
        "For the record, you did everything right.",
        "Keep this up and we'll have to give you an award 🏆",
        "There will be consequences for the schema if we drop that column, so we're keeping it.",
        "Our legal team will be in touch about the DPA signature.",
    ],
)
def test_context_cancels_the_tip(text: str) -> None:
    assert fired(text) == set()


def test_reported_speech_covers_its_own_sentence_only() -> None:
    assert fired("They said it's broken. As I already said, you need SSO.") == {L}
    assert fired("The customer said thanks.\nNot my department though.") == {B}
    assert fired('That\'s "not my department" apparently') == set()
    assert fired("As I already said: not my job.") == {B, L}  # "I" reporting themselves is no quotation


def test_a_next_step_cancels_only_brush_offs_and_rules_marked_for_it() -> None:
    assert fired("As I already said, I'll look at it Monday.") == {L}  # blame.already-said is never cancelled
    assert fired("As I said, I'll look at it Monday.") == set()  # blame.as-i-said is (next_step_cancels)
    assert fired("Final warning. I've escalated it anyway.") == {T}
    assert fired("Per my last email, the fix is live.") == {L}  # "is live" is not done for them
    assert fired("I don't know. It's been rescheduled for Monday.") == set()  # done for them: a brush-off's next step


# --- the phrase syntax: gaps, clause starts, exceptions ---------------------------------------------------


def test_a_gap_spans_a_few_words_in_the_same_sentence() -> None:
    matcher = ToneMatcher.build(parse_rules_text("threat | if you don't ... we will cancel | Let's find a way"))
    [hit] = matcher.check("If you don't pay the invoice by Friday, we will cancel.")
    assert hit.phrase == "If you don't pay the invoice by Friday, we will cancel"
    assert matcher.check("If you don't pay. We will cancel.") == []  # a sentence ends in the gap
    long_gap = "If you don't " + "really " * 13 + "pay we will cancel"
    assert matcher.check(long_gap) == []
    assert matcher.check("We will cancel if you don't pay") == []  # pieces keep their order
    # A piece that appears twice: the one that leads to a whole match counts ("we" in "If we don't…" is too early).
    short = ToneMatcher.build(parse_rules_text("threat | if ... we .. close | Let's find a way"))
    assert short.check("If we don't hear back by Friday, we will close the account.")
    assert fired("If we don't hear back by Friday we'll close the account.") == {T}


def test_a_clause_start_phrase_fires_only_at_the_start_of_a_sentence() -> None:
    matcher = ToneMatcher.build(parse_rules_text("brush-off | ^ ask billing | I'll ask them for you"))
    assert matcher.check("Ask billing.")
    assert matcher.check("Sorry, please ask billing.")
    assert matcher.check("No idea. Ask billing")
    assert matcher.check("I can ask billing for you") == []


def test_an_exception_drops_a_hit_that_starts_inside_it() -> None:
    matcher = ToneMatcher.build(
        parse_rules_text("threat | if ... we'll cancel your; !if you don't want | Let's find a way")
    )
    assert matcher.check("If you don't pay we'll cancel your plan")
    assert matcher.check("If you don't want the add-on, we'll cancel your add-on today") == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("threat | ... we will | x", "needs words on both sides of “...”"),
        ("threat | if ... | x", "needs words on both sides of “...”"),
        ("threat | a ... b ... c ... d ... e | x", "more than 3 gaps"),
    ],
)
def test_bad_gaps_are_explained(text: str, message: str) -> None:
    with pytest.raises(ToneRulesError) as error:
        parse_rules_text(text)
    assert message in str(error.value) and str(error.value).startswith("Line 1:")


def test_next_step_cancels_in_a_rules_file(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(
        '[[rule]]\ncategory = "blame"\nphrases = ["as we agreed"]\nalternative = "x"\nnext_step_cancels = true\n'
    )
    matcher = ToneMatcher.build(load_rules_file(path))
    assert matcher.check("As we agreed, the fix is yours to deploy.")
    assert matcher.check("As we agreed, I'll deploy it tonight.") == []
    path.write_text('[[rule]]\ncategory = "blame"\nphrases = ["x"]\nalternative = "x"\nnext_step_cancels = "yes"\n')
    with pytest.raises(ToneRulesError, match="must be true or false"):
        load_rules_file(path)


def test_a_long_phrase_does_without_chat_spellings_rather_than_fail() -> None:
    # With "u" and "ur" this phrase would pass MAX_VARIANTS; it is still accepted, in its plain spellings.
    objects = "|".join(f"thing{i}" for i in range(60))
    subjects = "|".join(f"you{i}" for i in range(3))
    verbs = "cancel|close|end|stop|lock"
    rule = f"threat | we'll {{{verbs}}} your {{{objects}}} if you don't {{pay|sign}} {{{subjects}|}} | x"
    matcher = ToneMatcher.build(parse_rules_text(rule))
    assert matcher.check("We'll cancel your thing7 if you don't pay")


# --- measured on the labelled sets (the figures are printed by bench/bench_tone_quality.py) ------------


def test_the_labelled_sets_stay_above_their_floors() -> None:
    from bench.bench_tone_quality import DEFAULT_FILE, judge, read_rows

    rows = read_rows(DEFAULT_FILE)
    assert len(rows) >= 600
    assert sum(1 for row in rows if not row.expected) >= 300
    quality = judge(rows)
    # Measured 1.00 / 0.98 on the set the rules were written from; floors well below, to catch regressions.
    assert quality.precision >= 0.95
    assert quality.recall >= 0.90
    for category in CATEGORIES:
        assert quality.category_recall(category) >= 0.85, category
    earlier = judge(read_rows(DEFAULT_FILE.with_name("tone_messages_holdout.tsv")))
    # Measured 0.90 / 0.56 when it was held out; round two's families were then checked against it.
    assert earlier.precision >= 0.90
    assert earlier.recall >= 0.85
    round_eight = judge(read_rows(DEFAULT_FILE.with_name("tone_heldout_r8.tsv")))
    # Measured 0.96 / 0.50 when it was held out; round three's families were then checked against it.
    assert round_eight.precision >= 0.90
    assert round_eight.recall >= 0.80
    held_out = judge(read_rows(DEFAULT_FILE.with_name("tone_heldout_r9.tsv")))
    # The held-out figure: measured 0.92 / 0.30 once, no rule changed for it; only a floor against getting worse.
    assert held_out.precision >= 0.85
    assert held_out.recall >= 0.25
    round_ten = judge(read_rows(DEFAULT_FILE.with_name("tone_heldout_r10.tsv")))
    # Written before round four and measured at its end: 0.94 / 0.59 before, 0.95 / 0.62 after (the rules alone;
    # with the word model 0.95 / 0.81 since the everyday round, printed by bench_tone_quality --with-model and held
    # to the targets in test_tone_model.py). A floor against getting worse.
    assert round_ten.precision >= 0.90
    assert round_ten.recall >= 0.55


# --- issue 12 point 3: phrase families with slots, and the contexts that cancel them ---------------------


@pytest.mark.parametrize(
    ("text", "rule_id"),
    [
        # brush-off: not ours, ask them, refusals, see the docs
        ("that's on the payment processor, not us", "brush-off.not-ours"),
        ("The printer driver isn't ours.", "brush-off.not-ours"),
        ("Plugins are community-made, we don't maintain them.", "brush-off.not-ours"),
        ("We just host the files, what's in them is up to you.", "brush-off.not-ours"),
        ("It's Zapier that's failing, ask them.", "brush-off.ask-them"),
        ("No idea why your bank flagged it, talk to them directly.", "brush-off.ask-them"),
        ("You'll need to chase the reseller for that refund.", "brush-off.ask-them"),
        ("you'd want to get in touch with the airline", "brush-off.ask-them"),
        ("Your account manager is the one to ask.", "brush-off.ask-them"),
        ("Someone else will have to pick that up.", "brush-off.ask-them"),
        ("Nah, not possible.", "brush-off.refusal"),
        ("We won't be adding that.", "brush-off.refusal"),
        ("It's on the backlog, no idea when.", "brush-off.refusal"),
        ("Just try again tomorrow.", "brush-off.refusal"),
        ("If clearing the cache doesn't work, not much more I can suggest.", "brush-off.refusal"),
        ("Looks fine on my end.", "brush-off.refusal"),
        ("What do you expect us to do about that?", "brush-off.refusal"),
        ("Kindly refer to the documentation.", "brush-off.see-the-docs"),
        ("The FAQ covers this.", "brush-off.see-the-docs"),
        ("Did you check the knowledge base first?", "brush-off.see-the-docs"),
        ("It's all in the release notes.", "brush-off.see-the-docs"),
        # threat: conditions with slots on both sides
        ("If u don't update the card today ur account gets locked", "threat.conditional"),
        ("If your team keeps scraping, we'll block your IP range.", "threat.conditional"),
        ("Keep spamming the queue and we'll rate-limit your whole org.", "threat.conditional"),
        ("Miss the deadline and the contract is void.", "threat.conditional"),
        ("Repeated misuse means we'll pull your sandbox.", "threat.conditional"),
        ("We're done giving extensions, next time it's suspension.", "threat.conditional"),
        ("If you cancel again, we won't offer you another discount.", "threat.conditional"),
        ("Another complaint like this and the partnership is over.", "threat.conditional"),
        ("Renew by the 30th or your historical reports are gone for good.", "threat.conditional"),
        ("Late fees will be added for every week the invoice stays open.", "threat.conditional"),
        ("I'll be reporting this behaviour to your employer.", "threat.conditional"),
        ("Our solicitors will be sending a formal letter.", "threat.conditional"),
        # blame: who broke what, told-you-before, because-you
        ("You've mixed up the staging and production keys.", "blame.you-broke-it"),
        ("Your own admin revoked the token.", "blame.you-broke-it"),
        ("Someone on your team deleted the records.", "blame.you-broke-it"),
        ("You uploaded the wrong CSV.", "blame.you-broke-it"),
        ("It's failing because your certificate expired.", "blame.you-broke-it"),
        ("The problem is the way your team imported the contacts.", "blame.you-broke-it"),
        ("You were meant to upgrade before the end of the month.", "blame.you-broke-it"),
        ("I've asked you three times now to send the logs.", "blame.you-broke-it"),
        ("I pointed this out last week too.", "blame.you-broke-it"),
        ("We've been over this, the sandbox isn't for production data.", "blame.you-broke-it"),
        ("Your IT locked down the ports, so of course it can't connect.", "blame.you-broke-it"),
        ("The outage was caused by your load test.", "blame.you-broke-it"),
    ],
)
def test_the_round_four_families_fire(text: str, rule_id: str) -> None:
    # The family fires on its own, and the shipped rules give the message a tip of its category (an older rule
    # that matches the same words first may be the one named).
    rule = next(rule for rule in shipped_rules() if rule.id == rule_id)
    assert ToneMatcher.build([rule]).check(text)
    assert rule.category in fired(text)


@pytest.mark.parametrize(
    "text",
    [
        # the same families, said kindly, or with a next step, or about something else
        "If you don't need the old seats, we'll remove them for you, no charge.",
        "If you don't see the email in 5 minutes, check spam and I'll resend it.",
        "Unless you object, I'll close this ticket on Friday.",
        "No late fees will be added this month.",
        "Keep sending the logs as they come and we'll piece it together.",
        "Keep this up and we'll have to give you an award",
        "You uploaded the wrong CSV? No problem, I've swapped it for the right one.",
        "Your admin revoked the token by accident, so I've issued a new one.",
        "You were supposed to get a refund, I'm chasing it now.",
        "It's failing because of a bug we shipped yesterday, rollback in progress.",
        "The docs cover this, and I'll also send you a short video walkthrough.",
        "It works on my end, so let's compare settings, can we jump on a quick call?",
        "Not possible yet, but it's on the roadmap for Q2 and I'll keep you posted.",
        "Try again now, it should work.",
        "The deal is done! 🎉",
        "Like I said, really happy with how the rollout went!",
        # a next step inside a gapped phrase, and one made in the past tense
        "Policy says 30 days, but I've extended it to 60 for you.",
        "Not something we do normally, but I've made an exception for you.",
        # single quotation marks around the words are someone else's words
        "The 'final warning' banner was a bug in our UI, fixed now.",
        "customer said 'you clearly didn't test this', ouch",
        "Their subject line was ‘not my job’, I'll reply kindly.",
    ],
)
def test_round_four_contexts_cancel_the_tip(text: str) -> None:
    assert fired(text) == set()


def test_i_can_inside_a_refusal_is_no_next_step() -> None:
    from bot.domain.tone import next_step_cancels

    assert not next_step_cancels("brush_off", "there's nothing on our side i can change for that.")
    assert not next_step_cancels("brush_off", "not much else we can try tbh")
    assert next_step_cancels("brush_off", "i can change that for you.")
    assert next_step_cancels("brush_off", "nothing to worry about, we can move it to thursday.")


def test_dollar_after_a_choice_that_may_be_empty_ends_a_clause() -> None:
    matcher = ToneMatcher.build(
        [ToneRule(id="t", category=B, phrases=("ask them {directly |}$",), alternative="a", principle="p")]
    )
    assert matcher.check("It's Zapier, ask them.")
    assert matcher.check("It's Zapier, ask them directly.")
    assert not matcher.check("Ask them about the renewal date")


def test_single_quotes_leave_apostrophes_in_words_alone() -> None:
    assert fired("It's not my job.") == {B}
    assert fired("the customers' invoices aren't my job") == {B}
    assert fired("'not my job' is what they said") == set()


# --- everyday messages the rules used to tip (issue 12 point 3, precision on everyday chatter) ---------------------


@pytest.mark.parametrize(
    "text",
    [
        "whoops, wrong thread, sorry all",
        "My bad — posted that in the wrong channel 🙈",
        "The import completed last night and everything looks fine on our side.",
        "Your upgrade went through, all looks good from here!",
        "Please keep an eye on our status page for updates while we fix it.",
        "You can follow the status page for live updates.",
    ],
)
def test_a_slip_of_ones_own_a_job_reported_done_and_status_updates_are_no_brush_off(text: str) -> None:
    assert SHIPPED.check(text) == []


@pytest.mark.parametrize(
    ("text", "rule_id"),
    [
        ("Wrong channel.", "brush-off.wrong-department"),
        ("Everything looks fine on our end.", "brush-off.refusal"),
        ("Check the status page.", "brush-off.read-the-docs"),
        ("Stop opening duplicate tickets or we'll lock the whole account.", "threat.conditional"),
        ("stop spamming the queue or we will suspend u", "threat.conditional"),
    ],
)
def test_the_brush_offs_around_them_still_fire_and_stop_or_we_will_is_a_threat(text: str, rule_id: str) -> None:
    assert rule_id in {hit.rule.id for hit in SHIPPED.check(text)}


def test_stop_by_the_desk_is_no_threat() -> None:
    assert SHIPPED.check("Stop by the desk or we'll close up at 5") == []


@pytest.mark.parametrize(
    "text",
    [
        "Acme lost their drive again, someone should call them",
        "can someone call them?",
        "We should call them",
        "let's email them",
        "Should we ask them?",
        "I need to chase them",
    ],
)
def test_a_teammate_planning_to_contact_someone_is_no_brush_off(text: str) -> None:
    assert SHIPPED.check(text) == []


@pytest.mark.parametrize("text", ["Ask them.", "You'll need to ask them directly", "Please contact them directly."])
def test_sending_the_customer_to_them_is_still_a_brush_off(text: str) -> None:
    assert [hit.rule.category for hit in SHIPPED.check(text)] == ["brush_off"]
