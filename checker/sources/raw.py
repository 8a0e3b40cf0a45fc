"""The neutral raw model: what a source read about one model, before it becomes facts.

Nothing here knows which registry a model came from: a source that reads a registry (the Hugging
Face Hub today) fills ``RawModel.remote`` with what the registry says beyond the files
(availability, tags, card data, purl, download location; ``checker/sources/remote.py``), so nothing
outside ``checker/sources`` needs to know the Hub.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from checker.findings import Evidence

if TYPE_CHECKING:  # what a registry says: imported only by the sources that read one
    from checker.sources.remote import RawAncestor, RemoteInfo


@dataclass(frozen=True, slots=True)
class RawFile:
    """A file of the model: its path relative to the model root, size and first bytes."""

    path: str
    size: int
    head: bytes = b""


@dataclass(frozen=True, slots=True)
class RawText:
    """A text file's content as bytes (possibly truncated), or why it could not be read."""

    path: str
    data: bytes | None
    error: str | None = None
    truncated: bool = False


@dataclass(frozen=True, slots=True)
class ReadFile:
    """A file the audit read, or a weight file's digest: its path relative to the model root,
    and the size and SHA-256 of what the digest covers. ``origin`` says what that is:

    - ``read``: the bytes the audit read; when ``range`` is set (``[start, end)``), only those
      bytes of a longer file: a weight header (role ``weights-header``), or a file cut at the
      read limit; never a claim about the whole file;
    - ``hub-lfs``: the whole file's SHA-256 as the Hub publishes it (``lfs.sha256``), not
      recomputed here (``size`` is the Hub's too);
    - ``hashed``: the whole file, streamed through SHA-256 here (``--hash-weights``).

    Lock files and drift checks compare the ``read`` digests of card, configs and licence files.
    ``sha1`` is set for files read in full (SPDX 2.3 files need one)."""

    path: str
    size: int
    sha256: str
    role: str  # card | config | adapter-config | license | weights-header | weights
    origin: str = "read"  # read | hub-lfs | hashed
    sha1: str | None = None
    range: tuple[int, int] | None = None  # [start, end) of a partial read (weight headers)


def header_digest(rel: str, data: bytes) -> ReadFile:
    """The digest of the first ``len(data)`` bytes of a weight file, read for its header."""
    return ReadFile(
        rel, len(data), hashlib.sha256(data).hexdigest(), "weights-header", range=(0, len(data))
    )


def read_file(rel: str, role: str, text: RawText | None) -> ReadFile | None:
    """The digest of a file read as ``text`` (None when it was not read)."""
    if text is None or text.data is None:
        return None
    data = text.data
    sha1 = hashlib.sha1(data, usedforsecurity=False).hexdigest()
    cut = (0, len(data)) if text.truncated else None  # the file is longer than what was read
    return ReadFile(rel, len(data), hashlib.sha256(data).hexdigest(), role, sha1=sha1, range=cut)


def read_files_of(*files: tuple[str, str, RawText | None]) -> tuple[ReadFile, ...]:
    """The digests of ``(rel, role, text)`` triples that were read, sorted by path."""
    found = (read_file(rel, role, text) for rel, role, text in files)
    return tuple(sorted((f for f in found if f is not None), key=lambda f: f.path))


@dataclass(frozen=True, slots=True)
class WeightHeader:
    """String values of a weight file's own metadata (a GGUF header's ``general.*`` keys, a
    safetensors header's ``__metadata__``)."""

    path: str  # where the file is, as shown in evidence
    format: str  # gguf | safetensors
    values: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class RawModel:
    """Everything a source read about one model; ``error`` set when nothing could be read."""

    target: str
    model_id: str
    source: str  # the name of the source that read it: local | hub | hf-cache
    location: str
    revision: str | None = None
    card: RawText | None = None
    config: RawText | None = None
    adapter_config: RawText | None = None
    license_files: tuple[RawText, ...] = ()
    files: tuple[RawFile, ...] = ()
    files_complete: bool = True
    files_checked: bool = True  # sizes and first bytes are real (not only names from a listing)
    named_by: Evidence | None = None
    url: str | None = None
    purl: str | None = None
    remote: RemoteInfo | None = None
    notes: tuple[Evidence, ...] = ()  # what the source could not read (shown with availability)
    headers: tuple[WeightHeader, ...] = ()  # the metadata of (the first few) weight files
    header_problems: tuple[str, ...] = ()  # weight headers that could not be read, and why
    limits: tuple[tuple[str, str], ...] = ()  # (where, why): what a bound or a refusal left unread
    ancestors: tuple[RawAncestor, ...] = ()
    error: str | None = None
    read_files: tuple[ReadFile, ...] = ()  # what was read in full, with digests (sorted)
    # weight headers as read, and whole weight files (hub-lfs, hashed), sorted by path and role
    weight_digests: tuple[ReadFile, ...] = ()
