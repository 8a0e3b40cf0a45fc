"""Raw material read from a source, before normalisation into facts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from checker.findings import Evidence

if TYPE_CHECKING:
    from checker.sources.hub_client import HubInfo


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
class RawAncestor:
    """An ancestor met while walking the lineage on the Hub, or why it could not be read."""

    id: str
    relation: str
    depth: int
    card_data: Mapping[str, Any] | None = None
    tags: tuple[str, ...] = ()
    error: str | None = None


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
    url: str | None = None
    hub: HubInfo | None = None
    hub_notes: tuple[str, ...] = ()
    gguf_licenses: tuple[tuple[str, str], ...] = ()  # (file, general.license) from GGUF headers
    ancestors: tuple[RawAncestor, ...] = ()
    error: str | None = None
