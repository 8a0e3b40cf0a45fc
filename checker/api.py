"""The library entry point: targets + policy -> AuditResult. The CLI is a thin layer over this."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from checker import collector
from checker.checks import CHECKS, RULES
from checker.engine import evaluate
from checker.errors import InputError, UsageError
from checker.facts import ModelFacts
from checker.facts.binding import bind
from checker.facts.build import build_facts
from checker.facts.curations import NO_CURATIONS, Curations
from checker.facts.lineage import link_lineage
from checker.findings import Severity
from checker.knowledge import Knowledge, load_knowledge
from checker.policy import Policy, UseProfile, load_policy
from checker.pool import (
    default_jobs,
    read_in_pool,
    read_raw,
    read_target,
    ready_to_read,
    use_pool,
)
from checker.result import AuditResult, RuleInfo, Workspace
from checker.sources import (
    HubOptions,
    Session,
    SourceError,
    Target,
    hf_cache_targets,
)
from checker.sources.hub.options import DEFAULT_HUB_JOBS
from checker.sources.targets import parse_target
from checker.sources.workspace import repository_root
from checker.version import __version__

if TYPE_CHECKING:
    from checker.lock.read import Lock
    from checker.sources.raw import RawModel

DEFAULT_POLICY = "builtin:baseline"


def gather(
    targets: Iterable[Target],
    kb: Knowledge,
    *,
    session: Session | None = None,
    jobs: int | None = None,
    progress: Callable[[Target], None] | None = None,
    curations: Curations = NO_CURATIONS,
) -> list[ModelFacts]:
    """Read every target through its source into facts with the policy's ``curations``
    (``developers:``, ``clarify:``) applied, link the lineages through the audit's other models
    and bind the licences: complete facts. ``jobs`` (default: the number of cores for local
    folders, 8 for the Hub) is how many are read at once: local folders in worker processes
    when there are at least ``pool.POOL_MIN`` of them, Hub models in threads."""
    session = session or Session()
    items = list(targets)
    with collector.bulk() as tick:

        def read(target: Target) -> ModelFacts:
            facts = read_target(target, kb, curations, session)
            tick()
            if progress is not None:
                progress(target)
            return facts

        return _gather(items, kb, session, jobs, progress, curations, read, tick)


def _gather(
    items: list[Target],
    kb: Knowledge,
    session: Session,
    jobs: int | None,
    progress: Callable[[Target], None] | None,
    curations: Curations,
    read: Callable[[Target], ModelFacts],
    tick: Callable[[], None],
) -> list[ModelFacts]:
    """``gather``'s work, with the collector paused (``collector.bulk``): ``read`` reads one
    target in this process; ``tick`` is called once per model built here."""
    found: dict[int, ModelFacts] = {}
    local = [i for i, t in enumerate(items) if t.kind == "local"]
    processes = jobs or default_jobs()
    if use_pool(processes, len(local)):  # before any thread starts: workers are forked
        chosen = [items[i] for i in local]
        read_all = read_in_pool(
            chosen, kb, curations, processes, read, progress, hash_weights=session.hash_weights
        )
        found.update(zip(local, read_all, strict=True))
    rest = [t for i, t in enumerate(items) if i not in found]
    threads = jobs or DEFAULT_HUB_JOBS
    # Local folders are read faster one after the other in this process than in threads, which
    # would share one GIL; the Hub's requests overlap.
    if threads <= 1 or len(rest) <= 1 or all(t.kind == "local" for t in rest):
        read_rest = [read(t) for t in rest]
    else:
        read_rest = _read_on_threads(rest, kb, session, threads, progress, curations, tick)
    others = iter(read_rest)
    facts = [found[i] if i in found else next(others) for i in range(len(items))]
    return [bind(f, kb) for f in link_lineage(facts)]


def _read_on_threads(
    targets: list[Target],
    kb: Knowledge,
    session: Session,
    threads: int,
    progress: Callable[[Target], None] | None,
    curations: Curations,
    tick: Callable[[], None],
) -> list[ModelFacts]:
    """Targets that wait for the Hub are read on ``threads`` threads; those whose source says
    they need no request (``Source.ready``: a pinned commit with everything cached, its
    ancestors known to this run) are read here, where reading them on threads would only make
    the threads contend for the interpreter. Facts are built here, in order, as reads come back,
    so CPU work is never spread over threads."""
    from collections import deque
    from concurrent.futures import Future, ThreadPoolExecutor  # ~10 ms to import

    out: list[ModelFacts] = []
    queue: deque[tuple[Target, RawModel | Future[RawModel]]] = deque()

    def build(done: bool) -> None:  # the reads at the front that are back (or all: ``done``)
        while queue and (done or not isinstance(queue[0][1], Future) or queue[0][1].done()):
            target, raw = queue.popleft()
            facts = build_facts(raw.result() if isinstance(raw, Future) else raw, kb, curations)
            tick()
            if progress is not None:
                progress(target)
            out.append(facts)

    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="clearance") as pool:
        for target in targets:
            if ready_to_read(target, session):
                queue.append((target, read_raw(target, session)))
            else:
                queue.append((target, pool.submit(read_raw, target, session)))
            build(False)
        build(True)
    return out


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
    workspace: Workspace | None = None,
) -> AuditResult:
    """Evaluate already-gathered facts (pure apart from the optional clock). ``workspace``
    (``find_workspace``) is where reports place file paths (SARIF's repository root). The
    policy's ``developers:`` and ``clarify:`` apply when the facts are gathered (``gather(...,
    curations=policy.curations)``), not here."""
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
        # the drift check runs only against a lock (check --locked): otherwise it is not listed
        checks=tuple(c for c in CHECKS if c != "drift" or any(f.locked for f in facts)),
        workspace=workspace,
    )


def find_workspace(
    targets: Iterable[str], root: str | None = None, cwd: str | None = None
) -> Workspace | None:
    """Where the SARIF report places the files of an audit of ``targets`` run from ``cwd``
    (default: the working directory): ``root`` when given (``--root``; it must be a folder),
    else the git top level of the first target that is a local path (a folder or a manifest),
    else of ``cwd``; None when none of them is in a git repository."""
    base = os.path.realpath(cwd or os.getcwd())
    if root is not None:
        path = os.path.realpath(os.path.join(base, root))
        if not os.path.isdir(path):
            raise UsageError(f"--root {root}: no such folder")
        return Workspace(base, path, "--root")
    for text in targets:
        candidate = os.path.join(base, text)
        if os.path.exists(candidate):
            top = repository_root(candidate)
            if top is not None:
                return Workspace(base, top)
    top = repository_root(base)
    return None if top is None else Workspace(base, top)


def rule_infos() -> tuple[RuleInfo, ...]:
    """What the reports say of the built-in rules (custom rules are the policy's)."""
    return tuple(RuleInfo(r.id, r.summary, r.help, r.group, True) for r in RULES.values())


def audit(
    targets: Sequence[str],
    policy: str | Policy = DEFAULT_POLICY,
    *,
    model_id: str | None = None,
    use: dict[str, Any] | None = None,
    fail_on: str | None = None,
    now: dt.datetime | None = None,
    hub: HubOptions | None = None,
    jobs: int | None = None,
    authors: Sequence[str] = (),
    hf_cache: bool = False,
    progress: Callable[[Target], None] | None = None,
    on_targets: Callable[[int], None] | None = None,
    workspace: Workspace | None = None,
    locked: bool = False,
    baseline: str | None = None,
    baseline_ref: str | None = None,
    hash_weights: bool = False,
    on_bytes: Callable[[str, int, int], None] | None = None,
) -> AuditResult:
    """Audit targets (folders, manifests, Hub ids), every model of ``authors`` on the Hub, and
    (``hf_cache``) every model in the local Hugging Face cache, against a policy. Pass
    ``workspace=find_workspace(targets)`` to have SARIF place files against the repository root
    (the command line does); without it they stay relative to the working directory.

    ``locked``: compare the one manifest target with its lock file (drift rules). ``baseline``
    (a JSON report) or ``baseline_ref`` (a git ref, audited in this run): mark every finding
    new or known, and count only new ones for the exit code. ``fail_on`` (``error``,
    ``warning``, ``note``) overrides the policy's ``settings.fail-on``. ``hash_weights``: stream
    local weight files through SHA-256 for the reports' file lists (``on_bytes(file, done,
    total)`` hears the progress); Hub models carry the Hub's ``lfs.sha256`` without it."""
    from pathlib import Path

    from checker.baseline import apply_baseline, read_baseline

    if baseline is not None and baseline_ref is not None:
        raise UsageError("give --baseline or --baseline-ref, not both")
    known = read_baseline(Path(baseline)) if baseline is not None else None
    result = _audit(
        targets, policy, model_id=model_id, use=use, now=now, hub=hub, jobs=jobs,
        authors=authors, hf_cache=hf_cache, progress=progress, on_targets=on_targets,
        locked=locked, workspace=workspace, fail_on=fail_on, hashing=(hash_weights, on_bytes),
    )  # fmt: skip
    if baseline_ref is not None:
        from checker.baseline_ref import audit_at_ref

        shown = policy if isinstance(policy, str) else result.policy.files[-1]
        known = audit_at_ref(
            baseline_ref, list(targets), shown, _audit, model_id=model_id, use=use, now=now,
            hub=hub, jobs=jobs, authors=authors, hf_cache=hf_cache, locked=locked, at_ref=True,
            fail_on=fail_on,
        )  # fmt: skip
    return result if known is None else apply_baseline(result, known)


def _audit(
    targets: Sequence[str],
    policy: str | Policy,
    *,
    model_id: str | None,
    use: dict[str, Any] | None,
    now: dt.datetime | None,
    hub: HubOptions | None,
    jobs: int | None,
    authors: Sequence[str],
    hf_cache: bool,
    progress: Callable[[Target], None] | None = None,
    on_targets: Callable[[int], None] | None = None,
    locked: bool = False,
    at_ref: bool = False,
    workspace: Workspace | None = None,
    fail_on: str | None = None,
    hashing: tuple[bool, Callable[[str, int, int], None] | None] = (False, None),
) -> AuditResult:
    kb = load_knowledge()
    lock: Lock | None = None
    notes: list[str] = []
    if locked:
        from checker.lock.gate import open_lock

        lock, notes = open_lock(targets, at_ref)
    loaded = policy if isinstance(policy, Policy) else load_policy(policy, kb)
    loaded = with_use(loaded, use or {}, kb)
    if fail_on is not None:
        loaded = loaded.with_fail_on(Severity(fail_on))
    session = Session(hub, *hashing)
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
    try:
        facts = gather(
            parsed, kb, session=session, jobs=jobs, progress=progress, curations=loaded.curations
        )
    finally:
        session.close()
    if lock is not None:
        from checker.lock.gate import apply_lock

        facts, more = apply_lock(facts, parsed, lock, __version__)
        notes += more
    result = audit_facts(facts, loaded, kb, now, workspace)
    return replace(result, notes=tuple(notes)) if notes else result


__all__ = [
    "DEFAULT_POLICY",
    "HubOptions",
    "UseProfile",
    "audit",
    "audit_facts",
    "find_workspace",
    "gather",
    "with_use",
]
