"""What the user asked to audit: command-line targets and manifest entries, as Target values."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from checker import paths, yaml_cache, yamlio
from checker.errors import InputError, UsageError
from checker.findings import Evidence
from checker.paths import display_path

HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")
HF_CACHE_DIR = re.compile(r"^models--(?P<org>[^-].*?)--(?P<name>.+)$")
SHA = re.compile(r"^[0-9a-f]{40}$")
MAX_MANIFEST_BYTES = 32 * 1024 * 1024
MAX_MANIFEST_LINES = 400_000  # 100,000 entries of id, path, revision and a comment; linear


@dataclass(frozen=True, slots=True)
class Target:
    """One model to audit: a local folder or a Hub id, with an optional id and revision."""

    kind: str  # the source that reads it: local | hub | hf-cache
    ref: str  # folder path or Hub id
    display: str  # what the user wrote
    model_id: str | None = None
    revision: str | None = None
    named_by: Evidence | None = None  # the manifest entry (or cache listing) that named it
    snapshot: str | None = None  # hf-cache: the snapshot folder, read when no metadata is cached


def local_model_id(path: Path) -> tuple[str, str | None]:
    """Id and revision of a local folder: the Hugging Face cache layout, else ``local/<name>``."""
    return model_id_of(paths.real(path))


def model_id_of(real: str) -> tuple[str, str | None]:
    """``local_model_id`` of a folder already made real (``paths.real``)."""
    folder, name = os.path.split(real)
    above, parent = os.path.split(folder)
    if parent == "snapshots" and SHA.match(name):
        match = HF_CACHE_DIR.match(os.path.basename(above))
        if match:
            return f"{match['org']}/{match['name']}", name
    return f"local/{name or 'model'}", None


MANIFEST_SUFFIXES = (".yaml", ".yml")
LOCAL_PREFIXES = ("./", "../", "/", "~", ".\\", "..\\")


def looks_local(text: str) -> bool:
    """A target that says it is on disk: an existing path, one starting with ``./``, ``../`` or
    ``/``, or one whose first segment is an existing folder (``examples/nope``)."""
    if text in (".", "..") or text.startswith(LOCAL_PREFIXES) or Path(text).exists():
        return True
    first = re.split(r"[/\\]", text, maxsplit=1)[0]
    return first != text and bool(first) and Path(first).is_dir()


def parse_target(text: str, model_id: str | None = None) -> list[Target]:
    """Turn one command-line TARGET into targets (a manifest gives several).

    A target says what it is: a folder, a manifest, or a Hub id ``org/name[@revision]``. One that
    looks local but is not there is refused at once (no Hub request is made for it)."""
    if model_id is not None and not HUB_ID.match(model_id):
        raise UsageError(f"--id {model_id!r} is not of the form org/name")
    if not text.strip():
        raise UsageError("a TARGET is empty (a folder, a manifest or a Hub id org/name)")
    path = Path(text)
    if path.is_dir():
        return [Target("local", str(path), text, model_id)]
    if path.is_file():
        if model_id is not None:
            raise UsageError(
                f"{text}: --id names the model of a folder; a manifest gives each model its id"
            )
        return read_manifest(path)
    if path.suffix.lower() in MANIFEST_SUFFIXES:
        raise UsageError(f"{text}: no such manifest")
    if looks_local(text):
        raise UsageError(f"{text}: no such folder")
    if HUB_ID.match(text.split("@", 1)[0]):
        if model_id is not None:
            raise UsageError(f"{text}: --id names the model of a folder, not of a Hub id")
        ident, _, revision = text.partition("@")
        return [Target("hub", ident, text, ident, revision or None)]
    raise UsageError(
        f"{text}: no such folder or manifest, and not a Hub id of the form org/name[@revision]"
    )


def read_manifest(path: Path) -> list[Target]:
    """Read a models.yaml manifest; every malformed entry is an InputError with file:line."""
    try:
        if path.stat().st_size > MAX_MANIFEST_BYTES:
            raise InputError(f"{path}: manifest is larger than {MAX_MANIFEST_BYTES:,} bytes")
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read manifest: {exc.strerror or exc}") from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: manifest is not valid UTF-8 (byte {exc.start})") from exc
    lines = text.count("\n") + 1
    if lines > MAX_MANIFEST_LINES:
        limit = f"over the {MAX_MANIFEST_LINES:,} read"
        raise InputError(f"{path}: manifest is {lines:,} lines long, {limit}")
    try:
        node = yaml_cache.load(data, text)
    except yamlio.YamlProblem as exc:
        raise InputError(f"{path}:{exc.line}:{exc.column}: {exc.message}") from exc
    if not isinstance(node, dict) or "models" not in node:
        raise InputError(f"{path}:1:1: a manifest is a mapping with a 'models' list")
    unknown = sorted(str(k) for k in node if k not in ("models", "version"))
    if unknown:
        line, col = yamlio.key_position(node, unknown[0]) or (0, 0)
        raise InputError(
            f"{path}:{line + 1}:{col + 1}: {unknown[0]}: unknown key (expected: models, version)"
        )
    if "version" in node and (type(node["version"]) is not int or node["version"] != 1):
        line, col = yamlio.key_position(node, "version") or (0, 0)
        raise InputError(f"{path}:{line + 1}:{col + 1}: version: must be 1")
    models = node["models"]
    if not isinstance(models, list):
        line, col = yamlio.key_position(node, "models") or (0, 0)
        raise InputError(f"{path}:{line + 1}:{col + 1}: models: must be a list of entries")
    if not models:  # a gate that audits nothing must not pass
        line, col = yamlio.key_position(node, "models") or (0, 0)
        raise InputError(f"{path}:{line + 1}:{col + 1}: models: the list is empty")
    return list(_manifest_entries(path, models))


def _manifest_entries(path: Path, models: list[object]) -> Iterable[Target]:
    allowed = ("id", "revision", "path")
    shown = display_path(path)  # one string every entry's evidence shares
    for index, entry in enumerate(models):
        line, col = yamlio.item_position(models, index) or (0, 0)
        where = f"{path}:{line + 1}:{col + 1}: models[{index}]"
        if not isinstance(entry, dict):
            raise InputError(f"{where}: an entry is a mapping with 'id' and/or 'path'")
        extra = sorted(str(k) for k in entry if k not in allowed)
        if extra:
            raise InputError(f"{where}.{extra[0]}: unknown key (expected: id, path, revision)")
        for key in allowed:
            if key in entry and not isinstance(entry[key], str):
                raise InputError(f"{where}.{key}: must be a string")
        model_id, revision, folder = entry.get("id"), entry.get("revision"), entry.get("path")
        if model_id is None and folder is None:
            raise InputError(f"{where}: an entry needs 'id' or 'path' (or both)")
        if model_id is not None and not HUB_ID.match(model_id):
            raise InputError(f"{where}.id: {model_id!r} is not of the form org/name")
        named_by = Evidence(shown, f"/models/{index}", model_id or folder, line + 1)
        if folder is not None:
            local = display_path(os.path.join(path.parent, folder))
            yield Target("local", local, folder, model_id, revision, named_by)
        else:
            assert model_id is not None
            yield Target("hub", model_id, model_id, model_id, revision, named_by)
