"""Source-level digests of what was read about a model, and what a lock file said of it.

``SourceDigest`` is computed from the raw layer (``RawModel.read_files``, the card's licence
keys, weight-header licence keys, the registry's licence tags, the gating): a lock file records
it, and ``clearance check --locked`` compares the current one with the locked one. Pure: no I/O.

- the **content digest** of a model is the sha256 of the ``sha256sum``-style listing
  (``<sha256>  <path>\\n``, sorted by path) of the files the audit read in full: the card,
  ``config.json``, ``adapter_config.json`` and the licence files (never weight payloads);
- the **licence fingerprint** is the sha256 of the canonical JSON of ``LicenseInputs``: the
  card's ``license*`` keys, each licence file's path and sha256, the weight headers' licence
  keys, the registry's ``license:`` tags and the gating.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from checker.facts.model import CardFacts, WeightFacts
    from checker.sources.raw import RawModel


def _sha256(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def canonical(value: Any) -> str:
    """The canonical JSON of a value (sorted keys, no spaces, non-JSON values as strings)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


@dataclass(frozen=True, slots=True)
class LicenseInputs:
    """Everything the licence fingerprint covers, each part sorted."""

    card: tuple[tuple[str, str], ...] = ()  # (key, canonical JSON of the value)
    files: tuple[tuple[str, str], ...] = ()  # (path relative to the model, sha256)
    headers: tuple[tuple[str, str, str], ...] = ()  # (weight file, key, value)
    tags: tuple[str, ...] = ()  # the registry's license:* tags
    gating: str = "unknown"  # the availability, and territories gating withholds (``+eu``)

    def as_json(self, with_gating: bool = True) -> dict[str, Any]:
        """The inputs as plain data (the lock file's ``license.inputs``)."""
        out: dict[str, Any] = {
            "card": {k: json.loads(v) for k, v in self.card},
            "files": {p: s for p, s in self.files},
            "headers": [list(h) for h in self.headers],
            "tags": list(self.tags),
        }
        if with_gating:
            out["gating"] = self.gating
        return out

    @property
    def fingerprint(self) -> str:
        """sha256 over every input, gating included."""
        return _sha256(canonical(self.as_json()))

    @property
    def terms_fingerprint(self) -> str:
        """sha256 over every input but the gating (tells a licence change from a gating one)."""
        return _sha256(canonical(self.as_json(with_gating=False)))


@dataclass(frozen=True, slots=True)
class SourceDigest:
    """What a lock records of a model as read now: revision, content digest, licence inputs,
    and whether every licence-relevant input could be read (``missing`` says what could not)."""

    revision: str | None
    content: str
    license: LicenseInputs
    missing: tuple[str, ...] = ()
    location: str = ""  # where the model was read (``RawModel.location``), for evidence

    @property
    def complete(self) -> bool:
        """True when every licence-relevant input was read."""
        return not self.missing


def content_digest(listing: list[tuple[str, str]]) -> str:
    """sha256 of ``<sha256>  <path>`` lines sorted by path (``sha256sum`` output)."""
    return _sha256("".join(f"{sha}  {path}\n" for path, sha in sorted(listing)))


def _relative(path: str, location: str) -> str:
    prefix = location.rstrip("/") + "/"
    return path[len(prefix) :] if path.startswith(prefix) else path


def source_digest(raw: RawModel, card: CardFacts, weights: WeightFacts) -> SourceDigest:
    """The digest of one model as its source read it."""
    from checker.yamlio import to_plain

    files = [(f.path, f.sha256) for f in raw.read_files]
    card_keys = tuple(
        (key, canonical(to_plain(card.metadata[key])))
        for key in sorted(card.metadata)
        if key.startswith("license")
    )
    headers = {
        (_relative(h.path, raw.location), key, value)
        for h in raw.headers
        for key, value in h.values.items()
        if "license" in key
    }
    remote = raw.remote
    if remote is not None and remote.header_license:
        headers.add(("(registry)", "general.license", remote.header_license))
    tags = tuple(sorted({t for t in (remote.tags if remote else ()) if t.startswith("license:")}))
    gating = "+".join([weights.availability, *sorted({w.territory for w in weights.withheld})])
    missing = [t.error or t.path for t in raw.license_files if t.data is None]
    if raw.card is not None and raw.card.data is None:
        missing.append(raw.card.error or raw.card.path)
    if remote is not None:
        missing += [str(e.value) for e in remote.availability_evidence if e.pointer == "files"]
    inputs = LicenseInputs(
        card=card_keys,
        files=tuple(sorted((f.path, f.sha256) for f in raw.read_files if f.role == "license")),
        headers=tuple(sorted(headers)),
        tags=tags,
        gating=gating,
    )
    return SourceDigest(
        raw.revision, content_digest(files), inputs, tuple(sorted(missing)), raw.location
    )


@dataclass(frozen=True, slots=True)
class LockEntry:
    """One model as a lock file recorded it (``checker.lock`` reads and writes these)."""

    id: str
    source: str  # local | hub
    path: str | None  # the manifest's path, for a local folder
    pinned: str | None  # the manifest's revision when the entry pins one
    revision: str | None  # the resolved 40-hex sha (Hub)
    content: str  # the content digest
    license_expression: str | None
    license_fingerprint: str
    license_inputs: dict[str, Any]  # LicenseInputs.as_json() at lock time
    terms_fingerprint: str
    gating: str
    complete: bool
    verdict: str
    line: int = 0  # where the entry starts in the lock file (1-based; 0 unknown)
    index: int = 0  # its position in the lock's ``models`` list


@dataclass(frozen=True, slots=True)
class LockedFacts:
    """What the lock says of one model: its entry, or None (with ``why``) when the lock has no
    entry for it. Attached to the facts by the API layer before the checks run."""

    lock: str  # the lock file, as shown in evidence
    entry: LockEntry | None
    why: str | None = None  # why the entry does not count (a pin changed since locking)
