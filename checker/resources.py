"""Find the shipped data (rules/ and reports/) through importlib.resources.

In a wheel, pyproject force-includes the top-level ``rules/`` and ``reports/`` folders as
``checker/_data/rules`` and ``checker/_data/reports``; in a source checkout the same names are
symbolic links to the top-level folders, so one lookup serves both.
"""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable

from checker.errors import KnowledgeError


def data_dir(name: str) -> Traversable:
    """Return the packaged data folder ``name`` (``rules`` or ``reports``)."""
    folder = files("checker").joinpath("_data").joinpath(name)
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
    return files("checker").joinpath(name)
