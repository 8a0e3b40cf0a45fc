"""Precision and recall on the scan's own corpus (tests/scan/corpus): every true positive is
found at its line, and none of the traps (local paths, other sites, MIME types, path/to/file,
prose, comments, datasets, Docker images, Ollama's library, ignored files) is."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from checker.scan import scan_paths
from checker.scan.render import render_text

HERE = Path(__file__).parent
CORPUS = HERE / "corpus"
EXPECTED = HERE / "expected.txt"

# strings in the corpus that look like ids but name no model the project depends on
TRAPS = (
    "checkpoints/final",
    "path/to/file",
    "github.com",
    "org/repo",
    "text/plain",
    "image/png",
    "application/json",
    "squad/plain_text",
    "allenai/c4",
    "tatsu-lab/alpaca",
    "acme-ai/my-finetune",
    "microsoft/phi-2",
    "tiiuae/falcon-7b",
    "meta-llama/Llama-3.1-70B",
    "meta-llama/Llama-3.1-8B\n",
    "meta-llama/Llama-3.2-1B",
    "meta-llama/Llama-2-7b-hf",
    "pytorch/pytorch",
    "library/llama3",
    "huggingface/transformers",
    "commented/out",
    "not/this",
    "ignored/should-not-appear",
    "ignoredtoo/should-not-appear",
    "data/raw",
    "data/train.jsonl",
    "outputs/run-1",
    "private-model",
    "not-a-namespaced-id",
)


@pytest.fixture
def in_corpus(monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(CORPUS)
    return CORPUS


def test_the_corpus_gives_exactly_the_expected_references(in_corpus: Path) -> None:
    found = render_text(scan_paths(["."]))
    expected = EXPECTED.read_text(encoding="utf-8")
    if os.environ.get("CLEARANCE_UPDATE_GOLDEN") and found != expected:
        EXPECTED.write_text(found, encoding="utf-8")
        return
    missed = sorted(set(expected.splitlines()) - set(found.splitlines()))
    extra = sorted(set(found.splitlines()) - set(expected.splitlines()))
    assert not missed, f"recall: not found {missed}"
    assert not extra, f"precision: found but not expected {extra}"
    assert found == expected  # and in this order


def test_no_trap_is_reported(in_corpus: Path) -> None:
    text = render_text(scan_paths(["."]))
    for trap in TRAPS:
        assert trap not in text.replace(" (", "\n ("), trap


def test_every_kind_of_file_is_covered(in_corpus: Path) -> None:
    kinds = {r.kind for r in scan_paths(["."]).references}
    assert kinds == {"python", "notebook", "config", "shell", "dockerfile", "modelfile", "env"}


def test_the_corpus_parts_are_tracked_by_git() -> None:
    """The ignored files are committed on purpose (git add -f): the scan must skip them."""
    assert (CORPUS / "ignored" / "secret.py").is_file()
    assert (CORPUS / "app" / "dev.local.py").is_file()


def test_a_scan_is_deterministic(in_corpus: Path) -> None:
    first = scan_paths(["."])
    assert scan_paths(["app", ".", "configs"]).references == first.references
    assert scan_paths(["."]) == first
