"""The command line: parse arguments, call the library, write reports, map to an exit code.

Heavy imports (huggingface_hub, spdx-tools, jinja2, ruamel.yaml, and even tempfile and traceback)
happen inside the commands and branches that need them, so ``clearance --help`` stays fast
(tests/test_start.py checks what it imports).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import click

from checker.cli_output import weight_options
from checker.version import __version__

F = TypeVar("F", bound=Callable[..., Any])
FORMATS = (
    "terminal", "json", "markdown", "html", "sarif", "junit",
    "spdx", "spdx3", "cyclonedx", "notice",
)  # fmt: skip
EXIT_USAGE, EXIT_INTERNAL, EXIT_INTERRUPTED = 2, 3, 130


def _fail(message: str, code: int = EXIT_USAGE) -> None:
    click.echo(message, err=True)
    sys.exit(code)


def error_handler(func: F) -> F:
    """Expected errors: one clear line, exit 2. Bugs: traceback to a file, exit 3."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from checker.errors import ClearanceError, PolicyError

        try:
            return func(*args, **kwargs)
        except PolicyError as exc:
            for issue in exc.issues:
                click.echo(f"error: {issue}", err=True)
            _fail(f"clearance: the policy has {len(exc.issues)} error(s)")
        except ClearanceError as exc:
            _fail(f"clearance: error: {exc}")
        except KeyboardInterrupt:
            _fail("clearance: interrupted", EXIT_INTERRUPTED)
        except Exception as exc:  # a bug: keep the traceback, say where it is
            import tempfile
            import traceback

            fd, path = tempfile.mkstemp(prefix="clearance-crash-", suffix=".log")
            with os.fdopen(fd, "w") as log:
                log.write(f"clearance {__version__} on Python {sys.version}\n")
                log.write(traceback.format_exc())
            _fail(
                f"clearance: internal error ({type(exc).__name__}: {exc}); "
                f"traceback written to {path}",
                EXIT_INTERNAL,
            )
        return None

    return wrapper  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="clearance")
def main() -> None:
    """Decide whether AI models may be adopted: licence terms, provenance, weights.

    Exit codes: 0 pass; 1 a finding at or above the policy's fail-on; 2 the audit could not be
    made (bad usage, invalid policy, a model that could not be read); 3 internal error.
    """


def _codes(values: tuple[str, ...]) -> tuple[str, ...] | None:
    out = tuple(c.strip() for v in values for c in v.split(",") if c.strip())
    return out or None


