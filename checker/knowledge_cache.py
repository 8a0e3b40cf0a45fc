"""Keep the compiled knowledge base between runs, under the user's cache folder.

One file per key (``knowledge-<key>.marshal``), where the key is a digest of the contents of every
rules/ file, the schemas and the compiler's code (``RulesFiles.cache_key``): a file is only ever
read back for exactly the rules it was compiled from, so it cannot be stale. The file is a JSON
header line (the format, the key, the Python version and the SHA-256 of the body), then the
body: the compiled form, plain data (dicts, lists, strings, numbers; never pickle), in
``marshal``'s format, which loads about 2.5x faster than JSON. Only a regular file owned by
this user that others may not write is read (as checker/code_cache.py's file; ``marshal``, like
``__pycache__``, trusts its input), and only data that survives a JSON round trip is stored.
Anything unexpected (no cache folder, unwritable, a truncated, corrupt, foreign or untrusted
file) is a miss: the caller compiles afresh and the run goes on; nothing here raises.

The folder is ``$CLEARANCE_CACHE_DIR`` when set, else ``$XDG_CACHE_HOME/clearance``, else
``%LOCALAPPDATA%\\clearance`` on Windows, else ``~/.cache/clearance``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import marshal
import os
import sys
from pathlib import Path
from typing import Any

CACHE_FORMAT = 2  # 1: JSON body; 2: marshal body
ENV_VAR = "CLEARANCE_CACHE_DIR"
KEEP = 8  # compiled files kept per folder (several checkouts or versions may share it)
_PREFIX = "knowledge-"
_SUFFIX = ".marshal"
MAX_FILE = 64 << 20  # bytes read back at most (the shipped knowledge compiles to ~0.5 MiB)


def cache_dir() -> Path | None:
    """Where compiled files go, or None when no folder can be named. Looked up once for each
    value of the variables it depends on (a bulk audit asks once per card)."""
    env = os.environ
    key = tuple(env.get(n) for n in (ENV_VAR, "XDG_CACHE_HOME", "LOCALAPPDATA", "HOME"))
    if key not in _FOLDERS:
        if len(_FOLDERS) > 64:
            _FOLDERS.clear()
        _FOLDERS[key] = _cache_dir()
    return _FOLDERS[key]


_FOLDERS: dict[tuple[str | None, ...], Path | None] = {}


def _cache_dir() -> Path | None:
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
    return None if folder is None else folder / f"{_PREFIX}{key}{_SUFFIX}"


def _header(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _python() -> str:
    return f"{sys.implementation.cache_tag}-{sys.hexversion:x}"  # marshal's format follows it


def read_compiled(key: str) -> Any | None:
    """The compiled form stored for ``key``, or None (missing, unreadable, corrupt, foreign)."""
    path = cache_file(key)
    if path is None:
        return None
    from checker.code_cache import read_trusted

    raw = read_trusted(str(path), MAX_FILE)
    if raw is None:
        return None
    head, _, body = raw.partition(b"\n")
    try:
        header = json.loads(head)
        if (
            not isinstance(header, dict)
            or header.get("format") != CACHE_FORMAT
            or header.get("key") != key
            or header.get("python") != _python()
            or header.get("sha256") != hashlib.sha256(body).hexdigest()
        ):
            return None
        return marshal.loads(body)
    except (ValueError, EOFError, TypeError, RecursionError):
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
        body = marshal.dumps(data)
        digest = hashlib.sha256(body).hexdigest()
        header = _header(
            {"format": CACHE_FORMAT, "key": key, "python": _python(), "sha256": digest}
        )
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
        found = [p for p in folder.glob(f"{_PREFIX}*{_SUFFIX}") if p != keep]
        found.sort(key=lambda p: p.stat().st_mtime, reverse=True)
        for old in found[KEEP - 1 :]:
            old.unlink()
