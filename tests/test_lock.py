"""Lock files and `check --locked` end to end: deterministic locks, drift findings with exit
codes, and every unusable lock (missing, cut off, hand-edited, another version, another
manifest, not YAML) as exit 2 with one line naming the file, line and key."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import EXAMPLES, safetensors_bytes

from checker.cli import main


def _model(
    folder: Path, licence: str = "mit", extra: str = "", files: dict[str, str] | None = None
) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "README.md").write_text(f"---\nlicense: {licence}\n{extra}---\n\n# A model\n")
    (folder / "model.safetensors").write_bytes(safetensors_bytes())
    for name, text in (files or {}).items():
        (folder / name).write_text(text)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    _model(tmp_path / "models" / "alpha", "apache-2.0")
    shutil.copytree(EXAMPLES / "models" / "bert-base-uncased", tmp_path / "models" / "beta")
    (tmp_path / "models.yaml").write_text(
        "models:\n"
        "  - id: google-bert/alpha\n    path: models/alpha\n"
        "  - id: google-bert/beta\n    path: models/beta\n"
    )
    return tmp_path


def cli(*args: str) -> tuple[int, str, str]:
    done = CliRunner().invoke(main, list(args))
    assert "Traceback" not in done.stderr, done.stderr
    return done.exit_code, done.stdout, done.stderr


def check_locked(project: Path, *extra: str) -> tuple[int, dict, str]:  # type: ignore[type-arg]
    code, out, err = cli(
        "check", str(project / "models.yaml"), "--locked", "-f", "json", "-q", *extra
    )
    return code, (json.loads(out) if out.strip() else {}), err


def drift(doc: dict) -> dict[str, list[dict]]:  # type: ignore[type-arg]
    out: dict[str, list[dict]] = {}  # type: ignore[type-arg]
    for model in doc["models"]:
        for f in model["findings"]:
            if f["rule"].startswith("drift/"):
                out.setdefault(model["id"], []).append(f)
    return out


def test_relocking_an_unchanged_project_is_byte_identical(project: Path) -> None:
    assert cli("lock", str(project / "models.yaml"))[0] == 0
    lock = project / "models.lock.yaml"
    first = lock.read_bytes()
    assert cli("lock", str(project / "models.yaml"))[0] == 0
    assert lock.read_bytes() == first
    text = first.decode()
    assert "lock-version: 1" in text and "generated" not in text and str(project) not in text
    assert text.index("google-bert/alpha") < text.index("google-bert/beta")
    assert text.rstrip().splitlines()[-1].startswith("digest: sha256:")


def test_lock_records_revision_digests_licence_and_verdict(project: Path) -> None:
    from ruamel.yaml import YAML

    cli("lock", str(project / "models.yaml"))
    doc = YAML(typ="safe").load((project / "models.lock.yaml").read_text())
    beta = next(m for m in doc["models"] if m["id"] == "google-bert/beta")
    assert beta["license"]["expression"] == "Apache-2.0" and beta["verdict"] == "pass"
    assert len(beta["license"]["inputs"]["files"]["LICENSE"]) == 64  # the file's sha256
    assert beta["content-digest"].startswith("sha256:") and beta["gating"] == "open"
    assert beta["developer"] == {"org": "google-bert", "country": "US"}
    assert doc["manifest"]["path"] == "models.yaml"


def test_lock_output_elsewhere_and_a_model_that_cannot_be_read(project: Path) -> None:
    out = project / "elsewhere.lock.yaml"
    assert cli("lock", str(project / "models.yaml"), "--output", str(out))[0] == 0
    assert "path: models.yaml" in out.read_text()
    (project / "models.yaml").write_text(
        "models:\n  - id: google-bert/gone\n    path: models/gone\n"
    )
    code, _, err = cli("lock", str(project / "models.yaml"))
    assert code == 2 and "cannot lock" in err


def test_locked_check_of_an_unchanged_project_has_no_drift(project: Path) -> None:
    cli("lock", str(project / "models.yaml"))
    code, doc, _ = check_locked(project)
    assert code == 0 and drift(doc) == {}


def test_a_changed_licence_file_is_licence_drift_with_both_sides(project: Path) -> None:
    cli("lock", str(project / "models.yaml"))
    licence = project / "models" / "beta" / "LICENSE"
    licence.write_text(licence.read_text() + "\nNo commercial use.\n")
    code, doc, _ = check_locked(project)
    assert code == 1
    found = {f["rule"]: f for f in drift(doc)["google-bert/beta"]}
    changed = found["drift/license-changed"]
    assert changed["severity"] == "error" and "licence file LICENSE changed" in changed["message"]
    sources = {e["source"] for e in changed["evidence"]}
    assert any(s.endswith("models.lock.yaml") for s in sources) and len(sources) == 2
    assert found["drift/revision-moved"]["severity"] == "warning"
    assert "google-bert/alpha" not in drift(doc)


def test_a_changed_card_licence_shows_old_and_new(project: Path) -> None:
    cli("lock", str(project / "models.yaml"))
    _model(project / "models" / "alpha", "cc-by-nc-4.0")
    _, doc, _ = check_locked(project)
    (changed,) = [
        f for f in drift(doc)["google-bert/alpha"] if f["rule"] == "drift/license-changed"
    ]
    assert "was Apache-2.0, now CC-BY-NC-4.0" in changed["message"]


def test_gating_change_alone_is_not_a_licence_change(project: Path) -> None:
    cli("lock", str(project / "models.yaml"))
    _model(project / "models" / "alpha", "apache-2.0", extra="extra_gated_prompt: Agree.\n")
    code, doc, _ = check_locked(project)
    rules = sorted(f["rule"] for f in drift(doc)["google-bert/alpha"])
    assert rules == ["drift/gating-changed", "drift/revision-moved"] and code == 0


def test_drift_levels_come_from_the_policy(project: Path) -> None:
    cli("lock", str(project / "models.yaml"))
    _model(project / "models" / "alpha", "mit")
    policy = project / "policy.yaml"
    policy.write_text(
        "version: 1\nextends: [builtin:baseline]\n"
        "drift:\n  license-changed: warning\n  revision-moved: 'off'\n"
    )
    code, doc, _ = check_locked(project, "--policy", str(policy))
    found = {f["rule"]: f["severity"] for f in drift(doc).get("google-bert/alpha", [])}
    assert found.get("drift/license-changed") == "warning" and "drift/revision-moved" not in found
    assert code == 0


def test_an_entry_added_since_locking_is_not_locked_and_notes_stale_ones(project: Path) -> None:
    cli("lock", str(project / "models.yaml"))
    _model(project / "models" / "gamma")
    (project / "models.yaml").write_text(
        "models:\n  - id: google-bert/alpha\n    path: models/alpha\n"
        "  - id: google-bert/gamma\n    path: models/gamma\n"
    )
    code, doc, err = check_locked(project)
    assert code == 1
    (finding,) = drift(doc)["google-bert/gamma"]
    assert finding["rule"] == "drift/not-locked" and finding["severity"] == "error"
    assert "no longer in the manifest (models/beta)" in err
    assert "the manifest changed since locking" in err


def test_a_pin_changed_in_the_manifest_is_not_locked(project: Path) -> None:
    cli("lock", str(project / "models.yaml"))
    text = (project / "models.yaml").read_text()
    (project / "models.yaml").write_text(text + "    revision: " + "a" * 40 + "\n")
    _, doc, _ = check_locked(project)
    (finding,) = drift(doc)["google-bert/beta"]
    assert finding["rule"] == "drift/not-locked" and "the manifest pins aaaa" in finding["message"]


def _error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.startswith("clearance: error:")]
    assert len(lines) == 1, err
    return lines[0]


def test_no_lock_file_is_exit_2_not_a_pass(project: Path) -> None:
    code, _, err = check_locked(project)
    assert code == 2 and "models.lock.yaml: no lock file" in _error_line(err)


def test_locked_needs_exactly_one_manifest(project: Path) -> None:
    code, _, err = cli("check", str(project / "models" / "alpha"), "--locked")
    assert code == 2 and "exactly one manifest" in err


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda t: t[: len(t) // 2], "models.lock.yaml:"),
        (lambda t: t.replace("verdict: pass", "verdict: fail", 1), "digest: does not match"),
        (
            lambda t: t.replace("lock-version: 1", "lock-version: 2"),
            ":3: lock-version: lock-version 2",
        ),
        (lambda t: t.replace("gating: open\n", "gating: 7\n", 1), "gating: 7 is not of type"),
        (lambda t: "models: [\n", "models.lock.yaml:"),
        (
            lambda t: t.replace("    source: local\n", "    source: local\n    colour: red\n", 1),
            "colour",
        ),
    ],
    ids=[
        "truncated",
        "hand-edited",
        "other-version",
        "wrong-type",
        "not-yaml",
        "unknown-key",
    ],
)
def test_an_unusable_lock_is_exit_2_with_file_line_and_key(project: Path, edit, expected) -> None:  # type: ignore[no-untyped-def]
    cli("lock", str(project / "models.yaml"))
    lock = project / "models.lock.yaml"
    lock.write_text(edit(lock.read_text()))
    code, _, err = check_locked(project)
    line = _error_line(err)
    assert code == 2 and expected in line and "models.lock.yaml" in line, line


def test_a_lock_copied_beside_another_manifest_matches_no_entry(project: Path) -> None:
    """A lock for a manifest of the same name elsewhere is usable, but its entries name other
    folders: every entry is not locked (a finding each), the stale ones are noted."""
    cli("lock", str(project / "models.yaml"))
    other = project / "sub"
    other.mkdir()
    (other / "models.lock.yaml").write_bytes((project / "models.lock.yaml").read_bytes())
    text = (project / "models.yaml").read_text().replace("models/", "../models/")
    (other / "models.yaml").write_text(text)
    code, doc, err = check_locked(other)
    assert code == 1 and "2 locked model(s) no longer in the manifest" in err
    assert {f["rule"] for fs in drift(doc).values() for f in fs} == {"drift/not-locked"}


def test_a_lock_for_another_manifest_is_exit_2(project: Path) -> None:
    other = project / "other.yaml"
    other.write_text((project / "models.yaml").read_text())
    cli("lock", str(other), "--output", str(project / "models.lock.yaml"))
    code, _, err = check_locked(project)
    line = _error_line(err)
    assert code == 2 and "manifest.path: the lock is for 'other.yaml', not 'models.yaml'" in line


def test_the_raw_model_records_what_was_read_in_full(project: Path) -> None:
    import hashlib

    from checker.sources.local import read_local
    from checker.sources.targets import Target

    folder = project / "models" / "beta"
    raw = read_local(Target("local", str(folder), "beta"))
    roles = {f.path: f.role for f in raw.read_files}
    assert roles == {"LICENSE": "license", "README.md": "card", "config.json": "config"}
    licence = next(f for f in raw.read_files if f.path == "LICENSE")
    data = (folder / "LICENSE").read_bytes()
    assert (licence.size, licence.sha256) == (len(data), hashlib.sha256(data).hexdigest())
    assert [f.path for f in raw.read_files] == sorted(roles)  # weights are never read in full


def test_the_lock_does_not_depend_on_the_manifest_order(project: Path) -> None:
    cli("lock", str(project / "models.yaml"))
    first = (project / "models.lock.yaml").read_text()
    lines = (project / "models.yaml").read_text().splitlines(keepends=True)
    (project / "models.yaml").write_text(lines[0] + "".join(lines[3:5] + lines[1:3]))
    cli("lock", str(project / "models.yaml"))
    second = (project / "models.lock.yaml").read_text()

    def body(text: str) -> str:
        return text[text.index("models:\n") : text.index("\ndigest:")]

    assert body(first) == body(second) and first != second  # only the manifest digest differs
