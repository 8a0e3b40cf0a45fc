"""Safe YAML reading with line numbers, shared by the card reader and the policy loader.

ruamel.yaml's round-trip loader keeps the line and column of every key (``CommentedMap.lc``),
never builds arbitrary Python objects, and leaves aliases shared rather than copied; ``guard_size``
then refuses documents whose aliases would expand past a limit (the "billion laughs"). The bound
is on the nodes aliases add, not on the document's own nodes: a manifest of 100,000 entries has
more than 100,000 nodes and no alias. (The C loader counts the same while parsing and stops at
the first alias past it.)
"""

from __future__ import annotations

import datetime as dt
import math
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from checker.paths import clean, escaped

_NOT_FINITE = {"nan": ".nan", "inf": ".inf", "-inf": "-.inf"}

MAX_EXPANDED_NODES = 100_000  # nodes that aliases may add to a document
MAX_FLOW_DEPTH = 200  # the nesting guard_size allows; deeper flow YAML is not parsed


def too_deep(front: str) -> int | None:
    """The 0-based line where flow collections (``[``, ``{``) nest past ``MAX_FLOW_DEPTH``
    outside quotes, or None. A linear scan: ruamel would spend seconds recursing into 100,000
    brackets before failing."""
    if front.count("[") + front.count("{") <= MAX_FLOW_DEPTH:
        return None
    depth, quote = 0, ""
    line = 0
    for char in front:
        if char == "\n":
            line += 1
            quote = "" if quote == "'" else quote
        elif quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in "[{":
            depth += 1
            if depth > MAX_FLOW_DEPTH:
                return line
        elif char in "]}":
            depth = max(0, depth - 1)
    return None


@dataclass(eq=False)  # an exception, not a fact: compared and hashed by identity, as others
class YamlProblem(Exception):
    """A YAML document could not be used: the message and its 1-based line and column.

    Not frozen: Python code sets an exception's ``__traceback__`` (``contextlib`` does, on the
    way out of a ``with`` block), and a frozen dataclass refuses that (with ``slots=True`` as a
    ``TypeError`` from ``super()``), which hid this error behind another."""

    message: str
    line: int
    column: int


_LOCAL = threading.local()


def _yaml() -> Any:
    """This thread's loader (building one costs more than parsing a card; loaders are not
    thread-safe, so each thread has its own)."""
    loader = getattr(_LOCAL, "loader", None)
    if loader is None:
        loader = _LOCAL.loader = _new_yaml()
    return loader


def _new_yaml() -> Any:
    from ruamel.yaml import YAML
    from ruamel.yaml.constructor import RoundTripConstructor

    class Constructor(RoundTripConstructor):
        """Keeps timestamps as the strings written, so a bad date is a located error."""

    Constructor.add_constructor(
        "tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node)
    )
    yaml = YAML(typ="rt")
    yaml.Constructor = Constructor
    yaml.allow_duplicate_keys = False
    return yaml


def load(text: str, first_line: int = 1) -> Any:
    """Parse one YAML document; line numbers in problems are offset so line 1 is ``first_line``.
    libyaml's C parser builds the values when it can (``checker/yaml_fast.py``); the round-trip
    loader does everything else and says every problem."""
    from checker import yaml_fast

    try:
        fast = yaml_fast.load(text, MAX_EXPANDED_NODES)
    except yaml_fast.TooLarge:
        raise _too_large(MAX_EXPANDED_NODES, first_line) from None
    if fast is not yaml_fast.FALLBACK:
        guard_size(fast, first_line)
        return fast
    return load_round_trip(text, first_line)


