"""benchmarks/bench_peers.py: how peers' answers are mapped to licence keys and scored (the
numbers it prints are only as fair as this mapping), and the emulated Hub of weight-audit."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import load_benchmark

from checker.knowledge import Knowledge

bench = load_benchmark("bench_peers")


@pytest.mark.parametrize(
    ("values", "allowed", "expected"),
    [
        (["Apache-2.0"], set(), {"apache-2.0"}),  # an SPDX id
        (["other", "unknown", "NOASSERTION"], set(), set()),  # nothing named
        (["llama-community-license"], {"llama3.1"}, {"llama3.1"}),  # a family, truth in it
        (["llama-community-license"], {"mit"}, {"llama2"}),  # a family, truth not in it
        (["RAIL"], {"creativeml-openrail-m"}, {"creativeml-openrail-m"}),
        (["scancode:llama-4-license-2025"], set(), {"doc:llama4-aup"}),  # a document
        (["scancode:qwen-2024"], set(), {"raw:scancode:qwen-2024"}),  # known to map to nothing
        (["scancode:apache-2.0", "scancode:mit"], set(), {"apache-2.0", "mit"}),
        (["Made-Up License"], set(), {"raw:Made-Up License"}),  # shown raw, scored wrong
    ],
)
def test_peer_values_map_to_keys(
    values: list[str], allowed: set[str], expected: set[str], kb: Knowledge
) -> None:
    assert bench.to_keys(values, kb, allowed) == expected


@pytest.mark.parametrize(
    ("truth", "keys", "verdict"),
    [
        ({"license": "mit"}, {"mit"}, "right"),
        ({"license": "mit"}, set(), "unknown"),
        ({"license": "mit"}, {"apache-2.0"}, "wrong"),
        ({"license": "mit"}, {"raw:MIT-ish"}, "wrong"),
        ({"license": ["apache-2.0", "llama3.1"]}, {"apache-2.0"}, "wrong"),  # incomplete
        ({"license": "mit", "accept": [["apache-2.0"]]}, {"apache-2.0"}, "right"),
        ({"license": "unknown"}, set(), "right"),
        ({"license": "unknown"}, {"mit"}, "wrong"),
    ],
)
def test_cards_are_scored_as_clearance_is(
    truth: dict[str, Any], keys: set[str], verdict: str, kb: Knowledge
) -> None:
    assert bench.score_card(truth, keys, kb) == verdict


def test_texts_and_documents() -> None:
    assert bench.score_text("llama2", {"llama2"}) == "right"
    assert bench.score_text("llama2", {"llama2", "mit"}) == "wrong"
    assert bench.score_text("llama2", set()) == "unknown"
    assert bench.score_text(("doc", "llama3-aup"), {"doc:llama3-aup"}) == "right"
    assert bench.score_text(("doc", "llama3-aup"), {"doc:llama4-aup"}) == "wrong"


def test_reported_paths_find_their_folder(tmp_path: Path) -> None:
    root = tmp_path / "cards"
    assert bench.folder_of(str(root / "org__m" / "README.md"), root) == "org__m"
    assert bench.folder_of("cards/org__m/README.md", root) == "org__m"
    assert bench.folder_of("/elsewhere/file", root) is None


def test_a_missing_peer_is_not_installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bench, "VENVS", tmp_path)
    peer = bench.Peer("Nothing", ("nothing-here",), "nothing")
    assert peer.version() is None
    assert bench.cells(bench.Score(note="not installed"), 3)[0] == "not installed"


FAKE_WEIGHT_AUDIT = """#!{python}
import json, sys, pathlib
rows = []
for line in (pathlib.Path(sys.argv[2]) / "weight-audit-models.txt").read_text().splitlines():
    model, _, declared = line.partition(",")
    rows.append({{"model_id": model, "license_id": declared or "other"}})
print(json.dumps(rows))
"""


def test_weight_audit_gets_the_card_licence_as_the_hub_reports_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    exe = tmp_path / "venv" / "bin" / "weight-audit"
    exe.parent.mkdir(parents=True)
    exe.write_text(FAKE_WEIGHT_AUDIT.format(python=sys.executable))
    os.chmod(exe, 0o755)
    root = tmp_path / "cards"
    for folder, card in {
        "acme__one": "---\nlicense: mit\n---\n# one\n",
        "acme__two": "---\nlicense: [apache-2.0, mit]\n---\n",
        "acme__three": "# no front matter\n",
    }.items():
        (root / folder).mkdir(parents=True)
        (root / folder / "README.md").write_text(card)
    monkeypatch.setattr(bench, "VENVS", tmp_path)
    peer = bench.Peer("weight-audit", ("venv",), "weight-audit", False)
    answers = bench.run_weight_audit(peer, root, tmp_path, "cards")
    assert answers == {
        "acme__one": ["mit"],
        "acme__two": ["['apache-2.0', 'mit']"],  # str() of a list, as the tool does
        "acme__three": ["other"],
    }
