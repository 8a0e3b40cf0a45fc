"""Find the shipped data (rules/ and reports/) of the ``checker`` package.

In a wheel, pyproject force-includes the top-level ``rules/`` and ``reports/`` folders as
``checker/_data/rules`` and ``checker/_data/reports``; in a source checkout the same names are
symbolic links to the top-level folders, so one lookup serves both.

An installed package or a checkout is a folder on disk, read with pathlib (a ``Path`` is a
``Traversable``); only a package imported from elsewhere (a zip archive) goes through
importlib.resources, whose import (tempfile, zipfile, ...) costs every run ~5 ms otherwise.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from checker.errors import KnowledgeError

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable


def _package() -> Traversable:
    here = Path(__file__).parent
    if here.is_dir():
        return here
    from importlib.resources import files

    return files("checker")


def data_dir(name: str) -> Traversable:
    """Return the packaged data folder ``name`` (``rules`` or ``reports``)."""
    folder = _package().joinpath("_data").joinpath(name)
    if not folder.is_dir():
        raise KnowledgeError(f"packaged data folder {name!r} is missing from the checker package")
    return folder


def rules_file(*parts: str) -> Traversable:
    """Return a file below the packaged ``rules/`` folder."""
    node = data_dir("rules")
    for part in parts:
        node = node.joinpath(part)
    return node


def package_file(name: str) -> Traversable:
    """A file of the ``checker`` package itself (the knowledge cache keys on its compiler)."""
    return _package().joinpath(name)
