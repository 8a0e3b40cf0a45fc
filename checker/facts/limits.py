"""What a licence file holds that Clearance does not read: the part past the read limit, and
text in HTML comments (hidden when the file is rendered). Either is a problem at the unknown
level, so text Clearance cannot see never lets a model pass."""

from __future__ import annotations

from typing import TYPE_CHECKING

from checker.facts.model import Problem, ProblemKind
from checker.findings import Evidence

if TYPE_CHECKING:
    from checker.sources.raw import RawText

MIB = 1024 * 1024


def hidden_comments(data: bytes) -> tuple[int, int]:
    """(number, characters of text) of the HTML comments in ``data`` that hold letters or
    digits; an unclosed comment runs to the end. Linear: each comment is found with one scan."""
    count = size = 0
    start = data.find(b"<!--")
    while start >= 0:
        end = data.find(b"-->", start + 4)
        body = data[start + 4 : end if end >= 0 else len(data)]
        if any(c.isalnum() for c in body.decode("utf-8", "replace")):
            count += 1
            size += len(body)
        if end < 0:
            break
        start = data.find(b"<!--", end + 3)
    return count, size


def licence_file_limits(text: RawText) -> list[Problem]:
    """Problems for the parts of a licence file that were not checked."""
    if text.data is None:
        return []
    out = []
    where = (Evidence(text.path, "/", None),)
    if text.truncated:
        limit = len(text.data)
        shown = f"{limit // MIB} MiB" if limit % MIB == 0 else f"{limit:,} bytes"
        out.append(
            Problem(
                ProblemKind.UNREADABLE,
                f"{text.path}: licence file larger than {shown}: read the first {shown}; the "
                "rest was not checked",
                where,
            )
        )
    count, size = hidden_comments(text.data)
    if count:
        out.append(
            Problem(
                ProblemKind.UNREADABLE,
                f"{text.path}: {count} HTML comment(s) ({size:,} characters) hold text that is "
                "hidden when the file is rendered; it was not checked",
                where,
            )
        )
    return out
