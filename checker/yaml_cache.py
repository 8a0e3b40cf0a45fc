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
import sys
from pathlib import Path
from typing import Any

from checker import yamlio
from checker.yaml_nodes import LineCol, PositionedList, PositionedMap

FORMAT = b"clearance-yaml-v2\0"
KEEP = 4096  # documents kept; pruned when a process first stores one
STORE_LIMIT = 256  # new documents one process stores in a cache folder: a small project's cards,
# policies and manifests; a bulk audit parses the rest with the C loader (cheaper than writing)
_stored: dict[str, int] = {}


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
            key = sys.intern(key)  # keys repeat across documents: one string for all
            mapping[key] = _load(value)
            keys[key] = None if line is None else (int(line), int(col))
        mapping.lc = LineCol(keys, [])
        return mapping
    if "l" in data:
        seq = PositionedList()
        items: list[tuple[int, int] | None] = []
        for line, col, value in data["l"]:
            seq.append(_load(value))
            items.append(None if line is None else (int(line), int(col)))
        seq.lc = LineCol({}, items)
        return seq
    return data["v"]


def _path(data: bytes) -> str | None:
    from checker.knowledge_cache import cache_dir

    folder = cache_dir()
    if folder is None:
        return None
    name = f"{hashlib.sha256(FORMAT + data).hexdigest()}.json"
    return os.path.join(folder, "yaml", name)


def load(data: bytes, text: str, first_line: int = 1, keep: bool = False) -> Any:
    """The document ``text`` (decoded from ``data``) as ``yamlio.load`` gives it, from the cache
    when these bytes were parsed before. Problems (``YamlProblem``, with lines offset so that
    line 1 is ``first_line``) are never cached; positions are the document's own. ``keep``:
    store it whatever ``STORE_LIMIT`` says (a Hub card at a commit, read again on every run)."""
    path = _path(data)
    if path is not None:
        try:
            with open(path, "rb") as handle:
                return _load(json.loads(handle.read()))
        except (OSError, ValueError, KeyError, TypeError):
            pass
    node = yamlio.load(text, first_line)
    if path is not None:
        folder = os.path.dirname(path)
        count = _stored[folder] = _stored.get(folder, 0) + 1
        if keep or count <= STORE_LIMIT:
            _store(path, _dump(node), prune=count == 1)
    return node


def _store(where: str, document: Any, prune: bool) -> None:
    import tempfile  # only when writing: its import (shutil, random, ...) costs every run

    path = Path(where)
    with contextlib.suppress(OSError, ValueError, TypeError):
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                # dumps, not dump: json.dump always takes the pure-Python encoder
                handle.write(json.dumps(document, ensure_ascii=False))
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        if prune:
            entries = sorted(path.parent.glob("*.json"), key=lambda p: p.stat().st_mtime)
            for old in entries[:-KEEP]:
                old.unlink(missing_ok=True)
