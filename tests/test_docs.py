"""The README stays honest: rule ids, commands, exit codes, and the policy example are real."""

from __future__ import annotations

import os
import re

from conftest import EXAMPLES, REPO

from checker.checks import RULES
from checker.cli import main
from checker.reporters import REPORTERS

README = (REPO / "README.md").read_text()
RULE_TABLE_HEAD = "| rule | fires when |\n|---|---|\n"


def rule_table() -> str:
    """The README's rule table, generated from the registry (in registry order)."""
    rows = "".join(f"| `{rule.id}` | {rule.fires_when} |\n" for rule in RULES.values())
    return RULE_TABLE_HEAD + rows


def test_readme_rule_table_is_generated_from_the_registry() -> None:
    section = README.split("\n## Rule ids\n", 1)[1].split("\n## ", 1)[0]
    start = section.index(RULE_TABLE_HEAD)
    end = section.index("\n\n", start) + 1
    written = section[start:end]
    if os.environ.get("CLEARANCE_UPDATE_GOLDEN") and written != rule_table():
        (REPO / "README.md").write_text(
            README.replace(section, section.replace(written, rule_table()))
        )
        return
    assert written == rule_table(), (
        "regenerate: CLEARANCE_UPDATE_GOLDEN=1 pytest tests/test_docs.py"
    )


def test_every_rule_id_is_documented() -> None:
    documented = set(re.findall(r"^\| `([a-z]+/[a-z-]+)` \|", README, re.MULTILINE))
    assert documented == set(RULES)


def test_every_rule_has_help() -> None:
    for info in RULES.values():
        assert info.summary and info.help


def test_every_command_and_format_is_documented() -> None:
    for name, command in main.commands.items():
        assert f"clearance {name}" in README, name
        assert command.help
    for fmt in REPORTERS:
        assert f"`{fmt}`" in README, fmt


def test_exit_codes_are_documented() -> None:
    for code in ("| 0 |", "| 1 |", "| 2 |", "| 3 |"):
        assert code in README


def test_readme_policy_is_the_example_file() -> None:
    block = README.split("This is `examples/policies/acme.yaml`", 1)[1].split("```yaml", 1)[1]
    block = block.split("```", 1)[0]
    from checker import yamlio  # the policy loader's own reader

    example = (EXAMPLES / "policies" / "acme.yaml").read_text()
    assert yamlio.to_plain(yamlio.load(block)) == yamlio.to_plain(yamlio.load(example))


def test_quick_start_is_two_commands() -> None:
    section = README.split("## Quick start", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    lines = [line for line in section.strip().splitlines() if line.strip()]
    assert len(lines) == 2
    assert "clearance check examples/models.yaml" in lines[0]
    assert "pytest" in lines[1]
