"""The GitHub Action's script (``action.yml`` runs ``python -m checker.action``).

It reads the action's inputs from the environment (``CLEARANCE_*``, set by ``action.yml`` through
``env:``, never interpolated into the script), runs ``clearance check`` once writing the terminal
report to the log and JSON, Markdown and (when asked) SARIF files, then writes the step outputs,
the job summary and the pull-request comment, and exits with the audit's exit code.

The audit itself is the command line's (one process, the same exit codes); this module only
builds its arguments and publishes what it wrote. Talking to GitHub is in ``checker.github``.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from checker import github

COMMENT_MODES = ("always", "on-failure", "never")
FAIL_ON = ("", "error", "warning", "note")
NO_BASELINE = "none"
EXIT_USAGE = 2


class InputProblem(Exception):
    """An action input that cannot be used (the run stops with exit 2 before any audit)."""


@dataclass(frozen=True, slots=True)
class Inputs:
    """The action's inputs, validated."""

    targets: tuple[str, ...]
    policy: str
    fail_on: str
    baseline_ref: str  # "" = the pull request's base branch (if any); "none" = no baseline
    sarif: str
    summary: bool
    comment: str
    hash_weights: bool = False

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Inputs:
        """Inputs from ``CLEARANCE_*`` variables; a bad value raises ``InputProblem``."""

        def get(name: str, default: str = "") -> str:
            return env.get(f"CLEARANCE_{name}", default).strip()

        try:
            targets = tuple(shlex.split(get("TARGETS", "models.yaml")))
        except ValueError as exc:
            raise InputProblem(f"input targets: {exc}") from exc
        if not targets:
            raise InputProblem("input targets: name at least one manifest, folder or model id")
        fail_on = get("FAIL_ON").lower()
        if fail_on not in FAIL_ON:
            raise InputProblem(f"input fail-on: {fail_on!r} is not one of error, warning, note")
        comment = get("COMMENT", "never").lower()
        if comment not in COMMENT_MODES:
            raise InputProblem(
                f"input comment-summary-in-pr: {comment!r} is not one of always, on-failure, never"
            )
        summary = get("SUMMARY", "true").lower()
        if summary not in ("true", "false"):
            raise InputProblem(f"input summary: {summary!r} is not true or false")
        hash_weights = get("HASH_WEIGHTS", "false").lower()
        if hash_weights not in ("true", "false"):
            raise InputProblem(f"input hash-weights: {hash_weights!r} is not true or false")
        return cls(
            targets=targets,
            policy=get("POLICY"),
            fail_on=fail_on,
            baseline_ref=get("BASELINE_REF"),
            sarif=get("SARIF"),
            summary=summary == "true",
            comment=comment,
            hash_weights=hash_weights == "true",
        )


@dataclass(frozen=True, slots=True)
class Files:
    """Where the run writes its reports."""

    json: Path
    markdown: Path
    sarif: Path | None


def command(inputs: Inputs, files: Files, baseline_ref: str | None) -> list[str]:
    """The ``clearance check`` command line for these inputs."""
    argv = [sys.executable, "-m", "checker", "check", *inputs.targets]
    if inputs.policy:
        argv += ["--policy", inputs.policy]
    if inputs.fail_on:
        argv += ["--fail-on", inputs.fail_on]
    if baseline_ref:
        argv += ["--baseline-ref", baseline_ref]
    if inputs.hash_weights:
        argv.append("--hash-weights")
    pairs = [("terminal", "-"), ("json", str(files.json)), ("markdown", str(files.markdown))]
    if files.sarif is not None:
        pairs.append(("sarif", str(files.sarif)))
    for fmt, out in pairs:
        argv += ["--format", fmt, "--output", out]
    return argv


def baseline(inputs: Inputs, env: Mapping[str, str]) -> str | None:
    """The git ref to compare with: the input, else the pull request's base branch (fetched
    when the checkout is shallow). An input ref that does not resolve is an ``InputProblem``;
    a base branch that cannot be fetched means no baseline (every finding counts), said."""
    if inputs.baseline_ref.lower() == NO_BASELINE:
        return None
    if inputs.baseline_ref:
        if not _resolves(inputs.baseline_ref):
            raise InputProblem(
                f"input baseline-ref: {inputs.baseline_ref!r} is not a commit in this checkout "
                "(use actions/checkout with fetch-depth: 0, or baseline-ref: none)"
            )
        return inputs.baseline_ref
    base = env.get("GITHUB_BASE_REF", "")
    if not base:
        return None  # not a pull request: nothing to compare with
    ref = f"origin/{base}"
    if not _resolves(ref):
        subprocess.run(
            ["git", "fetch", "--no-tags", "--depth=1", "origin", f"+{base}:refs/remotes/{ref}"],
            check=False,
            stdout=subprocess.DEVNULL,
        )
    if _resolves(ref):
        return ref
    github.warning(f"cannot fetch the base branch {base!r}: every finding counts as new")
    return None


def _resolves(ref: str) -> bool:
    probe = ["git", "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"]
    return subprocess.run(probe, check=False, stdout=subprocess.DEVNULL).returncode == 0


def failed_models(report: Path) -> list[str]:
    """The ids of the models whose verdict is fail or error, from the JSON report."""
    try:
        data = json.loads(report.read_text(encoding="utf-8"))
        models = data["models"]
        return [m["id"] for m in models if m.get("verdict") in ("fail", "error")]
    except (OSError, ValueError, KeyError, TypeError):
        return []


def publish(inputs: Inputs, files: Files, exit_code: int, env: Mapping[str, str]) -> None:
    """Step outputs, the job summary and the pull-request comment for a finished audit."""
    report_written = files.json.is_file()
    failed = failed_models(files.json) if report_written else []
    github.set_outputs(
        env,
        {
            "exit-code": str(exit_code),
            "failed-models": ",".join(failed),
            "report-json": str(files.json) if report_written else "",
        },
    )
    markdown = files.markdown.read_text(encoding="utf-8") if files.markdown.is_file() else ""
    if not markdown:
        markdown = f"Clearance could not audit the models (exit code {exit_code}); see the log.\n"
    if inputs.summary:
        github.append_summary(env, markdown)
    if inputs.comment == "never":
        return
    create = inputs.comment == "always" or exit_code != 0
    github.comment_on_pull_request(env, markdown, create=create)


def run(env: Mapping[str, str]) -> int:
    """The whole action; returns the exit code the step ends with."""
    try:
        inputs = Inputs.from_env(env)
        ref = baseline(inputs, env)
    except InputProblem as exc:
        github.error(str(exc))
        github.set_outputs(env, {"exit-code": str(EXIT_USAGE), "failed-models": ""})
        return EXIT_USAGE
    out = Path(env.get("RUNNER_TEMP") or ".") / "clearance"
    out.mkdir(parents=True, exist_ok=True)
    files = Files(
        json=out / "clearance-report.json",
        markdown=out / "clearance-report.md",
        sarif=Path(inputs.sarif) if inputs.sarif else None,
    )
    for stale in (files.json, files.markdown):
        stale.unlink(missing_ok=True)
    exit_code = subprocess.run(command(inputs, files, ref), check=False).returncode
    publish(inputs, files, exit_code, env)
    return exit_code


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of ``python -m checker.action``."""
    del argv
    sys.exit(run(os.environ))


if __name__ == "__main__":
    main()
