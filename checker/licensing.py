"""Resolve declared licences to knowledge-base entries and evaluate licence expressions.

Declared values are Hub ids (``llama3.1``), SPDX ids or expressions (``Apache-2.0 OR MIT``),
``other`` with ``license_name`` / ``license_link``, or names. Expressions are parsed with
license-expression; ``AND``/``OR`` keep SPDX semantics in the allow/deny decision.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any, NamedTuple

from checker.knowledge import Knowledge, LicenseEntry


class Resolution(NamedTuple):
    """A declared value resolved: canonical expression, entries, and the symbols not known."""

    expression: str | None
    entries: tuple[LicenseEntry, ...]
    unknown: tuple[str, ...]


# A plain id (no space, no parenthesis): license-expression reads it as one symbol whose key is the
# text itself, or refuses it (a bare AND, OR, WITH), which the callers below treat alike (the
# text is the one licence). Such ids are not parsed, so an audit of models with single licences
# does not import license-expression (~10 ms). tests/test_properties.py compares both ways.
_PLAIN_ID = re.compile(r"[A-Za-z0-9.+-]+")


def is_plain_id(text: str) -> bool:
    """True when ``text`` is one licence id that needs no expression parser."""
    return _PLAIN_ID.fullmatch(text) is not None


@lru_cache(maxsize=1)
def _licensing() -> Any:
    from license_expression import Licensing

    return Licensing()


@lru_cache(maxsize=4096)
def _parse(text: str) -> Any:
    from license_expression import ExpressionError

    try:
        return _licensing().parse(text, simple=False)
    # the parser's own assertions and index errors too: "( AND MIT" trips an AssertionError
    except (ExpressionError, ValueError, TypeError, AttributeError, AssertionError, IndexError,
            KeyError, RecursionError):  # fmt: skip
        return None


def _has_operator(text: str) -> bool:
    padded = f" {text.lower()} "
    return any(op in padded for op in (" and ", " or ", " with ")) or "(" in text


def resolve(kb: Knowledge, value: str) -> Resolution:
    """Resolve one declared value (an id, a name, a URL or an expression)."""
    entry = kb.license(value)
    if entry is not None:
        return Resolution(entry.id, (entry,), ())
    if not _has_operator(value):
        return Resolution(None, (), (value,))
    parsed = _parse(value)
    if parsed is None:
        return Resolution(None, (), (value,))
    entries: list[LicenseEntry] = []
    unknown: list[str] = []
    mapping: dict[str, str] = {}
    for symbol in _licensing().license_symbols(parsed, unique=True, decompose=True):
        key = str(symbol.key)
        found = kb.license(key)
        if found is None:
            unknown.append(key)
        else:
            entries.append(found)
            mapping[key] = found.id
    if unknown:
        return Resolution(None, tuple(entries), tuple(unknown))
    return Resolution(_render(parsed, mapping, top=True), tuple(entries), ())


def satisfied(expression: str, accept: Callable[[str], bool]) -> bool:
    """True when the expression is acceptable: OR needs one branch, AND needs all (SPDX)."""
    if is_plain_id(expression):
        return accept(expression)
    parsed = _parse(expression)
    if parsed is None:
        return accept(expression)
    return _eval(parsed, accept)


def _eval(node: Any, accept: Callable[[str], bool]) -> bool:
    from license_expression import AND, OR, LicenseWithExceptionSymbol

    if isinstance(node, AND):
        return all(_eval(arg, accept) for arg in node.args)
    if isinstance(node, OR):
        return any(_eval(arg, accept) for arg in node.args)
    if isinstance(node, LicenseWithExceptionSymbol):
        return accept(str(node.license_symbol.key))
    return accept(str(node.key))


def _render(node: Any, mapping: dict[str, str], top: bool = False) -> str:
    from license_expression import AND, OR, LicenseWithExceptionSymbol

    if isinstance(node, (AND, OR)):
        joiner = " AND " if isinstance(node, AND) else " OR "
        text = joiner.join(_render(arg, mapping) for arg in node.args)
        return text if top else f"({text})"
    if isinstance(node, LicenseWithExceptionSymbol):
        lic = str(node.license_symbol.key)
        return f"{mapping.get(lic, lic)} WITH {node.exception_symbol.key}"
    key = str(node.key)
    return mapping.get(key, key)


MAX_ALTERNATIVES = 64  # ways to comply an expression may offer before it is "too complex"


class TooComplex(ValueError):
    """An expression whose disjunctive normal form has more than ``MAX_ALTERNATIVES`` terms
    (``(A OR B) AND (C OR D) AND ...`` doubles with every clause)."""


def alternatives(expression: str) -> list[frozenset[str]]:
    """The ways to comply with an expression (its disjunctive normal form): each a set of
    licence ids that all apply. ``A OR (B AND C)`` gives ``[{A}, {B, C}]``. Raises TooComplex
    past ``MAX_ALTERNATIVES`` (the expansion is stopped there, never finished)."""
    if is_plain_id(expression):
        return [frozenset({expression})]
    parsed = _parse(expression)
    if parsed is None:
        return [frozenset({expression})]
    return sorted(set(_dnf(parsed)), key=lambda s: sorted(s))


def _dnf(node: Any) -> list[frozenset[str]]:
    from license_expression import AND, OR, LicenseWithExceptionSymbol

    if isinstance(node, OR):
        out = [alt for arg in node.args for alt in _dnf(arg)]
        if len(out) > MAX_ALTERNATIVES:
            raise TooComplex(f"more than {MAX_ALTERNATIVES} ways to comply")
        return out
    if isinstance(node, AND):
        combined = [frozenset[str]()]
        for arg in node.args:
            options = _dnf(arg)
            if len(combined) * len(options) > MAX_ALTERNATIVES:
                raise TooComplex(f"more than {MAX_ALTERNATIVES} ways to comply")
            combined = list({c | alt for c in combined for alt in options})
        return combined
    if isinstance(node, LicenseWithExceptionSymbol):
        return [frozenset({str(node.license_symbol.key)})]
    return [frozenset({str(node.key)})]


def conjunction(ids: list[str]) -> str | None:
    """Several licences declared side by side all apply: join them with AND."""
    unique = list(dict.fromkeys(ids))
    if not unique:
        return None
    if len(unique) == 1:
        return unique[0]
    return " AND ".join(f"({i})" if " " in i else i for i in unique)
