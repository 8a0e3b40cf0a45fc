"""What the policy declares that the knowledge base does not know (cargo-deny's ``clarify``, ORT's
package curations): developers (``developers:``, org -> country, name, source) and licence
clarifications (``clarify:``, model globs -> licence, optionally pinned to a licence file's
SHA-256 so that the clarification lapses when the file changes).

The policy reader builds ``Curations``; the facts layer applies them while it builds the facts,
so the facts are complete before any check runs and every curated value carries the policy file
and line as its evidence. Pure: the digests are of bytes a source already read.
"""

from __future__ import annotations

import fnmatch
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from types import MappingProxyType
from typing import TYPE_CHECKING

from checker import licensing
from checker.facts.model import (
    Ancestor,
    ClarificationFact,
    DeclaredLicense,
    Developer,
    LicenseFacts,
)
from checker.findings import Evidence
from checker.knowledge import DeveloperEntry, Knowledge

if TYPE_CHECKING:
    from checker.sources.raw import RawModel, RawText

CLARIFIED = "clarified"  # the ``declared by`` of a licence the policy's ``clarify:`` states
KNOWLEDGE_DEVELOPERS = "rules/developers.yaml"


@dataclass(frozen=True, slots=True)
class CuratedDeveloper:
    """A ``developers:`` entry: where an organisation is established, as the policy states it,
    and the policy file and line of the entry."""

    org: str
    country: str
    name: str | None
    source: str | None
    file: str
    line: int | None

    def evidence(self) -> Evidence:
        """The policy entry, as evidence for the country."""
        return Evidence(self.file, f"/developers/{self.org}", self.country, self.line)


@dataclass(frozen=True, slots=True)
class Clarification:
    """A ``clarify:`` entry: the licence of the models matching ``models`` (globs, case-
    insensitive), pinned to ``file``'s SHA-256 when ``sha256`` is set; and where it is written
    (``index`` counts the entries of that file)."""

    models: tuple[str, ...]
    license: str
    file: str
    line: int | None
    index: int
    license_file: str | None = None
    sha256: str | None = None
    reason: str | None = None

    def matches(self, model_id: str) -> bool:
        """True when one of the globs matches the model id (case-insensitive)."""
        ident = model_id.lower()
        return any(fnmatch.fnmatchcase(ident, glob.lower()) for glob in self.models)

    def evidence(self) -> Evidence:
        """The policy entry, as evidence for the licence."""
        return Evidence(self.file, f"/clarify/{self.index}", self.license, self.line)


@dataclass(frozen=True, slots=True)
class Curations:
    """Every curation of an ``extends`` chain, the nearest file's first: developers by org (lower
    case) and clarifications in the order they are tried (the first that matches applies)."""

    developers: Mapping[str, CuratedDeveloper] = field(default_factory=lambda: MappingProxyType({}))
    clarify: tuple[Clarification, ...] = ()

    def developer(self, org: str) -> CuratedDeveloper | None:
        """The policy's entry for a Hub namespace (case-insensitive)."""
        return self.developers.get(org.lower())

    def clarification(self, model_id: str) -> Clarification | None:
        """The first clarification whose globs match the model id."""
        return next((c for c in self.clarify if c.matches(model_id)), None)


NO_CURATIONS = Curations()


def developer_of(
    kb: Knowledge, owner: str, model_id: str, curations: Curations = NO_CURATIONS
) -> Developer:
    """The repository owner as the policy states it, else as the knowledge base knows it (country
    None when neither does). A policy entry overrides the knowledge base's, and its evidence
    says so."""
    owner_evidence = Evidence(model_id, "owner", owner)
    entry = kb.developer(owner)
    curated = curations.developer(owner)
    if curated is not None:
        evidence = [owner_evidence, curated.evidence()]
        if entry is not None:
            was = entry.country or "country unknown"
            evidence.append(
                Evidence(KNOWLEDGE_DEVELOPERS, f"/{entry.org}", f"{was} (overridden by the policy)")
            )
        return Developer(
            entry.org if entry else owner,
            curated.name or (entry.name if entry else None),
            curated.country,
            entry.kind if entry else None,
            tuple(evidence),
        )
    if entry is None:
        return Developer(owner, None, None, None, (owner_evidence,))
    return Developer(
        entry.org,
        entry.name,
        entry.country,
        entry.kind,
        (owner_evidence, _known_developer(entry.org, entry.country)),
    )


