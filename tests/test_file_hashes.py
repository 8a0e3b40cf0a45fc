"""Hashes of what was audited (issue 13 item 2): every file read, with its size and SHA-256, in
the JSON report (schema-checked), SPDX 2.3 (spdx-tools), CycloneDX (strict schema), HTML (parsed)
and NOTICE; the Hub's ``lfs.sha256`` for weight files through the real huggingface_hub client
against the fake Hub; ``--hash-weights`` for local folders; the lock's licence fingerprints are
the report's digests."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from conftest import EXAMPLES, FIXED_NOW, REPO, safetensors_bytes
from fakehub import FakeHub, FakeRepo, make_readme, serving
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.api import audit
from checker.facts import AuditedFile
from checker.reporters import REPORTERS
from checker.result import AuditResult
from checker.sources import HubOptions
from checker.sources.hashing import CHUNK

LICENSE = (EXAMPLES / "models" / "bert-base-uncased" / "LICENSE").read_bytes()  # Apache-2.0
CARD = {"license": "apache-2.0"}
WEIGHTS = safetensors_bytes() + b"\x02" * 10_000
HUB_REPO = FakeRepo(
    "google-bert/hashed",
    files={
        "README.md": make_readme(CARD, "# Hashed\n"),
        "LICENSE": LICENSE,
        "config.json": b'{"model_type": "bert"}',
        "model.safetensors": WEIGHTS,
        "model.gguf": b"GGUF" + b"\0" * 200,
    },
    card_data=CARD,
)
HUB = FakeHub([HUB_REPO])


@pytest.fixture(scope="module")
def hub() -> Iterator[FakeHub]:
    with serving(HUB):
        yield HUB


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def by_key(files: tuple[AuditedFile, ...]) -> dict[tuple[str, str], AuditedFile]:
    return {(f.path, f.role): f for f in files}


def hub_result(tmp_path: Path, **kw: Any) -> AuditResult:
    options = HubOptions(endpoint=HUB.url, cache_dir=str(tmp_path / "hub"), timeout=5.0, **kw)
    return audit(
        [f"google-bert/hashed@{HUB_REPO.sha}"], "builtin:baseline", hub=options, now=FIXED_NOW
    )


def test_hub_weight_files_carry_the_hubs_lfs_sha256(hub: FakeHub, tmp_path: Path) -> None:
    result = hub_result(tmp_path, weight_headers="always")
    files = by_key(result.models[0].facts.files)
    weights = files[("model.safetensors", "weights")]
    assert (weights.origin, weights.sha256, weights.size) == (
        "hub-lfs",
        sha256(WEIGHTS),
        len(WEIGHTS),
    )
    assert files[("model.gguf", "weights")].sha256 == sha256(HUB_REPO.files["model.gguf"])
    assert [r.method for r in hub.requests_to(r"/paths-info/")] == ["POST"]  # one request
    for name, role, data in [
        ("README.md", "card", HUB_REPO.files["README.md"]),
        ("LICENSE", "license", LICENSE),
    ]:
        f = files[(name, role)]
        assert (f.origin, f.sha256, f.size, f.range) == ("read", sha256(data), len(data), None)
        assert f.sha1 == hashlib.sha1(data).hexdigest()
    # the header: the bytes read (length and JSON), never presented as the file's digest
    header = files[("model.safetensors", "weights-header")]
    length = 8 + int.from_bytes(WEIGHTS[:8], "little")
    assert header.range == (0, length) and header.sha256 == sha256(WEIGHTS[:length])
    assert header.sha256 != weights.sha256
    # a second run at the commit, and an offline one, ask the Hub nothing and list the same
    hub.clear_log()
    again = hub_result(tmp_path, weight_headers="always")
    offline = hub_result(tmp_path, weight_headers="always", offline=True)
    assert hub.requests == []
    assert again.models[0].facts.files == offline.models[0].facts.files == tuple(files.values())


def test_a_weight_file_kept_in_git_is_not_listed_with_a_guess(hub: FakeHub, tmp_path: Path) -> None:
    small = FakeRepo("acme/in-git", files={"README.md": make_readme(CARD), "w.bin": b"x" * 10})
    small.lfs_patterns = ()
    hub.add(small)
    options = HubOptions(endpoint=hub.url, cache_dir=str(tmp_path / "hub"), timeout=5.0)
    (model,) = audit(["acme/in-git"], "builtin:baseline", hub=options, now=FIXED_NOW).models
    assert [f.path for f in model.facts.files] == ["README.md"]


def local_model(folder: Path, weights: bytes) -> Path:
    folder.mkdir(parents=True)
    (folder / "README.md").write_text("---\nlicense: apache-2.0\n---\n\n# Local\n")
    (folder / "LICENSE").write_bytes(LICENSE)
    (folder / "model.safetensors").write_bytes(weights)
    return folder


def test_local_weights_are_hashed_only_with_hash_weights(tmp_path: Path) -> None:
    weights = safetensors_bytes() + os.urandom(CHUNK + 12_345)  # more than one chunk
    folder = local_model(tmp_path / "m", weights)
    plain = audit([str(folder)], now=FIXED_NOW).models[0].facts.files
    assert {f.role for f in plain} == {"card", "license", "weights-header"}
    seen: list[tuple[str, int, int]] = []
    hashed = audit(
        [str(folder)], now=FIXED_NOW, hash_weights=True, on_bytes=lambda *a: seen.append(a)
    ).models[0]
    files = by_key(hashed.facts.files)
    f = files[("model.safetensors", "weights")]
    assert (f.origin, f.size, f.sha256) == ("hashed", len(weights), sha256(weights))
    assert seen[-1] == ("model.safetensors", len(weights), len(weights)) and len(seen) == 2
    assert set(plain) < set(hashed.facts.files)


def test_cli_hash_weights_end_to_end(tmp_path: Path) -> None:
    weights = safetensors_bytes() + b"\x07" * 5000
    folder = local_model(tmp_path / "m", weights)
    out = subprocess.run(
        [sys.executable, "-m", "checker", "check", str(folder), "--hash-weights", "-f", "json",
         "--id", "google-bert/m"],
        capture_output=True, text=True, cwd=REPO, timeout=120, env={**os.environ, "CI": "1"},
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert "Traceback" not in out.stderr and "hashing" not in out.stderr  # no bar off a terminal
    (model,) = json.loads(out.stdout)["models"]
    listed = {(f["path"], f["role"]): f for f in model["files"]}
    assert listed[("model.safetensors", "weights")] == {
        "path": "model.safetensors",
        "size": len(weights),
        "sha256": sha256(weights),
        "role": "weights",
        "digest_origin": "hashed",
    }
    assert listed[("LICENSE", "license")]["sha256"] == sha256(LICENSE)


def _reports(result: AuditResult) -> dict[str, str]:
    return {fmt: REPORTERS[fmt](result) for fmt in ("json", "spdx", "cyclonedx", "html", "notice")}


@pytest.fixture
def both(hub: FakeHub, tmp_path: Path) -> AuditResult:
    """A Hub model (lfs digests, header) and a hashed local folder in one audit."""
    folder = local_model(tmp_path / "local", safetensors_bytes())
    options = HubOptions(endpoint=hub.url, cache_dir=str(tmp_path / "hub"), timeout=5.0)
    manifest = tmp_path / "models.yaml"
    manifest.write_text(f"models:\n  - id: google-bert/local\n    path: {folder}\n")
    targets = [f"google-bert/hashed@{HUB_REPO.sha}", str(manifest)]
    result = audit(targets, hub=options, now=FIXED_NOW, hash_weights=True)
    assert [m.verdict.value for m in result.models] == ["pass", "pass"]  # NOTICE lists both
    return result


def test_json_report_lists_files_and_matches_its_schema(both: AuditResult) -> None:
    schema = json.loads((REPO / "rules" / "schema" / "report.schema.json").read_text())
    doc = json.loads(_reports(both)["json"])
    jsonschema.validate(doc, schema)
    origins = {f["digest_origin"] for m in doc["models"] for f in m["files"]}
    assert origins == {"read", "hub-lfs", "hashed"}
    headers = [f for m in doc["models"] for f in m["files"] if f["role"] == "weights-header"]
    assert headers and all(f["range"][0] == 0 and f["range"][1] == f["size"] for f in headers)


def test_spdx_files_and_weight_packages_validate(both: AuditResult, tmp_path: Path) -> None:
    from spdx_tools.spdx.parser.json.json_parser import parse_from_file
    from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document
    from spdx_tools.spdx.validation.uri_validators import validate_download_location

    text = _reports(both)["spdx"]
    path = tmp_path / "report.spdx.json"
    path.write_text(text)
    found = [m.validation_message for m in validate_full_spdx_document(parse_from_file(str(path)))]
    # spdx-tools refuses an IP address with a port as a download location (the fake Hub's)
    assert [m for m in found if "127.0.0.1" not in m] == []
    assert (
        validate_download_location(f"https://huggingface.co/a/b/resolve/{HUB_REPO.sha}/w.bin") == []
    )
    data = json.loads(text)
    licence = next(f for f in data["files"] if f["fileName"] == "./LICENSE")
    assert {c["algorithm"]: c["checksumValue"] for c in licence["checksums"]} == {
        "SHA1": hashlib.sha1(LICENSE).hexdigest(),
        "SHA256": sha256(LICENSE),
    }
    weights = next(
        p for p in data["packages"] if p["name"] == "google-bert/hashed/model.safetensors"
    )
    assert weights["checksums"] == [{"algorithm": "SHA256", "checksumValue": sha256(WEIGHTS)}]
    assert weights["packageFileName"] == "./model.safetensors"
    assert weights["downloadLocation"].endswith(f"/resolve/{HUB_REPO.sha}/model.safetensors")
    model = next(p for p in data["packages"] if p["name"] == "google-bert/hashed")
    assert model["filesAnalyzed"] is True and "checksums" not in model
    contains = {
        r["relatedSpdxElement"]
        for r in data["relationships"]
        if r["relationshipType"] == "CONTAINS" and r["spdxElementId"] == model["SPDXID"]
    }
    assert licence["SPDXID"] in contains and weights["SPDXID"] in contains
    # a header's digest is of part of the file: never an SPDX file checksum
    all_sums = {c["checksumValue"] for f in data["files"] for c in f["checksums"]}
    length = 8 + int.from_bytes(WEIGHTS[:8], "little")
    assert sha256(WEIGHTS[:length]) not in all_sums


def test_cyclonedx_file_components_carry_hashes(both: AuditResult) -> None:
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    text = _reports(both)["cyclonedx"]
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(text) is None
    data = json.loads(text)
    model = next(c for c in data["components"] if c["name"] == "hashed")
    files = {c["name"]: c for c in model["components"]}
    assert all(c["type"] == "file" for c in files.values())
    hashes = {h["alg"]: h["content"] for h in files["model.safetensors"]["hashes"]}
    assert hashes == {"SHA-256": sha256(WEIGHTS)}
    assert {h["alg"] for h in files["LICENSE"]["hashes"]} == {"SHA-256", "SHA-1"}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_and_notice_show_the_licence_files_hashes(both: AuditResult) -> None:
    reports = _reports(both)
    parser = _Text()
    parser.feed(reports["html"])
    parser.close()
    text = " ".join(parser.text)
    assert "Licence files read" in text and sha256(LICENSE) in text
    assert sha256(WEIGHTS) in text  # the files table lists the weight digests too
    assert f"licence file read: LICENSE, sha256 {sha256(LICENSE)}" in " ".join(
        reports["notice"].split()
    )


def test_lock_fingerprints_are_the_reports_sha256(tmp_path: Path) -> None:
    from click.testing import CliRunner
    from ruamel.yaml import YAML

    from checker.cli import main

    local_model(tmp_path / "models" / "a", safetensors_bytes())
    (tmp_path / "models.yaml").write_text("models:\n  - id: acme/a\n    path: models/a\n")
    runner = CliRunner()
    assert runner.invoke(main, ["lock", str(tmp_path / "models.yaml")]).exit_code == 0
    lock = YAML(typ="safe").load((tmp_path / "models.lock.yaml").read_text())
    locked = lock["models"][0]["license"]["inputs"]["files"]
    done = runner.invoke(main, ["check", str(tmp_path / "models.yaml"), "-f", "json", "-q"])
    (model,) = json.loads(done.stdout)["models"]
    reported = {f["path"]: f["sha256"] for f in model["files"] if f["role"] == "license"}
    assert locked == reported == {"LICENSE": sha256(LICENSE)}


@settings(max_examples=60, deadline=None)
@given(data=st.binary(max_size=200), chunk=st.integers(min_value=1, max_value=64))
def test_streamed_digest_equals_hashlib_whatever_the_chunking(data: bytes, chunk: int) -> None:
    import tempfile

    from checker.sources import hashing

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "w.bin"
        path.write_bytes(data)
        saved, hashing.CHUNK = hashing.CHUNK, chunk
        try:
            assert hashing.sha256_of(path) == (len(data), sha256(data))
        finally:
            hashing.CHUNK = saved


def test_hashing_memory_is_bounded_by_the_chunk(tmp_path: Path) -> None:
    import tracemalloc

    from checker.sources.hashing import sha256_of

    path = tmp_path / "big.bin"
    with open(path, "wb") as out:
        out.truncate(8 * CHUNK)  # sparse: 32 MiB read, nothing written
    tracemalloc.start()
    try:
        size, _ = sha256_of(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert size == 8 * CHUNK and peak < 2 * CHUNK
