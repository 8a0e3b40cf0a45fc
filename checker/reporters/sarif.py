"""SARIF 2.1.0 for code scanning (GitHub and other SARIF consumers): a view of the audit result.

One run; one reporting descriptor per rule id that occurs; one result per finding, waived ones
included as suppressed results. Each result is placed where a reviewer can act on it:

1. a file of the model itself that the evidence names (the card, ``config.json``, a weight
   file), with the line when the evidence has one;
2. for waiver findings, the waiver in the policy file (the evidence carries file and line);
3. the model's entry in the manifest (``models.yaml``) when the model came from one;
4. the model's card file;
5. the policy file that made the finding matter.

``partialFingerprints["clearance/v1"]`` is ``Finding.fingerprint``: a hash of rule, model and
evidence (no line numbers, no position in the report), so an alert keeps its identity across runs,
when lines move and when other models are added or removed. Output is deterministic.

For code-scanning consumers: every rule descriptor has ``properties["security-severity"]``
(GitHub's 0.0-10.0 scale, from the descriptor's level: error 8.0 "high", warning 5.0 "medium",
note 2.0 "low") and a ``helpUri`` to the README's rule section (built-in rules to "Rule ids",
custom rules to "The policy file"; the README as PyPI shows it, the project names no source
repository); the run has ``automationDetails.id`` ``clearance/<policy>/<generated_at>`` (the
category before the last slash is stable across runs of the same policy).

Artifact URIs are relative to ``%SRCROOT%``, the repository root, when the result carries a
``Workspace`` (the command line always gives one: the git top level of the audited targets, or
``--root``; the reporter does no I/O and only rebases paths): a path is resolved against the
working directory it was given from, and written relative to the root. A file outside the root
(a target elsewhere on the disk) gets an absolute ``file:`` URI with no ``uriBaseId``.
``originalUriBaseIds["%SRCROOT%"].uri`` is the root's ``file:`` URI and the invocation's
``workingDirectory`` the working directory, so a consumer can map both. Without a workspace
(the library called without one) paths stay relative to the working directory, as given.

Next to ``clearance/v1``, ``partialFingerprints["primaryLocationLineHash"]`` has the shape
GitHub's upload action computes from the text of the primary line (16 hex digits, ``:``, the
occurrence of that hash in the run): the reporter reads no file, so it hashes what the evidence
says is at that place instead (rule, artifact URI, pointers and values of the evidence in that
file, or the model id), never the line number. It changes when a finding moves to another file;
``clearance/v1`` does not.

``run.properties.use`` is the intended use the verdicts were judged against, each value with
its origin, exactly as the JSON report's ``use`` block has it.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
import re
from collections.abc import Iterable
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any
from urllib.parse import quote

from checker.facts import ModelFacts
from checker.findings import Evidence, Finding, Scope, Verdict
from checker.policy.model import COMMAND_LINE, DEFAULT, Policy, Waiver
from checker.reporters.json_report import use_block
from checker.result import AuditResult, ModelResult, Workspace

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
TOOL_NAME = "clearance"
INFORMATION_URI = "https://pypi.org/project/clearance/"
FINGERPRINT_KEY = "clearance/v1"
LINE_HASH_KEY = "primaryLocationLineHash"
SRCROOT = "%SRCROOT%"
README_URI = INFORMATION_URI  # the README as PyPI renders it (no source repository URL yet)
RULES_HELP_URI = f"{README_URI}#rule-ids"
CUSTOM_RULES_HELP_URI = f"{README_URI}#the-policy-file"
# GitHub code scanning's security-severity (0.0 to 10.0) by level
SECURITY_SEVERITY = {"error": "8.0", "warning": "5.0", "note": "2.0"}

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_DRIVE = re.compile(r"^[A-Za-z]:[/\\]")
# Knowledge-base files are named by their place in rules/, not by a path in the user's workspace.
_KNOWLEDGE = re.compile(r"^rules/(?:[\w.-]+\.yaml|(?:licenses|documents)/[\w.-]+\.yaml)$")


def _uri(path: str, ws: Workspace | None) -> tuple[str, str | None]:
    """An artifact URI and its base id: paths inside the root (or, without a workspace, relative
    paths) against %SRCROOT%, anything else as an absolute file URI."""
    if _DRIVE.match(path):
        return PureWindowsPath(path).as_uri(), None
    clean = path.replace("\\", "/")
    if ws is not None:
        full = posixpath.normpath(posixpath.join(ws.base, clean))
        rel = posixpath.relpath(full, ws.root)
        if rel == ".." or rel.startswith("../"):
            return PurePosixPath(full).as_uri(), None
        return quote(rel, safe="/"), SRCROOT
    if clean.startswith("/"):
        return PurePosixPath(clean).as_uri(), None
    return quote(posixpath.normpath(clean), safe="/"), SRCROOT


def _physical(path: str, line: int | None, ws: Workspace | None) -> dict[str, Any]:
    uri, base = _uri(path, ws)
    artifact: dict[str, Any] = {"uri": uri}
    if base is not None:
        artifact["uriBaseId"] = base
    out: dict[str, Any] = {"artifactLocation": artifact}
    if line is not None and line >= 1:
        out["region"] = {"startLine": line}
    return out


def _is_path(source: str) -> bool:
    """True when an evidence source reads as a file path (not hf:, builtin:, a URL, ``card``,
    the command line)."""
    if not source or source in (".", "card", COMMAND_LINE, DEFAULT):
        return False
    return bool(_DRIVE.match(source)) or not _SCHEME.match(source)


def _origin(facts: ModelFacts) -> Evidence | None:
    """The manifest entry the model came from, when the facts carry it (``ModelFacts.named_by``)."""
    origin = facts.named_by
    return origin if isinstance(origin, Evidence) else None


def _model_root(facts: ModelFacts) -> str | None:
    """The model's folder as evidence names it (derived from its card or weight files)."""
    if facts.card.path and _is_path(facts.card.path):
        return posixpath.dirname(facts.card.path) or "."
    for weight in facts.weights.files:
        suffix = "/" + weight.path
        if weight.evidence.source.endswith(suffix):
            return weight.evidence.source[: -len(suffix)] or "."
    return None


