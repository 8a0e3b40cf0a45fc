"""Read a model card: split off the YAML front matter, parse it, note where each key stands.

Normal inputs: CRLF or CR line ends, a byte-order mark, blank lines before ``---``, no front matter.
Everything else (undecodable bytes, YAML that does not parse, a front matter that is not a mapping,
an alias bomb, an unterminated block) becomes a problem with its line, never an exception.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from checker import yaml_cache, yamlio

MAX_CARD_BYTES = 1024 * 1024  # front matter must start and end within the first MiB
# YAML parsing costs about 0.3 ms a line: a front matter longer than this is not parsed (real
# cards' longest, with evaluation results, are a few thousand lines)
MAX_FRONT_MATTER_LINES = 10_000


class CardProblem(NamedTuple):
    """Why the card's metadata could not be used, and where."""

    message: str
    line: int | None


@dataclass(frozen=True, slots=True)
class ParsedCard:
    """A card's metadata as plain values, the 1-based line of each top-level key, and problems."""

    metadata: dict[str, Any] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    problems: tuple[CardProblem, ...] = ()
    has_front_matter: bool = False
    body: str = ""  # the prose after the front matter (the whole text when there is none)
    body_line: int = 1  # the 1-based line of the card where ``body`` starts


def decode(data: bytes) -> tuple[str | None, CardProblem | None]:
    """Decode card bytes as UTF-8 (BOM allowed); report the first bad byte otherwise."""
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return None, CardProblem(
            f"the card is not valid UTF-8 (byte {exc.start}: {data[exc.start : exc.start + 1]!r})",
            line,
        )


def _lines(text: str) -> list[str]:
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def body_of(text: str, front: str | None, first_line: int) -> tuple[str, int]:
    """The prose after the front matter (which ends on the line after its last line)."""
    if front is None:
        return text.replace("\r\n", "\n").replace("\r", "\n"), 1
    start = first_line + front.count("\n") + 1  # the closing '---', 1-based
    return "\n".join(_lines(text)[start:]), start + 1


def split_front_matter(text: str) -> tuple[str | None, int, CardProblem | None]:
    """Return (front matter text, line of its first line, problem) from a decoded card."""
    lines = _lines(text)
    start = 0
    while start < len(lines) and not lines[start].strip():
        start += 1
    if start >= len(lines) or lines[start].rstrip() != "---":
        return None, 0, None
    for end in range(start + 1, len(lines)):
        if lines[end].rstrip() in ("---", "..."):
            return "\n".join(lines[start + 1 : end]), start + 2, None
    return None, 0, CardProblem("the front matter opened with '---' is never closed", start + 1)


def parse_card(data: bytes, truncated: bool = False, keep: bool = False) -> ParsedCard:
    """Parse card bytes (at most ``MAX_CARD_BYTES`` of them) into metadata, key lines, problems.
    ``keep``: always keep the parsed front matter in the cache (``yaml_cache.load``)."""
    text, problem = decode(data)
    if text is None:
        return ParsedCard(problems=(problem,) if problem else ())
    front, first_line, problem = split_front_matter(text)
    if problem is not None:
        if truncated:
            problem = CardProblem(
                f"the front matter does not close within the first {MAX_CARD_BYTES:,} bytes",
                problem.line,
            )
        return ParsedCard(problems=(problem,), has_front_matter=True)
    body, body_line = body_of(text, front, first_line)
    if front is None:
        return ParsedCard(body=body, body_line=body_line)
    length = front.count("\n") + 1
    if length > MAX_FRONT_MATTER_LINES:
        problem = CardProblem(
            f"the front matter is {length:,} lines long, over the {MAX_FRONT_MATTER_LINES:,} "
            "this reads: not parsed",
            first_line,
        )
        return ParsedCard(
            problems=(problem,), has_front_matter=True, body=body, body_line=body_line
        )
    try:
        node = yaml_cache.load(front.encode("utf-8"), front, first_line, keep)
    except yamlio.YamlProblem as exc:
        return ParsedCard(
            problems=(CardProblem(exc.message, exc.line),),
            has_front_matter=True,
            body=body,
            body_line=body_line,
        )
    if node is None:
        return ParsedCard(has_front_matter=True, body=body, body_line=body_line)
    if not isinstance(node, dict):
        kind = type(yamlio.to_plain(node)).__name__
        kind = {"list": "a list", "str": "a string", "int": "a number", "float": "a number"}.get(
            kind, kind
        )
        return ParsedCard(
            problems=(CardProblem(f"the front matter is {kind}, not a mapping", first_line),),
            has_front_matter=True,
            body=body,
            body_line=body_line,
        )
    lines: dict[str, int] = {}
    for key in node:
        pos = yamlio.key_position(node, key)
        if pos is not None:
            lines[str(key)] = pos[0] + first_line
    return ParsedCard(
        metadata=yamlio.to_plain(node),
        lines=lines,
        has_front_matter=True,
        body=body,
        body_line=body_line,
    )
