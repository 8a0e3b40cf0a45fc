"""`check --baseline OLD.json` and `--baseline-ref REF` end to end (dependency-review semantics):
findings marked new or known by model, rule and fingerprint; only new ones fail; new ones
first; the count of known ones carried over in every report; unreadable baselines exit 2."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO, safetensors_bytes

from checker.cli import main


def _model(folder: Path, licence: str | None, pickle: bool = False) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    front = f"license: {licence}\n" if licence else "pipeline_tag: text-generation\n"
    (folder / "README.md").write_text(f"---\n{front}---\n\n# A model\n")
    (folder / "model.safetensors").write_bytes(safetensors_bytes())
    if pickle:
        (folder / "extra.bin").write_bytes(b"\x80\x04\x95" + b"\0" * 13)


MANIFEST = (
    "models:\n"
    "  - id: google-bert/alpha\n    path: models/alpha\n"
    "  - id: google-bert/beta\n    path: models/beta\n"
)
WITH_GAMMA = MANIFEST + "  - id: google-bert/gamma\n    path: models/gamma\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    _model(tmp_path / "models" / "alpha", "apache-2.0")
    _model(tmp_path / "models" / "beta", "cc-by-nc-4.0")  # denied by builtin:baseline: fails
    (tmp_path / "models.yaml").write_text(MANIFEST)
    return tmp_path


def cli(*args: str) -> tuple[int, str, str]:
    done = CliRunner().invoke(main, list(args))
    assert "Traceback" not in done.stderr, done.stderr
    return done.exit_code, done.stdout, done.stderr


def report(project: Path, *extra: str) -> tuple[int, dict, str]:  # type: ignore[type-arg]
    code, out, err = cli("check", str(project / "models.yaml"), "-f", "json", *extra)
    return code, json.loads(out) if out.strip() else {}, err


def findings(doc: dict) -> dict[str, list[dict]]:  # type: ignore[type-arg]
    return {m["id"]: m["findings"] for m in doc["models"]}


def _baseline(project: Path) -> Path:
    code, doc, _ = report(project)
    assert code == 1
    path = project / "base.json"
    path.write_text(json.dumps(doc))
    return path


def test_known_findings_do_not_fail_and_are_counted(project: Path) -> None:
    base = _baseline(project)
    code, doc, _ = report(project, "--baseline", str(base))
    assert code == 0 and doc["summary"]["exit_code"] == 0
    every = [f for fs in findings(doc).values() for f in fs]
    assert every and all(f["new"] is False for f in every)
    assert doc["baseline"] == {"source": str(base), "new": 0, "known": len(every), "notes": []}
    code, out, _ = cli("check", str(project / "models.yaml"), "--baseline", str(base))
    assert code == 0 and f"0 new finding(s); {len(every)} known findings carried over" in out


def test_a_new_finding_fails_and_comes_first(project: Path) -> None:
    base = _baseline(project)
    _model(project / "models" / "gamma", None)
    _model(project / "models" / "beta", "cc-by-nc-4.0", pickle=True)
    (project / "models.yaml").write_text(WITH_GAMMA)
    code, doc, _ = report(project, "--baseline", str(base))
    assert code == 1
    found = findings(doc)
    assert found["google-bert/gamma"] and all(f["new"] for f in found["google-bert/gamma"])
    beta = [(f["rule"], f["new"]) for f in found["google-bert/beta"]]
    assert beta[0] == ("weights/unsafe-format", True), beta  # a new warning before a known error
    assert ("license/not-allowed", False) in beta


def test_only_new_findings_at_or_above_fail_on_count(project: Path) -> None:
    base = _baseline(project)
    _model(project / "models" / "beta", "cc-by-nc-4.0", pickle=True)  # a new warning only
    code, doc, _ = report(project, "--baseline", str(base))
    assert code == 0 and doc["baseline"]["new"] == 1


def test_a_baseline_without_fingerprints_still_matches(project: Path) -> None:
    base = _baseline(project)
    doc = json.loads(base.read_text())
    for model in doc["models"]:
        for f in model["findings"]:
            del f["fingerprint"]
    base.write_text(json.dumps(doc))
    code, _, _ = report(project, "--baseline", str(base))
    assert code == 0


def test_a_baseline_from_another_policy_or_version_is_used_with_a_note(project: Path) -> None:
    base = _baseline(project)
    doc = json.loads(base.read_text())
    doc["tool"]["version"], doc["policy"]["sha256"] = "0.0.1", "0" * 64
    base.write_text(json.dumps(doc))
    code, _, err = report(project, "--baseline", str(base))
    assert code == 0 and "made by clearance 0.0.1" in err and "another policy" in err


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "cannot read baseline"),
        ("{not json", "baseline is not JSON"),
        ("[1, 2]", "not a Clearance JSON report"),
        ('{"schema_version": 1}', "models:"),
        (b"\xff\xfe", "not valid UTF-8"),
    ],
    ids=["missing", "not-json", "not-a-report", "no-models", "not-utf8"],
)
def test_an_unreadable_baseline_is_exit_2(project: Path, content, expected) -> None:  # type: ignore[no-untyped-def]
    base = project / "base.json"
    if isinstance(content, bytes):
        base.write_bytes(content)
    elif content is not None:
        base.write_text(content)
    code, _, err = report(project, "--baseline", str(base))
    lines = [line for line in err.splitlines() if line.startswith("clearance: error:")]
    assert code == 2 and len(lines) == 1 and expected in lines[0] and "base.json" in lines[0]


def test_the_report_with_a_baseline_matches_the_schema(project: Path) -> None:
    import jsonschema

    base = _baseline(project)
    _, doc, _ = report(project, "--baseline", str(base))
    schema = json.loads((REPO / "rules" / "schema" / "report.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(doc)


def test_markdown_and_html_mark_new_findings_and_count_known_ones(project: Path) -> None:
    base = _baseline(project)
    _model(project / "models" / "gamma", None)
    (project / "models.yaml").write_text(WITH_GAMMA)
    for fmt, marker in (("markdown", "· **new**"), ("html", 'b-new">new<')):
        _, out, _ = cli("check", str(project / "models.yaml"), "-f", fmt, "--baseline", str(base))
        assert marker in out and "known findings carried over" in out, fmt


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


@pytest.fixture
def repo(project: Path) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    _git(project, "init", "-q", "-b", "main")
    _git(project, "add", "-A")
    _git(project, "commit", "-q", "-m", "base")
    return project


def test_baseline_ref_audits_the_base_in_the_same_run(repo: Path) -> None:
    code, doc, _ = report(repo, "--baseline-ref", "main")
    assert code == 0 and doc["baseline"]["source"] == "git:main" and doc["baseline"]["new"] == 0
    _model(repo / "models" / "gamma", None)  # a pull request adds a model with no licence
    (repo / "models.yaml").write_text(WITH_GAMMA)
    code, doc, _ = report(repo, "--baseline-ref", "main")
    assert code == 1
    new = {m: [f["new"] for f in fs] for m, fs in findings(doc).items()}
    assert all(new["google-bert/gamma"]) and not any(new["google-bert/beta"])


def test_baseline_ref_that_is_not_there_is_exit_2(repo: Path) -> None:
    code, _, err = report(repo, "--baseline-ref", "no-such-branch")
    assert code == 2 and "'no-such-branch' is not a commit" in err


def test_baseline_ref_outside_a_repository_is_exit_2(project: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    code, _, err = report(project, "--baseline-ref", "main")
    assert code == 2 and "is not in a git repository" in err


def test_baseline_and_baseline_ref_together_is_a_usage_error(project: Path) -> None:
    code, _, err = report(project, "--baseline", "x.json", "--baseline-ref", "main")
    assert code == 2 and "not both" in err


def test_baseline_ref_with_locked_uses_the_lock_at_the_ref(repo: Path) -> None:
    assert cli("lock", str(repo / "models.yaml"))[0] == 0
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "lock")
    code, doc, _ = report(repo, "--locked", "--baseline-ref", "main")
    assert code == 0 and doc["baseline"]["new"] == 0
    _model(repo / "models" / "alpha", "mit")  # changed in the pull request, not re-locked
    code, doc, _ = report(repo, "--locked", "--baseline-ref", "main")
    new = {f["rule"] for f in findings(doc)["google-bert/alpha"] if f["new"]}
    assert code == 1 and "drift/license-changed" in new


def test_an_unusable_lock_at_the_ref_is_a_note_not_an_error(repo: Path) -> None:
    (repo / "models.lock.yaml").write_text("lock-version: 0\n")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "an old lock")
    assert cli("lock", str(repo / "models.yaml"))[0] == 0
    code, _, err = report(repo, "--locked", "--baseline-ref", "main")
    assert code == 0 and "the lock at the baseline ref is not used" in err


def test_sarif_states_the_baseline_state_of_each_result(project: Path) -> None:
    import jsonschema

    base = _baseline(project)
    _model(project / "models" / "gamma", None)
    (project / "models.yaml").write_text(WITH_GAMMA)
    _, out, _ = cli("check", str(project / "models.yaml"), "-f", "sarif", "--baseline", str(base))
    doc = json.loads(out)
    states = {(r["properties"]["model"], r["baselineState"]) for r in doc["runs"][0]["results"]}
    assert ("google-bert/gamma", "new") in states and ("google-bert/beta", "unchanged") in states
    schema = REPO.parent / "shared" / "schemas" / "sarif-schema-2.1.0.json"
    if schema.is_file():
        loaded = json.loads(schema.read_text(encoding="utf-8"))
        jsonschema.validators.validator_for(loaded)(loaded).validate(doc)
