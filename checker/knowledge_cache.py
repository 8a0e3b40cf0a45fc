"""Keep the compiled knowledge base between runs, under the user's cache folder.

One file per key (``knowledge-<key>.json``), where the key is a digest of the contents of every
rules/ file, the schemas and the compiler's code (``RulesFiles.cache_key``): a file is only ever
read back for exactly the rules it was compiled from, so it cannot be stale. The file is JSON
(never pickle): a header line with the format, the key and the SHA-256 of the body, then the
body. Anything unexpected (no cache folder, unwritable, a truncated, corrupt or foreign file)
is a miss: the caller compiles afresh and the run goes on; nothing here raises.

The folder is ``$CLEARANCE_CACHE_DIR`` when set, else ``$XDG_CACHE_HOME/clearance``, else
``%LOCALAPPDATA%\\clearance`` on Windows, else ``~/.cache/clearance``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
from pathlib import Path
from typing import Any

CACHE_FORMAT = 1
ENV_VAR = "CLEARANCE_CACHE_DIR"
KEEP = 8  # compiled files kept per folder (several checkouts or versions may share it)
_PREFIX = "knowledge-"


def cache_dir() -> Path | None:
    """Where compiled files go, or None when no folder can be named."""
    explicit = os.environ.get(ENV_VAR)
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and os.path.isabs(xdg):
        return Path(xdg) / "clearance"
    local = os.environ.get("LOCALAPPDATA")
    if sys.platform == "win32" and local:
        return Path(local) / "clearance"
    try:
        return Path.home() / ".cache" / "clearance"
    except RuntimeError:  # no home directory
        return None


def cache_file(key: str, folder: Path | None = None) -> Path | None:
    """The file holding the compiled form for ``key``."""
    folder = folder if folder is not None else cache_dir()
    return None if folder is None else folder / f"{_PREFIX}{key}.json"


def _dumps(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _loads(data: bytes) -> Any:
    return json.loads(data)  # the stdlib's: importing orjson would cost more than it saves here


def read_compiled(key: str) -> Any | None:
    """The compiled form stored for ``key``, or None (missing, unreadable, corrupt, foreign)."""
    path = cache_file(key)
    if path is None:
        return None
    try:
        raw = path.read_bytes()
        head, _, body = raw.partition(b"\n")
        header = _loads(head)
        if (
            not isinstance(header, dict)
            or header.get("format") != CACHE_FORMAT
            or header.get("key") != key
            or header.get("sha256") != hashlib.sha256(body).hexdigest()
        ):
            return None
        return _loads(body)
    except (OSError, ValueError, RecursionError):  # JSONDecodeError, UnicodeDecodeError: ValueError
        return None


def is_plain(data: Any) -> bool:
    """True when ``data`` survives a JSON round trip unchanged: dicts with str keys, lists,
    str, int, float, bool, None (no tuples, dates, subclasses, NaN or infinities)."""
    stack = [data]
    while stack:
        node = stack.pop()
        kind = type(node)
        if kind is dict:
            if any(type(k) is not str for k in node):
                return False
            stack.extend(node.values())
        elif kind is list:
            stack.extend(node)
        elif kind is float:
            if node != node or node in (float("inf"), float("-inf")):
                return False
        elif node is not None and kind not in (str, int, bool):
            return False
    return True


def write_compiled(key: str, data: Any) -> bool:
    """Store the compiled form for ``key`` atomically; False when it could not be stored."""
    path = cache_file(key)
    if path is None or not is_plain(data):
        return False
    import tempfile  # only when writing: its import costs more than reading the cache

    try:
        body = _dumps(data)
        digest = hashlib.sha256(body).hexdigest()
        header = _dumps({"format": CACHE_FORMAT, "key": key, "sha256": digest})
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(header + b"\n" + body)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    except (OSError, TypeError, ValueError, RecursionError):
        return False
    _prune(path.parent, keep=path)
    return True


def _prune(folder: Path, keep: Path) -> None:
    """Remove all but the ``KEEP`` most recently written compiled files."""
    with contextlib.suppress(OSError):
        found = [p for p in folder.glob(f"{_PREFIX}*.json") if p != keep]
        found.sort(key=lambda p: p.stat().st_mtime, reverse=True)
        for old in found[KEEP - 1 :]:
            old.unlink()
