"""``clearance scan`` end to end: outputs, the JSON schema, --check and --write exit codes, the
manifest round trip (entries, pins, paths, comments and indentation kept)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner
from conftest import EXAMPLES, REPO

from checker.cli import main
from checker.sources.targets import read_manifest

SCHEMA = json.loads((REPO / "rules" / "schema" / "scan.schema.json").read_text(encoding="utf-8"))
CORPUS = Path(__file__).parent / "corpus"
APP = (
    "from transformers import AutoModel\n"
    'AutoModel.from_pretrained("Qwen/Qwen3-8B")\n'
    'AutoModel.from_pretrained("openai-community/gpt2")\n'
    'AutoModel.from_pretrained("org/pinned", revision="v2")\n'
)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "app.py").write_text(APP, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def scan(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["scan", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.stdout, result.stderr


def test_text_output_and_summary(project: Path) -> None:
    code, out, err = scan()
    assert code == 0
    assert out == (
        "app.py:2: Qwen/Qwen3-8B (python)\n"
        "app.py:3: openai-community/gpt2 (python)\n"
        "app.py:4: org/pinned@v2 (python)\n"
    )
    assert "3 reference(s) to 3 model(s) in 1 file(s) read" in err


def test_json_output_follows_the_schema(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(CORPUS)
    code, out, _ = scan("--format", "json", ".")
    assert code == 0
    document = json.loads(out)
    jsonschema.validate(document, SCHEMA)
    assert document["summary"]["references"] == len(document["references"]) > 30
    assert document["notes"] and all(n["file"] for n in document["notes"])
    assert document["models"] == sorted(set(document["models"]))


def test_json_with_check_and_write_follows_the_schema(project: Path) -> None:
    code, out, _ = scan("--format", "json", "--write", "models.yaml")
    assert code == 0
    document = json.loads(out)
    jsonschema.validate(document, SCHEMA)
    assert [a["model_id"] for a in document["added"]] == [
        "Qwen/Qwen3-8B",
        "openai-community/gpt2",
        "org/pinned",
    ]
    code, out, _ = scan("--format", "json", "--check", "models.yaml")
    assert code == 0 and json.loads(out)["missing"] == []
    jsonschema.validate(json.loads(out), SCHEMA)


def test_check_names_each_missing_reference(project: Path) -> None:
    (project / "models.yaml").write_text(
        "models:\n  - id: Qwen/Qwen3-8B\n  - id: org/pinned\n    revision: v1\n", encoding="utf-8"
    )
    code, out, _ = scan("--check", "models.yaml")
    assert code == 1
    assert out.splitlines() == [
        "app.py:3: openai-community/gpt2 is not in models.yaml",
        "app.py:4: org/pinned@v2 is not in models.yaml",
        "clearance scan: 2 referenced model(s) missing from models.yaml; "
        "add them with `clearance scan --write models.yaml`",
    ]


def test_check_passes_when_all_are_listed(project: Path) -> None:
    (project / "models.yaml").write_text(
        "models:\n  - id: Qwen/Qwen3-8B\n    revision: abc\n  - id: openai-community/gpt2\n"
        "    path: ./models/gpt2\n  - id: org/pinned\n    revision: v2\n",
        encoding="utf-8",
    )
    code, out, _ = scan("--check", "models.yaml")
    assert code == 0 and "every referenced model is listed" in out


@pytest.mark.parametrize(
    ("manifest", "message"),
    [
        (None, "no such manifest"),
        ("models: [\n", "models.yaml:"),
        ("- a\n", "a manifest is a mapping"),
        ("models:\n  - id: not an id\n", "is not of the form org/name"),
        ("models:\n  - id: a/b\n    licence: x\n", "unknown key"),
    ],
)
def test_an_unusable_manifest_is_exit_2(project: Path, manifest: str | None, message: str) -> None:
    if manifest is not None:
        (project / "models.yaml").write_text(manifest, encoding="utf-8")
    for flag in ("--check", "--write"):
        if manifest is None and flag == "--write":
            continue  # --write creates it
        code, out, err = scan(flag, "models.yaml")
        assert code == 2, (flag, out, err)
        assert message in err and "Traceback" not in err


def test_usage_errors_are_exit_2(project: Path) -> None:
    code, _, err = scan("--check", "a.yaml", "--write", "b.yaml")
    assert code == 2 and "exclude each other" in err
    code, _, err = scan("nope/")
    assert code == 2 and "nope/: no such file or folder" in err
    code, _, _ = scan("--format", "sarif")
    assert code == 2


def test_write_creates_a_manifest_that_check_reads(project: Path) -> None:
    code, out, _ = scan("--write", "models.yaml")
    assert code == 0 and "added 3 model(s) to models.yaml" in out
    text = (project / "models.yaml").read_text(encoding="utf-8")
    assert text.startswith("# The models this project depends on")
    assert "  - id: Qwen/Qwen3-8B  # found by clearance scan in app.py:2\n" in text
    assert "  - id: org/pinned  # found by clearance scan in app.py:4\n    revision: v2\n" in text
    assert [(t.model_id, t.revision) for t in read_manifest(project / "models.yaml")] == [
        ("Qwen/Qwen3-8B", None),
        ("openai-community/gpt2", None),
        ("org/pinned", "v2"),
    ]
    code, out, _ = scan("--write", "models.yaml")  # again: nothing to add, file untouched
    assert code == 0 and "already lists every referenced model" in out
    assert (project / "models.yaml").read_text(encoding="utf-8") == text


def test_write_keeps_entries_pins_paths_and_comments(project: Path) -> None:
    original = (EXAMPLES / "models.yaml").read_text(encoding="utf-8")
    (project / "models.yaml").write_text(original, encoding="utf-8")
    code, _, _ = scan("--write", "models.yaml")
    assert code == 0
    updated = (project / "models.yaml").read_text(encoding="utf-8")
    assert updated.startswith(original)  # every byte of what was there, comments included
    assert updated[len(original) :] == (
        "  - id: Qwen/Qwen3-8B  # found by clearance scan in app.py:2\n"
        "  - id: org/pinned  # found by clearance scan in app.py:4\n"
        "    revision: v2\n"
    )


def test_write_keeps_another_indentation_style(project: Path) -> None:
    original = (
        "# ours\nversion: 1\nmodels:\n- id: Qwen/Qwen3-8B   # pinned by legal\n"
        "  revision: 0123456789abcdef0123456789abcdef01234567\n"
    )
    (project / "models.yaml").write_text(original, encoding="utf-8")
    assert scan("--write", "models.yaml")[0] == 0
    updated = (project / "models.yaml").read_text(encoding="utf-8")
    assert updated.startswith(original)
    assert "\n- id: openai-community/gpt2  # found by clearance scan in app.py:3\n" in updated


def test_scan_help_is_documented() -> None:
    result = CliRunner().invoke(main, ["scan", "--help"])
    assert result.exit_code == 0
    for option in ("--format", "--write", "--check"):
        assert option in result.output
