"""YAML through libyaml's C parser, keeping the line and column of every key and item.

ruamel's round-trip loader (``checker/yamlio.py``) keeps positions but scans and parses in pure
Python: about 20 ms for a model card, the largest cost of a bulk audit. Here libyaml (ruamel's
C extension) produces the events and this module builds the same plain values with positions
(``PositionedMap``/``PositionedList``, which answer ``.lc.key`` and ``.lc.item`` as ruamel's
nodes do). Scalars are resolved and constructed by ruamel's own YAML 1.2 resolver and safe
constructor, so values are those of the round-trip loader.

The build is iterative (libyaml's own composer recurses in C and crashes the process on deep
nesting) and gives up, returning ``FALLBACK``, on anything where it could differ from the
round-trip loader or where libyaml is slow: any parse error (so the error message is the
round-trip loader's), tags other than the core schema's, merge keys, anchored scalars, complex
or duplicate keys, nesting deeper than ``MAX_DEPTH``, and many flow brackets (libyaml's flow
parsing is quadratic in depth). The caller then uses the round-trip loader.

Aliases are counted while the events come: each alias adds the nodes of what it names, and once
they pass ``yamlio.MAX_EXPANDED_NODES`` (or an alias names a collection still open, a cycle) the
parse stops at once with ``TooLarge``; an honest long document without aliases is never counted
against that bound (its size is bounded by its bytes and lines).
"""

from __future__ import annotations

import sys
import threading
from typing import Any

from checker.yaml_nodes import LineCol, PositionedList, PositionedMap

FALLBACK: Any = object()


class TooLarge(Exception):
    """The document's aliases expand past the bound (or form a cycle): refuse it unparsed."""


MAX_DEPTH = 200  # deeper documents go to the round-trip loader (which refuses them, located)
MAX_FLOW_BRACKETS = 2_000
_CORE = "tag:yaml.org,2002:"
_SCALARS = {_CORE + t for t in ("str", "int", "float", "bool", "null", "timestamp")}
_LOCAL = threading.local()
# A plain scalar's tag and value depend on its text alone (the loader's YAML 1.2 resolver, no
# path resolvers), and cards repeat the same few (``apache-2.0``, ``text-generation``, ``true``):
# resolved and constructed once per process. Bounded: cleared when it grows past MEMO_LIMIT.
MEMO_LIMIT = 65_536
MEMO_TEXT = 128  # characters: longer scalars (descriptions, prose) are resolved each time
_MEMO: dict[tuple[str, Any], tuple[str, Any]] = {}


def available() -> bool:
    """True when ruamel's C extension is installed (CPython with ruamel.yaml.clib)."""
    return _loader_class() is not None


def _loader_class() -> Any:
    cls = getattr(_LOCAL, "cls", False)
    if cls is False:
        cls = _LOCAL.cls = _build_loader_class()
    return cls


def _build_loader_class() -> Any:
    try:
        from _ruamel_yaml import CParser
        from ruamel.yaml.constructor import SafeConstructor
        from ruamel.yaml.resolver import VersionedResolver
    except ImportError:  # pragma: no cover - no C extension (PyPy)
        return None

    class Loader(CParser, SafeConstructor, VersionedResolver):  # type: ignore[misc]
        def __init__(self, text: str) -> None:
            CParser.__init__(self, text)
            self._parser = self._composer = self
            SafeConstructor.__init__(self, loader=self)
            self.allow_duplicate_keys = False
            VersionedResolver.__init__(self, version=None, loadumper=self)

    return Loader


def load(text: str, alias_limit: int) -> Any:
    """The document's plain values with positions, or ``FALLBACK``; ``TooLarge`` when its aliases
    add more than ``alias_limit`` nodes."""
    cls = _loader_class()
    if cls is None or text.count("[") + text.count("{") > MAX_FLOW_BRACKETS:
        return FALLBACK
    try:
        return _build(cls(text), alias_limit)
    except TooLarge:
        raise
    except Exception:
        return FALLBACK


class _Open:
    """A mapping or sequence being built."""

    __slots__ = ("anchor", "container", "items", "key", "key_pos", "keys", "start")

    def __init__(self, container: Any, anchor: str | None, start: int) -> None:
        self.container = container
        self.anchor, self.start = anchor, start  # ``start``: the nodes counted before it
        self.keys: dict[Any, tuple[int, int] | None] = {}
        self.items: list[tuple[int, int] | None] = []
        self.key: Any = FALLBACK  # FALLBACK: the next value is a key
        self.key_pos: tuple[int, int] | None = None


