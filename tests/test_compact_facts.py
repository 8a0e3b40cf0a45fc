"""A bulk audit holds one copy of what the knowledge base says, not one per model: the facts of
models bound by the same licences share the knowledge entries, the obligations and the terms
(issue 14: 100,000 models in one run within 1 GiB)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from checker.api import gather
from checker.knowledge import Knowledge
from checker.sources.targets import Target


def test_models_with_the_same_licence_share_the_knowledge(
    kb: Knowledge, make_model: Callable[..., Path]
) -> None:
    folders = [make_model("license: apache-2.0\nbase_model: Qwen/Qwen2.5-7B") for _ in range(3)]
    targets = [Target("local", str(f), str(f), f"acme/m{i}") for i, f in enumerate(folders)]
    facts = gather(targets, kb, jobs=1)
    first, *others = facts
    entry = kb.license("apache-2.0")
    assert entry is not None and first.license.entries[0] is entry
    assert first.obligations and first.terms is not None
    for other in others:
        assert other.license.entries[0] is entry
        assert other.obligations is first.obligations
        assert other.terms is first.terms
        assert [b.entry for b in other.binding or ()] == [b.entry for b in first.binding or ()]
