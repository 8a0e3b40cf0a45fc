"""drift/*: what changed since the lock file was written (``clearance check MANIFEST --locked``).

The API layer reads the lock and attaches each model's entry to its facts (``facts.locked``)
before the checks run; without ``--locked`` that is None and this check says nothing. It
compares the locked record with the source-level digest of what was read now
(``facts.digest``): licence inputs, revision or content digest, gating.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from checker.checks.base import CheckContext
from checker.checks.rule import Rule, finding
from checker.checks.section import Reader, level, read_section
from checker.facts import ModelFacts
from checker.facts.digests import LockedFacts, LockEntry, SourceDigest
from checker.findings import Evidence, Finding, Severity

LICENSE_CHANGED = Rule(
    id="drift/license-changed",
    summary="The licence inputs changed since the lock was written.",
    help="Review the new licence; when it is acceptable, run `clearance lock MANIFEST` again.",
    level=Severity.ERROR,
    group="drift",
    fires_when="(`--locked`) the licence fingerprint differs from the lock's: a card licence "
    "key, a licence file's content, a weight header's licence key or a licence tag changed "
    "(old and new licence shown)",
)
REVISION_MOVED = Rule(
    id="drift/revision-moved",
    summary="An unpinned model resolves to another revision than the lock's.",
    help="Pin the revision in the manifest, or review the change and run `clearance lock` again.",
    level=Severity.WARNING,
    group="drift",
    fires_when="(`--locked`) an unpinned Hub entry's branch moved to another commit, or a local "
    "folder's content digest changed (a pinned entry never moves)",
)
GATING_CHANGED = Rule(
    id="drift/gating-changed",
    summary="The weights' gating changed since the lock was written.",
    help="Check that the weights can still be had as before, then run `clearance lock` again.",
    level=Severity.WARNING,
    group="drift",
    fires_when="(`--locked`) the availability (open, gated-auto, gated-manual, ...) or the "
    "territories gating withholds differ from the lock's",
)
NOT_LOCKED = Rule(
    id="drift/not-locked",
    summary="A manifest entry is not in the lock file.",
    help="Run `clearance lock MANIFEST` to record the entry, and commit the lock file.",
    level=Severity.ERROR,
    group="drift",
    fires_when="(`--locked`) a manifest entry has no entry in the lock, or its pin or path "
    "changed since locking",
)
RULES = (LICENSE_CHANGED, REVISION_MOVED, GATING_CHANGED, NOT_LOCKED)


@dataclass(frozen=True, slots=True)
class DriftPolicy:
    """The ``drift:`` section: the level of each drift rule (``off`` silences one).

    A licence change fails (what was reviewed is no longer what is used); a moved revision and a
    gating change warn (the other checks judge the new state on their own, these say that it
    changed); an entry missing from the lock fails (``--locked`` promises the lock covers the
    manifest, and an unlocked entry has nothing to compare: unknown is never allowed)."""

    license_changed: Severity | None = LICENSE_CHANGED.level
    revision_moved: Severity | None = REVISION_MOVED.level
    gating_changed: Severity | None = GATING_CHANGED.level
    not_locked: Severity | None = NOT_LOCKED.level

    READ: ClassVar[Mapping[str, Reader]] = {
        "license-changed": level,
        "revision-moved": level,
        "gating-changed": level,
        "not-locked": level,
    }

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> DriftPolicy:
        """The section as the policy states it, defaults for what it does not."""
        return read_section(cls, data, cls.READ)


def _lock_evidence(locked: LockedFacts, entry: LockEntry, *keys: str, value: Any) -> Evidence:
    """Evidence citing a key of the model's entry in the lock file."""
    pointer = "/".join(("", "models", str(entry.index), *keys))
    return Evidence(locked.lock, pointer, value, entry.line or None)


