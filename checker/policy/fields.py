"""The field paths custom rules may name, and the facts tree they are read from (the facts'
one projection, ``checker.facts.projection``, plus the card metadata and the intended use)."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from checker.facts import ModelFacts
    from checker.policy.model import UseProfile

FIELDS: frozenset[str] = frozenset(
    {
        "model.id",
        "model.revision",
        "model.source",
        "model.author",
        "model.url",
        "model.pipeline_tag",
        "model.library",
        "model.tags",
        "model.created_at",
        "card.present",
        "card.metadata",
        "card.missing",
        "license.declared",
        "license.ids",
        "license.expression",
        "license.name",
        "license.categories",
        "license.source",
        "license.confidence",
        "license.terms.commercial_use",
        "license.terms.user_limit",
        "license.terms.revenue_limit",
        "license.terms.excluded_territories",
        "license.terms.prohibited_uses",
        "license.terms.output_training",
        "license.terms.attribution",
        "license.terms.naming",
        "license.terms.aup",
        "license.terms.redistribution",
        "provenance.developer",
        "provenance.developer.org",
        "provenance.developer.name",
        "provenance.developer.country",
        "provenance.jurisdictions",
        "lineage",
        "lineage.id",
        "lineage.relation",
        "lineage.depth",
        "lineage.license_ids",
        "lineage.country",
        "weights.availability",
        "weights.formats",
        "weights.unsafe_formats",
        "weights.remote_code",
        "weights.parameters",
        "use.commercial",
        "use.monthly_active_users",
        "use.based_in",
        "use.territories",
        "use.distribution",
        "use.purposes",
        "use.train_other_models",
    }
)
OPEN_PREFIXES = ("card.metadata.",)

# Paths whose documented meaning is one field of the items of a list in the projection:
# ``license.declared`` is the declared strings (the projection's items also carry their evidence).
ALIASES = {"license.declared": "license.declared.value"}


def normalise_field(path: str) -> str:
    """Field paths accept kebab-case too (``use.monthly-active-users``)."""
    return path.strip().replace("-", "_")


def is_known_field(path: str) -> bool:
    """True when ``path`` names a documented field (or a key below ``card.metadata``)."""
    path = normalise_field(path)
    return path in FIELDS or any(path.startswith(p) and len(path) > len(p) for p in OPEN_PREFIXES)


def sections_read(paths: Iterable[str]) -> frozenset[str] | None:
    """The projection's sections (``checker.facts.projection.SECTIONS``) that these field paths
    read; None (every section) when one of them is outside every section."""
    from checker.facts.projection import SECTIONS

    out = set()
    for path in paths:
        section = ALIASES.get(normalise_field(path), normalise_field(path)).split(".")[0]
        if section == "use":
            continue
        if section not in SECTIONS:
            return None
        out.add(section)
    return frozenset(out)


def facts_tree(
    facts: ModelFacts, use: UseProfile, sections: Collection[str] | None = None
) -> dict[str, Any]:
    """The nested mapping custom rules and message templates read: the facts' one projection
    (the JSON report's; only ``sections`` of it when given, see ``sections_read``), the card's
    metadata and the intended use."""
    from checker.facts.projection import project

    tree = project(facts, sections)
    if "card" in tree:
        tree["card"]["metadata"] = dict(facts.card.metadata)
    tree["use"] = {
        "commercial": use.commercial,
        "monthly_active_users": use.monthly_active_users,
        "based_in": None if use.based_in is None else list(use.based_in),
        "territories": None if use.territories is None else list(use.territories),
        "distribution": use.distribution,
        "purposes": None if use.purposes is None else list(use.purposes),
        "train_other_models": use.train_other_models,
    }
    return tree


MISSING = object()


def lookup(tree: dict[str, Any], path: str) -> Any:
    """Read a dotted path; through a list it collects the values of every item (flattened)."""
    current: Any = tree
    path = normalise_field(path)
    for part in ALIASES.get(path, path).split("."):
        if isinstance(current, dict):
            current = current.get(part, MISSING)
            if current is MISSING:
                return MISSING
        elif isinstance(current, list):
            collected: list[Any] = []
            for item in current:
                value = item.get(part, MISSING) if isinstance(item, dict) else MISSING
                if value is MISSING:
                    continue
                collected.extend(
                    value if isinstance(value, list) else [value]
                )  # None kept: unknown
            current = collected
        else:
            return MISSING
    return current