@main.command()
@click.argument("targets", nargs=-1)
@click.option(
    "--policy",
    "-p",
    default=None,
    metavar="FILE",
    help="Policy file or builtin:NAME (default: builtin:baseline).",
)
@click.option(
    "--id",
    "model_id",
    default=None,
    metavar="ORG/NAME",
    help="Model id for a single local folder (default: from the HF cache layout, "
    "else local/<folder name>).",
)
@click.option(
    "--format",
    "-f",
    "formats",
    multiple=True,
    type=click.Choice(FORMATS),
    help="Report format; repeat with --output to write several.",
)
@click.option(
    "--output",
    "-o",
    "outputs",
    multiple=True,
    metavar="FILE",
    help="Write the report here: pairs with --format in order, or without --format the "
    "format comes from the file name (.json .sarif .xml .html .md .spdx.json .spdx3.json "
    ".cdx.json).",
)
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "note"]),
    default=None,
    help="Override settings.fail-on: the lowest level that makes the run exit 1.",
)
@click.option(
    "--quiet",
    "-q",
    is_flag=True,
    help="Do not print the one-line outcome summary on stderr.",
)
@click.option(
    "--root",
    default=None,
    metavar="DIR",
    help="Repository root SARIF paths are relative to (default: the git top level of the "
    "targets, else of the working directory).",
)
@click.option(
    "--max-chars",
    type=click.IntRange(min=0),
    default=None,
    metavar="N",
    help="Markdown only: keep the report within N characters (default 65,000; GitHub comments "
    "hold 65,536): the summary first, then the details that fit; 0 for no limit.",
)
@click.option("--no-color", is_flag=True, help="No colours or styles (so does NO_COLOR=1).")
@click.option("--commercial/--non-commercial", default=None, help="Override use.commercial.")
@click.option(
    "--monthly-active-users",
    type=click.IntRange(min=0),
    default=None,
    metavar="N",
    help="Override use.monthly-active-users.",
)
@click.option(
    "--based-in",
    multiple=True,
    metavar="CC",
    help="Where your company is established (ISO code or group; repeatable).",
)
@click.option(
    "--territory",
    multiple=True,
    metavar="CC",
    help="Where the model is used, served or distributed (repeatable).",
)
@click.option(
    "--distribution",
    type=click.Choice(["internal", "hosted", "redistributed"]),
    default=None,
    help="Override use.distribution.",
)
@click.option(
    "--purpose",
    multiple=True,
    metavar="USE",
    help="An intended use category, checked against prohibited uses (repeatable): military, "
    "weapons, surveillance, biometric-identification, law-enforcement, critical-infrastructure, "
    "illegal-activity, child-exploitation, harassment, discrimination, disinformation, malware, "
    "impersonation, automated-decisions, medical-advice, unlicensed-professional-advice, "
    "sexual-content, self-harm, privacy-violation.",
)
@click.option(
    "--train-other-models/--no-train-other-models",
    default=None,
    help="Whether outputs train or distil other models.",
)
@click.option(
    "--author",
    "authors",
    multiple=True,
    metavar="ORG",
    help="Audit every model of this Hub organisation or user (repeatable).",
)
@click.option(
    "--hf-cache",
    is_flag=True,
    help="Audit every model in the local Hugging Face cache (offline).",
)
@click.option(
    "--offline",
    is_flag=True,
    help="Use only the local Hugging Face cache; say what is missing from it.",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1, max=64),
    default=None,
    help="How many models to read at once: Hub models fetched in threads (default 8), local "
    "folders read in processes when there are 200 or more (default: the number of cores).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    default=10.0,
    show_default=True,
    help="Seconds to wait for each Hub request.",
)
@click.option(
    "--locked",
    is_flag=True,
    help="Compare the manifest with its lock file (models.lock.yaml beside it): drift rules.",
)
@click.option(
    "--baseline",
    default=None,
    metavar="REPORT.json",
    help="Mark findings new or known against an earlier JSON report; only new ones fail.",
)
@click.option(
    "--baseline-ref",
    default=None,
    metavar="REF",
    help="Audit the targets as they were at this git ref, in this run, and use that as the "
    "baseline (a pull request's base: origin/main).",
)
@weight_options
@error_handler
def check(
    targets: tuple[str, ...],
    policy: str | None,
    model_id: str | None,
    formats: tuple[str, ...],
    outputs: tuple[str, ...],
    fail_on: str | None,
    quiet: bool,
    root: str | None,
    max_chars: int | None,
    no_color: bool,
    commercial: bool | None,
    monthly_active_users: int | None,
    based_in: tuple[str, ...],
    territory: tuple[str, ...],
    distribution: str | None,
    purpose: tuple[str, ...],
    train_other_models: bool | None,
    authors: tuple[str, ...],
    hf_cache: bool,
    offline: bool,
    jobs: int | None,
    timeout: float,
    locked: bool,
    baseline: str | None,
    baseline_ref: str | None,
    weight_headers: str,
    hash_weights: bool,
) -> None:
    """Audit TARGETs: model folders, models.yaml manifests, Hub ids org/name[@revision].

    Hub access goes through huggingface_hub: HF_ENDPOINT, HF_TOKEN (or `hf auth login`) and
    HF_HUB_CACHE apply; a token is never printed or written into a report.
    """
    from checker.api import DEFAULT_POLICY, audit, find_workspace
    from checker.cli_output import progress_bar, write_reports
    from checker.cli_text import outcome_line, report_pairs
    from checker.errors import UsageError
    from checker.sources.hub.options import HubOptions, requests_in_flight

    if not targets and not authors and not hf_cache:
        raise UsageError("name at least one TARGET, --author ORG or --hf-cache")
    pairs = report_pairs(formats, outputs)
    if model_id is not None and len(targets) != 1:
        raise UsageError("--id names the model of a single folder target")
    use: dict[str, object] = {
        "commercial": commercial,
        "monthly_active_users": monthly_active_users,
        "based_in": _codes(based_in),
        "territories": _codes(territory),
        "distribution": distribution,
        "purposes": _codes(purpose),
        "train_other_models": train_other_models,
    }
    hub = HubOptions(
        offline=offline or hf_cache,
        timeout=timeout,
        max_requests=requests_in_flight(jobs),
        weight_headers=weight_headers,
    )
    workspace = find_workspace(targets, root)
    with progress_bar() as (progress, on_targets, on_bytes):
        result = audit(
            list(targets),
            policy or DEFAULT_POLICY,
            model_id=model_id,
            use=use,
            fail_on=fail_on,
            hub=hub,
            jobs=jobs,
            authors=authors,
            hf_cache=hf_cache,
            progress=progress,
            on_targets=on_targets,
            workspace=workspace,
            locked=locked,
            baseline=baseline,
            baseline_ref=baseline_ref,
            hash_weights=hash_weights,
            on_bytes=on_bytes,
        )
    known = result.baseline.notes if result.baseline else ()
    for note in (*result.policy.notes, *result.notes, *known):
        click.echo(f"clearance: note: {note}", err=True)
    write_reports(result, pairs, max_chars, no_color)
    if not quiet:
        click.echo(outcome_line(result), err=True)
    sys.exit(result.exit_code)


