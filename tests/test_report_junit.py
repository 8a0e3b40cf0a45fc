"""JUnit XML report: parses back, counts add up, golden file, the common junit-10.xsd shape.

Regenerate the golden file after a deliberate change with
``CLEARANCE_UPDATE_GOLDEN=1 pytest tests/test_report_junit.py`` and review the diff.

The structure test encodes the Jenkins xUnit plugin's ``junit-10.xsd`` (the schema most CI
consumers follow) as data: the elements each element may contain and the attributes it may and
must carry. The report is also validated with lxml against ``tests/schemas/junit-strict.xsd``
(a strict schema of our own in the Ant / Jenkins shape: time, timezone-less timestamp, hostname),
and read back with junitparser, whose counts must match the audit.
"""

from __future__ import annotations

import dataclasses
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from checker.facts import ModelFacts, ModelIdentity
from checker.findings import Evidence, Finding, Scope, Severity, Verdict
from checker.reporters.junit import check_of, junit_timestamp, render_junit
from checker.result import AuditResult, ModelResult

GOLDEN = Path(__file__).parent / "golden" / "examples.junit.xml"
XSD = Path(__file__).parent / "schemas" / "junit-strict.xsd"

# junit-10.xsd: element -> (allowed children, required attributes, allowed attributes)
SHAPE: dict[str, tuple[set[str], set[str], set[str]]] = {
    "testsuites": (
        {"testsuite"},
        set(),
        {"name", "time", "tests", "failures", "errors", "skipped"},  # skipped: Ant, junitparser
    ),
    "testsuite": (
        {"testsuite", "properties", "testcase", "system-out", "system-err"},
        {"name", "tests", "failures", "errors", "time", "timestamp", "hostname"},
        {
            "name",
            "tests",
            "failures",
            "errors",
            "group",
            "time",
            "skipped",
            "timestamp",
            "hostname",
            "id",
            "package",
            "file",
            "log",
            "url",
            "version",
        },
    ),
    "properties": ({"property"}, set(), set()),
    "property": (set(), {"name", "value"}, {"name", "value"}),
    # junit-10.xsd spells the element "errors"; every consumer (and JUnit itself) writes "error"
    "testcase": (
        {"skipped", "error", "failure", "system-out", "system-err"},
        {"name", "classname", "time"},
        {"name", "time", "classname", "group"},
    ),
    "failure": (set(), set(), {"type", "message"}),
    "error": (set(), set(), {"type", "message"}),
    "skipped": (set(), set(), {"type", "message"}),
    "system-out": (set(), set(), set()),
    "system-err": (set(), set(), set()),
}


def _parse(text: str) -> ET.Element:
    return ET.fromstring(text.encode("utf-8"))


def _model(result: AuditResult, ident: str) -> ModelResult:
    return next(m for m in result.models if m.facts.model.id == ident)


def _suite(root: ET.Element, name: str) -> ET.Element:
    (suite,) = [s for s in root.findall("testsuite") if s.get("name") == name]
    return suite


def _case(suite: ET.Element, name: str) -> ET.Element:
    (case,) = [c for c in suite.findall("testcase") if c.get("name") == name]
    return case


def _validate_shape(element: ET.Element) -> None:
    children, required, allowed = SHAPE[element.tag]
    attrs = set(element.attrib)
    assert required <= attrs, f"<{element.tag}> lacks {sorted(required - attrs)}"
    assert attrs <= allowed, f"<{element.tag}> has unknown {sorted(attrs - allowed)}"
    for child in element:
        assert child.tag in children, f"<{child.tag}> not allowed in <{element.tag}>"
        _validate_shape(child)
    if not children:
        return
    assert not (element.text or "").strip(), f"<{element.tag}> carries text"


def _assert_counts(root: ET.Element) -> None:
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for suite in root.findall("testsuite"):
        cases = suite.findall("testcase")
        counted = {
            "tests": len(cases),
            "failures": sum(1 for c in cases if c.find("failure") is not None),
            "errors": sum(1 for c in cases if c.find("error") is not None),
            "skipped": sum(1 for c in cases if c.find("skipped") is not None),
        }
        for key, value in counted.items():
            assert suite.get(key) == str(value), (suite.get("name"), key)
        for key in totals:
            totals[key] += counted[key]
        for case in cases:
            outcomes = [t for t in ("failure", "error", "skipped") if case.find(t) is not None]
            assert len(outcomes) <= 1, "a testcase has one outcome"
    for key, value in totals.items():
        assert root.get(key) == str(value), key


