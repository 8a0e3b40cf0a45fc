"""Read a lock file for ``check --locked``: every way it can be unusable is one InputError line
naming the file, line and key (exit 2); a usable lock becomes ``LockEntry`` values.

Unusable: missing, not UTF-8, not YAML, another ``lock-version``, not matching the JSON Schema
(rules/schema/lock.schema.json), a ``digest`` that does not match the content (edited by hand,
or cut off), or a lock written for another manifest. A lock that is usable but out of date (the
manifest gained an entry, a pin changed) is not an error: those entries get
``drift/not-locked`` findings.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from checker.errors import InputError
from checker.facts.digests import LockEntry
from checker.lock.document import LOCK_VERSION, relative, self_digest
from checker.paths import display_path

MAX_LOCK_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Lock:
    """A lock file as read: where it is, what it was made with, and its entries."""

    path: str  # as shown in evidence and errors
    manifest_sha256: str
    tool_version: str
    knowledge_digest: str
    policy_sha256: str
    entries: tuple[LockEntry, ...]
    manifest: str = ""  # the manifest file it was read for


@cache
def _schema() -> dict[str, Any]:
    from checker.resources import rules_file

    loaded: dict[str, Any] = json.loads(rules_file("schema", "lock.schema.json").read_bytes())
    return loaded


def _where(shown: str, node: Any, path: list[Any]) -> str:
    from checker.policy.reader import key_path, position

    line, _ = position(node, path)
    return f"{shown}:{line}: {key_path(path) or '(top)'}"


def _parse(path: Path, shown: str) -> Any:
    from checker import yamlio

    try:
        if path.stat().st_size > MAX_LOCK_BYTES:
            raise InputError(f"{shown}: lock file is larger than {MAX_LOCK_BYTES:,} bytes")
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise InputError(
            f"{shown}: no lock file (--locked needs one: run `clearance lock MANIFEST`)"
        ) from exc
    except OSError as exc:
        raise InputError(f"{shown}: cannot read lock file: {exc.strerror or exc}") from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{shown}: lock file is not valid UTF-8 (byte {exc.start})") from exc
    try:
        node = yamlio.load(text)
        yamlio.guard_size(node)
    except yamlio.YamlProblem as exc:
        raise InputError(f"{shown}:{exc.line}: {exc.message}") from exc
    return node


def read_lock(lock_path: Path, manifest: Path) -> Lock:
    """The lock at ``lock_path`` for ``manifest``; an unusable one is an InputError."""
    import jsonschema

    from checker import yamlio

    shown = display_path(lock_path)
    node = _parse(lock_path, shown)
    if not isinstance(node, dict):
        raise InputError(f"{shown}:1: (top): a lock file is a mapping (run `clearance lock`)")
    version = node.get("lock-version")
    if version != LOCK_VERSION:
        raise InputError(
            f"{_where(shown, node, ['lock-version'])}: lock-version {version!r} is not "
            f"{LOCK_VERSION}, the version this clearance reads (run `clearance lock` again)"
        )
    plain = yamlio.to_plain(node)
    errors = sorted(
        jsonschema.Draft202012Validator(_schema()).iter_errors(plain),
        key=lambda e: [str(p) for p in e.absolute_path],
    )
    if errors:
        first = errors[0]
        message = first.message
        if first.validator == "required":
            message = message.replace("is a required property", "is missing") + (
                " (cut off or edited by hand: run `clearance lock` again)"
            )
        raise InputError(f"{_where(shown, node, list(first.absolute_path))}: {message}")
    if plain["digest"] != self_digest(plain):
        raise InputError(
            f"{_where(shown, node, ['digest'])}: does not match the content (edited by hand "
            "or cut off): run `clearance lock` again"
        )
    expected = relative(manifest, lock_path.parent)
    if plain["manifest"]["path"] != expected:
        raise InputError(
            f"{_where(shown, node, ['manifest', 'path'])}: the lock is for "
            f"{plain['manifest']['path']!r}, not {expected!r}"
        )
    return Lock(
        path=shown,
        manifest_sha256=plain["manifest"]["sha256"],
        tool_version=plain["tool"]["version"],
        knowledge_digest=plain["knowledge"]["digest"],
        policy_sha256=plain["policy"]["sha256"],
        entries=entries_of(plain["models"], node["models"]),
        manifest=str(manifest),
    )


def entries_of(models: list[dict[str, Any]], node: Any = None) -> tuple[LockEntry, ...]:
    """Lock entries from a lock's (schema-valid) ``models`` list; ``node``, the parsed YAML
    list, gives each entry's line."""
    return tuple(_entry(node, i, m) for i, m in enumerate(models))


def _entry(models: Any, index: int, m: dict[str, Any]) -> LockEntry:
    from checker import yamlio

    line = (yamlio.item_position(models, index) or (-1, 0))[0] + 1
    lic = m["license"]
    return LockEntry(
        id=m["id"],
        source=m["source"],
        path=m["path"],
        pinned=m["pinned"],
        revision=m["revision"],
        content=m["content-digest"],
        license_expression=lic["expression"],
        license_fingerprint=lic["fingerprint"],
        license_inputs=lic["inputs"],
        terms_fingerprint=lic["terms-fingerprint"],
        gating=m["gating"],
        complete=lic["complete"],
        verdict=m["verdict"],
        line=line,
        index=index,
    )
