"""Hostile and malformed inputs found in review: each ends in a finding or a one-line error
(exit 2), never a traceback (exit 3), a hang or a silent pass."""

from __future__ import annotations

import json
import os
import struct
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import EXAMPLES, safetensors_bytes

from checker.api import gather
from checker.cli import main
from checker.gguf import metadata
from checker.knowledge import Knowledge
from checker.sources.targets import Target

ACME = str(EXAMPLES / "policies" / "acme.yaml")


def cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in result.stdout + result.stderr
    assert result.exit_code != 3, result.stderr
    return result.exit_code, result.stdout, result.stderr


def facts(kb: Knowledge, folder: Path):  # type: ignore[no-untyped-def]
    return gather([Target("local", str(folder), "m", "google/m")], kb)[0]


@pytest.mark.parametrize("auto_map", ["5", "[{}, {}]", '"text"'])
def test_malformed_auto_map_still_counts_as_remote_code(
    auto_map: str, kb: Knowledge, make_model: Callable[..., Path]
) -> None:
    config = f'{{"auto_map": {auto_map}}}'.encode()
    folder = make_model(files={"config.json": config, "model.safetensors": safetensors_bytes()})
    assert facts(kb, folder).weights.remote_code is True


def test_config_that_is_a_list(kb: Knowledge, make_model: Callable[..., Path]) -> None:
    folder = make_model(files={"config.json": b"[1, 2]", "model.safetensors": safetensors_bytes()})
    assert [p.kind for p in facts(kb, folder).problems] == ["unreadable"]


def test_nested_gguf_arrays_do_not_recurse_forever() -> None:
    def s(text: str) -> bytes:
        return struct.pack("<Q", len(text)) + text.encode()

    head = b"GGUF" + struct.pack("<IQQ", 3, 0, 1) + s("a") + struct.pack("<I", 9)
    head += (struct.pack("<I", 9) + struct.pack("<Q", 1)) * 60_000
    assert metadata(head) == {}


@pytest.mark.parametrize(
    "data", [b"", b"GGUF", b"\x00" * 8, b"GGUF\x03\x00\x00\x00" + b"\xff" * 16]
)
def test_truncated_gguf_headers(data: bytes) -> None:
    assert metadata(data) == {}


def test_tiny_weight_files_are_not_weights(kb: Knowledge, make_model: Callable[..., Path]) -> None:
    folder = make_model(files={"model.safetensors": b"abc", "m.gguf": b""})
    result = facts(kb, folder)
    assert result.weights.files == ()
    assert result.weights.availability == "unknown"
    assert [p.kind for p in result.problems] == ["unreadable", "unreadable"]


def test_broken_licence_link_is_unreadable(kb: Knowledge, make_model: Callable[..., Path]) -> None:
    folder = make_model("license: mit")
    os.symlink(folder / "missing-target", folder / "LICENSE")
    (folder / "LICENSE-MODEL").mkdir()
    problems = [p.message for p in facts(kb, folder).problems]
    assert any("LICENSE: a broken link" in m for m in problems)
    assert any("LICENSE-MODEL: a folder" in m for m in problems)


@pytest.mark.parametrize(
    ("front", "rule"),
    [
        ("license: [mit, 42]", "license/unknown"),
        ("license: 42", "license/unknown"),
        ("license: mit\nbase_model: 42", "card/invalid-metadata"),
        ("license: mit\nbase_model: {a: 1}", "card/invalid-metadata"),
        ("license: mit\ntags: 5", None),
        ("license_name: no-such-licence", "license/unknown"),
    ],
)
def test_odd_card_values(front: str, rule: str | None, make_model: Callable[..., Path]) -> None:
    folder = make_model(front)
    code, out, _ = cli("check", str(folder), "--id", "google/m", "--policy", ACME, "-f", "json")
    rules = {f["rule"] for f in json.loads(out)["models"][0]["findings"]}
    if rule is None:
        assert code in (0, 1)
    else:
        assert rule in rules and code == 1


def test_org_less_base_model_is_kept_as_an_unknown_ancestor(
    kb: Knowledge, make_model: Callable[..., Path]
) -> None:
    result = facts(kb, make_model("license: mit\nbase_model: gpt2"))
    assert [(a.id, a.country) for a in result.lineage] == [("gpt2", None)]


