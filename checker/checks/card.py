"""card/* and input/unreadable: problems reading the inputs, and required card fields."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from checker.checks.base import CheckContext
from checker.checks.rule import Rule, finding
from checker.checks.section import Reader, read_section, strings
from checker.facts import ModelFacts, ProblemKind
from checker.findings import Evidence, Finding, Severity

MISSING_FIELD = Rule(
    id="card/missing-field",
    summary="A card field the policy requires is missing.",
    help="Add the field to the model card's YAML front matter.",
    level=Severity.ERROR,
    group="card",
    fires_when="a card field the policy requires is missing",
)
INVALID_METADATA = Rule(
    id="card/invalid-metadata",
    summary="The card's front matter could not be read.",
    help="Fix the YAML between the `---` lines at the top of README.md.",
    level=Severity.ERROR,
    group="card",
    fires_when="the card's front matter is not YAML, not a mapping, not UTF-8, an alias bomb, or "
    "never closed (the rest of the folder is still audited)",
)
UNREADABLE = Rule(
    id="input/unreadable",
    summary="An input (folder, file) could not be read.",
    help="Check the path and permissions, or that the file is complete and well formed.",
    level=Severity.ERROR,
    group="card",
    fires_when="a folder, card, config or licence file cannot be read (a folder that cannot be "
    "read at all gives the `error` verdict)",
)
RULES = (MISSING_FIELD, INVALID_METADATA, UNREADABLE)
# The facts layer names a reading problem by its rule id (Problem.rule).
_PROBLEMS = {ProblemKind.INVALID_METADATA: INVALID_METADATA, ProblemKind.UNREADABLE: UNREADABLE}


@dataclass(frozen=True, slots=True)
class CardPolicy:
    """The ``card:`` section: card metadata fields that must be present."""

    require: tuple[str, ...] = ()

    READ: ClassVar[Mapping[str, Reader]] = {"require": strings}

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> CardPolicy:
        """The section as the policy states it, defaults for what it does not."""
        return read_section(cls, data, cls.READ)


def unreadable(facts: ModelFacts) -> list[Finding]:
    """The one finding of a model that could not be read at all (its verdict is ``error``)."""
    message = facts.error or "the model could not be read"
    return finding(UNREADABLE, Severity.ERROR, facts, message, [Evidence(facts.target, "/", None)])


def check_card(facts: ModelFacts, ctx: CheckContext) -> list[Finding]:
    """Turn reading problems into findings and report required fields that are missing."""
    out: list[Finding] = []
    for problem in facts.problems:
        rule = _PROBLEMS[problem.kind]
        out += finding(rule, ctx.unknown, facts, problem.message, problem.evidence)
    for key in ctx.policy.card.require:
        value = facts.card.metadata.get(key)
        if value not in (None, "", [], {}):
            continue
        if not facts.card.present:
            message = f"there is no model card, so no {key!r} field"
            evidence = [Evidence(facts.model.id, "README.md", None)]
        else:
            message = f"the card has no {key!r} field"
            evidence = [facts.card.evidence(key, None)]
        out += finding(MISSING_FIELD, ctx.policy.settings.fail_on, facts, message, evidence)
    return out
