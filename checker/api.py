"""The library entry point: targets + policy -> AuditResult. The CLI is a thin layer over this."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from checker.engine import evaluate
from checker.facts import ModelFacts, ModelIdentity
from checker.knowledge import Knowledge, load_knowledge
from checker.normalise import link_lineage, normalise
from checker.policy import Policy, UseProfile, load_policy
from checker.result import AuditResult
from checker.sources import SOURCES, Target
from checker.sources.targets import parse_target
from checker.version import __version__

DEFAULT_POLICY = "builtin:baseline"


def gather(targets: Iterable[Target], kb: Knowledge) -> list[ModelFacts]:
    """Read every target through its source and normalise it into facts."""
    facts: list[ModelFacts] = []
    for target in targets:
        source = SOURCES.get(target.kind)
        if source is None:
            ident = target.model_id or target.ref
            facts.append(
                ModelFacts(
                    target=target.display,
                    model=ModelIdentity(ident, target.revision, target.kind, ident.split("/")[0]),
                    error=f"{target.display}: auditing from the Hugging Face Hub is not available "
                    "in this version; audit a local folder (or a manifest entry with path:)",
                )
            )
            continue
        facts.append(normalise(source(target), kb))
    return link_lineage(facts)


def with_use(policy: Policy, overrides: dict[str, Any]) -> Policy:
    """The policy with intended-use fields replaced by command-line overrides (None: keep)."""
    changes = {k: v for k, v in overrides.items() if v is not None}
    if not changes:
        return policy
    return replace(policy, use=replace(policy.use, **changes))


def audit_facts(
    facts: Sequence[ModelFacts],
    policy: Policy,
    kb: Knowledge | None = None,
    now: dt.datetime | None = None,
) -> AuditResult:
    """Evaluate already-gathered facts (pure apart from the optional clock)."""
    kb = kb or load_knowledge()
    now = now or dt.datetime.now(dt.UTC)
    models, findings = evaluate(facts, policy, kb, now.date())
    return AuditResult(
        tool_version=__version__,
        knowledge_version=kb.version,
        knowledge_digest=kb.digest,
        knowledge_licenses=len(kb.licenses),
        knowledge_developers=len(kb.developers),
        policy=policy,
        generated_at=now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        models=tuple(models),
        findings=tuple(findings),
    )


def audit(
    targets: Sequence[str],
    policy: str | Policy = DEFAULT_POLICY,
    *,
    model_id: str | None = None,
    use: dict[str, Any] | None = None,
    now: dt.datetime | None = None,
) -> AuditResult:
    """Audit targets (folders, manifests, Hub ids) against a policy (path, builtin:, or Policy)."""
    kb = load_knowledge()
    loaded = policy if isinstance(policy, Policy) else load_policy(policy, kb)
    loaded = with_use(loaded, use or {})
    parsed: list[Target] = []
    for text in targets:
        parsed.extend(parse_target(text, model_id))
    return audit_facts(gather(parsed, kb), loaded, kb, now)


__all__ = ["DEFAULT_POLICY", "UseProfile", "audit", "audit_facts", "gather", "with_use"]
