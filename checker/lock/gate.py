"""``check --locked``: find the lock of the manifest being checked, and say what it notes."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from checker.errors import InputError, UsageError
from checker.facts import ModelFacts
from checker.facts.digests import LockEntry
from checker.lock.attach import attach_lock
from checker.lock.document import default_lock_path
from checker.lock.read import Lock, read_lock
from checker.sources.targets import Target


def manifest_of(targets: Sequence[str]) -> Path:
    """The one manifest ``--locked`` (and ``clearance lock``) works on."""
    files = [Path(t) for t in targets if Path(t).is_file()]
    if len(targets) != 1 or len(files) != 1:
        raise UsageError("--locked checks exactly one manifest (models.yaml) against its lock")
    return files[0]


def write_lock(
    manifest: str, output: str | None, policy: str | None, offline: bool, jobs: int
) -> tuple[Path, int]:
    """Audit MANIFEST and write its lock (``models.lock.yaml`` beside it, or ``output``); the
    file is left untouched when its content would not change. Returns where, and how many
    models."""
    from checker.api import DEFAULT_POLICY, audit
    from checker.lock.document import lock_document, render_lock
    from checker.sources import HubOptions
    from checker.sources.targets import parse_target

    path = manifest_of([manifest])
    targets = parse_target(manifest)
    result = audit([manifest], policy or DEFAULT_POLICY, hub=HubOptions(offline=offline), jobs=jobs)
    out = Path(output) if output else default_lock_path(path)
    text = render_lock(lock_document(result, targets, path, out))
    try:
        if not out.is_file() or out.read_text(encoding="utf-8") != text:
            out.write_text(text, encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        why = getattr(exc, "strerror", None) or exc
        raise UsageError(f"{out}: cannot write the lock: {why}") from exc
    return out, len(result.models)


def open_lock(targets: Sequence[str], at_ref: bool = False) -> tuple[Lock | None, list[str]]:
    """The lock of the one manifest target, read and validated (an unusable one is an
    InputError). At a baseline ref (``--baseline-ref``) a missing or unusable lock is not an
    error: that audit runs without it, with a note (the base may predate the lock, or hold
    one an older Clearance wrote)."""
    manifest = manifest_of(targets)
    path = default_lock_path(manifest)
    if not at_ref:
        return read_lock(path, manifest), []
    if not path.is_file():
        return None, []
    try:
        return read_lock(path, manifest), []
    except InputError as exc:
        return None, [f"the lock at the baseline ref is not used: {exc}"]


def apply_lock(
    facts: Sequence[ModelFacts], targets: Sequence[Target], lock: Lock, version: str
) -> tuple[list[ModelFacts], list[str]]:
    """The facts with their lock entries attached, and the lock's notes."""
    attached, stale = attach_lock(facts, targets, lock)
    return attached, lock_notes(lock, stale, Path(lock.manifest), version)


def lock_notes(lock: Lock, stale: Sequence[LockEntry], manifest: Path, version: str) -> list[str]:
    """What a usable lock says beyond the findings: entries no longer in the manifest, and a
    manifest, tool or knowledge base that changed since locking."""
    import hashlib

    notes = []
    if stale:
        names = ", ".join(e.path or e.id for e in stale[:5]) + (", ..." if len(stale) > 5 else "")
        notes.append(
            f"{lock.path}: {len(stale)} locked model(s) no longer in the manifest ({names}); "
            "`clearance lock` drops them"
        )
    if "sha256:" + hashlib.sha256(manifest.read_bytes()).hexdigest() != lock.manifest_sha256:
        notes.append(f"{lock.path}: the manifest changed since locking")
    if lock.tool_version != version:
        notes.append(f"{lock.path}: locked with clearance {lock.tool_version} (this is {version})")
    return notes


__all__ = [
    "apply_lock",
    "default_lock_path",
    "lock_notes",
    "manifest_of",
    "open_lock",
    "write_lock",
]
