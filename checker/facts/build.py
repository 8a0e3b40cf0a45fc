"""Turn what a source read (a neutral ``RawModel``) into frozen facts. Pure: no I/O, the same
input gives the same facts."""

from __future__ import annotations

import json
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from checker.card import ParsedCard, parse_card
from checker.facts.curations import (
    NO_CURATIONS,
    Curations,
    clarify_license,
    clarify_lineage,
    developer_of,
)
from checker.facts.digests import source_digest
from checker.facts.files import audited_files
from checker.facts.hints import evident_families, licensors_of
from checker.facts.license import license_facts
from checker.facts.limits import licence_file_limits
from checker.facts.lineage import (
    ancestor_of_base,
    ancestor_of_raw,
    catalogue_lineage,
    declared_bases,
    inferred_bases,
    jurisdictions,
)
from checker.facts.model import (
    CardFacts,
    ModelFacts,
    ModelIdentity,
    Problem,
    ProblemKind,
    ProvenanceFacts,
)
from checker.facts.prose import read_prose
from checker.facts.weights import weight_facts, weight_files
from checker.findings import Evidence
from checker.knowledge import Knowledge
from checker.paths import printable

if TYPE_CHECKING:
    from checker.sources.raw import RawModel, RawText

CARD_FIELDS = (
    "license",
    "license_name",
    "license_link",
    "pipeline_tag",
    "library_name",
    "base_model",
    "datasets",
    "language",
    "tags",
)


def build_facts(raw: RawModel, kb: Knowledge, curations: Curations = NO_CURATIONS) -> ModelFacts:
    """The facts of one model from what a source read (not yet linked nor bound), with what the
    policy declares that the knowledge base does not know (``curations``) applied."""
    owner = raw.model_id.split("/", 1)[0]
    identity = ModelIdentity(
        id=raw.model_id,
        revision=raw.revision,
        source=raw.source,
        author=owner,
        purl=raw.purl,
        download_location=raw.remote.download_location if raw.remote is not None else None,
    )
    if raw.error is not None:
        return ModelFacts(
            target=printable(raw.target), model=identity, error=raw.error, named_by=raw.named_by
        )
    problems: list[Problem] = []
    # a registry's card at a commit is read again on every run: its parse is always kept
    card, parsed = _card(raw.card, problems, keep=raw.source != "local")
    remote = raw.remote
    if not card.present and remote is not None and remote.card_data is not None:
        card = _card_from_registry(raw, remote.card_data)
    meta = card.metadata
    tags = _strings(meta.get("tags"))
    if remote is not None:
        tags = sorted({*tags, *remote.tags})
    identity = ModelIdentity(
        id=raw.model_id,
        revision=raw.revision,
        source=raw.source,
        author=(remote.author if remote else None) or owner,
        url=raw.url,
        pipeline_tag=_string(meta.get("pipeline_tag")) or (remote.pipeline_tag if remote else None),
        library=_string(meta.get("library_name")) or (remote.library_name if remote else None),
        tags=tuple(tags),
        created_at=remote.created_at if remote else None,
        purl=identity.purl,
        download_location=identity.download_location,
    )
    config = _json(raw.config, problems)
    adapter = _json(raw.adapter_config, problems)
    for text in raw.license_files:
        if text.error is not None:
            problems.append(
                Problem(ProblemKind.UNREADABLE, text.error, (Evidence(text.path, "/", None),))
            )
        problems.extend(licence_file_limits(text))
    for where, message in raw.limits:
        problems.append(Problem(ProblemKind.UNREADABLE, message, (Evidence(where, "/", None),)))
    files = weight_files(raw, problems)
    for message in raw.header_problems:
        where = message.split(": ", 1)[0]
        problems.append(
            Problem(ProblemKind.UNREADABLE, message, (Evidence(where, "header", None),))
        )
    prose = read_prose(kb, parsed.body, parsed.body_line, raw.model_id)
    declared = declared_bases(card, adapter, raw, files, problems)
    bases = declared + inferred_bases(raw, config, files, declared, card, prose.bases)
    developer = developer_of(kb, owner, raw.model_id, curations)
    complete = remote is not None and remote.lineage_complete
    if complete:
        walked = tuple(ancestor_of_raw(kb, a, raw, curations) for a in raw.ancestors)
        known = {a.id.lower() for a in walked}
        lineage = walked + catalogue_lineage(
            kb,
            tuple(
                ancestor_of_base(kb, b, 1, curations)
                for b in bases
                if b.inferred and b.id.lower() not in known
            ),
            curations,
        )
    else:
        parents = tuple(ancestor_of_base(kb, base, 1, curations) for base in bases)
        lineage = catalogue_lineage(kb, parents, curations)
    lineage = clarify_lineage(kb, lineage, curations)
    licence = clarify_license(kb, license_facts(kb, card, raw, prose), raw, curations)
    licensors = licensors_of(
        kb, owner, licence.entries, (d.evidence for d in licence.declared), lineage, curations
    )
    evident = () if bases else evident_families(kb, raw.model_id, config, raw.location, curations)
    countries = [*jurisdictions(developer, lineage), *(x.country for x in licensors if x.country)]
    weights = weight_facts(card, config, raw, files)
    return ModelFacts(
        target=printable(raw.target),
        model=identity,
        card=card,
        license=licence,
        provenance=ProvenanceFacts(developer, tuple(sorted(set(countries))), licensors, evident),
        bases=bases,
        lineage=lineage,
        weights=weights,
        problems=tuple(problems),
        named_by=raw.named_by,
        lineage_complete=complete,
        digest=source_digest(raw, card, weights),
        files=audited_files(raw),
    )