@lru_cache(maxsize=4096)
def _known_developer(org: str, country: str | None) -> Evidence:
    """The knowledge base's word on a developer: one value every model of that owner shares."""
    return Evidence(KNOWLEDGE_DEVELOPERS, f"/{org}", country)


def developer_entry(kb: Knowledge, curations: Curations, org: str) -> DeveloperEntry | None:
    """An organisation as a knowledge-base entry, the policy's ``developers:`` entry winning
    (for the licensors and families the knowledge base names by org)."""
    entry = kb.developer(org)
    curated = curations.developer(org)
    if curated is None:
        return entry
    return DeveloperEntry(
        entry.org if entry else org,
        curated.name or (entry.name if entry else org),
        curated.country,
        entry.kind if entry else "developer",
        curated.source or curated.file,
    )


def _pinned_file(raw: RawModel, name: str) -> RawText | None:
    """The licence file the clarification names: a top-level file of the model (its name, case-
    insensitive), among the licence files the source read."""
    wanted = name.lower()
    for text in raw.license_files:
        if text.path.replace("\\", "/").rsplit("/", 1)[-1].lower() == wanted:
            return text
    return None


def _lapse(clar: Clarification, raw: RawModel) -> tuple[str | None, tuple[Evidence, ...]]:
    """Why a pinned clarification no longer applies (None: the file is as pinned), and the file
    with the digest it has now."""
    if clar.sha256 is None or clar.license_file is None:
        return None, ()
    text = _pinned_file(raw, clar.license_file)
    if text is None:
        return f"{clar.license_file} is not among the model's licence files", ()
    if text.data is None:
        return f"{text.path} cannot be read: {text.error or 'unreadable'}", (
            Evidence(text.path, "/", None),
        )
    if text.truncated:
        return f"{text.path} is too large to check its digest", (
            Evidence(text.path, "/", "truncated"),
        )
    digest = hashlib.sha256(text.data).hexdigest()
    where = (Evidence(text.path, "sha256", digest),)
    if digest != clar.sha256.lower():
        return f"{text.path} has changed (sha256 {digest}, the policy pins {clar.sha256})", where
    return None, where


def clarify_license(
    kb: Knowledge, licence: LicenseFacts, raw: RawModel, curations: Curations
) -> LicenseFacts:
    """The licence facts with the first matching clarification applied: the licence it states,
    declared by ``clarified`` with the policy line as evidence; what the places declare stays
    recorded. A lapsed clarification leaves the licence as the places say it, and says why."""
    clar = curations.clarification(raw.model_id)
    if clar is None:
        return licence
    lapsed, pinned = _lapse(clar, raw)
    fact = ClarificationFact(clar.license, clar.evidence(), clar.reason, pinned, lapsed)
    resolved = licensing.resolve(kb, clar.license)
    if lapsed is not None or resolved.expression is None:  # the loader refuses unknown ids
        return replace(licence, clarification=fact)
    stated = DeclaredLicense(clar.license, CLARIFIED, clar.evidence())
    entries = tuple({e.key: e for e in resolved.entries}.values())
    return replace(
        licence,
        declared=(stated, *licence.declared),
        expression=resolved.expression,
        ids=tuple(sorted({e.id for e in entries})),
        entries=entries,
        unresolved=(),
        declared_by=CLARIFIED,
        confidence=1.0,
        hints=(),
        clarification=fact,
    )


def clarify_lineage(
    kb: Knowledge, lineage: Iterable[Ancestor], curations: Curations
) -> tuple[Ancestor, ...]:
    """Ancestors whose licence a clarification states. Only clarifications without a pinned
    file apply here: an ancestor's licence files are not read, so a pin cannot be checked."""
    out: list[Ancestor] = []
    for ancestor in lineage:
        clar = curations.clarification(ancestor.id)
        resolved = licensing.resolve(kb, clar.license) if clar and clar.sha256 is None else None
        if clar is None or resolved is None or resolved.expression is None:
            out.append(ancestor)
            continue
        ids = tuple(sorted({e.id for e in resolved.entries}))
        out.append(
            replace(ancestor, license_ids=ids, evidence=(*ancestor.evidence, clar.evidence()))
        )
    return tuple(out)
