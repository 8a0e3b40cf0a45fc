"""Parsed YAML as plain values that know where their keys and items stand (0-based line and
column), answering ``.lc.key(k)`` and ``.lc.item(i)`` as ruamel's round-trip nodes do. Made by
the C loader (``checker/yaml_fast.py``) and the parse cache (``checker/yaml_cache.py``)."""

from __future__ import annotations

from typing import Any


class LineCol:
    """What ruamel's ``.lc`` answers: the 0-based (line, column) of a key or an item."""

    __slots__ = ("_items", "_keys")

    def __init__(
        self, keys: dict[Any, tuple[int, int] | None], items: list[tuple[int, int] | None]
    ) -> None:
        self._keys, self._items = keys, items

    def key(self, key: Any) -> tuple[int, int]:
        found = self._keys[key]
        if found is None:  # ruamel knew no position for it either (a merged key)
            raise KeyError(key)
        return found

    def item(self, index: int) -> tuple[int, int]:
        found = self._items[index]
        if found is None:
            raise KeyError(index)
        return found


class PositionedMap(dict[str, Any]):
    """A mapping that knows where its keys stand (like ruamel's CommentedMap)."""

    lc: LineCol


class PositionedList(list[Any]):
    """A sequence that knows where its items stand (like ruamel's CommentedSeq)."""

    lc: LineCol


__all__ = ["LineCol", "PositionedList", "PositionedMap"]