# --- format --------------------------------------------------------------------------------------


def test_parses_with_declaration_and_indent(example_result: AuditResult) -> None:
    text = render_junit(example_result)
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites ')
    assert text.endswith("</testsuites>\n")
    assert "\n  <testsuite " in text and "\n    <testcase " in text
    root = _parse(text)
    assert root.tag == "testsuites"
    assert root.get("name") == "clearance"


def test_golden(example_result: AuditResult) -> None:
    text = render_junit(example_result)
    if os.environ.get("CLEARANCE_UPDATE_GOLDEN"):
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text(encoding="utf-8")


def test_deterministic_attribute_order(example_result: AuditResult) -> None:
    text = render_junit(example_result)
    assert text == render_junit(example_result)
    for match in re.finditer(r"<testsuite (\w+)=\"[^\"]*\" (\w+)=\"[^\"]*\" (\w+)=", text):
        assert match.groups() == ("name", "tests", "failures")
    for match in re.finditer(r"<testcase (\w+)=\"[^\"]*\" (\w+)=", text):
        assert match.groups() == ("classname", "name")


def test_matches_the_junit_10_shape(example_result: AuditResult) -> None:
    _validate_shape(_parse(render_junit(example_result)))


def _xsd_errors(text: str) -> list[str]:
    from lxml import etree

    schema = etree.XMLSchema(etree.parse(str(XSD)))
    document = etree.fromstring(text.encode("utf-8"))
    if schema.validate(document):
        return []
    return [str(e) for e in schema.error_log]


def test_validates_against_the_strict_xsd(example_result: AuditResult) -> None:
    assert _xsd_errors(render_junit(example_result)) == []


def test_strict_xsd_is_strict(example_result: AuditResult) -> None:
    """The schema rejects what it is there to catch: a timezone, a missing time or hostname."""
    text = render_junit(example_result)
    assert _xsd_errors(
        text.replace('timestamp="2026-11-29T12:00:00"', 'timestamp="2026-11-29T12:00:00Z"')
    )
    assert _xsd_errors(text.replace(' hostname="localhost"', "", 1))
    assert _xsd_errors(re.sub(r'(<testcase [^>]*?) time="0"', r"\1", text, count=1))


def test_timestamp_and_host(example_result: AuditResult) -> None:
    root = _parse(render_junit(example_result))
    for suite in root.findall("testsuite"):
        assert suite.get("timestamp") == "2026-11-29T12:00:00"  # generated_at, no timezone
        assert suite.get("hostname") == "localhost"
        assert suite.get("time") == "0"
        assert all(c.get("time") == "0" for c in suite.findall("testcase"))
    assert junit_timestamp("2026-11-29T13:30:05.25+01:00") == "2026-11-29T12:30:05"


def test_junitparser_counts_match_the_audit(example_result: AuditResult, tmp_path: Path) -> None:
    from junitparser import Error, Failure, JUnitXml, Skipped

    path = tmp_path / "audit.junit.xml"
    path.write_text(render_junit(example_result), encoding="utf-8")
    xml = JUnitXml.fromfile(str(path))
    checks = list(example_result.checks) + (
        ["custom"] if "custom" not in example_result.checks else []
    )
    readable = [m for m in example_result.models if m.verdict is not Verdict.ERROR]
    rank = example_result.policy.settings.fail_on.rank
    failing = {
        (m.facts.model.id, check_of(f.rule, example_result))
        for m in readable
        for f in m.findings
        if f.waived_by is None and f.severity.rank >= rank
    }
    suites = list(xml)
    assert [s.name for s in suites] == [m.facts.model.id for m in example_result.models] + [
        "policy"
    ]
    cases = [(s.name, c) for s in suites for c in s]
    model_cases = [(n, c) for n, c in cases if n != "policy"]
    # every check per model; an unreadable model has its ``audit`` error case as well
    assert len(model_cases) == sum(
        len(checks) + (m.verdict is Verdict.ERROR) for m in example_result.models
    )
    failed = {(n, c.name) for n, c in model_cases if any(isinstance(r, Failure) for r in c.result)}
    assert failed == failing
    errored = [n for n, c in model_cases if any(isinstance(r, Error) for r in c.result)]
    assert sorted(errored) == sorted(
        m.facts.model.id for m in example_result.models if m.verdict is Verdict.ERROR
    )
    skipped = sum(1 for _, c in cases if any(isinstance(r, Skipped) for r in c.result))
    assert xml.tests == len(cases)
    assert xml.failures == len(failed) + sum(
        1 for n, c in cases if n == "policy" and any(isinstance(r, Failure) for r in c.result)
    )
    assert xml.errors == len(errored)
    assert xml.skipped == skipped
    assert xml.failures > 0 and xml.time == 0