@pytest.mark.parametrize(
    "when",
    ["{field: 5, equals: 1}", "{field: model.id, matches: 5}", "{all: 5}", "[1, 2]", "{not: []}"],
)
def test_wrongly_typed_conditions(when: str, write_policy: Callable[..., Path]) -> None:
    path = write_policy(
        f"version: 1\nrules:\n- id: a/b\n  severity: note\n  message: m\n  when: {when}\n"
    )
    code, _, err = cli("policy", "check", str(path))
    assert code == 2 and "error: " in err


def test_policy_that_is_not_a_regular_file(tmp_path: Path) -> None:
    code, _, err = cli("policy", "check", "/dev/zero")
    assert code == 2 and "not a regular file" in err
    folder = tmp_path / "dir.yaml"
    folder.mkdir()
    code, _, err = cli("policy", "check", str(folder))
    assert code == 2 and "not a regular file" in err


def test_empty_manifest_is_an_error(tmp_path: Path) -> None:
    manifest = tmp_path / "models.yaml"
    manifest.write_text("models: []\n")
    code, _, err = cli("check", str(manifest))
    assert code == 2 and "the list is empty" in err
    manifest.write_text("version: 2\nmodels: [{path: x}]\n")
    code, _, err = cli("check", str(manifest))
    assert code == 2 and "version: must be 1" in err


def test_binary_readme(kb: Knowledge, make_model: Callable[..., Path]) -> None:
    folder = make_model(card=bytes(range(256)) * 10)
    result = facts(kb, folder)
    assert [p.kind for p in result.problems] == ["invalid-metadata"]
    assert not result.license.known


HUGE = "9" * 5000  # past Python's 4,300-digit limit for int(str)


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"README.md": f"---\nlicense: mit\nx: {HUGE}\n---\n".encode()}, "a value cannot be read"),
        (
            {"adapter_config.json": f'{{"base_model_name_or_path": {HUGE}}}'.encode()},
            "a number is too long",
        ),
        ({"config.json": f'{{"_name_or_path": {HUGE}}}'.encode()}, "a number is too long"),
    ],
)
def test_integers_past_the_digit_limit_are_findings(
    files: dict[str, bytes], expected: str, make_model: Callable[..., Path]
) -> None:
    folder = make_model("license: mit", files={"model.safetensors": b"", **files})
    if "README.md" in files:
        (folder / "README.md").write_bytes(files["README.md"])
    code, out, err = cli("check", str(folder), "--id", "google/m", "-f", "json")
    assert code in (1, 2), err  # never 3 (internal error)
    messages = [f["message"] for f in json.loads(out)["models"][0]["findings"]]
    assert any(expected in m for m in messages), messages


def test_policy_with_a_huge_integer_is_a_located_error(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(f"version: {HUGE}\n")
    code, _, err = cli("policy", "check", str(path))
    assert code == 2 and f"{path}:1:1: invalid YAML: a value cannot be read" in err


def test_regex_repetition_too_large_is_a_policy_error(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(
        "version: 1\nrules:\n  - id: acme/x\n    severity: warning\n    message: m\n"
        '    when: {field: model.id, matches: "a{99999999999}"}\n'
    )
    code, _, err = cli("policy", "check", str(path))
    assert code == 2 and "invalid regular expression" in err


@pytest.mark.parametrize("bad", ['"x\\0y"', "x" * 300])
def test_manifest_paths_the_system_refuses(bad: str, tmp_path: Path) -> None:
    manifest = tmp_path / "m.yaml"
    manifest.write_text(f"models:\n  - id: a/b\n    path: {bad}\n")
    code, out, err = cli("check", str(manifest), "-f", "json")
    assert code == 2, err
    assert json.loads(out)["models"][0]["verdict"] == "error"


def test_undecodable_folder_names_in_every_format(tmp_path: Path) -> None:
    folder = tmp_path / "bad\udcff"
    folder.mkdir()
    (folder / "README.md").write_text("---\nlicense: mit\n---\n")
    formats = ("json", "sarif", "junit", "markdown", "html", "spdx", "spdx3", "cyclonedx", "notice")
    for fmt in formats:
        code, out, err = cli("check", str(folder), "--id", "a/b", "-f", fmt)
        assert code in (0, 1), (fmt, err)
        out.encode("utf-8")  # valid UTF-8: no lone surrogate reached the report
