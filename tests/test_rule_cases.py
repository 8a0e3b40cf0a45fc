"""Per-rule fixtures (checkov / semgrep style): tests/cases/<rule>/{pass,fail,unknown}/<case>/.

- pass/: the rule must not fire.
- fail/: the rule fires at warning or error.
- unknown/: the rule fires only at the policy's unknown level (``note`` in cases/policy.yaml).
Each case folder is a model; case.yaml gives the model id it stands for and use overrides.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from conftest import FIXED_NOW
from ruamel.yaml import YAML

from checker.api import audit_facts, gather
from checker.checks import RULES
from checker.findings import Severity
from checker.knowledge import Knowledge
from checker.policy import load_policy
from checker.sources.targets import Target

CASES = Path(__file__).parent / "cases"
ALL = sorted(p for p in CASES.glob("*/*/*") if (p / "case.yaml").is_file())


def _case_id(path: Path) -> str:
    return "/".join(path.relative_to(CASES).parts).replace("__", "/", 1)


@pytest.mark.parametrize("case", ALL, ids=[_case_id(p) for p in ALL])
def test_rule_case(case: Path, kb: Knowledge) -> None:
    rule = case.parent.parent.name.replace("__", "/", 1)
    kind = case.parent.name
    meta = YAML(typ="safe").load((case / "case.yaml").read_text())
    policy = load_policy(CASES / "policy.yaml", kb)
    if meta.get("use"):
        policy = dataclasses.replace(
            policy,
            use=dataclasses.replace(
                policy.use,
                **{k: tuple(v) if isinstance(v, list) else v for k, v in meta["use"].items()},
            ),
        )
    facts = gather([Target("local", str(case), case.name, meta["id"])], kb)
    result = audit_facts(facts, policy, kb, FIXED_NOW)
    hits = [f for f in result.models[0].findings if f.rule == rule]
    shown = [(f.severity.value, f.message) for f in hits]
    if kind == "pass":
        assert hits == [], shown
    elif kind == "fail":
        assert any(f.severity in (Severity.WARNING, Severity.ERROR) for f in hits), shown
    else:
        assert hits and all(f.severity is Severity.NOTE for f in hits), shown
    for f in hits:
        assert f.help and f.evidence, f"{rule}: every finding carries help and evidence"


def test_every_builtin_model_rule_has_cases() -> None:
    covered = {p.parent.parent.name.replace("__", "/", 1) for p in ALL}
    kinds = {(p.parent.parent.name.replace("__", "/", 1), p.parent.name) for p in ALL}
    # Rules that concern the policy (waivers) or need a Hub or several sources are tested elsewhere.
    elsewhere = {
        "waiver/expired",
        "waiver/unused",
        "license/lineage-conflict",
    }
    assert set(RULES) - elsewhere <= covered
    for rule in covered:
        assert (rule, "pass") in kinds, f"{rule} has no pass case"
        assert (rule, "fail") in kinds or (rule, "unknown") in kinds, f"{rule} never fires"