@main.command("lock")
@click.argument("manifest")
@click.option(
    "--output",
    "-o",
    default=None,
    metavar="FILE",
    help="Where to write the lock (default: models.lock.yaml beside the manifest).",
)
@click.option(
    "--policy",
    "-p",
    default=None,
    metavar="FILE",
    help="Policy the recorded verdicts come from (default: builtin:baseline).",
)
@click.option("--offline", is_flag=True, help="Use only the local Hugging Face cache.")
@click.option("--jobs", "-j", type=click.IntRange(min=1, max=64), default=8, show_default=True)
@error_handler
def lock(manifest: str, output: str | None, policy: str | None, offline: bool, jobs: int) -> None:
    """Write the lock of MANIFEST: each model's revision or content digest, licence
    fingerprint, gating, developer, lineage and verdict (for `clearance check --locked`)."""
    from checker.lock.gate import write_lock

    out, count = write_lock(manifest, output, policy, offline, jobs)
    click.echo(f"clearance: locked {count} model(s) in {out}", err=True)


@main.command("scan")
@click.argument("paths", nargs=-1, metavar="[PATH]...")
@click.option(
    "--format", "-f", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.option("--write", metavar="MANIFEST", help="Add the models found to MANIFEST (created).")
@click.option("--check", metavar="MANIFEST", help="Exit 1 naming each model MANIFEST lacks.")
@error_handler
def scan(paths: tuple[str, ...], fmt: str, write: str | None, check: str | None) -> None:
    """Find the Hugging Face models that source files in PATHs (default .) reference.

    Reads Python, notebooks, YAML/JSON/TOML configs, shell scripts, Dockerfiles, Ollama
    Modelfiles and .env files, never running them. Exit codes: 0 done; 1 with --check when the
    manifest lacks a referenced model; 2 a PATH or manifest that cannot be used.
    """
    from checker.scan.command import run

    sys.exit(run(list(paths) or ["."], fmt, write, check, click.echo))


@main.group("policy")
def policy_group() -> None:
    """Work with policy files."""


@policy_group.command("check")
@click.argument("file")
@error_handler
def policy_check(file: str) -> None:
    """Validate a policy FILE (or builtin:NAME); exit 2 with every error when invalid."""
    from checker.knowledge import load_knowledge
    from checker.policy import load_policy

    loaded = load_policy(file, load_knowledge())
    click.echo(
        f"{file}: ok (policy {loaded.name!r}: {len(loaded.custom_rules)} custom rule(s), "
        f"{len(loaded.waivers)} waiver(s), {len(loaded.curations.developers)} developer(s), "
        f"{len(loaded.curations.clarify)} clarification(s), from {len(loaded.files)} file(s))"
    )


@main.command("licenses")
@click.argument("license_id", required=False)
@click.option("--no-color", is_flag=True, help="No colours or styles (so does NO_COLOR=1).")
@error_handler
def licenses(license_id: str | None, no_color: bool) -> None:
    """List the licence knowledge base, or explain one licence (terms, clauses, sources)."""
    from checker.cli_output import use_color
    from checker.knowledge_view import license_sheet, license_table

    color = use_color(no_color)
    if license_id is not None:
        from checker.cli_text import check_license_name

        check_license_name(license_id)
    click.echo(
        license_table(color) if license_id is None else license_sheet(license_id, color), nl=False
    )


@main.command("explain")
@click.argument("rule_id", required=False)
@error_handler
def explain(rule_id: str | None) -> None:
    """Explain a built-in RULE (what it flags, what to do, level, group), or list the rules."""
    from checker.cli_text import explain_rule

    click.echo(explain_rule(rule_id), nl=False)


@main.command("init")
@click.option(
    "--output",
    "-o",
    default="clearance-policy.yaml",
    show_default=True,
    metavar="FILE",
    help="Where to write the starter policy (- for stdout).",
)
@click.option("--force", is_flag=True, help="Overwrite FILE when it exists.")
@error_handler
def init(output: str, force: bool) -> None:
    """Write a commented starter policy that `clearance policy check` accepts."""
    from checker.cli_text import STARTER_POLICY, write_starter_policy

    if output == "-":
        click.echo(STARTER_POLICY, nl=False)
        return
    write_starter_policy(output, force)
    click.echo(f"wrote {output}; check it with `clearance policy check {output}`", err=True)
