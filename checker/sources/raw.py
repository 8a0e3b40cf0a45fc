"""The neutral raw model: what a source read about one model, before it becomes facts.

Nothing here knows which registry a model came from: a source that reads a registry (the Hugging
Face Hub today) fills ``RawModel.remote`` with what the registry says beyond the files
(availability, tags, card data, purl, download location; ``checker/sources/remote.py``), so nothing
outside ``checker/sources`` needs to know the Hub.
"""

from __future__ import annotations

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
    ancestors: tuple[RawAncestor, ...] = ()
    error: str | None = None
