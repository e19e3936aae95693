"""Names that are also everyday words or well-known tools ("Target", "Box", "Zoom"), and how such a name is written.

A customer called Target is not named by "our target is 50 tickets", nor a customer called Zoom by "send me the zoom
link". Such a name is matched *only as written*: in the letter case it was given (capitalised when it was given in
lower case), or in capitals when the words around it shout too. The word lists ship inside the package as data:
`data/everyday_words.txt` (the most frequent English words) and `data/tool_names.txt` (tools and brands people talk
about in support chat). Only a one-word name is looked up; a longer name ("Square One Dental") is rarely typed by
accident, and a person can still switch it on with `/customer exact`.
"""

from __future__ import annotations

from functools import cache
from importlib import resources


def _read_list(filename: str) -> frozenset[str]:
    text = resources.files("bot.domain").joinpath("data", filename).read_text(encoding="utf-8")
    return frozenset(
        line.strip().lower() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")
    )


@cache
def everyday_words() -> frozenset[str]:
    """The shipped lists, lower case: common English words and tool names."""
    return _read_list("everyday_words.txt") | _read_list("tool_names.txt")


@cache
def tool_names() -> frozenset[str]:
    """The shipped list of well-known tools and brands, lower case."""
    return _read_list("tool_names.txt")


def is_everyday_key(key: str) -> bool:
    """Whether a normalized (lower-case, single-spaced) name is one everyday word or tool name."""
    return key in everyday_words()


def is_everyday_name(name: str) -> bool:
    """Whether a customer name or alias, as a person typed it, is one everyday word or tool name."""
    return is_everyday_key(" ".join(name.lower().split()))


def is_tool_name(name: str) -> bool:
    """Whether a name is one of the well-known tools (so a confirmation can say "a tool's name")."""
    return " ".join(name.lower().split()) in tool_names()


def written_form(name: str) -> str:
    """How a name matched only as written must appear: as given, or capitalised when given without capitals."""
    name = " ".join(name.split())
    if any(char.isupper() for char in name):
        return name
    for index, char in enumerate(name):
        if char.isalpha():
            return name[:index] + char.upper() + name[index + 1 :]
    return name
