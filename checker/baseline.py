"""Findings against a baseline (``--baseline OLD.json``, ``--baseline-ref REF``): which are new.

GitHub dependency-review's semantics: a finding is *known* when the baseline has a finding of
the same model, rule and fingerprint (``Finding.fingerprint``: rule, model, evidence pointers
and values; never the message text), else *new*; only new findings count for the exit code.
A baseline made by another tool version or policy is used, with a note; one that cannot be read
as a Clearance JSON report is an InputError (exit 2).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from checker.errors import InputError
from checker.findings import Finding, Scope
from checker.paths import display_path
from checker.result import AuditResult, BaselineSummary, ModelResult

Key = tuple[str, str, str]  # (model as reports name it, lower case; rule; fingerprint)
MAX_BASELINE_BYTES = 200 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Baseline:
    """The findings of an earlier audit, as match keys, and what differs in how it was made."""

    source: str
    keys: frozenset[Key]
    tool_version: str | None = None
    policy_sha256: str | None = None
    notes: tuple[str, ...] = ()


def key_of(finding: Finding) -> Key:
    """How a finding is matched against a baseline."""
    return (finding.subject.lower(), finding.rule, finding.fingerprint)


def _fingerprint(item: dict[str, Any]) -> str:
    """A report finding's fingerprint: as written, else computed as ``Finding.fingerprint``
    (for reports written before the field existed)."""
    written = item.get("fingerprint")
    if isinstance(written, str):
        return written
    evidence = [
        [e.get("source"), e.get("pointer"), e.get("value")]
        for e in item.get("evidence") or []
        if isinstance(e, dict)
    ]
    material = json.dumps([item["rule"], item["model"], evidence], sort_keys=True, default=str)
    return hashlib.sha256(material.encode()).hexdigest()[:32]


def _report_findings(document: dict[str, Any]) -> Iterable[dict[str, Any]]:
    for model in document.get("models") or []:
        if isinstance(model, dict):
            yield from (f for f in model.get("findings") or [] if isinstance(f, dict))
    yield from (f for f in document.get("findings") or [] if isinstance(f, dict))


def read_baseline(path: Path) -> Baseline:
    """A baseline from a JSON report file; an unreadable one is an InputError."""
    shown = display_path(path)
    try:
        if path.stat().st_size > MAX_BASELINE_BYTES:
            raise InputError(f"{shown}: baseline is larger than {MAX_BASELINE_BYTES:,} bytes")
        document = json.loads(path.read_bytes().decode("utf-8"))
    except OSError as exc:
        raise InputError(f"{shown}: cannot read baseline: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise InputError(f"{shown}: baseline is not valid UTF-8 (byte {exc.start})") from exc
    except (ValueError, RecursionError) as exc:
        where = f":{exc.lineno}" if isinstance(exc, json.JSONDecodeError) else ""
        raise InputError(
            f"{shown}{where}: baseline is not JSON (a `--format json` report)"
        ) from exc
    if not isinstance(document, dict) or document.get("schema_version") != 1:
        raise InputError(
            f"{shown}: schema_version: not a Clearance JSON report of schema_version 1"
        )
    if not isinstance(document.get("models"), list):
        raise InputError(f"{shown}: models: a Clearance JSON report has a 'models' list")
    keys = set()
    for item in _report_findings(document):
        if not isinstance(item.get("rule"), str) or not isinstance(item.get("model"), str):
            raise InputError(f"{shown}: findings: a finding without 'rule' or 'model'")
        keys.add((item["model"].lower(), item["rule"], _fingerprint(item)))
    tool, policy = document.get("tool"), document.get("policy")
    return Baseline(
        source=shown,
        keys=frozenset(keys),
        tool_version=tool.get("version") if isinstance(tool, dict) else None,
        policy_sha256=policy.get("sha256") if isinstance(policy, dict) else None,
    )


def baseline_of(
    result: AuditResult, source: str, rewrite: Callable[[str], str] | None = None
) -> Baseline:
    """A baseline from an audit made in this run (``--baseline-ref``); ``rewrite`` maps the
    evidence sources of that audit's files (a temporary folder) to how this run names them."""

    def moved(f: Finding) -> Finding:
        if rewrite is None:
            return f
        evidence = tuple(replace(e, source=rewrite(e.source)) for e in f.evidence)
        model = rewrite(f.model) if f.scope is Scope.POLICY else f.model
        return replace(f, evidence=evidence, model=model)

    found = [*result.findings, *(f for m in result.models for f in m.findings)]
    return Baseline(
        source=source,
        keys=frozenset(key_of(moved(f)) for f in found),
        tool_version=result.tool_version,
        policy_sha256=result.policy.sha256,
    )


def _mark(findings: Iterable[Finding], keys: frozenset[Key]) -> tuple[Finding, ...]:
    marked = [replace(f, new=key_of(f) not in keys) for f in findings]
    return tuple(sorted(marked, key=lambda f: (f.new is False, *f.sort_key())))


def apply_baseline(result: AuditResult, baseline: Baseline) -> AuditResult:
    """The result with every finding marked new or known (new ones first), and a summary."""
    notes = list(baseline.notes)
    if baseline.tool_version is not None and baseline.tool_version != result.tool_version:
        notes.append(
            f"baseline {baseline.source} was made by clearance {baseline.tool_version} "
            f"(this is {result.tool_version}); findings are matched all the same"
        )
    if baseline.policy_sha256 is not None and baseline.policy_sha256 != result.policy.sha256:
        notes.append(f"baseline {baseline.source} was made with another policy")
    models = tuple(
        ModelResult(m.facts, m.verdict, _mark(m.findings, baseline.keys)) for m in result.models
    )
    findings = _mark(result.findings, baseline.keys)
    every = [*findings, *(f for m in models for f in m.findings)]
    new = sum(1 for f in every if f.new)
    summary = BaselineSummary(baseline.source, new, len(every) - new, tuple(notes))
    return replace(result, models=models, findings=findings, baseline=summary)
