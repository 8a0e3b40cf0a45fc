"""Attach a lock's entries to the facts of a manifest's models (before the checks run).

A manifest entry matches the lock entry of the same local path, or (a Hub entry) of the same id.
An entry whose pin or id changed since locking does not count as locked: the drift check then
reports ``drift/not-locked`` with the reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from checker.facts import ModelFacts
from checker.facts.digests import LockedFacts, LockEntry
from checker.lock.read import Lock
from checker.sources.targets import Target


def _key(source: str, ident: str, path: str | None) -> tuple[str, str]:
    return ("local", path) if path is not None else (source, ident.lower())


def _locked(lock: Lock, entry: LockEntry | None, target: Target, facts: ModelFacts) -> LockedFacts:
    if entry is None:
        return LockedFacts(lock.path, None, "the lock has no entry for it (added since locking)")
    if (entry.pinned or None) != (target.revision or None):
        pins = f"the manifest pins {target.revision or 'nothing'}, the lock was made for "
        return LockedFacts(lock.path, None, pins + (entry.pinned or "no pin"))
    if entry.id.lower() != facts.model.id.lower():
        why = f"the lock records {entry.id} for this entry, the manifest names {facts.model.id}"
        return LockedFacts(lock.path, None, why)
    return LockedFacts(lock.path, entry)


def attach_lock(
    facts: Sequence[ModelFacts], targets: Sequence[Target], lock: Lock
) -> tuple[list[ModelFacts], list[LockEntry]]:
    """The facts with ``locked`` set for every model a manifest entry named, and the lock
    entries no manifest entry matched (stale: re-locking drops them)."""
    by_pointer = {t.named_by.pointer: t for t in targets if t.named_by is not None}
    entries = {_key(e.source, e.id, e.path): e for e in lock.entries}
    used: set[tuple[str, str]] = set()
    out: list[ModelFacts] = []
    for f in facts:
        target = by_pointer.get(f.named_by.pointer) if f.named_by is not None else None
        if target is None:
            out.append(f)
            continue
        key = _key(target.kind, target.model_id or f.model.id, None)
        if target.kind != "hub":
            key = ("local", target.display)
        entry = entries.get(key)
        if entry is not None:
            used.add(key)
        out.append(replace(f, locked=_locked(lock, entry, target, f)))
    stale = [e for k, e in entries.items() if k not in used]
    return out, stale
