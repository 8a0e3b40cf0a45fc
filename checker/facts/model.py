"""The facts model: everything Clearance knows about one model, normalised and frozen.

Sources gather raw material (files, registry answers); ``checker.facts.build`` turns it into these
facts, and ``checker.facts.binding`` completes them once the lineage is linked (the licences that
bind the model, their combined terms, the obligations); checks and reporters read only these
facts. A fact that could not be established is ``None`` / ``"unknown"``, never a silent default,
and checks turn it into a finding at the policy's ``unknown`` level.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from checker.facts.digests import LockedFacts, SourceDigest
from checker.facts.files import AuditedFile
from checker.findings import Evidence
from checker.knowledge import LicenseEntry
from checker.weights import UNSAFE_FORMATS

EMPTY_MAPPING: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class ModelIdentity:
    """Who the model is: id, audited revision, the source that read it (``local``, ``hub``,
    ``hf-cache``), and where it can be had (package URL, download location)."""

    id: str
    revision: str | None = None
    source: str = "local"
    author: str | None = None
    url: str | None = None
    pipeline_tag: str | None = None
    library: str | None = None
    tags: tuple[str, ...] = ()
    created_at: str | None = None
    purl: str | None = None
    download_location: str | None = None


@dataclass(frozen=True, slots=True)
class CardFacts:
    """The model card: whether there is one, its metadata (read-only) and where keys stand."""

    present: bool = False
    path: str | None = None
    metadata: Mapping[str, Any] = field(default_factory=lambda: EMPTY_MAPPING)
    lines: Mapping[str, int] = field(default_factory=lambda: EMPTY_MAPPING)
    missing: tuple[str, ...] = ()

    def evidence(self, key: str, value: Any = None) -> Evidence:
        """Evidence pointing at a top-level metadata key of this card."""
        shown = self.metadata.get(key) if value is None else value
        return Evidence(self.path or "card", f"/{key}", shown, self.lines.get(key))


@dataclass(frozen=True, slots=True)
class DeclaredLicense:
    """A licence as one place declared it, before resolution. ``declared_by`` says which kind of
    place: ``card``, ``prose``, ``file``, ``tags``, ``header``, or ``clarified`` (the policy's
    ``clarify:`` states it; its evidence is the policy file and line)."""

    value: str
    declared_by: str
    evidence: Evidence


@dataclass(frozen=True, slots=True)
class DeclaredBy:
    """What one kind of place (card, licence file, Hub tags, GGUF header) says the licence is."""

    declared_by: str
    ids: tuple[str, ...]
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True, slots=True)
class FoundDocument:
    """A licence-related document found among the files: an AUP, a NOTICE, a usage policy."""

    key: str
    kind: str
    of: str | None
    path: str


@dataclass(frozen=True, slots=True)
class ClarificationFact:
    """A clarification of the policy (``clarify:``) that matched the model: the licence it
    states, the policy entry that states it, the licence file it is pinned to (with the digest
    found), and, when it no longer applies, why (``lapsed``: the file changed or is missing)."""

    license: str
    evidence: Evidence  # the policy file and line of the entry
    reason: str | None = None
    pinned: tuple[Evidence, ...] = ()  # the licence file and the digest it has now
    lapsed: str | None = None


@dataclass(frozen=True, slots=True)
class LicenseFacts:
    """The model's licence: what was declared, what it resolved to, and the knowledge entries."""

    declared: tuple[DeclaredLicense, ...] = ()
    expression: str | None = None
    ids: tuple[str, ...] = ()
    entries: tuple[LicenseEntry, ...] = ()
    unresolved: tuple[DeclaredLicense, ...] = ()
    declared_by: str | None = None  # the places the resolved licence comes from, joined by "+"
    confidence: float | None = None
    places: tuple[DeclaredBy, ...] = ()  # what each kind of place declares
    documents: tuple[FoundDocument, ...] = ()
    unidentified_files: tuple[str, ...] = ()
    hints: tuple[str, ...] = ()  # why a licence stayed unknown, and what would decide it
    clarification: ClarificationFact | None = None  # the policy's clarification that matched

    @property
    def clarified(self) -> bool:
        """True when a clarification of the policy decides the licence (it has not lapsed)."""
        return self.clarification is not None and self.clarification.lapsed is None

    @property
    def prose_only(self) -> bool:
        """True when only the card's prose names the licence (weaker than metadata)."""
        return self.declared_by == "prose"

    @property
    def inconsistent(self) -> bool:
        """True when two sources name different licences (and no clarification decides)."""
        return not self.clarified and len({s.ids for s in self.places if s.ids}) > 1

    @property
    def known(self) -> bool:
        """True when every declared licence resolved to a knowledge-base entry."""
        return bool(self.entries) and not self.unresolved

    @property
    def name(self) -> str | None:
        """Human names of the resolved licences."""
        return " AND ".join(e.name for e in self.entries) or None

    @property
    def categories(self) -> tuple[str, ...]:
        """Union of the categories of every resolved licence."""
        return tuple(sorted({c for e in self.entries for c in e.categories}))