def _model_file(source: str, facts: ModelFacts, policy: Policy) -> bool:
    """True when ``source`` is a file of the model in the workspace (card, config, weights)."""
    if not _is_path(source):
        return False
    if source in (facts.model.id, facts.target, _model_root(facts)):
        return False  # model ids, the target as written, the model folder itself
    return source not in policy.files and not _KNOWLEDGE.match(source)


def _policy_file(policy: Policy) -> str | None:
    """The last policy file that lives in the workspace (not ``builtin:``)."""
    return next((f for f in reversed(policy.files) if _is_path(f)), None)


def _best(candidates: Iterable[Evidence]) -> Evidence | None:
    """The first candidate with a line, else the first one."""
    items = list(candidates)
    return next((e for e in items if e.line is not None), items[0] if items else None)


def _model_location(
    finding: Finding, model: ModelResult, policy: Policy, ws: Workspace | None
) -> dict[str, Any] | None:
    facts = model.facts
    if facts.error is None:
        found = _best(e for e in finding.evidence if _model_file(e.source, facts, policy))
        if found is not None:
            return _physical(found.source, found.line, ws)
    origin = _origin(facts)
    if origin is not None and _is_path(origin.source):
        return _physical(origin.source, origin.line, ws)
    card = facts.card.path
    if facts.error is None and facts.card.present and card is not None and _is_path(card):
        return _physical(card, None, ws)
    where = _policy_file(policy)
    return None if where is None else _physical(where, None, ws)


def _policy_location(
    finding: Finding, policy: Policy, ws: Workspace | None
) -> dict[str, Any] | None:
    found = _best(e for e in finding.evidence if _is_path(e.source))
    if found is not None:
        return _physical(found.source, found.line, ws)
    where = _policy_file(policy)
    return None if where is None else _physical(where, None, ws)


