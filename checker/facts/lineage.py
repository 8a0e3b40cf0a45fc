"""The provenance and lineage facts: the developer (the repository owner as the knowledge base
knows it), the parents a model declares, its ancestors, and the lineage linked through other
models of the same audit."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import replace
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from checker.facts.curations import NO_CURATIONS, Curations, developer_of
from checker.facts.license import license_facts
from checker.facts.lineage_ids import MAX_ID_LENGTH, hub_id_of_url, is_hub_id
from checker.facts.model import (
    Ancestor,
    BaseModelRef,
    CardFacts,
    Developer,
    LineageError,
    ModelFacts,
    Problem,
    ProblemKind,
    WeightFile,
)
from checker.findings import Evidence
from checker.knowledge import Knowledge
from checker.lineage import parent_ids, relation_of

if TYPE_CHECKING:
    from checker.facts.prose import ProseBase
    from checker.sources.raw import RawModel
    from checker.sources.remote import RawAncestor

MAX_LINKED_DEPTH = 10
POINTER = "/base_model_name_or_path"  # the adapter config's base
MAX_INFERRED = 8


def declared_bases(
    card: CardFacts,
    adapter: Mapping[str, Any] | None,
    raw: RawModel,
    files: tuple[WeightFile, ...],
    problems: list[Problem],
) -> tuple[BaseModelRef, ...]:
    """The parents the card's ``base_model`` and an adapter config name, with their relation."""
    declared, bad = parent_ids(card.metadata.get("base_model"))
    if bad:
        problems.append(
            Problem(
                ProblemKind.INVALID_METADATA,
                f"base_model holds {', '.join(bad)}, which is not a model id",
                (card.evidence("base_model"),),
            )
        )
    adapter_base = adapter.get("base_model_name_or_path") if adapter is not None else None
    if not (isinstance(adapter_base, str) and adapter_base.strip()):
        if adapter is not None:  # an adapter whose base is not readable: its lineage is unknown
            shown = "missing" if adapter_base is None else repr(adapter_base)[:200]
            problems.append(
                Problem(
                    ProblemKind.UNREADABLE,
                    f"adapter_config.json: base_model_name_or_path is {shown}, not a model id: "
                    "the adapter's base model is not known",
                    (Evidence(f"{raw.location}/adapter_config.json", POINTER, None),),
                )
            )
        adapter_base = None
    relation, _ = relation_of(
        card.metadata.get("base_model_relation"),
        None,
        len(declared),
        adapter is not None,
        any(f.format in ("gguf", "ggml") for f in files),
    )
    refs: list[BaseModelRef] = []
    seen: set[str] = set()
    if adapter_base:
        where = Evidence(f"{raw.location}/adapter_config.json", POINTER, adapter_base)
        refs.append(BaseModelRef(adapter_base, "adapter", where))
        seen.add(adapter_base.lower())
    single = isinstance(card.metadata.get("base_model"), str)
    for index, base_id in enumerate(declared):
        if base_id.lower() in seen:
            continue
        seen.add(base_id.lower())
        pointer = "/base_model" if single else f"/base_model/{index}"
        where = Evidence(card.path or "card", pointer, base_id, card.lines.get("base_model"))
        refs.append(BaseModelRef(base_id, relation, where))
    return tuple(refs)


def inferred_bases(
    raw: RawModel,
    config: Mapping[str, Any] | None,
    files: tuple[WeightFile, ...],
    declared: tuple[BaseModelRef, ...],
    card: CardFacts | None = None,
    prose: tuple[ProseBase, ...] = (),
) -> tuple[BaseModelRef, ...]:
    """Parents the repository shows without declaring them, strongest first: a GGUF header's
    ``general.base_model.N.repo_url`` (the llama.cpp converter writes it), config.json's
    ``_name_or_path`` when it is a Hub id (a local path or the model's own id is not a parent),
    then the card's prose ("Original model: <link>", "quantized version of org/name")."""
    seen = {raw.model_id.lower(), *(b.id.lower() for b in declared)}
    quantized = any(f.format in ("gguf", "ggml") for f in files)
    relation, _ = relation_of(None, None, 1, False, quantized)
    out: list[BaseModelRef] = []

    def add(ident: str | None, evidence: Evidence) -> None:
        if ident is not None and ident.lower() not in seen and len(out) < MAX_INFERRED:
            seen.add(ident.lower())
            out.append(BaseModelRef(ident, relation, evidence, inferred=True))

    for header in raw.headers:
        for n in range(MAX_INFERRED):
            key = f"general.base_model.{n}.repo_url"
            url = header.values.get(key)
            if url:
                add(hub_id_of_url(url), Evidence(header.path, key, url))
        declared_base = header.values.get("base_model")  # a safetensors __metadata__ key
        if declared_base:
            ident = declared_base if is_hub_id(declared_base) else hub_id_of_url(declared_base)
            add(ident, Evidence(header.path, "__metadata__/base_model", declared_base))
    if config is not None:
        value = config.get("_name_or_path")
        if isinstance(value, str) and len(value) <= MAX_ID_LENGTH:
            where = Evidence(f"{raw.location}/config.json", "/_name_or_path", value)
            add(value.strip() if is_hub_id(value.strip()) else None, where)
    shown = (card.path if card is not None else None) or "card"
    for base in prose:
        add(base.id, Evidence(shown, "prose", base.text, base.line))
    return tuple(out)


