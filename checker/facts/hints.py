"""Provenance the card does not declare: the licensor a vendor licence names (strong: a DeepSeek
License binds a model made from DeepSeek's weights), and the model family a repository name or a
config architecture points to (weak: a hint, reported, never taken as proof)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from checker.facts.curations import NO_CURATIONS, Curations, developer_entry
from checker.facts.model import Ancestor, EvidentFamily, LicensorFact
from checker.findings import Evidence
from checker.knowledge import Knowledge, LicenseEntry

MAX_ARCHITECTURES = 8


def licensors_of(
    kb: Knowledge,
    owner: str,
    own: Iterable[LicenseEntry],
    evidence: Iterable[Evidence],
    lineage: Iterable[Ancestor],
    curations: Curations = NO_CURATIONS,
) -> tuple[LicensorFact, ...]:
    """Licensors of the model's own licences that neither own the repository nor publish one of
    its ancestors: the licence says whose model this one derives from."""
    covered = {owner.lower(), *(a.id.split("/", 1)[0].lower() for a in lineage)}
    shown = tuple(evidence)[:2]
    out: dict[str, LicensorFact] = {}
    for entry in own:
        for licensor in entry.licensors:
            if any(org.lower() in covered for org in licensor.orgs):
                continue
            for org in licensor.orgs[:1]:  # the licensor's first organisation stands for it
                developer = developer_entry(kb, curations, org)
                where = Evidence(entry.file, f"/licensor ({licensor.clause})", licensor.name)
                out.setdefault(
                    org.lower(),
                    LicensorFact(
                        entry.id,
                        developer.org if developer else org,
                        developer.name if developer else None,
                        developer.country if developer else None,
                        (*shown, where),
                    ),
                )
    return tuple(out.values())


def evident_families(
    kb: Knowledge,
    model_id: str,
    config: Mapping[str, Any] | None,
    where: str,
    curations: Curations = NO_CURATIONS,
) -> tuple[EvidentFamily, ...]:
    """Families the repository name or config.json's architecture points to, other than the
    owner's own (a developer's release of its own family is not a derivative)."""
    owner, _, name = model_id.partition("/")
    architectures = config.get("architectures") if config is not None else None
    classes = (
        [a for a in architectures if isinstance(a, str)] if isinstance(architectures, list) else []
    )
    model_type = config.get("model_type") if config is not None else None
    model_type = model_type if isinstance(model_type, str) else None
    out: list[EvidentFamily] = []
    for family in kb.families:
        if not family.developers or family.made_by(owner):
            continue
        evidence: list[Evidence] = []
        pattern = family.name_match(name) if name else None
        if pattern is not None:
            evidence.append(Evidence(model_id, "repository name", f"{name} ~ {family.name}"))
        for cls in classes[:MAX_ARCHITECTURES]:
            if family.architecture(cls, model_type) is not None:
                evidence.append(Evidence(f"{where}/config.json", "/architectures", cls))
        if not evidence:
            continue
        org = family.developers[0]
        developer = developer_entry(kb, curations, org)
        out.append(
            EvidentFamily(
                family.key,
                family.name,
                developer.org if developer else org,
                developer.name if developer else None,
                developer.country if developer else None,
                tuple(evidence),
            )
        )
    return tuple(out)
