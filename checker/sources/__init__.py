"""Sources: where raw model material comes from. Every source does its own I/O and nothing else,
and only this package knows the Hugging Face Hub (see ``interface.py`` for the seam).

``SOURCES`` maps a target kind to the source that reads it into a neutral ``RawModel``; a
``Session`` carries what one run shares between sources (the Hub client, made on first use).
"""

from __future__ import annotations

from checker.sources.hf_cache import HfCacheSource, hf_cache_targets
from checker.sources.hub import HubSource
from checker.sources.hub.options import HubOptions
from checker.sources.interface import Source
from checker.sources.local import LocalSource
from checker.sources.raw import RawModel
from checker.sources.session import Session, SourceError
from checker.sources.targets import Target

SOURCES: dict[str, Source] = {
    "local": LocalSource(),
    "hub": HubSource(),
    "hf-cache": HfCacheSource(),
}

__all__ = [
    "SOURCES",
    "HubOptions",
    "RawModel",
    "Session",
    "Source",
    "SourceError",
    "Target",
    "hf_cache_targets",
]
