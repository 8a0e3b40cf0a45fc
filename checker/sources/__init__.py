"""Sources: where raw model material comes from. Every source does its own I/O and nothing else.

``SOURCES`` maps a target kind to the function that reads it into a ``RawModel``.
"""

from __future__ import annotations

from collections.abc import Callable

from checker.sources.local import read_local
from checker.sources.raw import RawModel
from checker.sources.targets import Target

SOURCES: dict[str, Callable[[Target], RawModel]] = {
    "local": read_local,
}

__all__ = ["SOURCES", "RawModel", "Target"]
