"""Where an audit's files sit: the git top level of a path, which reports place findings against
(``checker.api.find_workspace`` chooses the path and makes the ``Workspace``).

The top level is the nearest directory at or above the path that holds ``.git`` (a folder, or
the file a worktree or submodule has): what ``git rev-parse --show-toplevel`` prints, found
without running git.
"""

from __future__ import annotations

import os


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


__all__ = ["repository_root"]