def _scalar(loader: Any, event: Any, node_class: Any) -> tuple[str, Any]:
    """An untagged plain or quoted scalar's tag and value, as the resolver gives them."""
    tag = str(loader.resolve(node_class, event.value, event.implicit))
    return _construct(loader, event, tag, node_class)


def _construct(loader: Any, event: Any, tag: str, node_class: Any) -> tuple[str, Any]:
    """The value of a scalar with ``tag``: strings and timestamps as written (as in yamlio),
    the other core scalars by the safe constructor; ``None`` for a tag this module refuses."""
    if tag not in _SCALARS:
        return tag, None
    if tag == _CORE + "str" or tag == _CORE + "timestamp":
        return tag, event.value
    node = node_class(tag, event.value, event.start_mark, event.end_mark)
    return tag, loader.construct_object(node)


def _build(loader: Any, alias_limit: int) -> Any:
    from ruamel.yaml.events import (
        AliasEvent,
        DocumentStartEvent,
        MappingEndEvent,
        MappingStartEvent,
        ScalarEvent,
        SequenceEndEvent,
        SequenceStartEvent,
        StreamEndEvent,
    )
    from ruamel.yaml.nodes import ScalarNode

    stack: list[_Open] = []
    anchors: dict[str, Any] = {}
    sizes: dict[str, int] = {}  # nodes of each closed anchored collection, aliases expanded
    root: Any = None
    documents = 0
    nodes = added = 0  # nodes so far with aliases expanded; of them, the nodes aliases added

    def add(value: Any, mark: Any, container: bool, size: int = 1) -> bool:
        nonlocal root, nodes
        if not stack:
            root = value
            nodes += size
            return True
        top = stack[-1]
        pos = (mark.line, mark.column)
        if isinstance(top.container, list):
            top.container.append(value)
            top.items.append(pos)
            nodes += size
            return True
        if top.key is FALLBACK:  # a key (not counted, as yamlio.guard_size counts values)
            if container or value in top.keys:
                return False
            # keys repeat across documents (every card's ``license``): one string for all
            top.key, top.key_pos = sys.intern(value) if type(value) is str else value, pos
            return True
        nodes += size
        top.container[top.key] = value
        top.keys[top.key] = top.key_pos
        top.key = FALLBACK
        return True

    while True:
        event = loader.get_event()
        kind = type(event)
        if kind is ScalarEvent:
            if event.anchor is not None:
                return FALLBACK
            tag = event.tag
            if tag is None or tag == "!":
                if len(event.value) > MEMO_TEXT:  # long text: not worth keeping, nor safe to
                    tag, value = _scalar(loader, event, ScalarNode)  # keep 65,536 of
                else:
                    key = (event.value, event.implicit)
                    known = _MEMO.get(key)
                    if known is None:
                        known = _MEMO[key] = _scalar(loader, event, ScalarNode)
                        if len(_MEMO) > MEMO_LIMIT:
                            _MEMO.clear()
                    tag, value = known
            else:
                tag, value = _construct(loader, event, tag, ScalarNode)
            if tag not in _SCALARS:
                return FALLBACK
            if not add(value, event.start_mark, False):
                return FALLBACK
        elif kind is MappingStartEvent or kind is SequenceStartEvent:
            want = _CORE + ("map" if kind is MappingStartEvent else "seq")
            if event.tag not in (None, "!", want) or len(stack) >= MAX_DEPTH:
                return FALLBACK
            created: Any = PositionedMap() if kind is MappingStartEvent else PositionedList()
            if event.anchor is not None:
                anchors[event.anchor] = created
                sizes.pop(event.anchor, None)  # a reused name: the new collection is open
            start = nodes
            if not add(created, event.start_mark, True):
                return FALLBACK
            stack.append(_Open(created, event.anchor, start))
        elif kind is MappingEndEvent or kind is SequenceEndEvent:
            done = stack.pop()
            done.container.lc = LineCol(done.keys, done.items)
            if done.anchor is not None:
                sizes[done.anchor] = nodes - done.start
        elif kind is AliasEvent:
            if event.anchor not in anchors:
                return FALLBACK
            target = anchors[event.anchor]
            size = sizes.get(event.anchor, alias_limit + 1)  # an open one: a cycle
            added += size
            if added > alias_limit:
                raise TooLarge
            if not add(target, event.start_mark, isinstance(target, (dict, list)), size):
                return FALLBACK
        elif kind is DocumentStartEvent:
            documents += 1
            if documents > 1:
                return FALLBACK  # several documents: the round-trip loader refuses them
        elif kind is StreamEndEvent:
            return root
