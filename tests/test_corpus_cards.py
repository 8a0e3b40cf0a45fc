"""Every real model card in ../shared/corpus/cards parses without an exception and yields the
licence its front matter declares (skipped when the corpus is absent)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import CORPUS, corpus_dir

from checker.api import gather
from checker.card import parse_card
from checker.knowledge import Knowledge
from checker.sources.targets import Target

CARDS = sorted((CORPUS / "cards").rglob("*.md")) if (CORPUS / "cards").is_dir() else []


@pytest.mark.parametrize("card", CARDS or [None], ids=lambda p: p.name if p else "absent")
def test_card_yields_declared_licence(card: Path | None, kb: Knowledge, tmp_path: Path) -> None:
    corpus_dir()
    assert card is not None
    folder = tmp_path / "model"
    folder.mkdir()
    shutil.copyfile(card, folder / "README.md")  # into a temporary folder, never the repo
    owner, _, name = card.stem.partition("__")
    facts = gather([Target("local", str(folder), card.name, f"{owner}/{name or 'x'}")], kb)[0]
    assert facts.error is None
    meta = parse_card(card.read_bytes()).metadata
    declared = meta.get("license")
    values = [declared] if isinstance(declared, str) else list(declared or [])
    assert [
        d.value
        for d in facts.license.declared
        if d.evidence.pointer.startswith("/license")
        and not d.evidence.pointer.startswith("/license_")
    ] == values
    for value in values:
        entry = kb.license(value)
        if entry is not None:
            assert entry.id in facts.license.ids
    if values == ["other"]:
        name_value = meta.get("license_name")
        entry = kb.license(name_value) if isinstance(name_value, str) else None
        if entry is not None:
            assert entry.id in facts.license.ids
        else:  # the name resolves to nothing: the link, or another place, may name the licence
            by_link = any(
                d.evidence.pointer == "/license_link" and d not in facts.license.unresolved
                for d in facts.license.declared
            )
            card_named = "card" in (facts.license.declared_by or "")
            assert not facts.license.known or by_link or not card_named


def test_known_corpus_cards_resolve(kb: Knowledge) -> None:
    corpus_dir()
    expected = {
        "meta-llama__Llama-3.1-70B-Instruct.md": "LicenseRef-scancode-llama-3.1-license-2024",
        "Qwen__Qwen2-72B-Instruct.md": "LicenseRef-scancode-tongyi-qianwen-2023",
        "deepseek-ai__DeepSeek-V2.5.md": "LicenseRef-scancode-deepseek-la-1.0",
        "bigscience__bloom.md": "LicenseRef-scancode-bigscience-rail-1.0",
        "TheBloke__Yi-34B-GGUF.md": "LicenseRef-clearance-yi-license",
        "unsloth__gemma-2-9b-it-bnb-4bit.md": "LicenseRef-scancode-gemma-tou-2024-04-01",
    }
    for name, license_id in expected.items():
        meta = parse_card((CORPUS / "cards" / name).read_bytes()).metadata
        value = meta["license"] if meta["license"] != "other" else meta["license_name"]
        entry = kb.license(value)
        assert entry is not None and entry.id == license_id, name