def _card_from_registry(raw: RawModel, card_data: Mapping[str, Any]) -> CardFacts:
    """Card metadata from the registry when the README itself could not be read (gated)."""
    meta = dict(card_data)
    return CardFacts(
        present=True,
        path=f"{raw.location} (cardData)",
        metadata=MappingProxyType(meta),
        missing=tuple(f for f in CARD_FIELDS if _empty(meta.get(f))),
    )


def _card(
    raw: RawText | None, problems: list[Problem], keep: bool = False
) -> tuple[CardFacts, ParsedCard]:
    if raw is None:
        return CardFacts(present=False, missing=CARD_FIELDS), ParsedCard()
    if raw.data is None:
        problems.append(
            Problem(
                ProblemKind.UNREADABLE,
                raw.error or "unreadable",
                (Evidence(raw.path, "/", None),),
            )
        )
        return CardFacts(present=False, path=raw.path, missing=CARD_FIELDS), ParsedCard()
    parsed = parse_card(raw.data, truncated=raw.truncated, keep=keep)
    if raw.truncated and not parsed.problems:  # the front matter was read; the prose was not
        problems.append(
            Problem(
                ProblemKind.UNREADABLE,
                f"{raw.path}: card larger than {len(raw.data):,} bytes: read the first "
                f"{len(raw.data):,}; the rest was not checked",
                (Evidence(raw.path, "/", None),),
            )
        )
    for problem in parsed.problems:
        problems.append(
            Problem(
                ProblemKind.INVALID_METADATA,
                problem.message,
                (Evidence(raw.path, "/", None, problem.line),),
            )
        )
    meta = parsed.metadata
    missing = tuple(f for f in CARD_FIELDS if _empty(meta.get(f)))
    card = CardFacts(
        present=True,
        path=raw.path,
        metadata=MappingProxyType(meta),
        lines=MappingProxyType(parsed.lines),
        missing=missing,
    )
    return card, parsed


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _string(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def _json(raw: RawText | None, problems: list[Problem]) -> Mapping[str, Any] | None:
    if raw is None:
        return None

    def problem(message: str, line: int | None = None) -> None:
        problems.append(
            Problem(ProblemKind.UNREADABLE, message, (Evidence(raw.path, "/", None, line),))
        )

    if raw.data is None or raw.truncated:
        problem(raw.error or f"{raw.path} is too large to read")
        return None
    try:
        data = json.loads(raw.data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        problem(f"{raw.path} is not valid UTF-8 (byte {exc.start})")
        return None
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, huge integers, nesting
        why = getattr(exc, "msg", None) or (
            "nested too deeply" if isinstance(exc, RecursionError) else "a number is too long"
        )
        problem(f"{raw.path} is not valid JSON: {why}", getattr(exc, "lineno", None))
        return None
    if not isinstance(data, dict):
        problem(f"{raw.path} is not a JSON object", 1)
        return None
    return data
