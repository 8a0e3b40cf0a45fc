"""Safetensors ``__metadata__`` of Hub models (issue 13 item 1, Hub side): read with HTTP range
requests by the real huggingface_hub session against the fake Hub (whose LFS files redirect to
a second server, as the CDN does), never the weights; only when the card names no licence unless
``weight_headers="always"``; cached at the commit, so a second or ``--offline`` run asks nothing.
"""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXED_NOW, REPO
from fakehub import FakeHub, FakeRepo, make_readme, serving

from checker.api import audit
from checker.facts import ProblemKind
from checker.sources import HubOptions

PAD = 8  # safetensors headers are padded to 8 bytes


def weights(metadata: dict[str, str] | None, pad: int = 0, tensor_bytes: int = 4096) -> bytes:
    """A safetensors file: the length, the JSON header (``pad`` spaces more), the tensor data."""
    header: dict[str, Any] = {"w": {"dtype": "F32", "shape": [tensor_bytes // 4]}}
    header["w"]["data_offsets"] = [0, tensor_bytes]
    if metadata is not None:
        header["__metadata__"] = metadata
    raw = json.dumps(header).encode() + b" " * pad
    raw += b" " * ((PAD - len(raw) % PAD) % PAD)
    return struct.pack("<Q", len(raw)) + raw + b"\x01" * tensor_bytes


def repo(repo_id: str, card: dict[str, Any] | None, files: dict[str, bytes]) -> FakeRepo:
    contents = dict(files)
    if card is not None:
        contents["README.md"] = make_readme(card, "# A card\n")
    return FakeRepo(repo_id, files=contents, card_data=card)


WORLD = [
    repo("acme/no-card", None, {"model.safetensors": weights({"license": "apache-2.0"})}),
    repo(
        "acme/other-card",
        {"license": "other"},
        {"model.safetensors": weights({"modelspec.license": "mit"})},
    ),
    repo(
        "acme/carded",
        {"license": "mit"},
        {"model.safetensors": weights({"license": "cc-by-nc-4.0"})},
    ),
    repo(
        "acme/sharded",
        None,
        {
            "model-00001-of-00002.safetensors": weights({"license": "mit"}),
            "model-00002-of-00002.safetensors": weights({"license": "mit"}),
        },
    ),
    repo(
        "acme/long-header",
        None,
        {"model.safetensors": weights({"license": "apache-2.0"}, pad=150_000)},
    ),
    repo(
        "acme/huge-header",
        None,
        {"model.safetensors": struct.pack("<Q", 10**12) + b"{}" + b"\0" * 64},
    ),
    repo(
        "acme/bad-json",
        None,
        {"model.safetensors": struct.pack("<Q", 8) + b"{not js}" + b"\0" * 64},
    ),
    repo(
        "acme/derived",
        None,
        {
            "model.safetensors": weights(
                {"license": "mit", "base_model": "deepseek-ai/DeepSeek-V2-Lite"}
            )
        },
    ),
]
WORLD.append(
    repo(
        "acme/long-value",
        None,
        {"model.safetensors": weights({"license": "l" * 3000, "base_model": "acme/no-card"})},
    )
)
WORLD.append(
    FakeRepo(
        "acme/gated",
        files={"model.safetensors": weights({"license": "mit"})},
        card_data={"license": "other"},
        gated="manual",
    )
)
HUB = FakeHub(WORLD)


@pytest.fixture(scope="module", autouse=True)
def _hub() -> Iterator[None]:
    with serving(HUB):
        yield


@pytest.fixture(autouse=True)
def _fresh_log() -> None:
    HUB.clear_faults()
    HUB.clear_log()


def options(tmp_path: Path, **kw: Any) -> HubOptions:
    return HubOptions(endpoint=HUB.url, cache_dir=str(tmp_path / "hub"), timeout=5.0, **kw)


def facts(ident: str, opts: HubOptions) -> Any:
    (model,) = audit([ident], "builtin:baseline", hub=opts, now=FIXED_NOW).models
    return model.facts


def weight_reads() -> list[Any]:
    """Requests for a .safetensors file, at the Hub (the redirect) and at the CDN."""
    return [
        r for r in HUB.requests if r.path.endswith(".safetensors") or r.path.startswith("/lfs/")
    ]


def test_licence_from_the_header_of_a_model_without_a_card(tmp_path: Path) -> None:
    got = facts("acme/no-card", options(tmp_path))
    assert got.license.ids == ("Apache-2.0",)
    (declared,) = got.license.declared
    assert declared.declared_by == "header"
    sha = WORLD[0].sha
    assert declared.evidence.source == f"hf:acme/no-card@{sha}/model.safetensors"
    reads = weight_reads()
    assert [r.server for r in reads] == ["hub", "cdn"]  # one range request, redirected
    assert all(r.method == "GET" and r.headers["range"] == "bytes=0-99999" for r in reads)


def test_license_other_with_no_name_reads_the_header(tmp_path: Path) -> None:
    assert facts("acme/other-card", options(tmp_path)).license.ids == ("MIT",)


def test_a_card_naming_a_licence_costs_no_request(tmp_path: Path) -> None:
    got = facts("acme/carded", options(tmp_path))
    assert got.license.ids == ("MIT",) and not got.license.inconsistent
    assert weight_reads() == []


def test_always_reads_it_and_a_disagreement_is_inconsistent(tmp_path: Path) -> None:
    got = facts("acme/carded", options(tmp_path, weight_headers="always"))
    assert got.license.inconsistent
    assert set(got.license.ids) == {"MIT", "CC-BY-NC-4.0"}


def test_never_makes_no_range_request(tmp_path: Path) -> None:
    got = facts("acme/no-card", options(tmp_path, weight_headers="never"))
    assert got.license.ids == () and weight_reads() == []


def test_only_the_first_shard_is_read(tmp_path: Path) -> None:
    got = facts("acme/sharded", options(tmp_path))
    assert got.license.ids == ("MIT",)
    hub_reads = [r.path for r in weight_reads() if r.server == "hub"]
    assert [p.rsplit("/", 1)[-1] for p in hub_reads] == ["model-00001-of-00002.safetensors"]


def test_a_header_longer_than_the_first_read_takes_a_second_range(tmp_path: Path) -> None:
    got = facts("acme/long-header", options(tmp_path))
    assert got.license.ids == ("Apache-2.0",)
    ranges = [r.headers["range"] for r in weight_reads() if r.server == "cdn"]
    assert ranges[0] == "bytes=0-99999" and ranges[1].startswith("bytes=100000-")
    assert len(ranges) == 2


def test_a_server_that_ignores_ranges_is_read_no_further(tmp_path: Path) -> None:
    HUB.ignore_ranges = True
    try:
        got = facts("acme/long-header", options(tmp_path))
    finally:
        HUB.ignore_ranges = False
    assert got.license.ids == ("Apache-2.0",)


@pytest.mark.parametrize(
    ("ident", "why"),
    [("acme/huge-header", "not read"), ("acme/bad-json", "not valid JSON")],
)
def test_malformed_headers_are_findings(tmp_path: Path, ident: str, why: str) -> None:
    got = facts(ident, options(tmp_path))
    problems = [p for p in got.problems if p.kind is ProblemKind.UNREADABLE]
    assert any(why in p.message and "model.safetensors" in p.message for p in problems)
    assert sum(1 for r in weight_reads() if r.server == "cdn") == 1  # never read further


def test_base_model_from_the_header_is_lineage(tmp_path: Path) -> None:
    got = facts("acme/derived", options(tmp_path))
    assert [(a.id, a.inferred, a.country) for a in got.lineage] == [
        ("deepseek-ai/DeepSeek-V2-Lite", True, "CN")
    ]


def test_pinned_and_offline_runs_read_the_cached_header(tmp_path: Path) -> None:
    sha = WORLD[0].sha
    first = facts(f"acme/no-card@{sha}", options(tmp_path))
    HUB.clear_log()
    again = facts(f"acme/no-card@{sha}", options(tmp_path))
    assert HUB.requests == [] and again == first
    offline = facts(f"acme/no-card@{sha}", options(tmp_path, offline=True))
    assert HUB.requests == [] and offline.license.ids == ("Apache-2.0",)
    assert offline.license == first.license


def test_a_failed_range_read_is_named_and_not_remembered(tmp_path: Path) -> None:
    HUB.fail(r"/acme/no-card/resolve/.*\.safetensors$", status=500, times=1, method="GET")
    got = facts("acme/no-card", options(tmp_path, retries=0))
    assert any("safetensors header not read" in p.message for p in got.problems)
    HUB.clear_faults()
    assert facts("acme/no-card", options(tmp_path)).license.ids == ("Apache-2.0",)


def test_a_gated_header_is_said_with_availability_not_as_unreadable(tmp_path: Path) -> None:
    got = facts("acme/gated", options(tmp_path))
    assert got.license.ids == () and got.problems == ()
    assert got.weights.availability == "gated-manual"


@pytest.mark.parametrize(("mode", "reads"), [("auto", 2), ("never", 0)])
def test_cli_weight_headers_option(tmp_path: Path, mode: str, reads: int) -> None:
    env = {
        **os.environ,
        "HF_ENDPOINT": HUB.url,
        "HF_HOME": str(tmp_path),
        "HF_HUB_DISABLE_TELEMETRY": "1",
        "HF_HUB_DISABLE_IMPLICIT_TOKEN": "1",
    }
    env.pop("HF_HUB_OFFLINE", None)
    command = [sys.executable, "-m", "checker", "check", "acme/no-card", "--format", "json"]
    out = subprocess.run(
        [*command, "--weight-headers", mode],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=120,
    )
    assert out.returncode in (0, 1), out.stderr
    (doc,) = json.loads(out.stdout)["models"]
    assert len(weight_reads()) == reads
    licence = json.dumps(doc)
    assert ("Apache-2.0" in licence) is (mode == "auto")


def test_a_header_value_too_long_to_use_is_said_cold_warm_and_offline(tmp_path: Path) -> None:
    """As the local source does: a value over 2,048 characters is not used, and a problem says
    so (the Hub reading is kept with it, so a run from the cache says it too); a reading kept
    by an earlier version, which dropped such values silently, is read again."""
    from checker.sources.hub import headers

    sha = next(r.sha for r in WORLD if r.repo_id == "acme/long-value")
    why = "header value license is 3,000 characters, longer than the 2,048 read: not used"
    shown = f"hf:acme/long-value@{sha}/model.safetensors"
    runs = []
    for opts in (options(tmp_path), options(tmp_path), options(tmp_path, offline=True)):
        got = facts(f"acme/long-value@{sha}", opts)
        runs.append([p.message for p in got.problems if p.kind is ProblemKind.UNREADABLE])
        assert not got.license.known  # the long value is not a licence read
        assert [a.id for a in got.lineage] == ["acme/no-card"]  # the other key is used
    assert all(f"{shown}: {why}" in messages for messages in runs)
    kept = next(tmp_path.rglob("model.safetensors.json"))
    entry = json.loads(kept.read_text())
    assert entry["format"] == headers.FORMAT and entry["too_long"] == [why]
    del entry["format"], entry["too_long"]  # as version 1 kept it
    kept.write_text(json.dumps(entry))
    HUB.clear_log()
    offline = facts(f"acme/long-value@{sha}", options(tmp_path, offline=True))
    assert HUB.requests == []  # offline, the old reading is what there is: used as it was
    assert [a.id for a in offline.lineage] == ["acme/no-card"] and not offline.license.known
    assert any(f.role == "weights-header" for f in offline.files)  # its digest too
    for broken in ({**entry, "format": 2, "too_long": "not a list"}, ["not", "a", "dict"]):
        kept.write_text(json.dumps(broken))  # a damaged reading is read again, never trusted
        HUB.clear_log()
        got = facts(f"acme/long-value@{sha}", options(tmp_path))
        assert len([r for r in weight_reads() if r.server == "cdn"]) == 1
        assert any(why in p.message for p in got.problems)
    got = facts(f"acme/long-value@{sha}", options(tmp_path))
    assert len([r for r in weight_reads() if r.server == "cdn"]) == 1  # read again
    assert any(why in p.message for p in got.problems)