def _pascal(rule_id: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", rule_id))


def _descriptor(rule_id: str, findings: list[Finding], result: AuditResult) -> dict[str, Any]:
    """The reporting descriptor of one rule: the built-in rule's text, or the custom rule's."""
    worst = max(findings, key=lambda f: f.severity.rank).severity
    info = result.rule(rule_id)
    prefix = rule_id.split("/", 1)[0] if "/" in rule_id else rule_id
    if info is not None and info.builtin:
        short, full, help_text, level = info.summary, info.summary, info.help, worst
        tags = ["compliance", prefix]
        help_uri = RULES_HELP_URI
    elif info is not None:
        short, full, help_text = info.summary, info.description, info.help
        level = info.level or worst
        tags = ["compliance", "custom"]
        help_uri = CUSTOM_RULES_HELP_URI
    else:
        short = full = rule_id
        help_text = next((f.help for f in findings if f.help), "") or rule_id
        level = worst
        tags = ["compliance", "custom"]
        help_uri = CUSTOM_RULES_HELP_URI
    return {
        "id": rule_id,
        "name": _pascal(rule_id),
        "shortDescription": {"text": short},
        "fullDescription": {"text": full},
        "helpUri": help_uri,
        "help": {"text": help_text, "markdown": help_text},
        "defaultConfiguration": {"level": level.value},
        "properties": {"tags": tags, "security-severity": SECURITY_SEVERITY[level.value]},
    }


def _waiver(policy: Policy, waiver_id: str) -> Waiver | None:
    return next((w for w in policy.waivers if w.id == waiver_id), None)


def _suppression(finding: Finding, policy: Policy, ws: Workspace | None) -> dict[str, Any]:
    waiver_id = finding.waived_by or ""
    waiver = _waiver(policy, waiver_id)
    out: dict[str, Any] = {"kind": "external", "status": "accepted"}
    if waiver is None:
        out["justification"] = waiver_id
        return out
    out["justification"] = f"{waiver.id}: {waiver.reason}"
    if _is_path(waiver.file):
        out["location"] = {"physicalLocation": _physical(waiver.file, waiver.line, ws)}
    out["properties"] = {
        "waiver": waiver.id,
        "approvedBy": waiver.approved_by,
        "expires": None if waiver.expires is None else waiver.expires.isoformat(),
    }
    return out


def _message(finding: Finding) -> str:
    """The finding's message, naming the model when the message does not already."""
    if finding.scope is Scope.POLICY or finding.model in finding.message:
        return finding.message
    return f"{finding.model}: {finding.message}"


def _line_hash(finding: Finding, location: dict[str, Any] | None, ws: Workspace | None) -> str:
    """What GitHub's primaryLocationLineHash hashes (the primary line's text) as the evidence
    states it: rule, artifact URI, the pointers and values of the evidence in that file (else
    the model); 16 hex digits, without the occurrence."""
    uri = "" if location is None else location["artifactLocation"]["uri"]
    here = [
        [e.pointer, e.value]
        for e in finding.evidence
        if location is not None and _is_path(e.source) and _uri(e.source, ws)[0] == uri
    ]
    payload = json.dumps([finding.rule, uri, here or finding.subject], sort_keys=True, default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]


def _result(
    finding: Finding,
    index: dict[str, int],
    policy: Policy,
    location: dict[str, Any] | None,
    model: ModelResult | None,
    ws: Workspace | None,
    line_hash: str,
) -> dict[str, Any]:
    logical: dict[str, Any] = {"name": finding.subject, "fullyQualifiedName": finding.subject}
    if model is not None:
        logical["kind"] = "module"
    place: dict[str, Any] = {}
    if location is not None:
        place["physicalLocation"] = location
    place["logicalLocations"] = [logical]
    out: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": index[finding.rule],
        "level": finding.severity.value,
        "message": {"text": _message(finding)},
        "locations": [place],
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint, LINE_HASH_KEY: line_hash},
    }
    if finding.waived_by is not None:
        out["suppressions"] = [_suppression(finding, policy, ws)]
    if finding.new is not None:  # against a baseline (--baseline, --baseline-ref)
        out["baselineState"] = "new" if finding.new else "unchanged"
    props: dict[str, Any] = {"model": finding.subject}
    if model is not None:
        props["verdict"] = model.verdict.value
        props["target"] = model.facts.target
    props["evidence"] = [e.to_json() for e in finding.evidence]
    out["properties"] = props
    return out


