"""The rule registry: ids unique and written once, each rule in its check's slice, and policy
defaults in one place (the sections' dataclass fields)."""

from __future__ import annotations

import ast
import dataclasses
import importlib
import json
import pkgutil
import re
from pathlib import Path

from conftest import REPO

import checker.checks
from checker.checks import CHECKS, RULES, Rule
from checker.checks.waivers import EXPIRED
from checker.policy import load_policy
from checker.policy.model import CustomRule, Policy, Waiver
from checker.resources import rules_file

CHECKER = REPO / "checker"
# Modules allowed to write rule ids while they move to the constants (none: the facts layer
# names reading problems by ProblemKind, and checks/card.py maps each kind to its rule).
PENDING: set[Path] = set()
# What a built-in rule id looks like (custom rules carry the policy's own namespaces).
BUILTIN_ID = re.compile(r"^(license|use|provenance|weights|card|input|waiver|drift)/[a-z][a-z-]*$")


def _pending(path: Path) -> bool:
    rel = path.relative_to(REPO)
    return any(rel == p or p in rel.parents for p in PENDING)


def _id_literals(path: Path) -> list[str]:
    """Every string constant in the module that is, in its entirety, a built-in-looking id."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and BUILTIN_ID.match(node.value)
    ]


def test_pending_modules_exist() -> None:
    for path in PENDING:
        assert (REPO / path).exists(), f"{path} is gone: drop it from PENDING"


def test_every_builtin_rule_id_is_written_once_in_checker() -> None:
    where: dict[str, list[str]] = {}
    for path in sorted(CHECKER.rglob("*.py")):
        if _pending(path):
            continue
        for literal in _id_literals(path):
            where.setdefault(literal, []).append(str(path.relative_to(REPO)))
    unregistered = sorted(set(where) - set(RULES))
    assert not unregistered, (
        f"ids written but not registered in checker.checks.RULES: {unregistered}"
    )
    for rule in RULES:
        assert len(where.get(rule, [])) == 1, f"{rule} is written in {where.get(rule, [])}"
        (module,) = where[rule]
        assert module.startswith("checker/checks/"), f"{rule} is defined outside the checks"


def test_rule_ids_are_unique_and_every_rule_constant_is_registered() -> None:
    constants: set[Rule] = set()
    listed: list[Rule] = []
    for info in pkgutil.iter_modules(checker.checks.__path__):
        module = importlib.import_module(f"checker.checks.{info.name}")
        constants |= {v for v in vars(module).values() if isinstance(v, Rule)}
        rules = getattr(module, "RULES", ())
        if isinstance(rules, tuple):
            listed += rules
    ids = [r.id for r in listed]
    assert len(ids) == len(set(ids)), "a rule is listed twice, or two rules share an id"
    assert set(ids) == set(RULES), "every module's RULES is in the registry"
    assert {r.id for r in constants} == set(RULES), "every Rule constant is in its module's RULES"
    assert all(RULES[r.id] is r for r in constants)


def test_every_rule_is_documented_and_grouped() -> None:
    for rule in RULES.values():
        assert rule.summary and rule.help and rule.fires_when, rule.id
        assert "\n" not in rule.summary, f"{rule.id}: the summary is one line"
        assert rule.group in CHECKS or rule.group == EXPIRED.group, rule.id


# --- policy defaults ------------------------------------------------------------------------


def _sections() -> dict[str, type]:
    """The mapping sections of a Policy: YAML key -> section class."""
    out = {}
    for f in dataclasses.fields(Policy):
        factory = f.default_factory
        if factory is not dataclasses.MISSING and hasattr(factory, "READ"):
            out[f.name] = factory
    return out


def test_every_schema_key_of_a_section_is_read() -> None:
    schema = json.loads(rules_file("schema", "policy.schema.json").read_text())
    sections = _sections()
    assert set(sections) == {
        "use", "settings", "licenses", "provenance", "weights", "card", "drift"
    }  # fmt: skip
    for key, cls in sections.items():
        assert set(cls.READ) == set(schema["properties"][key]["properties"]), key
    for key, item in (("rules", CustomRule), ("waivers", Waiver)):
        assert set(item.READ) == set(schema["properties"][key]["items"]["properties"]), key


def test_the_schema_states_no_defaults() -> None:
    text = rules_file("schema", "policy.schema.json").read_text()
    assert '"default"' not in text, "defaults live in the section dataclasses only"


def test_an_empty_policy_has_the_section_defaults(kb, write_policy) -> None:  # type: ignore[no-untyped-def]
    policy = load_policy(write_policy("version: 1\n"), kb)
    for key, cls in _sections().items():
        assert getattr(policy, key) == cls(), key


def test_baseline_writes_only_what_differs_from_the_defaults(kb) -> None:  # type: ignore[no-untyped-def]
    from checker import yamlio

    plain = yamlio.to_plain(yamlio.load(rules_file("policies", "baseline.yaml").read_text()))
    for key, cls in _sections().items():
        for name, value in plain.get(key, {}).items():
            read = cls.from_mapping({name: value})
            field = name.replace("-", "_")
            assert getattr(read, field) != getattr(cls(), field), (
                f"baseline.yaml restates the default of {key}.{name}: leave it out"
            )
    baseline = load_policy("builtin:baseline", kb)
    assert baseline.weights.unsafe_format == policy_default("weights", "unsafe_format")


def policy_default(section: str, field: str) -> object:
    return getattr(_sections()[section](), field)