@dataclass(frozen=True, slots=True)
class Developer:
    """The repo owner as the knowledge base knows it (country None when unknown)."""

    org: str
    name: str | None
    country: str | None
    kind: str | None
    evidence: tuple[Evidence, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The report shape, with where the country came from (the knowledge base's entry or
        the policy's ``developers:`` entry, with its line)."""
        return {
            "org": self.org,
            "name": self.name,
            "country": self.country,
            "kind": self.kind,
            "evidence": [e.to_json() for e in self.evidence],
        }


class LineageError(StrEnum):
    """Why an ancestor (and the lineage beyond it) could not be followed."""

    CYCLE = "cycle"  # base_model leads back to a model already on the path
    UNREADABLE = "unreadable"  # the ancestor could not be read (not found, gated, offline...)
    TOO_DEEP = "too-deep"  # beyond the depth limit


@dataclass(frozen=True, slots=True)
class Ancestor:
    """A model this one derives from, at some depth of the lineage."""

    id: str
    relation: str
    depth: int
    license_ids: tuple[str, ...] = ()
    country: str | None = None
    developer: str | None = None
    evidence: tuple[Evidence, ...] = ()
    error: str | None = None  # why this ancestor (and the lineage beyond it) could not be read
    error_kind: LineageError | None = None
    inferred: bool = False  # not declared: shown by the repository (weight header, config)
    catalogue_license: str | None = None  # the offline catalogue's licence, where the Hub disagrees

    def to_json(self) -> dict[str, Any]:
        """The report shape (also the ``lineage.*`` fields custom rules read)."""
        return {
            "id": self.id,
            "relation": self.relation,
            "depth": self.depth,
            "license_ids": list(self.license_ids),
            "country": self.country,
            "developer": self.developer,
            "error": self.error,
            "inferred": self.inferred,
            "catalogue_license": self.catalogue_license,
        }


@dataclass(frozen=True, slots=True)
class LicensorFact:
    """A developer the model's own licence names as its licensor (the DeepSeek License is
    granted by DeepSeek): the weights derive from that developer's models, declared or not."""

    license: str  # the licence's canonical id
    org: str
    name: str | None
    country: str | None
    evidence: tuple[Evidence, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The report shape."""
        return {
            "license": self.license,
            "org": self.org,
            "name": self.name,
            "country": self.country,
        }


@dataclass(frozen=True, slots=True)
class EvidentFamily:
    """A model family that weak evidence (the repository name, config.json's architecture)
    points to, for a model that declares no lineage (rules/families.yaml)."""

    key: str
    name: str
    org: str  # the family's developer
    developer: str | None
    country: str | None
    evidence: tuple[Evidence, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The report shape."""
        return {
            "family": self.key,
            "name": self.name,
            "org": self.org,
            "developer": self.developer,
            "country": self.country,
            "evidence": [e.to_json() for e in self.evidence],
        }


@dataclass(frozen=True, slots=True)
class ProvenanceFacts:
    """Who made the model and every country in its provenance (own, ancestors', licensors')."""

    developer: Developer | None = None
    jurisdictions: tuple[str, ...] = ()
    licensors: tuple[LicensorFact, ...] = ()
    evident: tuple[EvidentFamily, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The report shape (also the ``provenance.*`` fields custom rules read)."""
        return {
            "developer": None if self.developer is None else self.developer.to_json(),
            "jurisdictions": list(self.jurisdictions),
            "licensors": [x.to_json() for x in self.licensors],
            "evident_lineage": [x.to_json() for x in self.evident],
        }


@dataclass(frozen=True, slots=True)
class WeightFile:
    """One weight file and the format its name and first bytes say."""

    path: str
    format: str
    size: int
    evidence: Evidence
    # why the file is not what its name says (a safetensors header that is cut short, not
    # JSON or claims more bytes than any header has; a GGUF file without its magic): corrupt or
    # disguised weights, never counted as a safe format
    suspect: str | None = None


@dataclass(frozen=True, slots=True)
class Withheld:
    """A territory whose users the repository's gating refuses the weights
    (``extra_gated_eu_disallowed: true``: users located in the EU)."""

    territory: str  # an ISO code or a group of rules/jurisdictions.yaml (``eu``)
    evidence: Evidence


@dataclass(frozen=True, slots=True)
class WeightFacts:
    """Whether and how the weights can be had, in which formats, and whether code comes along."""

    availability: str = "unknown"
    availability_evidence: tuple[Evidence, ...] = ()
    files: tuple[WeightFile, ...] = ()
    remote_code: bool | None = None
    remote_code_evidence: tuple[Evidence, ...] = ()
    parameters: int | None = None
    withheld: tuple[Withheld, ...] = ()

    @property
    def formats(self) -> tuple[str, ...]:
        """Distinct formats of the weight files, sorted."""
        return tuple(sorted({f.format for f in self.files}))

    @property
    def unsafe_formats(self) -> tuple[str, ...]:
        """Formats that can run code when loaded (pickle-based)."""
        return tuple(f for f in self.formats if f in UNSAFE_FORMATS)


class ProblemKind(StrEnum):
    """What kind of problem reading an input was (the card check maps each to its rule)."""

    INVALID_METADATA = "invalid-metadata"  # the card's front matter is not usable
    UNREADABLE = "unreadable"  # a file or folder could not be read


@dataclass(frozen=True, slots=True)
class Problem:
    """A problem met while reading the model's inputs, reported as a finding by the card check."""

    kind: ProblemKind
    message: str
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True, slots=True)
class BaseModelRef:
    """A parent the model declares (card ``base_model``, adapter config, Hub ``baseModels``), or
    one its repository shows without declaring it (``inferred``: a GGUF header's
    ``general.base_model.N.repo_url``, config.json's ``_name_or_path``)."""

    id: str
    relation: str
    evidence: Evidence
    inferred: bool = False


@dataclass(frozen=True, slots=True)
class Binding:
    """A licence that binds the model: its own (``via`` None) or inherited from an ancestor."""

    entry: LicenseEntry
    via: Ancestor | None = None

    def label(self) -> str:
        """The licence's name, and where it comes from when inherited."""
        if self.via is None:
            return self.entry.name
        return f"{self.entry.name} (inherited from {self.via.id}, {self.via.relation})"


@dataclass(frozen=True, slots=True)
class ModelObligation:
    """An obligation that adopting a model brings, with the licence it comes from."""

    license: str
    kind: str
    text: str
    clause: str | None


@dataclass(frozen=True, slots=True)
class ModelFacts:
    """Everything known about one model. ``error`` set means the model could not be read at all.

    ``binding``, ``terms`` and ``obligations`` are filled by ``checker.facts.binding.bind`` once
    the lineage is linked (``binding`` None: not yet bound)."""

    target: str
    model: ModelIdentity
    card: CardFacts = field(default_factory=CardFacts)
    license: LicenseFacts = field(default_factory=LicenseFacts)
    provenance: ProvenanceFacts = field(default_factory=ProvenanceFacts)
    bases: tuple[BaseModelRef, ...] = ()
    lineage: tuple[Ancestor, ...] = ()
    weights: WeightFacts = field(default_factory=WeightFacts)
    problems: tuple[Problem, ...] = ()
    error: str | None = None
    named_by: Evidence | None = None  # the manifest entry that named the model, when one did
    lineage_complete: bool = False  # the source walked the whole lineage itself (the Hub)
    binding: tuple[Binding, ...] | None = None
    terms: Mapping[str, Any] | None = None  # the strictest reading of every binding licence
    obligations: tuple[ModelObligation, ...] = ()
    digest: SourceDigest | None = None  # what was read, digested (lock files, drift)
    locked: LockedFacts | None = None  # the lock's word on the model (``check --locked`` only)
    files: tuple[AuditedFile, ...] = ()  # what was read, and weight digests (``facts/files.py``)
