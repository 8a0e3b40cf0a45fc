"""One scan: walk the roots, hand each file to the scanner of its kind, keep what names a model.

``SCANNERS`` maps a file's form to its reader (pure: text in, found lines out). A candidate that
names an existing path beside the file or under a scanned root (``checkpoints/final`` when that
folder is there) is a local path, not a model. The result is sorted and free of duplicates.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from checker.errors import UsageError
from checker.scan import config, notebook, python, shell
from checker.scan.model import FileScan, Note, Reference, ScanResult
from checker.scan.walker import exists_near, walk

SCANNERS: dict[str, Callable[[str], FileScan]] = {
    "python": python.scan_python,
    "notebook": notebook.scan_notebook,
    "yaml": config.scan_yaml,
    "json": config.scan_json,
    "toml": config.scan_toml,
    "shell": shell.scan_shell,
    "dockerfile": shell.scan_dockerfile,
    "modelfile": shell.scan_modelfile,
    "env": shell.scan_env,
}


def scan_paths(paths: list[str]) -> ScanResult:
    """Scan files and folders; a path that does not exist is a UsageError (exit 2)."""
    for path in paths:
        if not os.path.lexists(path):
            raise UsageError(f"{path}: no such file or folder")
    roots = [Path(p).resolve() for p in paths]
    notes: list[Note] = []
    references: set[Reference] = set()
    files = 0
    folders: dict[Path, bool] = {}
    for source in walk(list(paths), notes):
        files += 1
        try:
            scanned = SCANNERS[source.form](source.text)
        except RecursionError:
            notes.append(Note(source.display, None, "nested too deeply to read; skipped"))
            continue
        folder = Path(source.path).parent
        for found in scanned.found:
            if exists_near(found.model_id, folder, roots, folders):
                continue  # a folder or file of the project written like an id
            references.add(
                Reference(source.display, found.line, found.model_id, found.revision, source.kind)
            )
        notes.extend(Note(source.display, line, message) for line, message in scanned.notes)
    return ScanResult(
        tuple(sorted(references, key=Reference.sort_key)),
        tuple(sorted(set(notes), key=Note.sort_key)),
        files,
    )
