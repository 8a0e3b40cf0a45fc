"""The knowledge base in rules/: licences, developers and country groups, loaded once and indexed.

Every file is validated against its JSON Schema in rules/schema/ when it loads, so a malformed
entry is a clear KnowledgeError naming the file, not a wrong verdict later.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources.abc import Traversable
from types import MappingProxyType
from typing import Any

from checker.errors import KnowledgeError
from checker.resources import rules_file

KNOWLEDGE_FORMAT = 1
CATEGORIES = (
    "permissive",
    "copyleft",
    "public-domain",
    "non-commercial",
    "research-only",
    "use-restrictions",
    "acceptable-use-policy",
    "attribution-required",
    "naming-required",
    "user-limit",
    "revenue-limit",
    "territorial-restrictions",
    "output-training-restricted",
    "community",
    "proprietary",
)
PROHIBITED_USES = (
    "military",
    "weapons",
    "surveillance",
    "biometric-identification",
    "law-enforcement",
    "critical-infrastructure",
    "illegal-activity",
    "child-exploitation",
    "harassment",
    "discrimination",
    "disinformation",
    "malware",
    "impersonation",
    "automated-decisions",
    "medical-advice",
    "unlicensed-professional-advice",
    "sexual-content",
    "self-harm",
    "privacy-violation",
)


@dataclass(frozen=True, slots=True)
class Term:
    """One licence term: its value and the clause that says so."""

    value: Any
    clause: str | None = None
    note: str | None = None
    text: str | None = None


UNKNOWN_TERM = Term("unknown")
NULL_TERM = Term(None)


@dataclass(frozen=True, slots=True)
class TerritoryExclusion:
    """A territory the licence withholds: where the licensee is based, or where it is used."""

    territory: str
    applies_to: str  # licensee | use
    condition: str | None
    only_for: str | None  # e.g. "multimodal": the exclusion concerns only such models
    clause: str | None


@dataclass(frozen=True, slots=True)
class Obligation:
    """Something adopting the model obliges the user to do."""

    kind: str
    text: str
    clause: str | None


@dataclass(frozen=True, slots=True)
class LicenseTerms:
    """The terms of a licence that checks evaluate against the intended use."""

    commercial_use: Term = UNKNOWN_TERM
    user_limit: Term = NULL_TERM
    revenue_limit: Term = NULL_TERM
    excluded_territories: tuple[TerritoryExclusion, ...] = ()
    prohibited_uses: Term = Term(())
    output_training: Term = UNKNOWN_TERM
    attribution: Term = UNKNOWN_TERM
    naming: Term = UNKNOWN_TERM
    aup: Term = NULL_TERM
    redistribution: Term = UNKNOWN_TERM


@dataclass(frozen=True, slots=True)
class Identify:
    """Phrases that recognise a text (see rules/licenses/FORMAT.md)."""

    all: tuple[str, ...]
    any: tuple[str, ...] = ()
    none: tuple[str, ...] = ()
    fallback: bool = False


@dataclass(frozen=True, slots=True)
class Document:
    """A licence-related text that is not a licence: an AUP, a NOTICE, a usage policy."""

    key: str
    kind: str
    of: str | None
    name: str
    identify: Identify
    file: str


@dataclass(frozen=True, slots=True)
class LicenseEntry:
    """A licence the knowledge base knows, with its ids, categories, terms and obligations."""

    key: str
    id: str
    name: str
    version: str | None
    hub_ids: tuple[str, ...]
    aliases: tuple[str, ...]
    urls: tuple[str, ...]
    categories: tuple[str, ...]
    sources: tuple[Mapping[str, str], ...]
    terms: LicenseTerms
    obligations: tuple[Obligation, ...]
    file: str
    identify: Identify | None = None

    @property
    def hub_id(self) -> str | None:
        """The Hub licence id, when the Hub has one."""
        return self.hub_ids[0] if self.hub_ids else None


@dataclass(frozen=True, slots=True)
class DeveloperEntry:
    """A Hub organisation or user and where it is established."""

    org: str
    name: str
    country: str | None
    kind: str
    source: str
    note: str | None = None


@dataclass(frozen=True, slots=True)
class CountryGroup:
    """A named set of countries with its legal source."""

    key: str
    name: str
    members: frozenset[str]
    source: str
    as_of: str


@dataclass(frozen=True, slots=True)
class Knowledge:
    """The loaded knowledge base with its lookup indexes."""

    version: str
    digest: str
    licenses: tuple[LicenseEntry, ...]
    developers: Mapping[str, DeveloperEntry]
    groups: Mapping[str, CountryGroup]
    _license_index: Mapping[str, LicenseEntry]
    documents: tuple[Document, ...] = ()

    def license(self, name: str) -> LicenseEntry | None:
        """Look a licence up by key, canonical id, Hub id, alias or URL (case-insensitive)."""
        return self._license_index.get(_norm(name))

    def developer(self, org: str) -> DeveloperEntry | None:
        """Look a Hub namespace up (case-insensitive)."""
        return self.developers.get(org.lower())

    def expand(self, codes: Iterable[str]) -> frozenset[str]:
        """Country codes with every group name replaced by its members (upper-case codes)."""
        out: set[str] = set()
        for code in codes:
            group = self.groups.get(code.lower())
            if group is not None:
                out |= group.members
            else:
                out.add(code.upper())
        return frozenset(out)

    def is_group(self, code: str) -> bool:
        """True when ``code`` names a country group."""
        return code.lower() in self.groups


def _norm(text: str) -> str:
    text = text.strip().lower()
    if text.startswith(("http://", "https://")):
        text = text.split("://", 1)[1].rstrip("/")
        if text.startswith("www."):
            text = text[4:]
    return text


def _load_yaml(node: Traversable) -> Any:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        return YAML(typ="safe", pure=False).load(node.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, YAMLError) as exc:
        raise KnowledgeError(f"rules/{node.name}: cannot be read: {exc}") from exc


@cache
def _validator(schema_name: str) -> Any:
    import jsonschema

    schema = json.loads(rules_file("schema", schema_name).read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def _validate(data: Any, schema_name: str, where: str) -> None:
    errors = sorted(_validator(schema_name).iter_errors(data), key=str)
    if errors:
        first = errors[0]
        path = ".".join(str(p) for p in first.absolute_path) or "(top)"
        raise KnowledgeError(f"{where}: {path}: {first.message}")


def _term(raw: Mapping[str, Any] | None, default: Term) -> Term:
    if raw is None:
        return default
    value = raw.get("value")
    if isinstance(value, list):  # lists become tuples so that terms stay hashable
        value = tuple(value)
    return Term(value, raw.get("clause"), raw.get("note"), raw.get("text"))


def _identify(raw: Mapping[str, Any] | None) -> Identify | None:
    if raw is None:
        return None
    return Identify(
        tuple(raw["all"]),
        tuple(raw.get("any", ())),
        tuple(raw.get("none", ())),
        bool(raw.get("fallback", False)),
    )


def _license_entry(data: Mapping[str, Any], file: str) -> LicenseEntry:
    terms = data.get("terms", {})
    exclusions = tuple(
        TerritoryExclusion(
            territory=str(t["territory"]),
            applies_to=str(t["applies_to"]),
            condition=t.get("condition"),
            only_for=t.get("only_for"),
            clause=t.get("clause"),
        )
        for t in terms.get("excluded_territories", [])
    )
    return LicenseEntry(
        key=data["key"],
        id=data["id"],
        name=data["name"],
        version=None if data.get("version") is None else str(data["version"]),
        hub_ids=tuple(data.get("hub_ids", [])),
        aliases=tuple(data.get("aliases", [])),
        urls=tuple(data.get("urls", [])),
        categories=tuple(sorted(data.get("categories", []))),
        sources=tuple(MappingProxyType(dict(s)) for s in data.get("sources", [])),
        terms=LicenseTerms(
            commercial_use=_term(terms.get("commercial_use"), UNKNOWN_TERM),
            user_limit=_term(terms.get("user_limit"), NULL_TERM),
            revenue_limit=_term(terms.get("revenue_limit"), NULL_TERM),
            excluded_territories=exclusions,
            prohibited_uses=_term(terms.get("prohibited_uses"), Term(())),
            output_training=_term(terms.get("output_training"), UNKNOWN_TERM),
            attribution=_term(terms.get("attribution"), UNKNOWN_TERM),
            naming=_term(terms.get("naming"), UNKNOWN_TERM),
            aup=_term(terms.get("aup"), NULL_TERM),
            redistribution=_term(terms.get("redistribution"), UNKNOWN_TERM),
        ),
        obligations=tuple(
            Obligation(o["kind"], o["text"], o.get("clause")) for o in data.get("obligations", [])
        ),
        file=file,
        identify=_identify(data.get("identify")),
    )


def _index_licenses(entries: Iterable[LicenseEntry]) -> dict[str, LicenseEntry]:
    index: dict[str, LicenseEntry] = {}
    for entry in entries:
        names = [entry.key, entry.id, *entry.hub_ids, *entry.aliases, *entry.urls]
        for name in names:
            key = _norm(name)
            other = index.get(key)
            if other is not None and other.key != entry.key:
                raise KnowledgeError(
                    f"{entry.file}: {name!r} also names the licence in {other.file}"
                )
            index[key] = entry
    return index


@cache
def load_knowledge() -> Knowledge:
    """Load, validate and index the shipped knowledge base (once per process)."""
    digest = hashlib.sha256()
    meta = _load_yaml(rules_file("knowledge.yaml"))
    licenses: list[LicenseEntry] = []
    folder = rules_file("licenses")
    for node in sorted(folder.iterdir(), key=lambda n: n.name):
        if not node.name.endswith(".yaml"):
            continue
        where = f"rules/licenses/{node.name}"
        data = _load_yaml(node)
        _validate(data, "license.schema.json", where)
        if f"{data['key']}.yaml" != node.name:
            raise KnowledgeError(f"{where}: key {data['key']!r} does not match the file name")
        digest.update(node.read_bytes())
        licenses.append(_license_entry(data, where))

    documents: list[Document] = []
    doc_folder = rules_file("documents")
    for node in sorted(doc_folder.iterdir(), key=lambda n: n.name) if doc_folder.is_dir() else []:
        if not node.name.endswith(".yaml"):
            continue
        where = f"rules/documents/{node.name}"
        data = _load_yaml(node)
        _validate(data, "document.schema.json", where)
        digest.update(node.read_bytes())
        ident = _identify(data["identify"])
        assert ident is not None
        documents.append(
            Document(data["key"], data["kind"], data.get("of"), data["name"], ident, where)
        )

    dev_data = _load_yaml(rules_file("developers.yaml"))
    _validate(dev_data, "developers.schema.json", "rules/developers.yaml")
    developers: dict[str, DeveloperEntry] = {}
    for d in dev_data["developers"]:
        org = str(d["org"])
        if org.lower() in developers:
            raise KnowledgeError(f"rules/developers.yaml: {org!r} is listed twice")
        developers[org.lower()] = DeveloperEntry(
            org, d["name"], d.get("country"), d["kind"], d["source"], d.get("note")
        )
    digest.update(rules_file("developers.yaml").read_bytes())

    jur_data = _load_yaml(rules_file("jurisdictions.yaml"))
    _validate(jur_data, "jurisdictions.schema.json", "rules/jurisdictions.yaml")
    groups = {
        key.lower(): CountryGroup(
            key, g["name"], frozenset(g["members"]), g["source"], str(g["as_of"])
        )
        for key, g in jur_data["groups"].items()
    }
    digest.update(rules_file("jurisdictions.yaml").read_bytes())

    return Knowledge(
        version=str(meta["version"]),
        digest=digest.hexdigest(),
        licenses=tuple(licenses),
        developers=MappingProxyType(developers),
        groups=MappingProxyType(groups),
        _license_index=MappingProxyType(_index_licenses(licenses)),
        documents=tuple(documents),
    )
