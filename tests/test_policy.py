"""Policy files: ok/ must load; fail/ must fail with exactly the stored messages (all at once)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import EXAMPLES, REPO

from checker.errors import PolicyError
from checker.findings import Severity
from checker.knowledge import Knowledge
from checker.policy import builtin_names, load_policy
from checker.policy.conditions import Combine, Leaf

POLICIES = Path(__file__).parent / "policies"
FAILING = sorted(
    p for p in (POLICIES / "fail").glob("*.yaml") if p.with_suffix(".expected.txt").is_file()
)


@pytest.mark.parametrize("path", sorted((POLICIES / "ok").glob("*.yaml")), ids=lambda p: p.name)
def test_ok_policies_load(path: Path, kb: Knowledge) -> None:
    assert load_policy(path, kb).sha256


@pytest.mark.parametrize("path", FAILING, ids=lambda p: p.name)
def test_failing_policies_give_exact_messages(
    path: Path, kb: Knowledge, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)
    with pytest.raises(PolicyError) as info:
        load_policy(path.relative_to(REPO), kb)
    expected = path.with_suffix(".expected.txt").read_text().splitlines()
    assert [str(i) for i in info.value.issues] == expected


def test_every_failing_policy_has_expectations() -> None:
    names = {p.name for p in (POLICIES / "fail").glob("*.yaml")}
    assert len(FAILING) >= len(names) - 1  # extends-cycle-other.yaml only serves the cycle


def test_full_policy_merges_extends(kb: Knowledge, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    policy = load_policy(POLICIES / "ok" / "full.yaml", kb)
    assert policy.files == (
        "builtin:baseline",
        "tests/policies/ok/minimal.yaml",
        "tests/policies/ok/full.yaml",
    )
    assert policy.settings.fail_on is Severity.WARNING
    assert policy.settings.unknown is Severity.NOTE
    assert policy.settings.unused_waiver is None
    assert policy.use.based_in == ("DE", "eu")
    assert policy.use.monthly_active_users == 0
    assert policy.weights.remote_code is None
    assert policy.weights.deny_formats == ("pickle", "onnx")
    assert policy.licenses.deny == ("gemma",)
    assert policy.provenance.include_lineage is False
    assert [w.id for w in policy.waivers] == ["W-1", "W-2"]
    assert policy.waivers[0].expires == dt.date(2030, 1, 1)
    assert policy.waivers[1].expires is None
    rule = policy.custom_rules[0]
    assert isinstance(rule.when, Combine) and rule.when.kind == "all"
    assert rule.on_missing == "pass"
    leaf = rule.when.children[0]
    assert isinstance(leaf, Leaf) and leaf.field == "lineage.relation"


def test_later_files_override_earlier(kb: Knowledge, write_policy) -> None:  # type: ignore[no-untyped-def]
    write_policy(
        "version: 1\nname: base\nweights: {remote-code: error, deny-formats: [pickle]}\n"
        "waivers:\n- {id: W, rule: license/unknown, model: a/*, reason: r, approved-by: x}\n",
        "base.yaml",
    )
    child = write_policy(
        "version: 1\nextends: [./base.yaml]\nweights: {remote-code: note}\n"
        "waivers:\n- {id: W2, rule: license/unknown, model: b/*, reason: r, "
        "approved-by: x}\n",
        "child.yaml",
    )
    policy = load_policy(child, kb)
    assert policy.weights.remote_code is Severity.NOTE
    assert policy.weights.deny_formats == ("pickle",)
    assert [w.id for w in policy.waivers] == ["W", "W2"]
    assert policy.name == "base"


def test_builtin_policies_and_example_load(kb: Knowledge) -> None:
    assert builtin_names() == ["baseline"]
    baseline = load_policy("builtin:baseline", kb)
    assert baseline.settings.unknown is Severity.ERROR
    assert baseline.weights.unsafe_format is Severity.WARNING
    assert baseline.weights.remote_code is Severity.WARNING
    load_policy(EXAMPLES / "policies" / "acme.yaml", kb)


def test_huge_policy_file_is_refused(kb: Knowledge, write_policy) -> None:  # type: ignore[no-untyped-def]
    path = write_policy("version: 1\n" + "# padding\n" * 200_000)
    with pytest.raises(PolicyError, match="larger than"):
        load_policy(path, kb)


def test_missing_policy_file(kb: Knowledge, tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="no such file"):
        load_policy(tmp_path / "absent.yaml", kb)


def test_schema_documents_every_policy_key() -> None:
    import json

    schema = json.loads((REPO / "rules" / "schema" / "policy.schema.json").read_text())
    assert set(schema["properties"]) == {
        "version",
        "name",
        "description",
        "extends",
        "use",
        "settings",
        "licenses",
        "provenance",
        "weights",
        "card",
        "developers",
        "clarify",
        "drift",
        "rules",
        "waivers",
    }


# --- where settings come from ---------------------------------------------------------------

BASE = """version: 1
name: base
licenses:
  allow: [MIT]
  deny: [gpl-3.0]
