"""``--fail-on`` overrides ``settings.fail-on`` for one run, recorded like the use overrides."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from checker.cli import main

GGUF = "examples/models/meta-llama-3.1-8b-instruct-gguf"  # a warning under acme, no error
ACME = "examples/policies/acme.yaml"


def _run(*args: str) -> tuple[int, dict[str, object]]:
    result = CliRunner().invoke(main, ["check", GGUF, "-p", ACME, "-q", "-f", "json", *args])
    return result.exit_code, json.loads(result.output)


def test_fail_on_warning_fails_a_warning_and_is_recorded() -> None:
    code, report = _run()
    assert code == 0
    strict_code, strict = _run("--fail-on", "warning")
    assert strict_code == 1
    policy, before = strict["policy"], report["policy"]
    assert isinstance(policy, dict) and isinstance(before, dict)
    assert policy["overrides"] == ["settings.fail-on"]
    assert policy["files_sha256"] == before["sha256"] != policy["sha256"]


def test_fail_on_with_use_overrides_covers_both() -> None:
    _, one = _run("--monthly-active-users", "5")
    _, both = _run("--monthly-active-users", "5", "--fail-on", "warning")
    assert isinstance(one["policy"], dict) and isinstance(both["policy"], dict)
    assert both["policy"]["overrides"] == ["settings.fail-on", "use.monthly-active-users"]
    assert one["policy"]["sha256"] != both["policy"]["sha256"]


def test_fail_on_refuses_other_values(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["check", GGUF, "--fail-on", "fatal"])
    assert result.exit_code == 2 and "fatal" in result.output


def test_purpose_help_lists_every_known_purpose() -> None:
    from checker.knowledge import PROHIBITED_USES

    text = " ".join(CliRunner().invoke(main, ["check", "--help"]).output.split())
    text = text.replace("- ", "-")  # click may wrap a line after a hyphen
    assert all(purpose in text for purpose in PROHIBITED_USES)
