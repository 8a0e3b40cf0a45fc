"""The knowledge base in rules/: licences, developers and country groups, loaded once and indexed.

Every file is validated against its JSON Schema in rules/schema/ when it is compiled
(checker/knowledge_compile.py), so a malformed entry is a clear KnowledgeError naming the file,
not a wrong verdict later. The compiled form is cached per content digest of rules/
(checker/knowledge_cache.py), so a run whose rules have not changed parses no YAML and validates
nothing; the tests validate the shipped rules on every run.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from checker.errors import KnowledgeError
from checker.knowledge_lineage import BaseModel, Family, build_base_models, build_families
from checker.resources import data_dir, package_file
from checker.version import __version__

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

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
class Licensor:
    """Who grants a licence, as its text names it, and the Hub organisations that publish under
    it as that licensor (``licensor:`` of rules/licenses/*.yaml)."""

    name: str
    orgs: tuple[str, ...]
    clause: str


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
    licensors: tuple[Licensor, ...] = ()

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
    families: tuple[Family, ...] = ()
    base_models: Mapping[str, BaseModel] = field(default_factory=lambda: MappingProxyType({}))

    def base_model(self, model_id: str) -> BaseModel | None:
        """A well-known model of the offline catalogue (case-insensitive id)."""
        return self.base_models.get(model_id.lower())

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
        licensors=tuple(
            Licensor(str(x["name"]), tuple(x.get("orgs", [])), str(x.get("clause", "")))
            for x in data.get("licensor", [])
        ),
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
    """The shipped knowledge base, loaded once per process (see ``load_knowledge_from``)."""
    return load_knowledge_from(data_dir("rules"))


def load_knowledge_from(rules: Traversable, *, use_cache: bool = True) -> Knowledge:
    """Load the knowledge base of the rules/ folder ``rules``.

    Its files are read and digested on every call; the compiled form (parsed and validated
    against rules/schema/) comes from the cache when one was stored for exactly these contents,
    else it is compiled, which validates it, and stored. ``use_cache=False`` always compiles.
    """
    from checker.knowledge_cache import read_compiled, write_compiled
    from checker.knowledge_files import read_rules

    found = read_rules(rules)
    digest = found.digest()
    key = found.cache_key(digest, *_cache_salt())
    if use_cache:
        compiled = read_compiled(key)
        if compiled is not None:
            try:
                return build_knowledge(compiled, digest)
            except Exception:  # a cache file that does not build is corrupt: compile afresh
                pass
    from checker.knowledge_compile import compile_rules

    compiled = compile_rules(found)
    kb = build_knowledge(compiled, digest)
    if use_cache:
        write_compiled(key, compiled)
    return kb


def _cache_salt() -> tuple[bytes, ...]:
    """What, besides rules/, decides the compiled form: the formats and the compiler's code."""
    from checker.knowledge_cache import CACHE_FORMAT

    try:
        code = package_file("knowledge_compile.py").read_bytes()
    except OSError:  # a build without sources: the version stands for the code
        code = b""
    return (f"{CACHE_FORMAT}/{KNOWLEDGE_FORMAT}/{__version__}".encode(), code)


def build_knowledge(compiled: Mapping[str, Any], digest: str) -> Knowledge:
    """The indexed knowledge base from its compiled form (checker/knowledge_compile.py)."""
    from checker.knowledge_compile import COMPILED_FORMAT

    if compiled.get("format") != COMPILED_FORMAT:
        raise KnowledgeError(f"compiled knowledge of format {compiled.get('format')!r}")
    licenses = [_license_entry(item["data"], item["file"]) for item in compiled["licenses"]]
    documents: list[Document] = []
    for item in compiled["documents"]:
        data = item["data"]
        ident = _identify(data["identify"])
        assert ident is not None
        documents.append(
            Document(data["key"], data["kind"], data.get("of"), data["name"], ident, item["file"])
        )
    developers: dict[str, DeveloperEntry] = {}
    for d in compiled["developers"]:
        org = str(d["org"])
        developers[org.lower()] = DeveloperEntry(
            org, d["name"], d.get("country"), d["kind"], d["source"], d.get("note")
        )
    groups = {
        key.lower(): CountryGroup(
            key, g["name"], frozenset(g["members"]), g["source"], str(g["as_of"])
        )
        for key, g in compiled["groups"].items()
    }
    return Knowledge(
        version=str(compiled["version"]),
        digest=digest,
        licenses=tuple(licenses),
        developers=MappingProxyType(developers),
        groups=MappingProxyType(groups),
        _license_index=MappingProxyType(_index_licenses(licenses)),
        documents=tuple(documents),
        families=build_families(compiled.get("families", [])),
        base_models=build_base_models(compiled.get("base_models", [])),
    )
