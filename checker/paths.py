"""Paths as a user would write them in a report: relative to the working folder when below it."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path


def display_path(path: str | os.PathLike[str]) -> str:
    """``path`` relative to the working folder when it lies below it, else absolute; always
    printable (a name that is not valid UTF-8 shows U+FFFD where its bad bytes are; a path the
    system refuses to resolve, with a NUL byte or over the length limit, is shown as written)."""
    try:
        resolved = Path(path).resolve()
        try:
            shown = resolved.relative_to(_resolved(os.getcwd())).as_posix() or "."
        except ValueError:
            shown = resolved.as_posix()
    except (OSError, ValueError):
        shown = os.fspath(path)
    return printable(shown)


@lru_cache(maxsize=8)
def _resolved(folder: str) -> Path:
    """The working folder with its links resolved (once per folder: a report shows many paths)."""
    return Path(folder).resolve()


def printable(text: str) -> str:
    """``text`` with lone surrogates (undecodable file-name bytes) and NUL as U+FFFD."""
    if text.isprintable() or text.isascii():
        return text.replace("\0", "\ufffd")
    return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace").replace("\0", "\ufffd")