def test_counts_add_up(example_result: AuditResult) -> None:
    root = _parse(render_junit(example_result))
    _assert_counts(root)
    assert root.get("failures") != "0", "the examples have failing models"


# --- content -------------------------------------------------------------------------------------


def test_one_suite_per_model_one_case_per_check(example_result: AuditResult) -> None:
    root = _parse(render_junit(example_result))
    names = [s.get("name") for s in root.findall("testsuite")]
    assert names == [m.facts.model.id for m in example_result.models] + ["policy"]
    for model in example_result.models:
        suite = _suite(root, model.facts.model.id)
        cases = suite.findall("testcase")
        assert [c.get("name") for c in cases] == list(example_result.checks)
        assert {c.get("classname") for c in cases} == {model.facts.model.id}
        props = {p.get("name"): p.get("value") for p in suite.iter("property")}
        assert props["verdict"] == model.verdict.value


def test_failures_are_unwaived_findings_at_fail_on(example_result: AuditResult) -> None:
    root = _parse(render_junit(example_result))
    fail_on = example_result.policy.settings.fail_on
    for model in example_result.models:
        suite = _suite(root, model.facts.model.id)
        expected = {
            check_of(f.rule, example_result)
            for f in model.findings
            if f.waived_by is None and f.severity.rank >= fail_on.rank
        }
        failed = {c.get("name") for c in suite.findall("testcase") if c.find("failure") is not None}
        assert failed == expected, model.facts.model.id
        assert (model.verdict is Verdict.FAIL) == bool(failed)


def test_failure_names_every_failing_finding(example_result: AuditResult) -> None:
    root = _parse(render_junit(example_result))
    model = _model(example_result, "tencent/Hunyuan-A13B-Instruct")
    failure = _case(_suite(root, model.facts.model.id), "license").find("failure")
    assert failure is not None
    (not_allowed,) = [f for f in model.findings if f.rule == "license/not-allowed"]
    assert failure.get("type") == "license/not-allowed"
    assert failure.get("message") == not_allowed.message
    assert not_allowed.message in (failure.text or "")
    assert "README.md:2" in (failure.text or "")


def test_warnings_and_waived_go_to_system_out(example_result: AuditResult) -> None:
    root = _parse(render_junit(example_result))
    gguf = _case(_suite(root, "bartowski/Meta-Llama-3.1-8B-Instruct-GGUF"), "provenance")
    assert gguf.find("failure") is None
    assert "[warning] provenance/unknown-developer" in (gguf.findtext("system-out") or "")
    phi = _case(_suite(root, "microsoft/Phi-3-mini-4k-instruct"), "weights")
    assert phi.find("failure") is None
    out = phi.findtext("system-out") or ""
    assert "weights/remote-code" in out and "waived by W-12: " in out


def test_fail_on_warning_fails_warnings(example_result: AuditResult) -> None:
    policy = example_result.policy
    strict = dataclasses.replace(
        example_result,
        policy=dataclasses.replace(
            policy, settings=dataclasses.replace(policy.settings, fail_on=Severity.WARNING)
        ),
    )
    root = _parse(render_junit(strict))
    _assert_counts(root)
    gguf = _case(_suite(root, "bartowski/Meta-Llama-3.1-8B-Instruct-GGUF"), "provenance")
    assert gguf.find("failure") is not None and gguf.find("system-out") is None
    phi = _case(_suite(root, "microsoft/Phi-3-mini-4k-instruct"), "weights")
    assert phi.find("failure") is None, "a waived finding never fails"