def _catalogue_licence(kb: Knowledge, model_id: str) -> tuple[tuple[str, ...], Evidence | None]:
    """The licence the offline catalogue knows for a well-known model (rules/base-models.yaml)."""
    known = kb.base_model(model_id)
    entry = kb.license(known.license) if known is not None and known.license else None
    if known is None or entry is None:
        return (), None
    return (entry.id,), Evidence(known.file, f"/models/{known.id}", known.license)


def ancestor_of_base(
    kb: Knowledge, base: BaseModelRef, depth: int, curations: Curations = NO_CURATIONS
) -> Ancestor:
    """A parent known only by its id: its licence from the offline catalogue when it is a
    well-known model (else from the audit's other models, or unknown)."""
    developer = developer_of(kb, base.id.split("/", 1)[0], base.id, curations)
    license_ids, listed = _catalogue_licence(kb, base.id)
    return Ancestor(
        id=base.id,
        relation=base.relation,
        depth=depth,
        license_ids=license_ids,
        country=developer.country,
        developer=developer.name,
        evidence=(base.evidence, *developer.evidence[1:], *((listed,) if listed else ())),
        inferred=base.inferred,
    )


def catalogue_lineage(
    kb: Knowledge, parents: tuple[Ancestor, ...], curations: Curations = NO_CURATIONS
) -> tuple[Ancestor, ...]:
    """The parents, then their own bases as the offline catalogue declares them (a fine-tune
    of DeepSeek-R1-Distill-Qwen-7B is also bound by Qwen2.5-Math-7B), to the depth limit."""
    out = list(parents)
    seen = {a.id.lower() for a in parents}
    queue = list(parents)
    while queue:
        child = queue.pop(0)
        known = kb.base_model(child.id)
        if known is None or not known.base or child.depth >= MAX_LINKED_DEPTH:
            continue
        if known.base.lower() in seen:
            continue
        seen.add(known.base.lower())
        where = Evidence(known.file, f"/models/{known.id}/base", known.base)
        ref = BaseModelRef(known.base, known.relation or "finetune", where, inferred=child.inferred)
        parent = ancestor_of_base(kb, ref, child.depth + 1, curations)
        out.append(parent)
        queue.append(parent)
    return tuple(out)


# The licence ids of an ancestor's card data depend on these keys alone (``license_facts``
# without a source's files reads no other); a bulk audit meets the same ancestors again and again.
# Remembered for one knowledge base at a time (the last one asked: one per run), never another's.
_LICENCE_KEYS = ("license", "license_name", "license_link")
_CARD_IDS: list[Any] = [None, {}]  # [knowledge base, {spelling of the keys: ids}]
MEMO_LIMIT = 4096


def _card_licence_ids(kb: Knowledge, card_data: Mapping[str, Any]) -> tuple[str, ...]:
    """``license_facts(kb, card).ids`` for card data, remembered per spelling of the licence
    keys (``repr`` tells ``1`` from ``True`` and ``"1"``)."""
    owner, memo = _CARD_IDS
    if owner is not kb:
        memo = {}
        _CARD_IDS[:] = [kb, memo]
    key = repr([card_data.get(k) for k in _LICENCE_KEYS])
    ids: tuple[str, ...] | None = memo.get(key)
    if ids is None:
        metadata = MappingProxyType({k: card_data[k] for k in _LICENCE_KEYS if k in card_data})
        ids = license_facts(kb, CardFacts(present=True, path="card", metadata=metadata)).ids
        if len(memo) >= MEMO_LIMIT:
            memo.clear()
        memo[key] = ids
    return ids


