"""The engine: waivers (never delete, expire, unused), verdicts, custom rules and conditions."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import FIXED_NOW

from checker.api import audit_facts, gather
from checker.checks.custom import interpolate
from checker.findings import Severity, Verdict
from checker.knowledge import Knowledge
from checker.policy import load_policy
from checker.policy.conditions import Combine, Leaf, holds
from checker.sources.targets import Target

POLICY = """version: 1
name: engine
use: {commercial: true, monthly-active-users: 10, based-in: [US], territories: [US],
      distribution: hosted, purposes: [], train-other-models: false}
licenses: {allow-categories: [permissive]}
provenance: {deny-jurisdictions: [us-foreign-adversaries]}
"""


def run(
    kb: Knowledge,
    write_policy: Callable[..., Path],
    folders: list[tuple[Path, str]],
    extra: str = "",
    now: dt.datetime = FIXED_NOW,
):  # type: ignore[no-untyped-def]
    policy = load_policy(write_policy(POLICY + extra), kb)
    facts = gather([Target("local", str(p), p.name, i) for p, i in folders], kb)
    return audit_facts(facts, policy, kb, now)


def test_waiver_marks_but_keeps_the_finding(kb, make_model, write_policy) -> None:  # type: ignore[no-untyped-def]
    folder = make_model("license: apache-2.0")
    extra = (
        "waivers:\n- {id: W-1, rule: provenance/denied-jurisdiction, model: 'Qwen/*', "
        "reason: ok, approved-by: legal, expires: 2027-01-01}\n"
    )
    result = run(kb, write_policy, [(folder, "Qwen/Qwen2.5-7B")], extra)
    model = result.models[0]
    (finding,) = [f for f in model.findings if f.rule == "provenance/denied-jurisdiction"]
    assert finding.waived_by == "W-1"
    assert model.verdict is Verdict.PASS
    assert result.findings == () and result.exit_code == 0


def test_expired_waiver_does_not_apply_and_is_reported(kb, make_model, write_policy) -> None:  # type: ignore[no-untyped-def]
    folder = make_model("license: apache-2.0")
    extra = (
        "waivers:\n- {id: W-1, rule: provenance/denied-jurisdiction, model: 'qwen/*', "
        "reason: ok, approved-by: legal, expires: 2026-11-28}\n"
    )
    result = run(kb, write_policy, [(folder, "Qwen/Qwen2.5-7B")], extra)
    assert result.models[0].verdict is Verdict.FAIL
    assert [f.rule for f in result.findings] == ["waiver/expired"]
    assert result.findings[0].severity is Severity.ERROR
    assert result.findings[0].evidence[0].line is not None
    assert result.exit_code == 1


def test_waiver_valid_on_its_expiry_day(kb, make_model, write_policy) -> None:  # type: ignore[no-untyped-def]
    folder = make_model("license: apache-2.0")
    extra = (
        "waivers:\n- {id: W-1, rule: provenance/denied-jurisdiction, model: 'Qwen/*', "
        "reason: ok, approved-by: legal, expires: 2026-11-29}\n"
    )
    result = run(kb, write_policy, [(folder, "Qwen/Qwen2.5-7B")], extra)
    assert result.models[0].verdict is Verdict.PASS


def test_unused_waiver_is_a_warning(kb, make_model, write_policy) -> None:  # type: ignore[no-untyped-def]
    folder = make_model("license: apache-2.0")
    extra = (
        "waivers:\n- {id: W-9, rule: license/unknown, model: 'nobody/*', reason: r, "
        "approved-by: x}\n"
    )
    result = run(kb, write_policy, [(folder, "google/m")], extra)
    assert [(f.rule, f.severity) for f in result.findings] == [("waiver/unused", Severity.WARNING)]
    assert result.exit_code == 0


def test_custom_rule_fires_with_interpolated_message(kb, make_model, write_policy) -> None:  # type: ignore[no-untyped-def]
    folder = make_model("license: apache-2.0\nbase_model:\n- google/a\n- google/b")
    extra = (
        "rules:\n- id: acme/no-merges\n  severity: warning\n  message: '${model.id} merges "
        "${lineage.id}'\n  when: {field: lineage.relation, contains: merge}\n"
    )
    extra += "settings: {unknown: note}\n"  # the parents' licences are not known here
    result = run(kb, write_policy, [(folder, "google/merged")], extra)
    (finding,) = [f for f in result.models[0].findings if f.rule == "acme/no-merges"]
    assert finding.message == "google/merged merges google/a, google/b"
    assert result.models[0].verdict is Verdict.WARN


def test_custom_rule_on_missing_field_reports_unknown(kb, make_model, write_policy) -> None:  # type: ignore[no-untyped-def]
    folder = make_model("license: apache-2.0")
    extra = (
        "rules:\n- id: acme/params\n  severity: warning\n  message: big\n"
        "  when: {field: weights.parameters, gte: 1000}\n"
    )
    result = run(kb, write_policy, [(folder, "google/m")], extra)
    (finding,) = [f for f in result.models[0].findings if f.rule == "acme/params"]
    assert finding.severity is Severity.ERROR  # the policy's unknown level
    assert "could not evaluate" in finding.message


def test_interpolation_does_not_evaluate_anything() -> None:
    tree = {"model": {"id": "{0.__class__}"}}
    assert interpolate("${model.id} ${model.__class__} {0} ${}", tree) == (
        "{0.__class__} unknown {0} unknown"
    )


CATS = {"Apache-2.0": {"permissive"}, "CC-BY-NC-4.0": {"non-commercial"}}


@pytest.mark.parametrize(
    ("cond", "expected"),
    [
        (Leaf("model.id", "equals", "a/b"), True),
        (Leaf("model.id", "matches", "a/.*"), None),  # pattern compiled below
        (Leaf("model.tags", "contains", "x"), True),
        (Leaf("model.tags", "intersects", ["y", "z"]), False),
        (Leaf("model.tags", "in", ["x"]), True),  # over a list: any item
        (Leaf("model.tags", "equals", "x"), True),
        (Leaf("lineage.country", "intersects", ["CN"]), None),  # one country unknown
        (Leaf("lineage.country", "intersects", ["US"]), True),
        (Leaf("lineage.country", "equals", "CN"), None),
        (Leaf("weights.availability", "in", ["open", "gated-auto"]), True),
        (Leaf("lineage.depth", "gte", 2), True),
        (Leaf("lineage.depth", "lte", 1), True),
        (Leaf("model.created_at", "lte", "2024-06-01"), True),
        (Leaf("license.ids", "has_category", ["permissive"]), True),
        (Leaf("model.url", "exists", True), False),
        (Leaf("model.url", "equals", "x"), None),
        (Leaf("card.metadata.quantized_by", "exists", True), True),
        (Combine("not", (Leaf("model.url", "equals", "x"),)), None),
        (
            Combine("any", (Leaf("model.url", "equals", "x"), Leaf("model.id", "equals", "a/b"))),
            True,
        ),
        (
            Combine("all", (Leaf("model.url", "equals", "x"), Leaf("model.id", "equals", "q"))),
            False,
        ),
        (
            Combine("all", (Leaf("model.url", "equals", "x"), Leaf("model.id", "equals", "a/b"))),
            None,
        ),
    ],
)
def test_condition_semantics(cond: Leaf | Combine, expected: bool | None) -> None:
    from checker.policy.conditions import compile_pattern

    if isinstance(cond, Leaf) and cond.op == "matches":
        cond = dataclasses.replace(cond, pattern=compile_pattern(cond.value))
        expected = True
    tree = {
        "model": {"id": "a/b", "tags": ["x"], "url": None, "created_at": "2024-01-02"},
        "lineage": [{"depth": 1, "country": "US"}, {"depth": 2, "country": None}],
        "license": {"ids": ["Apache-2.0"]},
        "weights": {"availability": "open"},
        "card": {"metadata": {"quantized_by": "someone"}},
    }
    assert holds(cond, tree, lambda i: CATS.get(i, set())) is expected


def test_matches_is_anchored() -> None:
    from checker.policy.conditions import compile_pattern

    leaf = Leaf("model.id", "matches", "b", compile_pattern("b"))
    assert holds(leaf, {"model": {"id": "a/b"}}, lambda i: set()) is False


def test_unreadable_model_gets_error_verdict_and_exit_2(kb, write_policy, tmp_path) -> None:  # type: ignore[no-untyped-def]
    result = run(kb, write_policy, [(tmp_path / "missing", "google/x")])
    assert result.models[0].verdict is Verdict.ERROR
    assert result.models[0].findings[0].rule == "input/unreadable"
    assert result.exit_code == 2


def test_fail_on_warning(kb, make_model, write_policy) -> None:  # type: ignore[no-untyped-def]
    folder = make_model("license: apache-2.0", files={"config.json": b'{"auto_map": {"A": "m.M"}}'})
    result = run(
        kb, write_policy, [(folder, "google/m")], "settings: {fail-on: warning, unknown: warning}\n"
    )
    assert result.models[0].verdict is Verdict.FAIL
    assert result.exit_code == 1


def test_findings_are_sorted_and_deterministic(kb, make_model, write_policy) -> None:  # type: ignore[no-untyped-def]
    folder = make_model(None, files={"pytorch_model.bin": b"\x80\x02}q\x00."})
    first = run(kb, write_policy, [(folder, "some-org/m")])
    second = run(kb, write_policy, [(folder, "some-org/m")])
    assert first == second
    keys = [f.sort_key() for f in first.models[0].findings]
    assert keys == sorted(keys)


def test_distribution_forbidden_by_the_licence(kb, make_model, write_policy) -> None:  # type: ignore[no-untyped-def]
    from checker.knowledge import Term

    folder = make_model("license: apache-2.0")
    policy = load_policy(write_policy(POLICY.replace("hosted", "redistributed")), kb)
    (facts,) = gather([Target("local", str(folder), "m", "google/m")], kb)
    entry = facts.license.entries[0]
    closed = dataclasses.replace(
        entry, terms=dataclasses.replace(entry.terms, redistribution=Term("forbidden", "§9"))
    )
    facts = dataclasses.replace(
        facts, license=dataclasses.replace(facts.license, entries=(closed,)), binding=None
    )
    result = audit_facts([facts], policy, kb, FIXED_NOW)
    (found,) = [f for f in result.models[0].findings if f.rule == "use/distribution"]
    assert found.severity is Severity.ERROR and "forbids redistributing" in found.message


def test_remote_code_unknown_when_the_file_list_is_incomplete(kb, make_model, write_policy) -> None:  # type: ignore[no-untyped-def]
    folder = make_model("license: apache-2.0")
    policy = load_policy(write_policy(POLICY + "settings: {unknown: note}\n"), kb)
    (facts,) = gather([Target("local", str(folder), "m", "google/m")], kb)
    facts = dataclasses.replace(facts, weights=dataclasses.replace(facts.weights, remote_code=None))
    result = audit_facts([facts], policy, kb, FIXED_NOW)
    (found,) = [f for f in result.models[0].findings if f.rule == "weights/remote-code"]
    assert found.severity is Severity.NOTE and "not known" in found.message


def test_unsafe_format_beside_a_safe_copy_is_a_note(kb, make_model, write_policy) -> None:  # type: ignore[no-untyped-def]
    from conftest import safetensors_bytes

    files = {"model.safetensors": safetensors_bytes(), "pytorch_model.bin": b"\x80\x02}q\x00."}
    folder = make_model("license: apache-2.0", files=files)
    result = run(kb, write_policy, [(folder, "google/m")], "weights: {deny-formats: [pickle]}\n")
    (found,) = [f for f in result.models[0].findings if f.rule == "weights/unsafe-format"]
    assert found.severity is Severity.NOTE and "sit beside safetensors" in found.message


def test_a_rule_reads_only_the_sections_it_names(kb, make_model, write_policy) -> None:  # type: ignore[no-untyped-def]
    """Custom rules project only the sections their fields and messages read; the part they read
    is the whole projection's, and a path outside every section projects everything."""
    from checker.facts.projection import SECTIONS, project
    from checker.policy.fields import facts_tree, sections_read

    assert sections_read(["license.declared", "use.commercial"]) == {"license"}
    assert sections_read(["card.metadata.x", "model.pipeline-tag"]) == {"card", "model"}
    assert sections_read(["lineage", " weights.formats "]) == {"lineage", "weights"}
    assert sections_read(["license.ids", "nowhere.x"]) is None
    assert sections_read([]) == frozenset()
    folder = make_model("license: mit\nbase_model: google/a\nlanguage: [en]")
    (facts,) = gather([Target("local", str(folder), "acme/m", 0)], kb)
    policy = load_policy(write_policy(POLICY), kb)
    whole = project(facts)
    assert list(whole) == list(SECTIONS)
    for names in ({"license"}, {"card", "lineage"}, set(SECTIONS)):
        assert project(facts, names) == {k: v for k, v in whole.items() if k in names}
    tree = facts_tree(facts, policy.use, {"card"})
    assert set(tree) == {"card", "use"} and tree["card"]["metadata"]["language"] == ["en"]
    assert set(facts_tree(facts, policy.use, {"license"})) == {"license", "use"}
    extra = (
        "rules:\n- id: acme/english\n  severity: warning\n  message: '${card.metadata.language} "
        "under ${license.ids} from ${lineage.id}'\n  when: {field: card.metadata.language, "
        "contains: en}\n"
    )
    result = run(kb, write_policy, [(folder, "acme/m")], extra + "settings: {unknown: note}\n")
    (finding,) = [f for f in result.models[0].findings if f.rule == "acme/english"]
    assert finding.message == "en under MIT from google/a"
