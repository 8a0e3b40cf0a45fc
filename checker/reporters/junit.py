"""JUnit XML for CI systems (Jenkins, GitLab, Azure DevOps, ...): a view of the audit result.

``<testsuites>`` holds one ``<testsuite>`` per model (name = model id) with one ``<testcase>`` per
check (classname = model id, name = check name from ``CHECKS``). A testcase fails when it has an
unwaived finding at or above the policy's fail-on; its ``<system-out>`` lists the findings below
fail-on and the waived ones. A model that could not be read (verdict ``error``) gets an ``audit``
testcase with ``<error>``, and its checks are ``<skipped>`` since none could run. Policy-level
findings (expired or unused waivers) go to a last suite, ``policy``, with one ``waivers`` testcase.
The ``policy`` suite's ``<properties>`` also hold the intended use the verdicts were judged
against, as the JSON report's ``use`` block has it: ``use.<key>`` is the value (``true``,
``40000000``, ``hosted``; lists and an unstated value as JSON: ``["US", "DE"]``, ``[]``,
``null``) and ``use.<key>.origin`` where it came from (``examples/policies/acme.yaml:8``,
``command line`` or ``default``). JUnit has no run-level properties; the policy suite is the
run's own suite, so the use is written once rather than in every model's suite.

The shape follows the Ant / Jenkins JUnit format, with what its strictest readers require
(tests/schemas/junit-strict.xsd): every suite has ``skipped``, ``time``, ``timestamp``,
``hostname``, ``id`` and ``package``; every testcase a ``time``. Since checks are pure and not
timed, ``time`` is ``0`` throughout (the audit records no durations). ``timestamp`` is the
audit's ``generated_at`` in UTC without a timezone (``YYYY-MM-DDTHH:MM:SS``, the format the XSD
allows). The audit records no host and a reporter does no I/O, so ``hostname`` is
``localhost`` (what Ant writes when the host is not known). Output is deterministic: suites in the
result's model order, testcases in ``CHECKS`` order, attributes in a fixed order, indented, with
an XML declaration.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence

from checker.findings import Finding, Verdict
from checker.policy.model import Policy
from checker.result import AuditResult, ModelResult

SUITES_NAME = "clearance"
ERROR_CASE = "audit"
POLICY_SUITE = "policy"
POLICY_CASE = "waivers"  # the testcase of the policy-level (waiver) findings
HOSTNAME = "localhost"  # the audit records no host; a reporter does no I/O
NO_TIME = "0"  # checks are not timed

# Characters XML 1.0 cannot carry at all (untrusted card text may contain them).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def check_of(rule: str, result: AuditResult) -> str:
    """The check a rule id belongs to: a built-in rule's ``group``; anything else (custom rule
    ids, a group that is not a per-model check) is ``custom``."""
    info = result.rule(rule)
    return (
        info.group
        if info is not None and info.builtin and info.group in result.checks
        else ("custom")
    )


def _check_names(result: AuditResult) -> list[str]:
    """The testcases of a model: every check that ran, and ``custom`` (where unmapped rule ids
    go) even if it were not registered."""
    names = list(result.checks)
    return names if "custom" in names else [*names, "custom"]


def junit_timestamp(generated_at: str) -> str:
    """An ISO 8601 time as JUnit's ``timestamp``: UTC, no timezone, whole seconds."""
    stamp = dt.datetime.fromisoformat(generated_at.replace("Z", "+00:00"))
    if stamp.tzinfo is not None:
        stamp = stamp.astimezone(dt.UTC).replace(tzinfo=None)
    return stamp.replace(microsecond=0).isoformat(timespec="seconds")


