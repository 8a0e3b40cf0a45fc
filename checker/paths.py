"""Paths as a user would write them in a report: relative to the working folder when below it."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=8192)
def _resolved(path: str, cwd: str) -> Path:
    """``path`` resolved from the working folder ``cwd`` (the key: a ``chdir`` is a new entry);
    folders are resolved once per run, however many files a report names in them."""
    return Path(cwd, path).resolve()


def display_path(path: str | os.PathLike[str]) -> str:
    """``path`` relative to the working folder when it lies below it, else absolute; always
    printable (a name that is not valid UTF-8 shows U+FFFD where its bad bytes are; a path the
    system refuses to resolve, with a NUL byte or over the length limit, is shown as written)."""
    try:
        text, cwd = os.fspath(path), os.getcwd()
        head, tail = os.path.split(text)
        if tail in ("", ".", "..") or os.path.islink(text):
            resolved = _resolved(text, cwd)
        else:  # the folder resolved (cached), the name as it is
            resolved = _resolved(head or ".", cwd) / tail
        try:
            shown = resolved.relative_to(_resolved(".", cwd)).as_posix() or "."
        except ValueError:
            shown = resolved.as_posix()
    except (OSError, ValueError):
        shown = os.fspath(path)
    return printable(shown)


def clean(text: str) -> str:
    """``text`` with lone surrogates (undecodable file-name bytes, YAML ``"\\ud800"``) and NUL
    as U+FFFD: a string every report format can encode."""
    if text.isprintable() or text.isascii():
        return text.replace("\0", "\ufffd")
    return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace").replace("\0", "\ufffd")


def printable(text: str) -> str:
    """A name to show: ``clean``, and every other control character (ESC, newlines, DEL,
    bidirectional overrides) as an escape, so a file name cannot rewrite a terminal."""
    text = clean(text)
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() or c in " \ufffd" else ascii(c)[1:-1] for c in text)


def escaped(text: str) -> str:
    """One line with no raw control character: ruamel's messages quote the document's text
    (a duplicate key), which must not reach a terminal as it is. Newlines become spaces; other
    control characters, lone surrogates and bidirectional overrides are shown as escapes."""
    text = " ".join(text.split("\n"))
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() or c == " " else ascii(c)[1:-1] for c in text)
