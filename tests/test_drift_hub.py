"""Drift on the Hub: the real huggingface_hub client against the fake Hub on 127.0.0.1.

A manifest with an unpinned and a pinned model is locked; upstream then replaces both
repositories' LICENSE (a new commit on main). ``--locked`` reports the unpinned model's licence
change and moved revision with evidence from the lock and from the Hub; the pinned model, read
at its pinned commit, has not drifted, also offline from the cache.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXED_NOW, fake_hub_running
from fakehub import FakeHub, FakeRepo, make_readme

from checker.api import audit
from checker.lock import lock_document, render_lock
from checker.sources import HubOptions
from checker.sources.targets import read_manifest

ST = b"\x10\x00\x00\x00\x00\x00\x00\x00" + b'{"__metadata__":{}}'[:16]
CARD = {"license": "apache-2.0"}
HUB = FakeHub()


def _files(licence: bytes) -> dict[str, bytes]:
    return {"README.md": make_readme(CARD), "LICENSE": licence, "model.safetensors": ST}


@pytest.fixture(scope="module", autouse=True)
def _hub() -> Iterator[None]:
    with fake_hub_running(HUB):
        yield


@pytest.fixture
def options(tmp_path: Path) -> HubOptions:
    return HubOptions(
        endpoint=HUB.url,
        cache_dir=str(tmp_path / "hub"),
        timeout=2.0,
        retries=0,
        sleep=lambda _: None,
    )


def _drift(result: Any, ident: str) -> dict[str, Any]:
    model = next(m for m in result.models if m.facts.model.id == ident)
    return {f.rule: f for f in model.findings if f.rule.startswith("drift/")}


def test_a_licence_file_replaced_upstream_is_drift(tmp_path: Path, options: HubOptions) -> None:
    HUB.add(FakeRepo("acme/drifty", files=_files(b"Acme licence, version 1"), card_data=CARD))
    pinned = HUB.add(
        FakeRepo("acme/pinned", files=_files(b"Acme licence, version 1"), card_data=CARD)
    )
    old = pinned.sha
    assert old is not None
    manifest = tmp_path / "models.yaml"
    manifest.write_text(f"models:\n  - id: acme/drifty\n  - id: acme/pinned\n    revision: {old}\n")
    lock = tmp_path / "models.lock.yaml"
    locked_at = audit([str(manifest)], hub=options, now=FIXED_NOW)
    lock.write_text(render_lock(lock_document(locked_at, read_manifest(manifest), manifest, lock)))
    drifty_then = next(m for m in locked_at.models if m.facts.model.id == "acme/drifty")

    # upstream: a new commit on main replaces both LICENSE files; the pinned commit stays
    HUB.add(FakeRepo("acme/drifty", files=_files(b"Acme licence, version 2"), card_data=CARD))
    HUB.add(
        FakeRepo(
            "acme/pinned",
            files=_files(b"Acme licence, version 2"),
            revision_files={old: _files(b"Acme licence, version 1")},
            card_data=CARD,
        )
    )
    now = audit([str(manifest)], hub=options, now=FIXED_NOW, locked=True)
    drifty = _drift(now, "acme/drifty")
    assert set(drifty) == {"drift/license-changed", "drift/revision-moved"}
    changed = drifty["drift/license-changed"]
    assert "licence file LICENSE changed" in changed.message
    sources = [e.source for e in changed.evidence]
    assert sources[0].endswith("models.lock.yaml") and any(
        s.startswith("hf:acme/drifty@") for s in sources
    )
    moved = drifty["drift/revision-moved"]
    assert drifty_then.facts.model.revision in moved.message
    assert _drift(now, "acme/pinned") == {}
    assert now.exit_code == 1

    offline = audit([str(manifest)], hub=replace(options, offline=True), now=FIXED_NOW, locked=True)
    pinned_now = next(m for m in offline.models if m.facts.model.id == "acme/pinned")
    assert pinned_now.facts.error is None and _drift(offline, "acme/pinned") == {}
