"""Shared fixtures: the knowledge base, a fixed clock, model-folder builders, corpus access."""

from __future__ import annotations

import os as _os
import tempfile as _tempfile

# Compiled knowledge and validated-policy marks go to a folder of this test session, never to
# the user's cache (tests that need their own folder set CLEARANCE_CACHE_DIR themselves).
_os.environ["CLEARANCE_CACHE_DIR"] = _tempfile.mkdtemp(prefix="clearance-test-cache-")

import contextlib
import datetime as dt
import importlib.util
import struct
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from checker.knowledge import Knowledge, load_knowledge

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
EXAMPLES = REPO / "examples"
FIXED_NOW = dt.datetime(2026, 11, 29, 12, 0, tzinfo=dt.UTC)


def load_benchmark(name: str) -> ModuleType:
    """A script of benchmarks/ as a module (registered first: its dataclasses look it up)."""
    spec = importlib.util.spec_from_file_location(name, REPO / "benchmarks" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    sys.modules.setdefault(name, importlib.util.module_from_spec(spec))
    spec.loader.exec_module(sys.modules[name])
    return sys.modules[name]


def corpus_dir() -> Path:
    """The shared corpus, or skip the test when it is absent."""
    if not (CORPUS / "MANIFEST.yaml").is_file():
        pytest.skip("../shared/corpus is not present")
    return CORPUS


@pytest.fixture(scope="session")
def kb() -> Knowledge:
    return load_knowledge()


def safetensors_bytes() -> bytes:
    header = b'{"__metadata__":{"format":"pt"}}'
    header += b" " * ((8 - len(header) % 8) % 8)
    return struct.pack("<Q", len(header)) + header


@pytest.fixture
def make_model(tmp_path: Path) -> Callable[..., Path]:
    """Write a model folder: a card (front matter text or raw bytes) and named files."""
    counter = iter(range(10_000))

    def build(
        front: str | None = "license: apache-2.0",
        *,
        card: bytes | None = None,
        files: dict[str, bytes] | None = None,
        name: str | None = None,
    ) -> Path:
        folder = tmp_path / (name or f"model{next(counter)}")
        folder.mkdir(parents=True)
        if card is not None:
            (folder / "README.md").write_bytes(card)
        elif front is not None:
            (folder / "README.md").write_text(f"---\n{front}\n---\n\n# Model\n")
        for rel, data in (
            files if files is not None else {"model.safetensors": safetensors_bytes()}
        ).items():
            target = folder / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        return folder

    return build


@pytest.fixture
def write_policy(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write a policy file into the test's folder."""

    def write(text: str, name: str = "policy.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text)
        return path

    return write


@pytest.fixture(scope="session")
def example_result():  # type: ignore[no-untyped-def]
    """The audit of the bundled examples with the clock, tool version and knowledge digest fixed,
    so every report rendered from it is byte-stable (golden files)."""
    import dataclasses
    import os

    from checker.api import audit

    cwd = os.getcwd()
    os.chdir(REPO)
    try:
        result = audit(["examples/models.yaml"], "examples/policies/acme.yaml", now=FIXED_NOW)
    finally:
        os.chdir(cwd)
    return dataclasses.replace(
        result,
        tool_version="0.0.0-test",
        knowledge_digest="0" * 64,
        knowledge_licenses=0,
        knowledge_developers=0,
    )


def partly_unresolved_licence(kb: Knowledge):  # type: ignore[no-untyped-def]
    """Licence facts where the card declares apache-2.0 and a licence nobody knows."""
    from checker.facts import DeclaredLicense, LicenseFacts
    from checker.findings import Evidence

    apache = kb.license("apache-2.0")
    assert apache is not None
    evidence = Evidence("README.md", "/license", "x")
    declared = (
        DeclaredLicense("apache-2.0", "card", evidence),
        DeclaredLicense("my-own-licence", "card", evidence),
    )
    return LicenseFacts(
        declared=declared,
        expression="Apache-2.0",
        ids=("Apache-2.0",),
        entries=(apache,),
        unresolved=declared[1:],
        declared_by="card",
    )


@contextlib.contextmanager
def fake_hub_running(hub: Any) -> Iterator[None]:
    """Serve a ``fakehub.FakeHub`` for a test (``fakehub.serving``), then stop it."""
    from fakehub import serving

    with serving(hub):
        yield
