"""The labelled customer-name set in tests/fixtures/name_mentions.tsv: it loads, it covers every matching rule, and
the matcher stays well above a floor on it.

The figures themselves are measured, not asserted, by `python -m bench.bench_names` (precision and recall on
ordinary names, false mentions of everyday-word names before and after they count only as written, every miss);
the floor here sits well below them, to catch a regression in the suite without pinning the numbers.
"""

from __future__ import annotations

from collections import Counter

from bench.bench_names import build, load_directory, load_mentions, measure

# Every rule of issue 12's point 2, by the tag its rows carry, and the fewest rows each needs.
RULES = {
    "plain": 30,
    "apostrophe": 10,  # ’ ‘ ʼ ` ´ and a left-out apostrophe
    "quotes": 5,  # “ ” „ « »
    "formatting": 8,  # _italic_ *bold* ~strike~ `code`
    "accent-missing": 8,  # Nestle, Zurich
    "connector": 6,  # & / and / +
    "german": 1,  # Mueller
    "cjk": 6,  # Chinese and Japanese without spaces
    "thai": 1,
    "hangul": 1,
    "link": 2,  # a link's label
    "channel": 2,  # a channel's name
    "url": 2,  # a bare URL is visible text, a labelled one is not
    "mention-token": 2,  # people and groups never name a customer
    "possessive": 8,
    "plural": 3,
    "hyphen": 4,
    "emoji": 5,
    "allcaps": 10,
    "boundary": 8,  # a name inside a longer word is not a mention
    "everyday-lower": 60,  # "our target is 50 tickets"
    "everyday-caps": 30,  # "Target called about the invoice"
    "sentence-start": 15,  # "Zoom in on the chart": counted, and that is accepted
    "tool-caps": 2,  # "I'll post it in Slack": counted, and that is accepted
}

DIRECTORY = load_directory()
ROWS = load_mentions(directory=DIRECTORY)


def test_the_set_loads_and_is_large() -> None:
    assert len(ROWS) >= 300
    assert len(DIRECTORY) >= 40 and sum(c.everyday for c in DIRECTORY) >= 12
    assert len({row.text for row in ROWS}) == len(ROWS), "a message is labelled twice"
    assert sum(1 for row in ROWS if not row.expected) >= 100  # many messages name no customer


def test_every_rule_is_covered_and_every_tag_is_a_rule() -> None:
    tags = Counter(tag for row in ROWS for tag in row.tags)
    assert set(tags) == set(RULES)
    short = {rule: (tags[rule], least) for rule, least in RULES.items() if tags[rule] < least}
    assert not short, short


def test_the_matcher_stays_above_a_floor_on_the_set() -> None:
    after = measure(build(DIRECTORY, exact=None), DIRECTORY, ROWS)
    before = measure(build(DIRECTORY, exact=False), DIRECTORY, ROWS)
    assert after["ordinary"].recall >= 0.95 and after["ordinary"].precision >= 0.98
    assert after["everyday"].false <= before["everyday"].false * 0.3
    assert after["everyday"].found == before["everyday"].found