def _changed_parts(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """Which licence inputs differ: card keys, licence files, headers, tags."""
    out: list[str] = []
    for part in ("card", "files"):
        was, now = old.get(part) or {}, new.get(part) or {}
        for key in sorted(set(was) | set(now)):
            if was.get(key) != now.get(key):
                what = "card key" if part == "card" else "licence file"
                change = "added" if key not in was else "removed" if key not in now else "changed"
                out.append(f"{what} {key} {change}")
    for part in ("headers", "tags"):
        if (old.get(part) or []) != (new.get(part) or []):
            out.append(f"{'weight header licence keys' if part == 'headers' else 'licence tags'}")
    return out


def check_drift(facts: ModelFacts, ctx: CheckContext) -> list[Finding]:
    """Compare the model now with its lock entry (nothing without ``--locked``)."""
    locked, now = facts.locked, facts.digest
    if locked is None or now is None:
        return []
    levels = ctx.policy.drift
    entry = locked.entry
    if entry is None:
        why = locked.why or "the lock has no entry for this manifest entry"
        named = facts.named_by or Evidence(facts.target, "target", facts.model.id)
        return finding(
            NOT_LOCKED,
            levels.not_locked,
            facts,
            f"{facts.model.id} is not locked: {why}",
            [named, Evidence(locked.lock, "/models", why)],
        )
    pair = _Pair(facts, locked, entry, now, ctx.unknown)
    return [
        *_license(pair, levels.license_changed),
        *_revision(pair, levels.revision_moved),
        *_gating(pair, levels.gating_changed),
    ]


@dataclass(frozen=True, slots=True)
class _Pair:
    """One model as locked and as read now, and the unknown level."""

    facts: ModelFacts
    locked: LockedFacts
    entry: LockEntry
    now: SourceDigest
    unknown: Severity | None

    def level(self, severity: Severity | None, unknown: bool) -> Severity | None:
        """The rule's level, or the unknown level when the comparison cannot be made (a rule
        that is off stays off)."""
        return None if severity is None else (self.unknown if unknown else severity)


def _license(pair: _Pair, severity: Severity | None) -> list[Finding]:
    facts, locked, entry, now = pair.facts, pair.locked, pair.entry, pair.now
    unreadable_now = not now.complete and entry.complete
    if now.license.terms_fingerprint == entry.terms_fingerprint and not unreadable_now:
        return []
    old_evidence = _lock_evidence(
        locked, entry, "license", "fingerprint", value=entry.license_fingerprint
    )
    new_evidence = Evidence(now.location, "license inputs (now)", now.license.fingerprint)
    if not now.complete or not entry.complete:
        why = "; ".join(now.missing) if not now.complete else "the lock was made without them"
        return finding(
            LICENSE_CHANGED,
            pair.level(severity, unknown=True),
            facts,
            f"the licence inputs could not all be read ({why}): whether the licence changed "
            "since locking is not known",
            [old_evidence, new_evidence],
        )
    parts = _changed_parts(entry.license_inputs, now.license.as_json())
    was = entry.license_expression or "unknown"
    is_now = facts.license.expression or "unknown"
    licence = f"was {was}, now {is_now}" if was != is_now else f"still {is_now} by name"
    return finding(
        LICENSE_CHANGED,
        severity,
        facts,
        f"the licence changed since locking ({licence}): {', '.join(parts) or 'inputs changed'}",
        [
            old_evidence,
            _lock_evidence(locked, entry, "license", "expression", value=entry.license_expression),
            new_evidence,
            Evidence(now.location, "license.expression (now)", facts.license.expression),
        ],
    )


def _revision(pair: _Pair, severity: Severity | None) -> list[Finding]:
    facts, locked, entry, now = pair.facts, pair.locked, pair.entry, pair.now
    if entry.source == "hub" or entry.revision is not None:
        if entry.pinned is not None or now.revision == entry.revision:
            return []  # a pinned entry never moves
        return finding(
            REVISION_MOVED,
            severity,
            facts,
            f"the unpinned revision moved since locking: {entry.revision} -> {now.revision}",
            [
                _lock_evidence(locked, entry, "revision", value=entry.revision),
                Evidence(now.location, "revision (now)", now.revision),
            ],
        )
    unreadable_now = not now.complete and entry.complete
    if now.content == entry.content and not unreadable_now:
        return []
    old = _lock_evidence(locked, entry, "content-digest", value=entry.content)
    new = Evidence(now.location, "content digest (now)", now.content)
    if unreadable_now:
        return finding(
            REVISION_MOVED,
            pair.level(severity, unknown=True),
            facts,
            f"files could not all be read ({'; '.join(now.missing)}): whether the folder "
            "changed since locking is not known",
            [old, new],
        )
    return finding(
        REVISION_MOVED,
        severity,
        facts,
        f"the folder's content changed since locking: {entry.content} -> {now.content}",
        [old, new],
    )


def _gating(pair: _Pair, severity: Severity | None) -> list[Finding]:
    facts, locked, entry, now = pair.facts, pair.locked, pair.entry, pair.now
    if now.license.gating == entry.gating:
        return []
    old = _lock_evidence(locked, entry, "gating", value=entry.gating)
    new = Evidence(now.location, "gating (now)", now.license.gating)
    if now.license.gating.startswith("unknown"):
        return finding(
            GATING_CHANGED,
            pair.level(severity, unknown=True),
            facts,
            f"the gating is not known now (locked: {entry.gating})",
            [old, new, *facts.weights.availability_evidence[:1]],
        )
    return finding(
        GATING_CHANGED,
        severity,
        facts,
        f"the gating changed since locking: {entry.gating} -> {now.license.gating}",
        [old, new, *facts.weights.availability_evidence[:1]],
    )