provenance:
  deny-jurisdictions: [prc]
rules:
  - id: acme/no-merges
    severity: warning
    message: "merge"
    when: { field: lineage.relation, contains: merge }
waivers:
  - {id: W-1, rule: license/unknown, model: "a/*", reason: r, approved-by: x}
"""
CHILD = """version: 1
extends: [./base.yaml]
use:
  territories: [DE]
provenance:
  include-lineage: false
licenses:
  deny: [agpl-3.0]
"""


def _chain(write_policy) -> tuple[Path, Path]:  # type: ignore[no-untyped-def]
    return write_policy(BASE, "base.yaml"), write_policy(CHILD, "child.yaml")


def test_evidence_names_the_file_and_line_a_setting_came_from(kb, write_policy) -> None:  # type: ignore[no-untyped-def]
    _, child = _chain(write_policy)
    policy = load_policy(child, kb)
    base_name, child_name = policy.files
    assert base_name.endswith("base.yaml") and child_name.endswith("child.yaml")
    allow = policy.evidence("/licenses/allow", "MIT")
    assert (allow.source, allow.pointer, allow.value, allow.line) == (
        base_name,
        "/licenses/allow",
        "MIT",
        4,
    )
    assert policy.evidence("/licenses/deny", "x").source == child_name  # a list is replaced
    assert policy.evidence("/licenses/deny", "x").line == 8
    # a mapping merges key by key: each key keeps the file that set it
    assert policy.evidence("/provenance/deny-jurisdictions", "prc").source == base_name
    assert policy.evidence("/provenance/include-lineage", False).source == child_name
    assert policy.evidence("/use/territories", ["DE"]).line == 4
    assert (policy.evidence("/rules/acme/no-merges", "").source, policy.custom_rules[0].id) == (
        base_name,
        "acme/no-merges",
    )
    assert (policy.waivers[0].file, policy.waivers[0].line) == (base_name, 14)
    # an intended use no file states is cited to the default; any other setting no file
    # states, to the policy itself; neither with a line
    unset = policy.evidence("/use/commercial", None)
    assert (unset.source, unset.line) == ("default", None)
    unset = policy.evidence("/weights/remote-code", None)
    assert (unset.source, unset.line) == (child_name, None)


def test_findings_cite_the_file_that_set_the_policy(kb, write_policy, make_model) -> None:  # type: ignore[no-untyped-def]
    from conftest import FIXED_NOW

    from checker.api import audit_facts, gather
    from checker.sources.targets import Target

    _, child = _chain(write_policy)
    policy = load_policy(child, kb)
    folder = make_model("license: apache-2.0")
    facts = gather([Target("local", str(folder), "m", "google/m")], kb)
    result = audit_facts(facts, policy, kb, FIXED_NOW)
    (denied,) = [f for f in result.models[0].findings if f.rule == "license/not-allowed"]
    (cited,) = [e for e in denied.evidence if e.pointer == "/licenses/allow"]
    assert (cited.source, cited.line) == (policy.files[0], 4)


def test_command_line_use_is_not_cited_to_a_file(kb, write_policy) -> None:  # type: ignore[no-untyped-def]
    from checker.api import with_use
    from checker.policy.origins import COMMAND_LINE

    _, child = _chain(write_policy)
    policy = with_use(load_policy(child, kb), {"territories": ("US",), "commercial": None}, kb)
    assert policy.use.territories == ("US",)
    cited = policy.evidence("/use/territories", ["US"])
    assert (cited.source, cited.line) == (COMMAND_LINE, None)
    assert policy.evidence("/licenses/allow", "MIT").source == policy.files[0]  # untouched
    assert policy.evidence("/use/commercial", None).source == "default"  # not overridden


def test_country_aliases_are_iso_codes_with_a_note(tmp_path: Path, kb: Knowledge) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("version: 1\nuse:\n  based-in: [UK]\n  territories: [EL, DE]\n")
    policy = load_policy(path, kb)
    assert policy.use.based_in == ("GB",) and policy.use.territories == ("GR", "DE")
    assert policy.notes == (
        f"{path}:3:14: use.based-in[0]: UK is taken as GB: ISO 3166-1 reserves UK for the "
        "United Kingdom, whose code is GB",
        f"{path}:4:17: use.territories[0]: EL is taken as GR: EL is the European Union's code "
        "for Greece, whose ISO 3166-1 code is GR",
    )


def test_country_list_is_the_iso_list() -> None:
    import pycountry

    from checker.countries import _assigned

    assert _assigned() == {c.alpha_2 for c in pycountry.countries}
    assert len(_assigned()) >= 249


def test_a_valid_file_is_validated_once_and_an_edit_is_validated_again(
    tmp_path: Path, kb: Knowledge, monkeypatch: pytest.MonkeyPatch
) -> None:
    from checker.policy import schema

    monkeypatch.setenv("CLEARANCE_CACHE_DIR", str(tmp_path / "cache"))
    path = tmp_path / "p.yaml"
    path.write_text("version: 1\nsettings:\n  fail-on: warning\n")
    calls: list[str] = []
    real = schema._validate

    def counting(pf):  # type: ignore[no-untyped-def]
        calls.append(pf.name)
        return real(pf)

    monkeypatch.setattr(schema, "_validate", counting)
    load_policy(path, kb)
    load_policy(path, kb)
    assert calls.count(str(path)) == 1
    path.write_text("version: 1\nsettings:\n  fail-on: sometimes\n")  # same size, new bytes
    with pytest.raises(PolicyError, match="fail-on"):
        load_policy(path, kb)
    assert calls.count(str(path)) == 2


@pytest.mark.parametrize(
    "path", sorted((REPO / "tests" / "policies").glob("*/*.yaml")), ids=lambda p: p.name
)
def test_a_cached_parse_reads_exactly_like_a_fresh_one(
    path: Path, kb: Knowledge, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Parsed policies are kept by the digest of their bytes (checker/yaml_cache.py): every
    error position and every origin line must be the same from the cache as from ruamel."""
    monkeypatch.setenv("CLEARANCE_CACHE_DIR", str(tmp_path / "cache"))

    def outcome() -> object:
        try:
            policy = load_policy(path, kb)
        except PolicyError as exc:
            return str(exc)
        return (policy, policy.origins)

    fresh = outcome()
    assert list((tmp_path / "cache").rglob("*.json")) or isinstance(fresh, str)
    assert outcome() == fresh


