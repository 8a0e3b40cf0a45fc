"""The manifest side of a scan: which references a models.yaml lacks (``--check``), and adding
them to it (``--write``) with ruamel.yaml's round trip, so existing entries, pins, paths, comments
and indentation stay as they were.

A reference is listed when an entry has its id and either the reference pins no revision or the
entry pins the same one (code pinned to another revision than the manifest's is not audited).
"""

from __future__ import annotations

import io
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checker.errors import InputError
from checker.scan.model import Reference
from checker.sources.targets import read_manifest

NEW_MANIFEST_HEADER = (
    "# The models this project depends on, audited by `clearance check models.yaml`.\n"
    "# Kept up to date by `clearance scan --write models.yaml`; entries you add or edit stay.\n"
)


@dataclass(frozen=True, slots=True)
class Missing:
    """A model (and pin) the code uses that the manifest does not list, with where it is used."""

    model_id: str
    revision: str | None
    places: tuple[Reference, ...]

    @property
    def display(self) -> str:
        return self.model_id if self.revision is None else f"{self.model_id}@{self.revision}"

    @property
    def where(self) -> str:
        first = self.places[0]
        more = len(self.places) - 1
        return f"{first.file}:{first.line}" + (f" (and {more} more)" if more else "")


def missing(
    references: tuple[Reference, ...], listed: list[tuple[str, str | None]]
) -> list[Missing]:
    """The references no manifest entry covers, grouped by (id, revision), sorted."""
    ids = {model_id for model_id, _ in listed}
    pins = set(listed)
    groups: dict[tuple[str, str | None], list[Reference]] = {}
    for ref in references:
        covered = ref.model_id in ids and (
            ref.revision is None or (ref.model_id, ref.revision) in pins
        )
        if not covered:
            groups.setdefault((ref.model_id, ref.revision), []).append(ref)
    return [
        Missing(model_id, revision, tuple(refs))
        for (model_id, revision), refs in sorted(
            groups.items(), key=lambda i: (i[0][0], i[0][1] or "")
        )
    ]


def listed_in(path: Path) -> list[tuple[str, str | None]]:
    """(id, revision) of every manifest entry with an id; an unusable manifest is an InputError
    (the same checks ``clearance check`` makes; a missing one too)."""
    if not path.exists():
        raise InputError(
            f"{path}: no such manifest (create it with `clearance scan --write {path}`)"
        )
    return [(t.model_id, t.revision) for t in read_manifest(path) if t.model_id is not None]


def _yaml() -> Any:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    return yaml


def _load_for_update(path: Path) -> tuple[Any, Any]:
    """The round-trip document and its models list, refusing anything ``check`` would refuse."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.error import YAMLError
    from ruamel.yaml.util import load_yaml_guess_indent

    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read manifest: {exc}") from exc
    yaml = _yaml()
    try:
        _, indent, offset = load_yaml_guess_indent(text)
        document = yaml.load(text)
    except YAMLError as exc:
        read_manifest(path)  # its located error message
        raise InputError(f"{path}: invalid YAML: {exc}") from exc
    if document is None:
        document = CommentedMap()
    if not isinstance(document, CommentedMap):
        raise InputError(f"{path}:1:1: a manifest is a mapping with a 'models' list")
    models = document.setdefault("models", CommentedSeq())
    if models is None:
        models = document["models"] = CommentedSeq()
    if not isinstance(models, CommentedSeq):
        raise InputError(f"{path}: models: must be a list of entries")
    if models:
        read_manifest(path)  # every entry as check reads it, or its located error
    sequence, dash = indent or 2, offset or 0  # "  - id:" is sequence 4, offset 2
    yaml.indent(mapping=max(sequence - dash, 2), sequence=sequence, offset=dash)
    return (yaml, document), models


def update(path: Path, references: tuple[Reference, ...]) -> list[Missing]:
    """Add the missing references to the manifest at ``path`` (created when absent); returns
    what was added. Nothing is written when nothing is missing."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    dash = 2
    if path.exists():
        (yaml, document), models = _load_for_update(path)
        dash = yaml.sequence_dash_offset
        listed = [
            (str(e["id"]), None if e.get("revision") is None else str(e["revision"]))
            for e in models
            if isinstance(e, dict) and e.get("id") is not None
        ]
    else:
        yaml = _yaml()
        yaml.indent(mapping=2, sequence=4, offset=2)
        document, models, listed = CommentedMap(), CommentedSeq(), []
        document["models"] = models
    added = missing(references, listed)
    if not added:
        return []
    for item in added:
        entry = CommentedMap()
        entry["id"] = item.model_id
        if item.revision is not None:
            entry["revision"] = item.revision
        column = dash + len("- id: ") + len(item.model_id) + 2  # two spaces, as yamllint wants
        entry.yaml_add_eol_comment(f"found by clearance scan in {item.where}", "id", column)
        models.append(entry)
    buffer = io.StringIO()
    if not path.exists():
        buffer.write(NEW_MANIFEST_HEADER)
    yaml.dump(document, buffer)
    _write_atomically(path, buffer.getvalue())
    read_manifest(path)  # what was written must be a manifest that check accepts
    return added


def _write_atomically(path: Path, text: str) -> None:
    folder = path.parent if str(path.parent) else Path(".")
    try:
        fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        if path.exists():
            os.chmod(temporary, path.stat().st_mode & 0o777)
        os.replace(temporary, path)
    except OSError as exc:
        raise InputError(f"{path}: cannot write manifest: {exc.strerror or exc}") from exc