def _clean(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def _value(value: object) -> str:
    """An evidence value as text: strings quoted, no value (an unknown country) as ``unknown``."""
    if value is None:
        return "unknown"
    return repr(value) if isinstance(value, str) else str(value)


def _describe(finding: Finding, policy: Policy) -> str:
    """One finding as plain text: severity, rule, message, evidence, waiver and help."""
    head = f"[{finding.severity.value}] {finding.rule}: {finding.message}"
    lines = [head]
    if finding.waived_by is not None:
        waiver = next((w for w in policy.waivers if w.id == finding.waived_by), None)
        reason = f": {waiver.reason}" if waiver is not None else ""
        lines.append(f"  waived by {finding.waived_by}{reason}")
    for e in finding.evidence:
        where = e.source if e.line is None else f"{e.source}:{e.line}"
        lines.append(f"  evidence: {where} {e.pointer} = {_value(e.value)}")
    if finding.help:
        lines.append(f"  help: {finding.help}")
    return "\n".join(lines)


def _block(findings: Iterable[Finding], policy: Policy) -> str:
    return "\n".join(_describe(f, policy) for f in findings) + "\n"


def _failing(findings: Sequence[Finding], policy: Policy) -> list[Finding]:
    rank = policy.settings.fail_on.rank
    return [f for f in findings if f.waived_by is None and f.severity.rank >= rank]


def _sub(parent: ET.Element, tag: str, attrs: Sequence[tuple[str, str]] = ()) -> ET.Element:
    """A child element with attributes in the given order (ElementTree keeps insertion order)."""
    child = ET.SubElement(parent, tag)
    for key, value in attrs:
        child.set(key, _clean(value))
    return child


def _testcase(
    suite: ET.Element, classname: str, name: str, findings: Sequence[Finding], policy: Policy
) -> ET.Element:
    case = _case(suite, classname, name)
    failing = _failing(findings, policy)
    if failing:
        first = failing[0]
        more = f" (+{len(failing) - 1} more)" if len(failing) > 1 else ""
        failure = _sub(
            case, "failure", (("message", f"{first.message}{more}"), ("type", first.rule))
        )
        failure.text = _clean(_block(failing, policy))
    failed = {id(f) for f in failing}
    rest = [f for f in findings if id(f) not in failed]
    if rest:
        _sub(case, "system-out").text = _clean(_block(rest, policy))
    return case


def _case(suite: ET.Element, classname: str, name: str) -> ET.Element:
    return _sub(suite, "testcase", (("classname", classname), ("name", name), ("time", NO_TIME)))


def _skipped(suite: ET.Element, classname: str, name: str, why: str) -> None:
    case = _case(suite, classname, name)
    _sub(case, "skipped", (("message", why),))


def _properties(suite: ET.Element, items: Sequence[tuple[str, str | None]]) -> None:
    props = _sub(suite, "properties")
    for key, value in items:
        if value is not None:
            _sub(props, "property", (("name", key), ("value", value)))


def _count(suite: ET.Element) -> None:
    """Set tests/failures/errors/skipped from the suite's testcases (attributes in that order)."""
    cases = suite.findall("testcase")
    suite.set("tests", str(len(cases)))
    suite.set("failures", str(sum(1 for c in cases if c.find("failure") is not None)))
    suite.set("errors", str(sum(1 for c in cases if c.find("error") is not None)))
    suite.set("skipped", str(sum(1 for c in cases if c.find("skipped") is not None)))


def _suite(root: ET.Element, name: str, generated_at: str) -> ET.Element:
    index = len(root.findall("testsuite"))
    suite = _sub(root, "testsuite", (("name", name),))
    # tests/failures/errors/skipped are set by _count after the testcases; reserve their places.
    for key in ("tests", "failures", "errors", "skipped"):
        suite.set(key, "0")
    suite.set("time", NO_TIME)
    suite.set("timestamp", junit_timestamp(generated_at))
    suite.set("hostname", HOSTNAME)
    suite.set("id", str(index))
    suite.set("package", SUITES_NAME)
    return suite


def _model_suite(root: ET.Element, model: ModelResult, result: AuditResult) -> None:
    policy = result.policy
    facts = model.facts
    ident = facts.model.id
    suite = _suite(root, ident, result.generated_at)
    _properties(
        suite,
        (
            ("verdict", model.verdict.value),
            ("target", facts.target),
            ("source", facts.model.source),
            ("revision", facts.model.revision),
            ("license", facts.license.expression),
        ),
    )
    if model.verdict is Verdict.ERROR:
        case = _case(suite, ident, ERROR_CASE)
        first = model.findings[0] if model.findings else None
        message = facts.error or (first.message if first else "the model could not be audited")
        error = _sub(
            case,
            "error",
            (("message", message), ("type", first.rule if first else ERROR_CASE)),
        )
        error.text = _clean(_block(model.findings, policy)) if model.findings else None
        for name in _check_names(result):
            _skipped(suite, ident, name, "not checked: the model could not be read")
    else:
        for name in _check_names(result):
            mine = [f for f in model.findings if check_of(f.rule, result) == name]
            if name == "custom" and not policy.custom_rules and not mine:
                _skipped(suite, ident, name, "the policy has no custom rules")
            else:
                _testcase(suite, ident, name, mine, policy)
    _count(suite)


def use_properties(policy: Policy) -> list[tuple[str, str]]:
    """``use.<key>`` and ``use.<key>.origin`` for every intended-use key, in the policy's order."""
    out: list[tuple[str, str]] = []
    for item in policy.use_record():
        value = item.value
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        origin = item.source if item.line is None else f"{item.source}:{item.line}"
        out += [(f"use.{item.key}", text), (f"use.{item.key}.origin", origin)]
    return out


def _policy_suite(root: ET.Element, result: AuditResult) -> None:
    policy = result.policy
    suite = _suite(root, POLICY_SUITE, result.generated_at)
    _properties(
        suite,
        (
            ("name", policy.name),
            ("sha256", policy.sha256),
            ("files", ", ".join(policy.files)),
            ("fail-on", policy.settings.fail_on.value),
            *use_properties(policy),
        ),
    )
    if policy.waivers or result.findings:
        _testcase(suite, POLICY_SUITE, POLICY_CASE, result.findings, policy)
    else:
        _skipped(suite, POLICY_SUITE, POLICY_CASE, "the policy has no waivers")
    _count(suite)


def to_junit(result: AuditResult) -> ET.Element:
    """The ``<testsuites>`` element."""
    root = ET.Element("testsuites")
    root.set("name", SUITES_NAME)
    for model in result.models:
        _model_suite(root, model, result)
    _policy_suite(root, result)
    suites = root.findall("testsuite")
    for key in ("tests", "failures", "errors", "skipped"):
        root.set(key, str(sum(int(s.get(key, "0")) for s in suites)))
    root.set("time", NO_TIME)
    return root


def render_junit(result: AuditResult) -> str:
    """The JUnit XML text: declaration, two-space indent, trailing newline."""
    root = to_junit(result)
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode", short_empty_elements=True)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


__all__ = ["check_of", "junit_timestamp", "render_junit", "to_junit", "use_properties"]