def ancestor_of_raw(
    kb: Knowledge, raw: RawAncestor, model: RawModel, curations: Curations = NO_CURATIONS
) -> Ancestor:
    """An ancestor a source walked: its licence from its card data, country from its owner."""
    developer = developer_of(kb, raw.id.split("/", 1)[0], raw.id, curations)
    license_ids = () if raw.card_data is None else _card_licence_ids(kb, raw.card_data)
    listed, listed_where = _catalogue_licence(kb, raw.id)
    disagrees = None
    extra: tuple[Evidence, ...] = ()
    if not license_ids and listed:  # the Hub could not say (unreachable, no card data)
        license_ids, extra = listed, (listed_where,) if listed_where else ()
    elif listed and set(listed) != set(license_ids):  # the Hub wins; the catalogue is stale
        disagrees = listed[0]
    where = Evidence(model.location, f"lineage/{raw.id}", raw.relation)
    return Ancestor(
        id=raw.id,
        relation=raw.relation,
        depth=raw.depth,
        license_ids=license_ids,
        country=developer.country,
        developer=developer.name,
        evidence=(where, *developer.evidence[1:], *extra),
        error=raw.error,
        error_kind=raw.error_kind,
        catalogue_license=disagrees,
    )


def jurisdictions(developer: Developer | None, lineage: Iterable[Ancestor]) -> tuple[str, ...]:
    """Every country in the model's own and its ancestors' provenance, sorted."""
    countries = {a.country for a in lineage if a.country}
    if developer is not None and developer.country:
        countries.add(developer.country)
    return tuple(sorted(countries))


def link_lineage(models: Iterable[ModelFacts]) -> list[ModelFacts]:
    """Extend lineages through other models of the same audit (pure).

    A manifest that lists a base folder and its derivative gives the derivative the base's own
    ancestors and licences; cycles stop at the first repeat. A lineage its source walked whole
    (``lineage_complete``) is left as it is, and so are facts to which the audit adds nothing
    (the same object). Facts bound before they were linked (the process pool binds as it
    reads) lose their binding where the lineage changed, so ``bind`` binds them again.
    """
    items = list(models)
    by_id = {m.model.id.lower(): m for m in items}
    out: list[ModelFacts] = []
    for facts in items:
        if facts.error is not None or not facts.lineage or facts.lineage_complete:
            out.append(facts)
            continue
        lineage: dict[str, Ancestor] = {}
        own = (facts.model.id,)
        queue: deque[tuple[Ancestor, int, tuple[str, ...]]] = deque(
            (a, a.depth, own) for a in facts.lineage
        )
        visited = {facts.model.id.lower()}
        while queue:
            ancestor, depth, path = queue.popleft()
            key = ancestor.id.lower()
            if any(p.lower() == key for p in path):  # base_model leads back: a cycle, reported
                cycle = " -> ".join((*path, ancestor.id))
                lineage.setdefault(f"{key}\0cycle", replace(
                    ancestor, depth=depth, error=f"lineage cycle: {cycle}",
                    error_kind=LineageError.CYCLE, license_ids=(),
                ))  # fmt: skip
                continue
            if key in visited or depth > MAX_LINKED_DEPTH:
                continue
            visited.add(key)
            known = by_id.get(key)
            if known is not None and known.error is None:
                ancestor = replace(ancestor, license_ids=known.license.ids)
                below = (*path, ancestor.id)
                queue.extend((replace(a, depth=depth + 1), depth + 1, below) for a in known.lineage)
            lineage[key] = replace(ancestor, depth=depth)
        ancestors = tuple(sorted(lineage.values(), key=lambda a: (a.depth, a.id.lower())))
        developer = facts.provenance.developer
        places = tuple(
            sorted(
                {
                    *jurisdictions(developer, ancestors),
                    *(x.country for x in facts.provenance.licensors if x.country),
                }
            )
        )
        if ancestors == facts.lineage and places == facts.provenance.jurisdictions:
            out.append(facts)  # nothing in the audit adds to it: the same facts (bound or not)
            continue
        out.append(
            replace(
                facts,
                lineage=ancestors,
                provenance=replace(facts.provenance, jurisdictions=places),
                # bound before the lineage was linked: bound again (``bind``) from the new one
                binding=None,
                terms=None,
                obligations=(),
            )
        )
    return out
