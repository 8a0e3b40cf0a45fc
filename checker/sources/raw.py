"""Raw material read from a source, before normalisation into facts."""

from __future__ import annotations

from dataclasses import dataclass

from checker.findings import Evidence


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
class RawModel:
    """Everything a source read about one model; ``error`` set when nothing could be read."""

    target: str
    model_id: str
    source: str
    location: str
    revision: str | None = None
    card: RawText | None = None
    config: RawText | None = None
    adapter_config: RawText | None = None
    license_files: tuple[RawText, ...] = ()
    files: tuple[RawFile, ...] = ()
    files_complete: bool = True
    origin: Evidence | None = None
    error: str | None = None
