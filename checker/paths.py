"""Paths as a user would write them in a report: relative to the working folder when below it."""

from __future__ import annotations

import os
from functools import lru_cache


@lru_cache(maxsize=8192)
def _real(path: str, cwd: str) -> str:
    """``path`` from the working folder ``cwd`` with its links resolved (the key: a ``chdir`` is
    a new entry); folders are resolved once per run, however many files a report names in them.
    ``os.path.realpath`` never raises on a loop of links (``Path.resolve`` does)."""
    return os.path.realpath(os.path.join(cwd, path))


def real(path: str | os.PathLike[str]) -> str:
    """``path`` absolute with its links resolved, its folder resolved once per run (cached) and
    its last name looked at alone (a link is resolved afresh)."""
    text, cwd = os.fspath(path), os.getcwd()
    head, tail = os.path.split(text)
    if tail in ("", ".", "..") or os.path.islink(text):
        return _real(text, cwd)
    return os.path.join(_real(head or ".", cwd), tail)


def display_path(path: str | os.PathLike[str]) -> str:
    """``path`` relative to the working folder when it lies below it, else absolute; always
    printable (a name that is not valid UTF-8 shows U+FFFD where its bad bytes are; a path the
    system refuses to resolve, with a NUL byte or over the length limit, is shown as written)."""
    try:
        return shown(real(path))
    except (OSError, ValueError):
        return printable(os.fspath(path))


def shown(full: str) -> str:
    """``display_path`` of a path already made ``real``."""
    here = _real(".", os.getcwd())
    below = here if here.endswith(os.sep) else here + os.sep
    if full == here:
        text = "."
    elif full.startswith(below):
        text = full[len(below) :] or "."
    else:
        text = full
    return printable(text if os.sep == "/" else text.replace(os.sep, "/"))


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
