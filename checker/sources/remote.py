"""What a registry says about a model beyond its files (``RawModel.remote``), and the ancestors a
source met walking the lineage there (``RawModel.ancestors``). Part of the neutral raw model
(``checker/sources/raw.py``), in a module of its own: only the sources that read a registry make
these, so a local audit does not create their classes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from checker.facts.model import LineageError
from checker.findings import Evidence


@dataclass(frozen=True, slots=True)
class RawAncestor:
    """An ancestor met while a source walked the lineage, or why it could not be read."""

    id: str
    relation: str
    depth: int
    card_data: Mapping[str, Any] | None = None
    tags: tuple[str, ...] = ()
    error: str | None = None
    error_kind: LineageError | None = None


@dataclass(frozen=True, slots=True)
class RemoteInfo:
    """What the registry a model was read from says about it beyond its files."""

    availability: str  # open | gated-auto | gated-manual | private | disabled | closed
    availability_evidence: tuple[Evidence, ...] = ()
    author: str | None = None
    pipeline_tag: str | None = None
    library_name: str | None = None
    created_at: str | None = None
    tags: tuple[str, ...] = ()
    card_data: Mapping[str, Any] | None = None  # the card metadata as the registry parsed it
    header_license: str | None = None  # a weight header's licence the registry reports (GGUF)
    header_where: str | None = None
    auto_map: tuple[str, ...] = ()  # config auto_map keys: loading runs the repository's code
    auto_map_where: str | None = None
    parameters: int | None = None
    lineage_complete: bool = True  # ``RawModel.ancestors`` is the whole lineage, walked here
    download_location: str | None = None