def test_evidence_of_a_setting_is_made_once_and_keeps_its_type() -> None:
    """Every model cites the same settings: their evidence is one object each, and a value that
    compares equal but is written otherwise (True and 1) is never given the other's."""
    from checker.findings import Evidence
    from checker.policy.origins import MADE_LIMIT, Origin, Origins

    origins = Origins.of({"/use/commercial": Origin("p.yaml", 3)})
    first = origins.evidence("/use/commercial", True, "default")
    assert first == Evidence("p.yaml", "/use/commercial", True, 3)
    assert origins.evidence("/use/commercial", True, "default") is first
    one = origins.evidence("/use/commercial", 1, "default")
    assert one.value == 1 and type(one.value) is int
    assert origins.evidence("/x", ("a", "b"), "p.yaml") == Evidence("p.yaml", "/x", ("a", "b"))
    listed = origins.evidence("/x", ["a"], "p.yaml")  # not hashable: made each time, the same
    assert listed == Evidence("p.yaml", "/x", ["a"]) and listed is not origins.evidence(
        "/x", ["a"], "p.yaml"
    )
    assert origins.evidence("/x", 1.0, "p.yaml").value == 1.0
    for i in range(MADE_LIMIT + 10):  # bounded: a per-model value never grows it without end
        assert origins.evidence("/x", f"v{i}", "p.yaml").value == f"v{i}"
    assert len(origins._made) == MADE_LIMIT
