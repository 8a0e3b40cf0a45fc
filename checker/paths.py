"""Paths as a user would write them in a report: relative to the working folder when below it."""

from __future__ import annotations

import os
from pathlib import Path


def display_path(path: str | os.PathLike[str]) -> str:
    """``path`` relative to the working folder when it lies below it, else absolute."""
    resolved = Path(path).resolve()
    try:
        return resolved.relative_to(Path.cwd().resolve()).as_posix() or "."
    except ValueError:
        return resolved.as_posix()
