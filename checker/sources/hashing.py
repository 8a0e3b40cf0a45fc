"""Whole-file SHA-256 of a local model's weight files (``--hash-weights``), streamed.

A weight file is read in chunks of ``CHUNK`` bytes into one reused buffer, so memory stays
bounded whatever the file's size; ``on_bytes(path, done, total)`` is told after every chunk (the
command line's progress bar). A file that cannot be read is a (where, why) limit, never a crash,
and its digest is not listed: a digest is only ever of bytes that were read.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from pathlib import Path

from checker.paths import display_path, printable
from checker.sources.raw import RawFile, ReadFile

CHUNK = 4 * 1024 * 1024  # a larger buffer gains nothing measurable (benchmarks/bench_hash.py)
OnBytes = Callable[[str, int, int], None]  # (file, bytes hashed so far, file size)


def sha256_of(path: Path, on_bytes: OnBytes | None = None, shown: str = "") -> tuple[int, str]:
    """The size and SHA-256 of a regular file, read in ``CHUNK``-byte pieces."""
    from checker.sources.local import open_regular

    digest = hashlib.sha256()
    buffer = bytearray(CHUNK)
    view = memoryview(buffer)
    done = 0
    with open_regular(path) as handle:
        total = _size(handle.fileno())
        while n := handle.readinto(view):  # type: ignore[attr-defined]  # a raw or buffered file
            digest.update(view[:n])
            done += n
            if on_bytes is not None:
                on_bytes(shown or str(path), done, total)
    return done, digest.hexdigest()


def _size(fd: int) -> int:
    import os

    return os.fstat(fd).st_size


def hash_weights(
    root: Path, files: Sequence[RawFile], on_bytes: OnBytes | None = None
) -> tuple[tuple[ReadFile, ...], tuple[tuple[str, str], ...]]:
    """The whole-file digests (origin ``hashed``, role ``weights``) of the weight files among
    ``files``, and a limit for each that could not be read."""
    from checker.sources.local import _is_weight_name, _why

    out: list[ReadFile] = []
    limits: list[tuple[str, str]] = []
    for raw in files:
        if not _is_weight_name(raw.path):
            continue
        shown = f"{display_path(root)}/{printable(raw.path)}"
        try:
            size, sha = sha256_of(root / raw.path, on_bytes, raw.path)
        except OSError as exc:
            limits.append((shown, f"{raw.path}: {_why(exc)}: not hashed (--hash-weights)"))
            continue
        out.append(ReadFile(raw.path, size, sha, "weights", origin="hashed"))
    return tuple(out), tuple(limits)
