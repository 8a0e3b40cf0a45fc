"""Where an audit's files sit: the repository root that reports place findings against.

The root is the git top level of the first audited target that is a local path (a model folder
or a manifest), else of the working directory: the nearest directory at or above it that holds
``.git`` (a folder, or the file a worktree or submodule has), which is what ``git rev-parse
--show-toplevel`` prints, found without running git. ``--root DIR`` overrides it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from checker.errors import UsageError
from checker.result import Workspace


def repository_root(start: str) -> str | None:
    """The git top level of ``start`` (a file or a folder), or None outside a repository."""
    path = os.path.realpath(start)
    if not os.path.isdir(path):
        path = os.path.dirname(path)
    while True:
        if os.path.exists(os.path.join(path, ".git")):
            return path
        parent = os.path.dirname(path)
        if parent == path:
            return None
        path = parent


def find_workspace(
    targets: Iterable[str], root: str | None = None, cwd: str | None = None
) -> Workspace | None:
    """The workspace of an audit of ``targets`` run from ``cwd`` (default: the working
    directory): ``root`` when given (it must be a folder), else the git top level of the first
    local target, else of ``cwd``; None when none of them is in a git repository."""
    base = os.path.realpath(cwd or os.getcwd())
    if root is not None:
        path = os.path.realpath(os.path.join(base, root))
        if not os.path.isdir(path):
            raise UsageError(f"--root {root}: no such folder")
        return Workspace(base, path, "--root")
    for text in targets:
        candidate = os.path.join(base, text)
        if os.path.exists(candidate):
            top = repository_root(candidate)
            if top is not None:
                return Workspace(base, top)
    top = repository_root(base)
    return None if top is None else Workspace(base, top)


__all__ = ["find_workspace", "repository_root"]
