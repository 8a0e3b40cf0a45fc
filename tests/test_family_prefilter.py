"""Family name patterns are compiled only for names holding their needed word
(checker/knowledge_lineage.py ``needed_word``): the word must be in every match, or a family
would be missed."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.knowledge import load_knowledge
from checker.knowledge_lineage import FamilyPattern, needed_word

ASCII = st.characters(min_codepoint=32, max_codepoint=126)


@pytest.mark.parametrize(
    ("pattern", "word"),
    [
        ("(?<![a-z0-9])qwen", "qwen"),
        ("(?<![a-z0-9])(?:meta[-_]?)?llama[-_ ]?4(?![0-9])", "llama"),
        ("(?<![a-z0-9])(?:mistral|mixtral)(?![a-z])", ""),  # only inside a group
        ("a|bcd", ""),  # a top-level alternative
        ("(?x)abc # def", ""),  # a verbose comment
        ("abc?d", "ab"),  # c is optional
        ("ab{0,3}cd", "cd"),  # and so is b; the counts are not letters
        ("a{2}b", "b"),
        (r"\dx+yz", "yz"),  # an escape and a repeated x end runs
        (r"a\.bc", "bc"),
        ("[]a]bc", "bc"),  # a ] first in a class is a member
        ("[^]x]yz", "yz"),
        ("(?i:ab)cd", "cd"),
        ("abc(de|f)gh?", "abc"),
        ("x*", ""),
        ("", ""),
        ("QwEn", "qwen"),  # lower-cased: the patterns are case-insensitive
        ("caf\u00e9s", "caf"),  # non-ASCII ends a run
    ],
)
def test_needed_word(pattern: str, word: str) -> None:
    assert needed_word(pattern) == word


SHIPPED = [p for f in load_knowledge().families for p in (*f.patterns, *f.not_patterns)]


def test_most_shipped_patterns_have_a_needed_word() -> None:
    assert all(p.needs == needed_word(p.pattern) for p in SHIPPED)
    assert sum(bool(p.needs) for p in SHIPPED) >= len(SHIPPED) - 3


@pytest.mark.parametrize("pattern", [p for p in SHIPPED if p.needs], ids=lambda p: p.pattern)
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_every_match_of_a_shipped_pattern_holds_its_word(
    pattern: FamilyPattern, data: st.DataObject
) -> None:
    compiled = re.compile(pattern.pattern, re.IGNORECASE)
    text = data.draw(st.from_regex(compiled, alphabet=ASCII))
    assert pattern.needs in text.lower()
    assert pattern.search(text)


@settings(max_examples=200, deadline=None)
@given(st.text(st.sampled_from("aAbBcC01-_.|?*+{},()[]^\\"), max_size=10), st.text(ASCII))
def test_the_word_is_in_every_match(pattern: str, text: str) -> None:
    try:
        compiled = re.compile(pattern, re.IGNORECASE)
    except re.error:
        return
    for candidate in (text, pattern, text + pattern.replace("\\", "")):
        match = compiled.search(candidate)
        if match is not None and candidate.isascii():
            assert needed_word(pattern) in match.group(0).lower()


def test_a_non_ascii_name_is_always_compared() -> None:
    # the Kelvin sign matches k case-insensitively: no shortcut for names that are not ASCII
    kelvin = FamilyPattern("(?<![a-z0-9])kimi", (), "test", needed_word("(?<![a-z0-9])kimi"))
    assert kelvin.needs == "kimi"
    assert kelvin.search("\u212aimi-k2")
    assert not kelvin.search("kim-k2")
