"""SARIF 2.1.0 report: schema, golden file, descriptors, locations, suppressions, fingerprints.

Regenerate the golden file after a deliberate change with
``CLEARANCE_UPDATE_GOLDEN=1 pytest tests/test_report_sarif.py`` and review the diff.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from conftest import REPO

from checker.checks import RULES
from checker.facts import CardFacts, ModelFacts, ModelIdentity
from checker.findings import Evidence, Finding, Scope, Severity, Verdict
from checker.policy.model import Waiver
from checker.reporters.sarif import FINGERPRINT_KEY, render_sarif
from checker.result import AuditResult, ModelResult

GOLDEN = Path(__file__).parent / "golden" / "examples.sarif"
SCHEMA = REPO.parent / "shared" / "schemas" / "sarif-schema-2.1.0.json"


def _doc(result: AuditResult) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(render_sarif(result))
    return doc


def _run(result: AuditResult) -> dict[str, Any]:
    runs = _doc(result)["runs"]
    assert len(runs) == 1
    run: dict[str, Any] = runs[0]
    return run


def _model(result: AuditResult, ident: str) -> ModelResult:
    return next(m for m in result.models if m.facts.model.id == ident)


def _results_of(run: dict[str, Any], model: str) -> list[dict[str, Any]]:
    return [r for r in run["results"] if r["properties"]["model"] == model]


def _with_origin(facts: ModelFacts, origin: Evidence) -> ModelFacts:
    """Facts with their manifest entry (``ModelFacts.named_by``), even before that field exists."""
    if "named_by" in {f.name for f in dataclasses.fields(facts)}:
        return dataclasses.replace(facts, named_by=origin)

    class WithOrigin(type(facts)):  # type: ignore[misc]
        pass  # no __slots__: instances get a __dict__ for the extra attribute

    copy = WithOrigin(**{f.name: getattr(facts, f.name) for f in dataclasses.fields(facts)})
    object.__setattr__(copy, "origin", origin)
    return copy


def _finding(rule: str, severity: Severity, model: str, *evidence: Evidence) -> Finding:
    return Finding(rule, severity, model, f"{rule} fired", "do something", tuple(evidence))


def _only(result: AuditResult, *models: ModelResult, findings: tuple[Finding, ...] = ()) -> Any:
    return dataclasses.replace(result, models=models, findings=findings)


# --- schema and golden ---------------------------------------------------------------------------


def test_matches_the_official_schema(example_result: AuditResult) -> None:
    if not SCHEMA.is_file():
        pytest.skip("../shared/schemas/sarif-schema-2.1.0.json is not present")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)
    validator.check_schema(schema)
    validator(schema).validate(_doc(example_result))


def test_golden(example_result: AuditResult) -> None:
    text = render_sarif(example_result)
    if os.environ.get("CLEARANCE_UPDATE_GOLDEN"):
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text(encoding="utf-8")


def test_deterministic(example_result: AuditResult) -> None:
    assert render_sarif(example_result) == render_sarif(example_result)


# --- tool and rules ------------------------------------------------------------------------------


def test_one_run_with_the_driver(example_result: AuditResult) -> None:
    doc = _doc(example_result)
    assert doc["version"] == "2.1.0"
    assert doc["$schema"].endswith("sarif-schema-2.1.0.json")
    driver = doc["runs"][0]["tool"]["driver"]
    assert driver["name"] == "clearance"
    assert driver["version"] == example_result.tool_version
    assert driver["informationUri"].startswith("https://")


def test_every_result_has_its_descriptor(example_result: AuditResult) -> None:
    run = _run(example_result)
    rules = run["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    assert ids == sorted(set(ids)), "one descriptor per rule id, sorted"
    used = {r["ruleId"] for r in run["results"]}
    assert used == set(ids), "a descriptor for every rule that appears, and only those"
    for res in run["results"]:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]


def test_builtin_descriptors_come_from_the_catalogue(example_result: AuditResult) -> None:
    for rule in _run(example_result)["tool"]["driver"]["rules"]:
        info = RULES[rule["id"]]
        assert rule["shortDescription"]["text"] == info.summary
        assert rule["help"] == {"text": info.help, "markdown": info.help}
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note")


def test_custom_rule_descriptor_uses_the_policy(example_result: AuditResult) -> None:
    policy = example_result.policy
    custom = policy.custom_rules[0]
    with_help = dataclasses.replace(custom, help="Ask the model review board.")
    model = example_result.models[0]
    hit = _finding(custom.id, Severity.NOTE, model.facts.model.id)
    result = dataclasses.replace(
        _only(example_result, dataclasses.replace(model, findings=(hit,))),
        policy=dataclasses.replace(policy, custom_rules=(with_help,)),
    )
    (rule,) = _run(result)["tool"]["driver"]["rules"]
    assert rule["id"] == custom.id
    assert rule["help"]["text"] == "Ask the model review board."
    assert rule["defaultConfiguration"]["level"] == custom.severity.value
    assert custom.when.describe() in rule["shortDescription"]["text"]


def test_security_severity_and_help_uri(example_result: AuditResult) -> None:
    """What GitHub code scanning reads: security-severity a number string in 0.0-10.0 following
    the level; helpUri an absolute URI to a README section that exists."""
    from checker.reporters.sarif import SECURITY_SEVERITY

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    slugs = {
        re.sub(r"[^a-z0-9 -]", "", h.lower()).strip().replace(" ", "-")
        for h in re.findall(r"^#+ (.+)$", readme, flags=re.M)
    }
    model = example_result.models[0]
    ident = model.facts.model.id
    findings = tuple(
        _finding(f"acme/{s.value}", s, ident)
        for s in (Severity.ERROR, Severity.WARNING, Severity.NOTE)
    )
    custom = _run(_only(example_result, dataclasses.replace(model, findings=findings)))
    assert {
        r["id"]: r["properties"]["security-severity"] for r in custom["tool"]["driver"]["rules"]
    } == {"acme/error": "8.0", "acme/warning": "5.0", "acme/note": "2.0"}
    rules = _run(example_result)["tool"]["driver"]["rules"] + custom["tool"]["driver"]["rules"]
    for rule in rules:
        severity = rule["properties"]["security-severity"]
        assert 0.0 <= float(severity) <= 10.0
        assert severity == SECURITY_SEVERITY[rule["defaultConfiguration"]["level"]]
        uri, _, anchor = rule["helpUri"].partition("#")
        assert uri.startswith("https://") and anchor in slugs, rule["helpUri"]
    builtin = [r for r in rules if r["id"] in RULES]
    assert builtin and all(r["helpUri"].endswith("#rule-ids") for r in builtin)


def test_automation_details(example_result: AuditResult) -> None:
    run = _run(example_result)
    automation = run["automationDetails"]["id"]
    assert automation == f"clearance/acme-production/{example_result.generated_at}"
    later = dataclasses.replace(example_result, generated_at="2027-01-01T00:00:00Z")
    category = automation.rsplit("/", 1)[0]
    assert _run(later)["automationDetails"]["id"].rsplit("/", 1)[0] == category  # stable category
    assert "%SRCROOT%" in run["originalUriBaseIds"]


# --- results -------------------------------------------------------------------------------------


def test_levels_follow_severity(example_result: AuditResult) -> None:
    model = example_result.models[0]
    ident = model.facts.model.id
    findings = tuple(
        _finding(f"acme/{s.value}", s, ident)
        for s in (Severity.ERROR, Severity.WARNING, Severity.NOTE)
    )
    run = _run(_only(example_result, dataclasses.replace(model, findings=findings)))
    assert {r["ruleId"]: r["level"] for r in run["results"]} == {
        "acme/error": "error",
        "acme/warning": "warning",
        "acme/note": "note",
    }
    full = _run(example_result)
    pairs = [(f, m) for m in example_result.models for f in m.findings]
    assert [r["level"] for r in full["results"]] == [f.severity.value for f, _ in pairs]


def test_properties_name_model_and_verdict(example_result: AuditResult) -> None:
    run = _run(example_result)
    verdicts = {m.facts.model.id: m.verdict.value for m in example_result.models}
    assert run["results"]
    for res in run["results"]:
        assert res["properties"]["verdict"] == verdicts[res["properties"]["model"]]
        (logical,) = res["locations"][0]["logicalLocations"]
        assert logical["fullyQualifiedName"] == res["properties"]["model"]


def test_waived_finding_is_suppressed(example_result: AuditResult) -> None:
    run = _run(example_result)
    waived = [r for r in run["results"] if "suppressions" in r]
    expected = [f for m in example_result.models for f in m.findings if f.waived_by]
    assert len(waived) == len(expected) >= 1
    (phi,) = _results_of(run, "microsoft/Phi-3-mini-4k-instruct")
    (suppression,) = phi["suppressions"]
    waiver = next(w for w in example_result.policy.waivers if w.id == "W-12")
    assert suppression["kind"] == "external"
    assert suppression["status"] == "accepted"
    assert suppression["justification"] == f"W-12: {waiver.reason}"
    where = suppression["location"]["physicalLocation"]
    assert where["artifactLocation"]["uri"] == waiver.file
    assert where["region"]["startLine"] == waiver.line
    assert all("suppressions" not in r for r in run["results"] if r is not phi)


# --- locations -----------------------------------------------------------------------------------


def _place(res: dict[str, Any]) -> tuple[str | None, int | None]:
    physical = res["locations"][0].get("physicalLocation")
    if physical is None:
        return None, None
    return physical["artifactLocation"]["uri"], physical.get("region", {}).get("startLine")


def test_card_line_from_evidence(example_result: AuditResult) -> None:
    run = _run(example_result)
    (not_allowed,) = [
        r for r in _results_of(run, "CohereForAI/aya-23-8B") if r["ruleId"] == "license/not-allowed"
    ]
    assert _place(not_allowed) == ("examples/models/aya-23-8b/README.md", 2)
    loc = not_allowed["locations"][0]["physicalLocation"]["artifactLocation"]
    assert loc["uriBaseId"] == "%SRCROOT%"
    (lineage,) = [
        r
        for r in _results_of(run, "perplexity-ai/r1-1776")
        if r["ruleId"] == "provenance/lineage-jurisdiction"
    ]
    assert _place(lineage) == ("examples/models/r1-1776/README.md", 3)


def test_model_file_without_a_line(example_result: AuditResult) -> None:
    run = _run(example_result)
    (unsafe,) = _results_of(run, "openai-community/gpt2")
    assert _place(unsafe) == ("examples/models/gpt2/pytorch_model.bin", None)


def test_manifest_entry_when_no_model_file_is_named(example_result: AuditResult) -> None:
    model = _model(example_result, "tencent/Hunyuan-A13B-Instruct")
    origin = Evidence("examples/models.yaml", "/models/8", "tencent/Hunyuan-A13B-Instruct", 19)
    moved = dataclasses.replace(model, facts=_with_origin(model.facts, origin))
    run = _run(_only(example_result, moved))
    places = {r["ruleId"]: _place(r) for r in run["results"]}
    # knowledge-base and policy evidence is not where the problem is: the manifest entry is
    assert places["provenance/denied-jurisdiction"] == ("examples/models.yaml", 19)
    assert places["use/territory"] == ("examples/models.yaml", 19)
    # a card line still wins
    assert places["license/not-allowed"] == ("examples/models/hunyuan-a13b-instruct/README.md", 2)


def test_without_manifest_the_card_then_the_policy(example_result: AuditResult) -> None:
    named = _model(example_result, "tencent/Hunyuan-A13B-Instruct")
    model = dataclasses.replace(named, facts=dataclasses.replace(named.facts, named_by=None))
    run = _run(_only(example_result, model))
    places = {r["ruleId"]: _place(r) for r in run["results"]}
    assert places["provenance/denied-jurisdiction"] == (
        "examples/models/hunyuan-a13b-instruct/README.md",
        None,
    )
    hub_facts = dataclasses.replace(
        model.facts,
        model=ModelIdentity("tencent/Hunyuan-A13B-Instruct", "a" * 40, "hub"),
        card=CardFacts(present=True, path="hf:tencent/Hunyuan-A13B-Instruct@" + "a" * 40),
    )
    finding = _finding(
        "provenance/denied-jurisdiction",
        Severity.ERROR,
        "tencent/Hunyuan-A13B-Instruct",
        Evidence("tencent/Hunyuan-A13B-Instruct", "owner", "tencent"),
        Evidence("rules/developers.yaml", "/tencent", "CN"),
    )
    hub = ModelResult(hub_facts, Verdict.FAIL, (finding,))
    (res,) = _run(_only(example_result, hub))["results"]
    assert _place(res) == (example_result.policy.files[-1], None)


def test_unreadable_model_is_placed_at_its_manifest_entry(example_result: AuditResult) -> None:
    facts = ModelFacts(
        target="models/missing",
        model=ModelIdentity("local/missing"),
        error="examples/models/missing: no such folder",
    )
    finding = _finding(
        "input/unreadable", Severity.ERROR, "local/missing", Evidence("models/missing", "/", None)
    )
    origin = Evidence("examples/models.yaml", "/models/10", "models/missing", 23)
    broken = ModelResult(_with_origin(facts, origin), Verdict.ERROR, (finding,))
    (res,) = _run(_only(example_result, broken))["results"]
    assert _place(res) == ("examples/models.yaml", 23)
    assert res["properties"]["verdict"] == "error"


def test_waiver_finding_at_the_waiver(example_result: AuditResult) -> None:
    policy = example_result.policy
    stale = Waiver("W-99", "use/territory", "nobody/*", "old", "a@b.c", None, policy.files[-1], 44)
    finding = Finding(
        "waiver/unused",
        Severity.WARNING,
        stale.file,
        "waiver W-99 (use/territory on nobody/*) matched no finding",
        RULES["waiver/unused"].help,
        (Evidence(stale.file, "/waivers/W-99", stale.model, stale.line),),
        scope=Scope.POLICY,
    )
    result = dataclasses.replace(
        example_result,
        models=(),
        findings=(finding,),
        policy=dataclasses.replace(policy, waivers=(*policy.waivers, stale)),
    )
    (res,) = _run(result)["results"]
    assert res["ruleId"] == "waiver/unused"
    assert _place(res) == (policy.files[-1], 44)
    assert res["message"]["text"] == finding.message
    assert "verdict" not in res["properties"]


def test_absolute_and_odd_paths(example_result: AuditResult) -> None:
    model = example_result.models[0]
    ident = model.facts.model.id
    findings = (
        _finding("acme/a", Severity.ERROR, ident, Evidence("/srv/models/x/README.md", "/k", 1, 4)),
        _finding("acme/b", Severity.ERROR, ident, Evidence("my models/x/config.json", "/k", 1)),
    )
    run = _run(_only(example_result, dataclasses.replace(model, findings=findings)))
    (a, b) = run["results"]
    assert _place(a) == ("file:///srv/models/x/README.md", 4)
    assert "uriBaseId" not in a["locations"][0]["physicalLocation"]["artifactLocation"]
    assert _place(b) == ("my%20models/x/config.json", None)


# --- fingerprints --------------------------------------------------------------------------------


def _fingerprints(run: dict[str, Any]) -> dict[tuple[str, str, str], str]:
    return {
        (r["properties"]["model"], r["ruleId"], r["message"]["text"]): r["partialFingerprints"][
            FINGERPRINT_KEY
        ]
        for r in run["results"]
    }


def test_fingerprints_stable_across_renders(example_result: AuditResult) -> None:
    first = _fingerprints(_run(example_result))
    assert first == _fingerprints(_run(example_result))
    expected = [f.fingerprint for m in example_result.models for f in m.findings]
    got = [r["partialFingerprints"][FINGERPRINT_KEY] for r in _run(example_result)["results"]]
    assert got == expected


def test_fingerprints_unchanged_when_other_models_are_added(example_result: AuditResult) -> None:
    full = _fingerprints(_run(example_result))
    for model in example_result.models:
        alone = _fingerprints(_run(_only(example_result, model)))
        assert alone == {k: v for k, v in full.items() if k[0] == model.facts.model.id}


def test_fingerprints_ignore_lines_and_waivers(example_result: AuditResult) -> None:
    model = _model(example_result, "CohereForAI/aya-23-8B")
    finding = model.findings[0]
    moved = dataclasses.replace(
        finding,
        evidence=tuple(dataclasses.replace(e, line=(e.line or 0) + 10) for e in finding.evidence),
    )
    assert moved.fingerprint == finding.fingerprint
    assert finding.waive("W-1").fingerprint == finding.fingerprint


def test_run_properties(example_result: AuditResult) -> None:
    run = _run(example_result)
    props = run["properties"]
    assert props["policy"]["name"] == example_result.policy.name
    assert props["summary"]["models"] == len(example_result.models)
    assert props["summary"]["fail"] == example_result.count(Verdict.FAIL)
    (invocation,) = run["invocations"]
    assert invocation["exitCode"] == example_result.exit_code
    assert invocation["endTimeUtc"] == example_result.generated_at
    dt.datetime.fromisoformat(invocation["endTimeUtc"].replace("Z", "+00:00"))


def test_command_line_evidence_is_not_a_location(example_result: AuditResult) -> None:
    from checker.policy.origins import COMMAND_LINE

    model = _model(example_result, "tencent/Hunyuan-A13B-Instruct")
    hub_facts = dataclasses.replace(
        model.facts,
        model=ModelIdentity("tencent/Hunyuan-A13B-Instruct", "a" * 40, "hub"),
        card=CardFacts(present=True, path="hf:tencent/Hunyuan-A13B-Instruct@" + "a" * 40),
    )
    finding = _finding(
        "use/territory",
        Severity.ERROR,
        "tencent/Hunyuan-A13B-Instruct",
        Evidence(COMMAND_LINE, "/use/territories", ["DE"]),
    )
    bare = dataclasses.replace(finding, evidence=())
    (res, without) = _run(
        _only(example_result, ModelResult(hub_facts, Verdict.FAIL, (finding, bare)))
    )["results"]
    assert _place(res) == _place(without)  # placed as if the evidence were not there
    assert _place(res)[0] != COMMAND_LINE
