"""Per-rule fixtures (checkov / semgrep style): tests/cases/<rule>/{pass,fail,unknown}/<case>/.

- pass/: the rule must not fire.
- fail/: the rule fires at warning or error.
- unknown/: the rule fires only at the policy's unknown level (``note`` in cases/policy.yaml).

Every built-in rule has all three folders. A folder whose kind cannot happen for the rule (a rule
reported only at the unknown level never "fails" on its own) holds ``NOT-APPLICABLE.md`` saying
why, and where the path is tested instead, rather than cases.

Each case folder holds ``case.yaml``: the model ``id`` it stands for, ``use`` overrides, and
optionally ``path`` (the model folder, relative to the case; default the case folder itself) and
``with`` (more folders audited alongside, ``[{path, id}]``: a base model for lineage cases), and
for the drift rules ``lock-from`` (the folder, relative to the case, whose audit makes the lock
the model is checked against as with ``--locked``; null: a lock without the model). A
``policy.yaml`` in the case folder replaces cases/policy.yaml (it extends it), and its
``developers:`` and ``clarify:`` apply to the facts as in an audit; findings about the policy
itself (waivers) count as the case's findings too.
"""

from __future__ import annotations

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
KINDS = ("pass", "fail", "unknown")
NOT_APPLICABLE = "NOT-APPLICABLE.md"
ALL = sorted(p for p in CASES.glob("*/*/*") if (p / "case.yaml").is_file())


def _case_id(path: Path) -> str:
    return "/".join(path.relative_to(CASES).parts).replace("__", "/", 1)


def _folder(rule: str) -> Path:
    return CASES / rule.replace("/", "__", 1)


@pytest.mark.parametrize("case", ALL, ids=[_case_id(p) for p in ALL])
def test_rule_case(case: Path, kb: Knowledge) -> None:
    rule = case.parent.parent.name.replace("__", "/", 1)
    kind = case.parent.name
    meta = YAML(typ="safe").load((case / "case.yaml").read_text())
    own = case / "policy.yaml"
    policy = load_policy(own if own.is_file() else CASES / "policy.yaml", kb)
    if meta.get("use"):
        overrides = {k: tuple(v) if isinstance(v, list) else v for k, v in meta["use"].items()}
        policy = policy.with_use(overrides, source=str(case / "case.yaml"))
    targets = [Target("local", str(case / meta.get("path", ".")), case.name, meta["id"])]
    for extra in meta.get("with", []):
        targets.append(Target("local", str(case / extra["path"]), extra["path"], extra["id"]))
    facts = gather(targets, kb, curations=policy.curations)
    if "lock-from" in meta:
        facts = _locked(case, meta, targets[0], facts, policy, kb)
    result = audit_facts(facts, policy, kb, FIXED_NOW)
    model = next(m for m in result.models if m.facts.model.id == meta["id"])
    hits = [f for f in (*model.findings, *result.findings) if f.rule == rule]
    shown = [(f.severity.value, f.message) for f in hits]
    if kind == "pass":
        assert hits == [], shown
    elif kind == "fail":
        assert any(f.severity in (Severity.WARNING, Severity.ERROR) for f in hits), shown
    else:
        assert hits and all(f.severity is Severity.NOTE for f in hits), shown
    for f in hits:
        assert f.help and f.evidence, f"{rule}: every finding carries help and evidence"


def _locked(case: Path, meta: dict, target: Target, facts: list, policy, kb):  # type: ignore[no-untyped-def]
    """The facts with the lock of ``lock-from`` attached, as ``check --locked`` does."""
    from dataclasses import replace

    from checker.findings import Evidence
    from checker.lock.attach import attach_lock
    from checker.lock.document import lock_entries
    from checker.lock.read import Lock, entries_of

    named = Evidence("models.yaml", "/models/0", meta["id"], 1)
    target = replace(target, display="model", named_by=named)
    facts = [replace(facts[0], named_by=named), *facts[1:]]
    entries: tuple = ()
    if meta["lock-from"] is not None:
        before = replace(target, ref=str(case / meta["lock-from"]))
        locked = audit_facts(gather([before], kb), policy, kb, FIXED_NOW)
        entries = entries_of(lock_entries(locked, [before], case / "case.yaml"))
    lock = Lock("models.lock.yaml", "", "", "", "", entries)
    return attach_lock(facts, [target], lock)[0]


@pytest.mark.parametrize("rule", sorted(RULES))
def test_every_rule_has_pass_fail_and_unknown_folders(rule: str) -> None:
    folder = _folder(rule)
    for kind in KINDS:
        where = folder / kind
        cases = sorted(p.name for p in where.glob("*/case.yaml"))
        note = where / NOT_APPLICABLE
        assert cases or note.is_file(), f"{rule}: {where} has no cases and no {NOT_APPLICABLE}"
        assert not (cases and note.is_file()), f"{rule}: {where} has cases and {NOT_APPLICABLE}"
        if note.is_file():
            assert len(note.read_text().split()) >= 8, f"{note}: say why, and where it is tested"
    assert list((folder / "pass").glob("*/case.yaml")), f"{rule} has no pass case"
    fires = [*(folder / "fail").glob("*/case.yaml"), *(folder / "unknown").glob("*/case.yaml")]
    assert fires, f"{rule} never fires in its cases"


def test_every_case_folder_is_a_builtin_rule() -> None:
    folders = {p.name for p in CASES.iterdir() if p.is_dir()}
    assert folders == {_folder(rule).name for rule in RULES}
