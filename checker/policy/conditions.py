"""Custom-rule conditions: a closed set of operators under all/any/not, evaluated three-valued.

A leaf on a field that is missing or unknown (None) evaluates to None ("unknown"), never to a
silent False: the rule then reports at the policy's unknown level unless ``on-missing`` says
otherwise. Nothing in a policy is ever evaluated as code or as a template.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from checker.policy.fields import MISSING, lookup

OPERATORS = (
    "exists",
    "equals",
    "in",
    "contains",
    "intersects",
    "matches",
    "gte",
    "lte",
    "has_category",
)

Tri = bool | None
MATCH_TIMEOUT = 0.1  # seconds one ``matches`` leaf may take on one value
MAX_MATCH_INPUT = 64 * 1024  # characters of a value a ``matches`` leaf looks at


class MatchBound(Exception):
    """A ``matches`` leaf could not be decided within its bound (time, or the value's size)."""

    def __init__(self, leaf: Leaf, why: str) -> None:
        super().__init__(why)
        self.leaf, self.why = leaf, why


def compile_pattern(text: str) -> Any:
    """A custom rule's regular expression, compiled with the ``regex`` package (whose matching
    takes a timeout, so a pattern that backtracks catastrophically is stopped). Raises
    ``ValueError`` with the reason when it does not compile."""
    import regex

    try:
        return regex.compile(text)
    except (regex.error, OverflowError, RecursionError, ValueError) as exc:
        raise ValueError(str(exc)) from exc


@dataclass(frozen=True, slots=True)
class Leaf:
    """``{field, <op>: value}``."""

    field: str
    op: str
    value: Any
    pattern: Any = None  # a compiled ``regex`` pattern for ``matches``

    def describe(self) -> str:
        """The leaf as a reader would write it."""
        return f"{self.field} {self.op} {self.value!r}"


@dataclass(frozen=True, slots=True)
class Combine:
    """``all`` / ``any`` over children, or ``not`` over one child."""

    kind: str  # all | any | not
    children: tuple[Condition, ...]

    def describe(self) -> str:
        """The condition as a reader would write it."""
        if self.kind == "not":
            return f"not ({self.children[0].describe()})"
        return f" {self.kind} ".join(f"({c.describe()})" for c in self.children)


Condition = Leaf | Combine


def holds(cond: Condition, tree: dict[str, Any], categories: Callable[[str], set[str]]) -> Tri:
    """Evaluate against a facts tree: True, False or None (unknown)."""
    if isinstance(cond, Combine):
        results = [holds(c, tree, categories) for c in cond.children]
        if cond.kind == "not":
            return None if results[0] is None else not results[0]
        if cond.kind == "all":
            if any(r is False for r in results):
                return False
            return None if any(r is None for r in results) else True
        if any(r is True for r in results):
            return True
        return None if any(r is None for r in results) else False
    value = lookup(tree, cond.field)
    if cond.op == "exists":
        present = value is not MISSING and value is not None and value != []
        return bool(present == cond.value)
    if value is MISSING or value is None:
        return None
    if isinstance(value, list) and cond.op in ("equals", "in", "matches"):
        # over a list field (lineage.relation): true when any item is; an unknown item
        # (None) makes a false answer unknown
        results = [None if v is None else _LEAF_OPS[cond.op](v, cond, categories) for v in value]
        if any(r is True for r in results):
            return True
        return None if any(r is None for r in results) else False
    return _LEAF_OPS[cond.op](value, cond, categories)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _compare(value: Any, bound: Any, greater: bool) -> Tri:
    if isinstance(value, list):  # over a list (lineage.depth): true when any item is
        results = [_compare(v, bound, greater) for v in value]
        if any(r is True for r in results):
            return True
        return None if any(r is None for r in results) else False
    if isinstance(value, bool) or isinstance(bound, bool):
        return None
    if isinstance(value, (int, float)) and isinstance(bound, (int, float)):
        return value >= bound if greater else value <= bound
    if isinstance(value, str) and isinstance(bound, str):
        try:
            left, right = dt.date.fromisoformat(value[:10]), dt.date.fromisoformat(bound[:10])
        except ValueError:
            return None
        return left >= right if greater else left <= right
    return None


def _matches(value: Any, cond: Leaf) -> Tri:
    """An anchored match, bounded: a value over ``MAX_MATCH_INPUT`` characters or a match over
    ``MATCH_TIMEOUT`` seconds raises MatchBound (the rule then reports it at the unknown level)."""
    assert cond.pattern is not None
    for v in _as_list(value):
        if not isinstance(v, str):
            continue
        if len(v) > MAX_MATCH_INPUT:
            raise MatchBound(cond, f"the value is {len(v):,} characters, over the "
                             f"{MAX_MATCH_INPUT:,} a pattern is matched against")  # fmt: skip
        try:
            if cond.pattern.fullmatch(v, timeout=MATCH_TIMEOUT):
                return True
        except TimeoutError:
            raise MatchBound(cond, f"matching took longer than {MATCH_TIMEOUT} s") from None
    return False


def _unknown_if_partial(hit: bool, value: Any) -> Tri:
    """A miss over a list with unknown (None) items is unknown, not false."""
    if hit:
        return True
    return None if isinstance(value, list) and None in value else False


def _has_category(value: Any, cond: Leaf, categories: Callable[[str], set[str]]) -> Tri:
    wanted = set(_as_list(cond.value))
    found: set[str] = set()
    for item in _as_list(value):
        if item is not None:
            found |= categories(str(item))
    return _unknown_if_partial(bool(found & wanted), value)


_LEAF_OPS: dict[str, Callable[[Any, Leaf, Callable[[str], set[str]]], Tri]] = {
    "equals": lambda v, c, _: v == c.value,
    "in": lambda v, c, _: v in c.value,
    "contains": lambda v, c, _: (
        _unknown_if_partial(c.value in v, v)
        if isinstance(v, list) or (isinstance(v, str) and isinstance(c.value, str))
        else None
    ),
    "intersects": lambda v, c, _: _unknown_if_partial(
        bool({str(x) for x in _as_list(v) if x is not None} & set(map(str, c.value))), v
    ),
    "matches": lambda v, c, _: _matches(v, c),
    "gte": lambda v, c, _: _compare(v, c.value, True),
    "lte": lambda v, c, _: _compare(v, c.value, False),
    "has_category": _has_category,
}