def _dir_uri(path: str) -> str:
    return PurePosixPath(path).as_uri().rstrip("/") + "/"


def _srcroot(ws: Workspace | None) -> dict[str, Any]:
    """The %SRCROOT% base: the repository root's file URI, or (no workspace) a description of
    the working directory the relative paths were given from."""
    if ws is None:
        text = (
            "The directory the audit's paths were given from (not necessarily the repository root)."
        )
        return {"description": {"text": text}}
    how = "given with --root" if ws.found_by == "--root" else "the git top level of the targets"
    return {"uri": _dir_uri(ws.root), "description": {"text": f"The repository root ({how})."}}


def _invocation(result: AuditResult) -> dict[str, Any]:
    out: dict[str, Any] = {
        "executionSuccessful": result.exit_code != 2,
        "exitCode": result.exit_code,
        "endTimeUtc": result.generated_at,
    }
    if result.workspace is not None:
        out["workingDirectory"] = {"uri": _dir_uri(result.workspace.base)}
    return out


def automation_id(result: AuditResult) -> str:
    """``clearance/<policy>/<generated_at>``: a stable category and this run's instance."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", result.policy.name).strip("-") or "policy"
    return f"{TOOL_NAME}/{slug}/{result.generated_at}"


def to_sarif(result: AuditResult) -> dict[str, Any]:
    """The SARIF log as plain JSON-compatible data."""
    policy = result.policy
    pairs: list[tuple[Finding, ModelResult | None]] = [
        (f, m) for m in result.models for f in m.findings
    ]
    pairs += [(f, None) for f in result.findings]
    by_rule: dict[str, list[Finding]] = {}
    for finding, _ in pairs:
        by_rule.setdefault(finding.rule, []).append(finding)
    rule_ids = sorted(by_rule)
    index = {rule_id: i for i, rule_id in enumerate(rule_ids)}
    ws = result.workspace
    results = []
    occurrences: dict[str, int] = {}
    for finding, model in pairs:
        if model is not None:
            location = _model_location(finding, model, policy, ws)
        else:
            location = _policy_location(finding, policy, ws)
        digest = _line_hash(finding, location, ws)
        occurrences[digest] = occurrences.get(digest, 0) + 1
        line_hash = f"{digest}:{occurrences[digest]}"
        results.append(_result(finding, index, policy, location, model, ws, line_hash))
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": TOOL_NAME,
                        "version": result.tool_version,
                        "informationUri": INFORMATION_URI,
                        "rules": [_descriptor(r, by_rule[r], result) for r in rule_ids],
                    }
                },
                "automationDetails": {"id": automation_id(result)},
                "originalUriBaseIds": {SRCROOT: _srcroot(ws)},
                "invocations": [_invocation(result)],
                "results": results,
                "properties": {
                    "use": use_block(policy),
                    "policy": {
                        "name": policy.name,
                        "sha256": policy.sha256,
                        "files": list(policy.files),
                        "failOn": policy.settings.fail_on.value,
                    },
                    "knowledge": {
                        "version": result.knowledge_version,
                        "digest": result.knowledge_digest,
                    },
                    "summary": {
                        "models": len(result.models),
                        **{v.value: result.count(v) for v in Verdict},
                        "exitCode": result.exit_code,
                    },
                },
            }
        ],
    }


def render_sarif(result: AuditResult) -> str:
    """The SARIF log text (indented, keys in a fixed order, trailing newline)."""
    from checker.reporters._common import dump_finite

    return dump_finite(to_sarif(result))


__all__ = [
    "FINGERPRINT_KEY",
    "LINE_HASH_KEY",
    "SECURITY_SEVERITY",
    "automation_id",
    "render_sarif",
    "to_sarif",
]
