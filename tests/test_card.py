"""The card reader: normal variations parse; broken front matter is a problem with a line."""

from __future__ import annotations

import pytest

from checker.card import MAX_CARD_BYTES, parse_card


def test_plain_front_matter_with_lines() -> None:
    card = parse_card(b"---\nlicense: mit\nbase_model: org/base\n---\n# Title\n")
    assert card.metadata == {"license": "mit", "base_model": "org/base"}
    assert card.lines == {"license": 2, "base_model": 3}
    assert card.problems == ()


@pytest.mark.parametrize(
    "data",
    [
        b"\xef\xbb\xbf---\nlicense: mit\n---\n",  # byte-order mark
        b"---\r\nlicense: mit\r\n---\r\n# x\r\n",  # CRLF
        b"---\rlicense: mit\r---\r",  # old Mac line ends
        b"\n\n  \n---\nlicense: mit\n---\n",  # blank lines before ---
        b"---  \nlicense: mit\n...\n",  # trailing spaces, YAML end marker
    ],
    ids=["bom", "crlf", "cr", "blank-lines", "end-marker"],
)
def test_normal_variations(data: bytes) -> None:
    card = parse_card(data)
    assert card.metadata == {"license": "mit"}
    assert card.problems == ()


def test_blank_lines_shift_line_numbers() -> None:
    assert parse_card(b"\n\n---\nx: 1\nlicense: mit\n---\n").lines["license"] == 5


def test_no_front_matter_is_normal() -> None:
    card = parse_card(b"# Just a title\n\nSome text.\n")
    assert card.metadata == {} and card.problems == () and not card.has_front_matter


def test_empty_front_matter() -> None:
    card = parse_card(b"---\n---\n# x\n")
    assert card.metadata == {} and card.problems == () and card.has_front_matter


@pytest.mark.parametrize(
    ("data", "message", "line"),
    [
        (b"---\nlicense: mit\nbase_model: [a\n---\n", "invalid YAML", 3),
        (b"---\n- a\n- b\n---\n", "the front matter is a list, not a mapping", 2),
        (b"---\njust text\n---\n", "the front matter is a string, not a mapping", 2),
        (b"---\nlicense: mit\nlicense: apache-2.0\n---\n", "invalid YAML", 3),
        (b"---\nlicense: mit\n", "the front matter opened with '---' is never closed", 1),
        (b"---\nlicense: caf\xe9\n---\n", "the card is not valid UTF-8 (byte 16", 2),
    ],
    ids=["bad-yaml", "list", "scalar", "duplicate-key", "unclosed", "not-utf8"],
)
def test_broken_front_matter(data: bytes, message: str, line: int) -> None:
    card = parse_card(data)
    assert card.metadata == {}
    assert len(card.problems) == 1
    assert card.problems[0].message.startswith(message), card.problems[0].message
    assert card.problems[0].line == line


def test_alias_bomb_is_refused_quickly() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 12):
        prev = f"*a{i - 1}"
        lines.append(f"a{i}: &a{i} [{', '.join([prev] * 10)}]")
    data = ("---\n" + "\n".join(lines) + "\n---\n").encode()
    card = parse_card(data)
    assert card.metadata == {}
    assert "alias" in card.problems[0].message


def test_benign_alias_is_fine() -> None:
    card = parse_card(b"---\nbase: &b org/base\nbase_model: *b\nlicense: mit\n---\n")
    assert card.metadata["base_model"] == "org/base"


def test_dates_and_numbers_become_plain_values() -> None:
    card = parse_card(b"---\ndate: 2024-01-02\nsize: 1.5\nn: 3\nok: true\n---\n")
    assert card.metadata == {"date": "2024-01-02", "size": 1.5, "n": 3, "ok": True}


def test_truncated_card_without_closing_marker_says_so() -> None:
    data = b"---\n" + b"k: v\n" * (MAX_CARD_BYTES // 5)
    card = parse_card(data[:MAX_CARD_BYTES], truncated=True)
    assert "does not close within the first" in card.problems[0].message


def test_python_tags_are_inert_data(tmp_path: object) -> None:
    card = parse_card(
        b"---\nx: !!python/object/apply:os.system ['touch /tmp/clearance-pwned']\n---\n"
    )
    assert card.metadata == {"x": ["touch /tmp/clearance-pwned"]}
