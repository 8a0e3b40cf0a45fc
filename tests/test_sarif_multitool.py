"""The examples' SARIF through its strictest consumer short of GitHub itself: the Microsoft SARIF
multitool (npm ``@microsoft/sarif-multitool``, a self-contained .NET build: no dotnet needed),
``validate`` with the GitHub rule set (``--rule-kind Gh``: what GitHub Advanced Security code
scanning requires), no error and no warning.

``.ci/run`` installs the tool and sets ``CLEARANCE_SARIF_MULTITOOL`` to it; elsewhere the test
looks for ``sarif-multitool`` on PATH (``npm install -g @microsoft/sarif-multitool``) and skips
when it is absent, except in CI (``CI`` set), where a missing tool fails.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import EXAMPLES

from checker.cli import main
from checker.reporters.sarif import render_sarif
from checker.result import AuditResult


def _tool() -> str:
    tool = os.environ.get("CLEARANCE_SARIF_MULTITOOL") or shutil.which("sarif-multitool")
    if tool and os.access(tool, os.X_OK):
        return tool
    message = (
        "the SARIF multitool is not installed (npm install @microsoft/sarif-multitool, then set "
        "CLEARANCE_SARIF_MULTITOOL to node_modules/@microsoft/sarif-multitool-linux/"
        "Sarif.Multitool, or put sarif-multitool on PATH)"
    )
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def _problems(log: dict[str, Any]) -> dict[str, list[str]]:
    """Errors and warnings by the name of the file they are about (``tool`` for the run)."""
    out: dict[str, list[str]] = {}
    for run in log.get("runs", []):
        for res in run.get("results", []):
            if res.get("level", "warning") not in ("error", "warning"):
                continue
            where = res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            out.setdefault(where.rsplit("/", 1)[-1], []).append(str(res.get("ruleId")))
        for inv in run.get("invocations", []):
            for note in inv.get("toolExecutionNotifications", []):
                if note.get("level", "warning") in ("error", "warning"):
                    out.setdefault("tool", []).append(str(note.get("message", {}).get("text")))
    return out


def test_examples_sarif_passes_the_github_rule_set(
    example_result: AuditResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tool = _tool()
    text = render_sarif(example_result)
    golden = tmp_path / "examples.sarif"
    golden.write_text(text, encoding="utf-8")
    # as the command line writes it, run from examples/: paths against the repository root
    rooted = tmp_path / "rooted.sarif"
    monkeypatch.chdir(EXAMPLES)
    done = CliRunner().invoke(
        main, ["check", "models.yaml", "-p", "policies/acme.yaml", "-q", "-o", str(rooted)]
    )
    assert done.exit_code == 1, done.output
    # the control: a rule without its descriptions, which GitHub refuses (GH2012)
    doc = json.loads(text)
    del doc["runs"][0]["tool"]["driver"]["rules"][0]["shortDescription"]
    broken = tmp_path / "broken.sarif"
    broken.write_text(json.dumps(doc), encoding="utf-8")
    out = tmp_path / "validation.sarif"
    args = [tool, "validate", str(golden), str(rooted), str(broken), "--rule-kind", "Gh"]
    args += ["--output", str(out), "--log", "ForceOverwrite"]
    run = subprocess.run(args, capture_output=True, text=True, timeout=300, check=False)
    log = json.loads(out.read_text(encoding="utf-8-sig"))
    assert _problems(log) == {"broken.sarif": ["GH2012"]}, run.stdout
