"""The terminal report: readable at 80 columns (ids broken only at ``/``, ``-``, ``_``, ``.``),
safe on hostile text (control characters shown escaped), no styles with NO_COLOR or
--no-color; and ``None`` in no person-facing output."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from conftest import REPO
from hostile_reports import edge_results, hostile_result
from hypothesis import given
from hypothesis import strategies as st

from checker.reporters import REPORTERS
from checker.reporters._people import wrap_id, wrap_text
from checker.reporters.terminal import render_terminal
from checker.result import AuditResult

SEPARATORS = "/-_."


@given(st.text(alphabet="ab/-_.", min_size=0, max_size=60), st.integers(1, 30))
def test_wrap_id_breaks_only_after_separators(text: str, width: int) -> None:
    lines = wrap_id(text, width)
    assert "".join(lines) == text
    for line in lines:
        assert len(line) <= width
    for line in lines[:-1]:
        # a line ends at a separator, or is a piece with no separator that had to be cut
        assert line[-1] in SEPARATORS or len(line) == width


@given(st.text(alphabet="ab -/", min_size=0, max_size=80), st.integers(5, 30))
def test_wrap_text_keeps_every_word(text: str, width: int) -> None:
    lines = wrap_text(text, width)
    assert all(len(line) <= width for line in lines)
    assert "".join("".join(lines).split()) == "".join(text.split())


@pytest.mark.parametrize("width", [60, 80, 99, 100, 120])
def test_lines_fit_and_ids_stay_whole(example_result: AuditResult, width: int) -> None:
    text = render_terminal(example_result, width=width)
    assert max(len(line) for line in text.splitlines()) <= width
    flat = "\n".join(line.strip(" │┃") for line in text.splitlines())
    for m in example_result.models:
        for token in re.split(r"[/\-_.]", m.facts.model.id):
            assert re.search(rf"(?<![A-Za-z0-9]){re.escape(token)}(?![A-Za-z0-9])", flat), (
                token,
                width,
            )
    assert text.startswith("6 of 10 models not approved under acme-production\n")
    assert "Llama 3.1 Community License Agreement" in text
    stacked = width < 100
    assert ("┃ Model" in text) is not stacked


def test_reason_per_model_in_both_layouts(example_result: AuditResult) -> None:
    wide = render_terminal(example_result, width=140)
    assert "license/not-allowed: licence CC-BY-NC-4.0 is not allowed by the policy" in wide
    narrow = render_terminal(example_result, width=80)
    assert "  developer Cohere Inc." in narrow


@pytest.mark.parametrize("width", [80, 120])
def test_hostile_text_cannot_drive_the_terminal(example_result: AuditResult, width: int) -> None:
    hostile = hostile_result(example_result)
    plain = render_terminal(hostile, width=width)
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", plain)
    assert "\\x1b[31mred" in plain and "\\u202eevil" in plain
    assert max(len(line) for line in plain.splitlines()) <= width
    styled = render_terminal(hostile, color=True, width=width)
    assert "\x1b[31mred" not in styled and "\x07" not in styled and "\u202e" not in styled
    assert "[/]" not in plain  # card text is never read as rich markup


def _no_none(text: str, where: str) -> None:
    found = re.search(r"\bNone\b", text)
    assert found is None, f"{where}: ...{text[max(0, found.start() - 120) : found.end()]}"


@pytest.mark.parametrize("fmt", list(REPORTERS))
def test_no_output_says_none(example_result: AuditResult, fmt: str) -> None:
    cases = {"examples": example_result, **edge_results(example_result)}
    cases["hostile"] = hostile_result(example_result)
    for name, result in cases.items():
        _no_none(REPORTERS[fmt](result), f"{fmt}/{name}")
        if fmt == "terminal":
            for width in (80, 120):
                _no_none(render_terminal(result, width=width), f"terminal {width}/{name}")


def test_licence_sheets_say_no_none_and_wrap() -> None:
    from checker.knowledge import load_knowledge
    from checker.knowledge_view import license_sheet, license_table

    _no_none(license_table(), "licenses")
    for entry in load_knowledge().licenses:
        sheet = license_sheet(entry.key, width=80)
        _no_none(sheet, entry.key)
        assert max(len(line) for line in sheet.splitlines()) <= 80, entry.key


def _run_in_a_pty(args: list[str], env: dict[str, str]) -> str:
    """Run the CLI with stdout on a pseudo-terminal (so it is a TTY) and return what it wrote."""
    import pty

    leader, follower = pty.openpty()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "checker", *args],
            cwd=REPO,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=follower,
            stderr=subprocess.PIPE,
            timeout=60,
            check=False,
        )
        os.close(follower)
        follower = -1
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO once the writer is gone and everything was read
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        if follower != -1:
            os.close(follower)
        os.close(leader)
    assert proc.returncode == 1, proc.stderr
    return b"".join(chunks).decode("utf-8", "replace")


@pytest.mark.parametrize("how", ["styled", "NO_COLOR", "--no-color"])
def test_no_color_removes_every_style(how: str) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    env["COLUMNS"] = "120"
    args = ["check", "examples/models.yaml", "-p", "examples/policies/acme.yaml", "-q"]
    if how == "NO_COLOR":
        env["NO_COLOR"] = "1"
    elif how == "--no-color":
        args.append("--no-color")
    out = _run_in_a_pty(args, env)
    assert "6 of 10 models not approved" in out
    if how == "styled":
        assert "\x1b[" in out  # the pty is a terminal, so styles are on by default
    else:
        assert "\x1b" not in out


def test_shell_completion_script() -> None:
    from click.testing import CliRunner

    from checker.cli import main

    for shell in ("bash", "zsh", "fish"):
        result = CliRunner().invoke(
            main, [], prog_name="clearance", env={"_CLEARANCE_COMPLETE": f"{shell}_source"}
        )
        assert result.exit_code == 0 and "_CLEARANCE_COMPLETE" in result.output, shell