def load_round_trip(text: str, first_line: int = 1) -> Any:
    """``load`` with ruamel's pure-Python round-trip loader only."""
    from ruamel.yaml.error import MarkedYAMLError, YAMLError
    from ruamel.yaml.reader import ReaderError

    deep = too_deep(text)
    if deep is not None:
        raise YamlProblem(
            f"invalid YAML: nested more than {MAX_FLOW_DEPTH} levels deep", first_line + deep, 1
        )
    try:
        node = _yaml().load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line if mark else 0) + first_line
        column = (mark.column if mark else 0) + 1
        what = " ".join(p for p in (exc.context, exc.problem) if p) or "invalid YAML"
        raise YamlProblem(f"invalid YAML: {escaped(what)}", line, column) from exc
    except ReaderError as exc:  # a character YAML does not allow (NUL, most C0 controls)
        position = exc.position if isinstance(exc.position, int) else 0
        line = text.count("\n", 0, position) + first_line
        column = position - (text.rfind("\n", 0, position) + 1) + 1
        char = exc.character
        code = char if isinstance(char, int) else ord(str(char)[:1] or "?")
        raise YamlProblem(
            f"invalid YAML: character U+{code:04X} is not allowed in YAML", line, column
        ) from exc
    except YAMLError as exc:
        raise YamlProblem(f"invalid YAML: {escaped(str(exc))}", first_line, 1) from exc
    except RecursionError as exc:
        raise YamlProblem("invalid YAML: nested too deeply", first_line, 1) from exc
    except ValueError as exc:  # an integer of more than 4,300 digits, an impossible date...
        raise YamlProblem(
            f"invalid YAML: a value cannot be read ({_short(exc)})", first_line, 1
        ) from exc
    guard_size(node, first_line)
    return node


def _short(exc: BaseException) -> str:
    text = str(exc).split(";", 1)[0]
    return text if len(text) <= 120 else text[:117] + "..."


def _too_large(limit: int, first_line: int) -> YamlProblem:
    return YamlProblem(
        f"the document has more than {limit:,} nodes once aliases are expanded; refusing it",
        first_line,
        1,
    )


def guard_size(node: Any, first_line: int = 1, limit: int = MAX_EXPANDED_NODES) -> None:
    """Refuse a document whose aliases add more than ``limit`` nodes (a collection met again,
    shared by an alias, adds its whole expanded size) or form a cycle."""
    sizes: dict[int, int] = {}
    added = 0

    def size(obj: Any, depth: int) -> int:
        nonlocal added
        if depth > 200:
            raise YamlProblem("invalid YAML: nested more than 200 levels deep", first_line, 1)
        if not isinstance(obj, (Mapping, list)):
            return 1
        known = sizes.get(id(obj))
        if known is not None:  # an alias (or a cycle, counted as too large)
            added += known
            if added > limit:
                raise _too_large(limit, first_line)
            return known
        sizes[id(obj)] = limit + 1
        children = obj.values() if isinstance(obj, Mapping) else obj
        total = 1
        for child in children:
            total += size(child, depth + 1)
        sizes[id(obj)] = total
        return total

    size(node, 0)


def to_plain(obj: Any) -> Any:
    """Convert ruamel's round-trip objects to plain JSON-compatible Python values."""
    kind = type(obj)  # the common exact types first: an ABC check costs more than the rest
    if kind is str:
        return clean(obj)
    if kind is bool or kind is int or obj is None:
        return obj
    if isinstance(obj, dict):
        return {clean(str(k)): to_plain(v) for k, v in obj.items()}
    if kind is list:
        return [to_plain(v) for v in obj]
    if isinstance(obj, Mapping):
        return {clean(str(k)): to_plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_plain(v) for v in obj]
    if isinstance(obj, bool) or obj is None:
        return obj
    if isinstance(obj, int):
        return int(obj)
    if isinstance(obj, float):  # .nan and .inf are not JSON values: kept as YAML spells them
        return float(obj) if math.isfinite(obj) else _NOT_FINITE[str(float(obj))]
    if isinstance(obj, (dt.date, dt.datetime)):
        return obj.isoformat()
    if isinstance(obj, str):  # lone surrogates (YAML "\ud800") and NUL as U+FFFD
        return clean(str(obj))
    value = getattr(obj, "value", None)  # ruamel TaggedScalar
    return str(value if value is not None else obj)


def key_position(node: Any, key: Any) -> tuple[int, int] | None:
    """0-based (line, column) of ``key`` in a ruamel mapping node, when known."""
    lc = getattr(node, "lc", None)
    if lc is None:
        return None
    try:
        line, col = lc.key(key)
    except (KeyError, TypeError):
        return None
    return int(line), int(col)


def item_position(node: Any, index: int) -> tuple[int, int] | None:
    """0-based (line, column) of item ``index`` in a ruamel sequence node, when known."""
    lc = getattr(node, "lc", None)
    if lc is None:
        return None
    try:
        line, col = lc.item(index)
    except (KeyError, TypeError, IndexError):
        return None
    return int(line), int(col)
