"""``--baseline-ref REF``: audit the targets as they were at a git ref, in the same run.

The tree at REF is written with ``git archive REF`` into a temporary folder (nothing in the
working tree or the repository's worktree list changes; the folder is removed afterwards). Each
target that is a path inside the repository is audited at the same relative path there (a path
REF does not have is left out, with a note: its findings are all new); Hub ids are audited as
they are. The policy file, when it lies in the repository and REF has it, is REF's; otherwise the
current one. The lock beside a manifest at REF is used when ``--locked`` is on and REF has one.
Evidence paths inside the temporary folder are mapped back to how this run names them, so the
fingerprints of unchanged findings match.
"""

from __future__ import annotations

import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from checker.baseline import Baseline, baseline_of
from checker.errors import ClearanceError, InputError
from checker.paths import display_path

GIT_TIMEOUT = 300


def _git(
    top: Path | None, *args: str, cwd: Path | None = None
) -> subprocess.CompletedProcess[bytes]:
    command = ["git", *(["-C", str(top)] if top else []), *args]
    try:
        return subprocess.run(command, cwd=cwd, capture_output=True, timeout=GIT_TIMEOUT)
    except FileNotFoundError as exc:
        raise InputError("--baseline-ref needs git, which is not installed") from exc
    except subprocess.TimeoutExpired as exc:
        raise InputError(f"--baseline-ref: git {args[0]} took over {GIT_TIMEOUT} s") from exc


def repository_top(start: Path) -> Path:
    """The top folder of the git work tree ``start`` lies in."""
    done = _git(None, "rev-parse", "--show-toplevel", cwd=start)
    if done.returncode != 0:
        raise InputError(f"--baseline-ref: {display_path(start)} is not in a git repository")
    return Path(done.stdout.decode().strip()).resolve()


def _extract(top: Path, ref: str, into: Path) -> None:
    done = _git(top, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    if done.returncode != 0:
        raise InputError(f"--baseline-ref: {ref!r} is not a commit, branch or tag of {top}")
    archive = into / "ref.tar"
    with open(archive, "wb") as out:
        try:
            run = subprocess.run(
                ["git", "-C", str(top), "archive", "--format=tar", ref],
                stdout=out,
                stderr=subprocess.PIPE,
                timeout=GIT_TIMEOUT,
            )
        except subprocess.TimeoutExpired as exc:
            raise InputError(f"--baseline-ref: git archive took over {GIT_TIMEOUT} s") from exc
    if run.returncode != 0:
        why = run.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["failed"]
        raise InputError(f"--baseline-ref: git archive {ref}: {why[0]}")
    with tarfile.open(archive) as tar:
        if hasattr(tarfile, "data_filter"):
            tar.extractall(into / "tree", filter="data")
        else:  # Python before 3.11.4: git archive writes only relative paths, but check
            members = [
                m
                for m in tar.getmembers()
                if (m.isfile() or m.isdir())
                and not m.name.startswith("/")
                and ".." not in Path(m.name).parts
            ]
            tar.extractall(into / "tree", members=members)
    archive.unlink()


def _inside(path: Path, top: Path) -> Path | None:
    try:
        return path.resolve().relative_to(top)
    except (OSError, ValueError):
        return None


def audit_at_ref(
    ref: str,
    targets: list[str],
    policy: str,
    audit: Callable[..., Any],
    **kwargs: Any,
) -> Baseline:
    """The baseline of ``targets`` (and ``policy``) as they were at ``ref``; ``audit`` is
    ``checker.api.audit`` (passed in: the API calls this module)."""
    starts = [Path(t) for t in targets if Path(t).exists()]
    top = repository_top(starts[0].resolve().parent if starts else Path.cwd())
    work = Path(tempfile.mkdtemp(prefix="clearance-ref-")).resolve()
    notes: list[str] = []
    try:
        _extract(top, ref, work)
        tree = work / "tree"
        at_ref: list[str] = []
        for text in targets:
            rel = _inside(Path(text), top) if Path(text).exists() else None
            if rel is None:
                at_ref.append(text)  # a Hub id, or a path outside the repository
            elif (tree / rel).exists():
                at_ref.append(str(tree / rel))
            else:
                notes.append(f"{text} is not in {ref}: every finding of it is new")
        rel_policy = _inside(Path(policy), top) if Path(policy).is_file() else None
        if rel_policy is not None and (tree / rel_policy).is_file():
            policy = str(tree / rel_policy)
        elif rel_policy is not None:
            notes.append(f"the policy {policy} is not in {ref}: the baseline uses the current one")
        if not at_ref:
            return Baseline(f"git:{ref}", frozenset(), notes=tuple(notes))
        try:
            result = audit(at_ref, policy, **kwargs)
        except ClearanceError as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise InputError(f"--baseline-ref {ref}: the audit at {ref} failed: {first}") from exc
        prefix = str(tree) + "/"

        def rewrite(source: str) -> str:
            return (
                display_path(top / source[len(prefix) :]) if source.startswith(prefix) else source
            )

        found = baseline_of(result, f"git:{ref}", rewrite)
        notes += [f"at {ref}: {note}" for note in result.notes if "baseline ref" in note]
        return Baseline(
            found.source, found.keys, found.tool_version, found.policy_sha256, tuple(notes)
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