def test_unreadable_model_gets_an_error_testcase(example_result: AuditResult) -> None:
    facts = ModelFacts(
        target="models/missing",
        model=ModelIdentity("local/missing"),
        error="examples/models/missing: no such folder",
    )
    finding = Finding(
        "input/unreadable",
        Severity.ERROR,
        "local/missing",
        "examples/models/missing: no such folder",
        "Check the path.",
        (Evidence("models/missing", "/", None),),
    )
    broken = ModelResult(facts, Verdict.ERROR, (finding,))
    result = dataclasses.replace(example_result, models=(*example_result.models, broken))
    root = _parse(render_junit(result))
    _validate_shape(root)
    _assert_counts(root)
    suite = _suite(root, "local/missing")
    error = _case(suite, "audit").find("error")
    assert error is not None
    assert error.get("message") == facts.error
    assert error.get("type") == "input/unreadable"
    assert suite.get("errors") == "1"
    assert suite.get("skipped") == str(len(example_result.checks))
    assert suite.get("tests") == str(len(example_result.checks) + 1)
    assert root.get("errors") == "1"


def test_policy_findings_in_the_policy_suite(example_result: AuditResult) -> None:
    policy = example_result.policy
    expired = Finding(
        "waiver/expired",
        Severity.ERROR,
        policy.files[-1],
        "waiver W-1 for use/territory on x/* expired on 2025-01-01",
        "Renew the waiver.",
        (Evidence(policy.files[-1], "/waivers/W-1", "x/*", 40),),
        scope=Scope.POLICY,
    )
    result = dataclasses.replace(example_result, findings=(expired,))
    root = _parse(render_junit(result))
    _assert_counts(root)
    case = _case(_suite(root, "policy"), "waivers")
    failure = case.find("failure")
    assert failure is not None and failure.get("type") == "waiver/expired"
    assert f"{policy.files[-1]}:40" in (failure.text or "")


def test_no_custom_rules_skips_the_custom_check(example_result: AuditResult) -> None:
    policy = dataclasses.replace(example_result.policy, custom_rules=(), waivers=())
    root = _parse(render_junit(dataclasses.replace(example_result, policy=policy)))
    _assert_counts(root)
    suite = _suite(root, example_result.models[0].facts.model.id)
    assert _case(suite, "custom").find("skipped") is not None
    assert _case(_suite(root, "policy"), "waivers").find("skipped") is not None


def test_untrusted_text_stays_well_formed(example_result: AuditResult) -> None:
    model = example_result.models[0]
    evil = Finding(
        "license/unknown",
        Severity.ERROR,
        model.facts.model.id,
        "bad \x00\x1b[31m <script>&\"' ]]> \ud800 end",
        "",
        (Evidence("README.md", "/license", "\x07<x>", 3),),
    )
    result = dataclasses.replace(
        example_result, models=(dataclasses.replace(model, findings=(evil,)),)
    )
    root = _parse(render_junit(result))
    failure = _case(_suite(root, model.facts.model.id), "license").find("failure")
    assert failure is not None
    message = failure.get("message") or ""
    assert "<script>&\"' ]]>" in message and message.endswith(" end")
    assert "\x00" not in message and "\x1b" not in message


@pytest.mark.parametrize(
    ("rule", "check"),
    [
        ("license/unknown", "license"),
        ("license/not-allowed", "license"),
        ("use/purpose", "use"),
        ("provenance/unknown-developer", "provenance"),
        ("weights/remote-code", "weights"),
        ("card/missing-field", "card"),
        ("input/unreadable", "card"),
        ("acme/no-merges", "custom"),
        ("nodash", "custom"),
    ],
)
def test_rule_to_check(rule: str, check: str, example_result: AuditResult) -> None:
    assert check_of(rule, example_result) == check
