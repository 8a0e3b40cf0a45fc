"""Parsed YAML documents kept between runs, keyed by a digest of their bytes.

Policies and manifests are parsed with ruamel's round-trip loader for their line numbers, which
in pure Python costs more than a small audit's checks. Parsing is a function of the bytes alone,
so the result (plain values with the line and column of every key and item) is kept under the
cache folder (checker/knowledge_cache.py) as JSON and read back for the same bytes: it cannot be
stale. Anything unexpected is a miss and the document is parsed afresh; nothing here raises.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from checker import yamlio

FORMAT = b"clearance-yaml-v2\0"
KEEP = 4096  # documents kept; pruned now and then (cards of a large audit come and go)


class _LineCol:
    """What ruamel's ``.lc`` answers: the 0-based (line, column) of a key or an item."""

    __slots__ = ("_items", "_keys")

    def __init__(
        self, keys: dict[str, tuple[int, int] | None], items: list[tuple[int, int] | None]
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

    lc: _LineCol


class PositionedList(list[Any]):
    """A sequence that knows where its items stand (like ruamel's CommentedSeq)."""

    lc: _LineCol


def _dump(node: Any) -> Any:
    if isinstance(node, dict):
        out = []
        for key, value in node.items():
            pos = yamlio.key_position(node, key)
            out.append([str(key), *(pos or (None, None)), _dump(value)])
        return {"m": out}
    if isinstance(node, list):
        items = []
        for index, value in enumerate(node):
            pos = yamlio.item_position(node, index)
            items.append([*(pos or (None, None)), _dump(value)])
        return {"l": items}
    return {"v": yamlio.to_plain(node)}


def _load(data: Any) -> Any:
    if "m" in data:
        mapping = PositionedMap()
        keys: dict[str, tuple[int, int] | None] = {}
        for key, line, col, value in data["m"]:
            mapping[key] = _load(value)
            keys[key] = None if line is None else (int(line), int(col))
        mapping.lc = _LineCol(keys, [])
        return mapping
    if "l" in data:
        seq = PositionedList()
        items: list[tuple[int, int] | None] = []
        for line, col, value in data["l"]:
            seq.append(_load(value))
            items.append(None if line is None else (int(line), int(col)))
        seq.lc = _LineCol({}, items)
        return seq
    return data["v"]


def _path(data: bytes) -> Path | None:
    from checker.knowledge_cache import cache_dir

    folder = cache_dir()
    if folder is None:
        return None
    return folder / "yaml" / f"{hashlib.sha256(FORMAT + data).hexdigest()}.json"


def load(data: bytes, text: str, first_line: int = 1) -> Any:
    """The document ``text`` (decoded from ``data``) as ``yamlio.load`` gives it, from the cache
    when these bytes were parsed before. Problems (``YamlProblem``, with lines offset so that
    line 1 is ``first_line``) are never cached; positions are the document's own."""
    path = _path(data)
    if path is not None:
        try:
            return _load(json.loads(path.read_bytes()))
        except (OSError, ValueError, KeyError, TypeError):
            pass
    node = yamlio.load(text, first_line)
    if path is not None:
        _store(path, _dump(node))
    return node


def _store(path: Path, document: Any) -> None:
    import tempfile  # only when writing: its import (shutil, random, ...) costs every run

    with contextlib.suppress(OSError, ValueError, TypeError):
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(document, handle, ensure_ascii=False)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        if path.name.startswith("0"):  # about one write in sixteen looks at the folder
            entries = sorted(path.parent.glob("*.json"), key=lambda p: p.stat().st_mtime)
            for old in entries[:-KEEP]:
                old.unlink(missing_ok=True)
