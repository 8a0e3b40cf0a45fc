"""The library entry point: targets + policy -> AuditResult. The CLI is a thin layer over this."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from typing import Any

from checker.checks import CHECKS, RULES
from checker.engine import evaluate
from checker.errors import InputError, UsageError
from checker.facts import ModelFacts
from checker.facts.binding import bind
from checker.facts.build import build_facts
from checker.facts.lineage import link_lineage
from checker.knowledge import Knowledge, load_knowledge
from checker.policy import Policy, UseProfile, load_policy
from checker.result import AuditResult, RuleInfo
from checker.sources import (
    SOURCES,
    HubOptions,
    Session,
    SourceError,
    Target,
    hf_cache_targets,
)
from checker.sources.targets import parse_target
from checker.version import __version__

DEFAULT_POLICY = "builtin:baseline"


def gather(
    targets: Iterable[Target],
    kb: Knowledge,
    *,
    session: Session | None = None,
    jobs: int = 8,
    progress: Callable[[Target], None] | None = None,
) -> list[ModelFacts]:
    """Read every target through its source (concurrently, ``jobs`` at a time) into facts, link
    the lineages through the audit's other models and bind the licences: complete facts."""
    session = session or Session()
    items = list(targets)

    def read(target: Target) -> ModelFacts:
        source = SOURCES.get(target.kind)
        if source is None:
            raise ValueError(f"no source for target kind {target.kind!r}")
        facts = build_facts(source.read(target, session), kb)
        if progress is not None:
            progress(target)
        return facts

    # Local folders are read faster one after the other: the threads would share one GIL and
    # their start-up costs more than a small folder's read; the Hub's requests overlap.
    if jobs <= 1 or len(items) <= 1 or all(t.kind == "local" for t in items):
        facts = [read(t) for t in items]
    else:
        from concurrent.futures import ThreadPoolExecutor  # Hub targets only: ~10 ms to import

        with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="clearance") as pool:
            facts = list(pool.map(read, items))
    return [bind(f, kb) for f in link_lineage(facts)]


def with_use(policy: Policy, overrides: dict[str, Any], kb: Knowledge | None = None) -> Policy:
    """The policy with intended-use fields replaced by overrides (None: keep), which are checked
    as strictly as the policy file's own (a typo must not disable a check). Evidence cites
    them to the command line, not to a policy file."""
    from checker.checks.section import codes
    from checker.countries import alias_note
    from checker.policy.semantics import code_problem, purpose_problem

    kb = kb or load_knowledge()
    changes = {k: v for k, v in overrides.items() if v is not None}
    problems = [
        p
        for key in ("based_in", "territories")
        for code in changes.get(key, ())
        if (p := code_problem(code, kb))
    ]
    problems += [p for x in changes.get("purposes", ()) if (p := purpose_problem(x))]
    if problems:
        raise UsageError("; ".join(problems))
    notes = [
        f"command line: {note}"
        for key in ("based_in", "territories")
        for code in changes.get(key, ())
        if (note := alias_note(code))
    ]
    for key in ("based_in", "territories"):
        if key in changes:
            changes[key] = codes(list(changes[key]))
    changed = policy.with_use(changes)
    return replace(changed, notes=(*changed.notes, *notes)) if notes else changed


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
        rules=rule_infos(),
        checks=tuple(CHECKS),
    )


def rule_infos() -> tuple[RuleInfo, ...]:
    """What the reports say of the built-in rules (custom rules are the policy's)."""
    return tuple(RuleInfo(r.id, r.summary, r.help, r.group, True) for r in RULES.values())


def audit(
    targets: Sequence[str],
    policy: str | Policy = DEFAULT_POLICY,
    *,
    model_id: str | None = None,
    use: dict[str, Any] | None = None,
    now: dt.datetime | None = None,
    hub: HubOptions | None = None,
    jobs: int = 8,
    authors: Sequence[str] = (),
    hf_cache: bool = False,
    progress: Callable[[Target], None] | None = None,
    on_targets: Callable[[int], None] | None = None,
) -> AuditResult:
    """Audit targets (folders, manifests, Hub ids), every model of ``authors`` on the Hub, and
    (``hf_cache``) every model in the local Hugging Face cache, against a policy."""
    kb = load_knowledge()
    loaded = policy if isinstance(policy, Policy) else load_policy(policy, kb)
    loaded = with_use(loaded, use or {}, kb)
    session = Session(hub)
    parsed: list[Target] = []
    empty: list[str] = []  # what was asked for and named no model
    for text in targets:
        parsed.extend(parse_target(text, model_id))
    for author in authors:
        try:
            found = session.author_targets(author)
        except SourceError as exc:
            raise InputError(str(exc)) from exc
        parsed.extend(found)
        if not found:
            empty.append(f"--author {author} has no models on the Hub")
    if hf_cache:
        cached = hf_cache_targets(session.hub_options.cache_dir)
        parsed.extend(cached)
        if not cached:
            where = session.hub_options.cache_dir or "the Hugging Face cache"
            empty.append(f"--hf-cache found no model snapshot in {where}")
    if not parsed:  # an audit of nothing must not pass
        raise InputError("no model to audit: " + ("; ".join(empty) or "no target named one"))
    if on_targets is not None:
        on_targets(len(parsed))
    facts = gather(parsed, kb, session=session, jobs=jobs, progress=progress)
    return audit_facts(facts, loaded, kb, now)


__all__ = [
    "DEFAULT_POLICY",
    "HubOptions",
    "UseProfile",
    "audit",
    "audit_facts",
    "gather",
    "with_use",
]
