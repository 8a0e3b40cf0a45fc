"""The C loader (checker/yaml_fast.py) gives exactly what the round-trip loader gives: the same
values and the same position of every key and item, on every real card of the corpus, on the
repository's own YAML, and on generated documents; where it cannot, it falls back."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker import yaml_fast, yamlio
from checker.card import decode, split_front_matter
from tests.conftest import corpus_dir

REPO = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(not yaml_fast.available(), reason="no ruamel C extension")


def _positions(node: Any, path: str = "") -> dict[str, tuple[int, int] | None]:
    out: dict[str, tuple[int, int] | None] = {}
    if isinstance(node, dict):
        for key, value in node.items():
            out[f"{path}/{key}"] = yamlio.key_position(node, key)
            out.update(_positions(value, f"{path}/{key}"))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            out[f"{path}[{index}]"] = yamlio.item_position(node, index)
            out.update(_positions(value, f"{path}[{index}]"))
    return out


def assert_same(text: str) -> bool:
    """True when the fast loader built the document (and it matched); False on a fallback."""
    try:
        fast = yaml_fast.load(text, yamlio.MAX_EXPANDED_NODES)
    except yaml_fast.TooLarge:  # an alias bomb, stopped while parsing: the round trip refuses it
        with pytest.raises(yamlio.YamlProblem, match="aliases"):
            yamlio.load_round_trip(text)
        raise yamlio.YamlProblem("aliases", 1, 1) from None
    try:
        slow = yamlio.load_round_trip(text)
    except yamlio.YamlProblem:
        # what the round trip refuses, the full load refuses too (the C loader may build an
        # alias bomb's shared values: yamlio's size guard then refuses them; never repr them)
        with pytest.raises(yamlio.YamlProblem):
            yamlio.load(text)
        raise
    if fast is yaml_fast.FALLBACK:
        return False
    assert yamlio.to_plain(fast) == yamlio.to_plain(slow)
    assert _positions(fast) == _positions(slow)
    return True


def test_every_corpus_card_front_matter_loads_alike() -> None:
    built = 0
    cards = sorted((corpus_dir() / "cards").glob("*.md"))
    assert cards
    for card in cards:
        text, _ = decode(card.read_bytes())
        front, _, _ = split_front_matter(text or "")
        if front is not None:
            built += assert_same(front)
    assert built >= len(cards) * 0.9  # nearly all take the fast path


def test_repository_yaml_loads_alike() -> None:
    files = [*REPO.glob("examples/**/*.yaml"), *REPO.glob("rules/**/*.yaml")]
    files += [*REPO.glob("tests/policies/**/*.yaml")]
    built = 0
    for path in files:
        # a deliberately broken policy: assert_same checks the fast loader fell back
        with contextlib.suppress(yamlio.YamlProblem, UnicodeDecodeError):
            built += assert_same(path.read_text(encoding="utf-8"))
    assert built > 100


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\na: 2\n",  # duplicate key: the round-trip loader's error
        "a: [1\n",  # a parse error
        "base: &b {x: 1}\nderived:\n  <<: *b\n  y: 2\n",  # a merge key
        "a: !custom 1\n",  # a non-core tag
        "a: &x 1\nb: *x\n",  # an anchored scalar
        "? [a, b]\n: 1\n",  # a complex key
        "a: 1\n---\nb: 2\n",  # two documents
        "[" * 3000,  # many flow brackets (libyaml is quadratic in flow depth)
        "- " * 500 + "x",  # deeper than MAX_DEPTH
    ],
)
def test_falls_back_where_it_could_differ(text: str) -> None:
    assert yaml_fast.load(text, yamlio.MAX_EXPANDED_NODES) is yaml_fast.FALLBACK


def test_deep_block_nesting_does_not_crash_and_is_refused_located() -> None:
    with pytest.raises(yamlio.YamlProblem):
        yamlio.load("- " * 2_000 + "x", first_line=5)


def test_alias_bomb_is_still_refused() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 8)]
    with pytest.raises(yamlio.YamlProblem, match="aliases"):
        yamlio.load("\n".join(lines) + "\n")


def _bomb(levels: int) -> str:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def test_the_c_loader_stops_at_the_first_alias_past_the_bound() -> None:
    # 10 levels would expand to 10^10 nodes: counted as the events come, refused at level 5
    with pytest.raises(yaml_fast.TooLarge):
        yaml_fast.load(_bomb(10) + "tail: [" + "1, " * 1000 + "1]\n", 100_000)
    assert yaml_fast.load(_bomb(4), 100_000) is not yaml_fast.FALLBACK  # 12,330 nodes added
    with pytest.raises(yaml_fast.TooLarge):
        yaml_fast.load(_bomb(4), 10_000)


def test_an_alias_to_an_open_collection_is_a_cycle_refused() -> None:
    with pytest.raises(yamlio.YamlProblem, match="aliases"):
        yamlio.load("a: &a\n  b: *a\n")
    with pytest.raises(yamlio.YamlProblem, match="aliases"):  # a reused anchor name
        yamlio.load("x: &a [1]\ny: &a\n  - *a\n")


def test_an_honest_long_list_is_not_counted_against_the_alias_bound() -> None:
    node = yamlio.load("models:\n" + "".join(f"  - m{i}\n" for i in range(110_000)))
    assert len(node["models"]) == 110_000  # 110,001 nodes, no alias
    assert yamlio.item_position(node["models"], 109_999) == (110_000, 4)
    yamlio.guard_size({"models": [{"id": str(i)} for i in range(110_000)]})  # the round trip's


def test_the_guard_counts_what_aliases_add_on_both_paths() -> None:
    base = "base: &b {" + ", ".join(f"k{j}: {j}" for j in range(999)) + "}\n"  # 1,000 nodes
    fine = base + "".join(f"a{i}: *b\n" for i in range(90))  # 90,000 nodes added
    assert len(yamlio.load(fine)) == len(yamlio.load_round_trip(fine)) == 91
    bomb = base + "".join(f"a{i}: *b\n" for i in range(101))  # 101,000
    with pytest.raises(yamlio.YamlProblem, match="aliases"):
        yamlio.load(bomb)
    with pytest.raises(yamlio.YamlProblem, match="aliases"):
        yamlio.load_round_trip(bomb)


SCALARS = st.one_of(
    st.sampled_from(
        [
            "yes",
            "no",
            "on",
            "true",
            "False",
            "null",
            "~",
            "0o17",
            "0x1f",
            "1_000",
            "1e3",
            ".inf",
            "2024-01-02",
            "2024-01-02T03:04:05Z",
            "12:30",
            "-",
            "'quoted'",
            '"dq"',
            "+1",
            "007",
        ]
    ),
    st.from_regex(r"[a-z][a-z0-9 ._/-]{0,12}", fullmatch=True).map(str.strip).filter(bool),
    st.integers(-(10**6), 10**6).map(str),
)
KEYS = st.from_regex(r"[a-z_][a-z0-9_-]{0,8}", fullmatch=True)


def _render(value: Any, indent: int) -> list[str]:
    pad = " " * indent
    if isinstance(value, dict):
        out = []
        for key, item in value.items():
            if isinstance(item, (dict, list)) and item:
                out += [f"{pad}{key}:", *_render(item, indent + 2)]
            else:
                out.append(f"{pad}{key}: {_inline(item)}")
        return out
    out = []
    for item in value:
        if isinstance(item, (dict, list)) and item:
            out += [f"{pad}-", *_render(item, indent + 2)]
        else:
            out.append(f"{pad}- {_inline(item)}")
    return out


def _inline(value: Any) -> str:
    if isinstance(value, dict):
        return "{}"
    if isinstance(value, list):
        return "[]"
    return str(value)


DOCS = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(KEYS, inner, max_size=4)),
    max_leaves=20,
).filter(lambda v: isinstance(v, dict))
FLOW = st.lists(SCALARS, max_size=5).map(lambda xs: "k: [" + ", ".join(xs) + "]\n")


@settings(max_examples=300, deadline=None)
@given(DOCS)
def test_generated_block_documents_load_alike(doc: dict[str, Any]) -> None:
    text = "\n".join(_render(doc, 0)) + "\n"
    with contextlib.suppress(yamlio.YamlProblem):  # refused by both
        assert_same(text)


@settings(max_examples=200, deadline=None)
@given(FLOW)
def test_generated_flow_documents_load_alike(text: str) -> None:
    with contextlib.suppress(yamlio.YamlProblem):  # refused by both
        assert_same(text)


def test_a_yaml_problem_passes_through_a_context_manager_unchanged() -> None:
    """contextlib sets ``__traceback__`` on an exception leaving a ``with`` block: a slotted
    frozen dataclass exception turned that into a TypeError that hid the real error."""
    import contextlib

    from checker.yamlio import YamlProblem

    @contextlib.contextmanager
    def block() -> Iterator[None]:
        yield

    with pytest.raises(YamlProblem) as caught, block():
        raise YamlProblem("bad", 3, 4)
    assert (caught.value.message, caught.value.line, caught.value.column) == ("bad", 3, 4)
    caught.value.__traceback__ = None  # a plain attribute of an exception, as for any other
