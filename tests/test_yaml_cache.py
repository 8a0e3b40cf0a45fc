"""Parsed YAML kept by the digest of its bytes (checker/yaml_cache.py) reads exactly like a fresh
parse: the same values and the same key and item positions, for every shape a card, a policy or
a manifest can take (real cards included when the corpus is there)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import CORPUS

from checker import yaml_cache, yamlio
from checker.card import split_front_matter

TEXTS = [
    "license: mit\ntags: [a, b]\n",
    "base: &b\n  x: 1\nchild:\n  <<: *b\n  y: 2\n",
    "list:\n  - a\n  - {k: v}\n  - [1, 2.5, true, null]\n",
    "date: 2024-01-01\nwhen: 2024-01-01T10:00:00Z\nversion: 1.10\n",
    'name: "Zürich \\u202e ]]> </script>"\n42: int key\n',
    "deep:\n" + "".join("  " * i + f"- l{i}:\n" for i in range(1, 30)),
    "",
]


def _walk(node: Any) -> Any:
    if isinstance(node, dict):
        return {str(k): (yamlio.key_position(node, k), _walk(v)) for k, v in node.items()}
    if isinstance(node, list):
        return [(yamlio.item_position(node, i), _walk(v)) for i, v in enumerate(node)]
    return yamlio.to_plain(node)


def _both(text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any]:
    monkeypatch.setenv("CLEARANCE_CACHE_DIR", str(tmp_path / "cache"))
    fresh = yaml_cache.load(text.encode("utf-8"), text)
    cached = yaml_cache.load(text.encode("utf-8"), text)
    return _walk(fresh), _walk(cached)


@pytest.mark.parametrize("text", TEXTS)
def test_cached_equals_fresh(text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fresh, cached = _both(text, tmp_path, monkeypatch)
    assert cached == fresh
    assert list((tmp_path / "cache").rglob("*.json"))  # the second read came from the cache


def test_problems_are_never_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLEARANCE_CACHE_DIR", str(tmp_path / "cache"))
    for _ in range(2):
        with pytest.raises(yamlio.YamlProblem):
            yaml_cache.load(b"a: [1,\n", "a: [1,\n", first_line=5)
    assert not list((tmp_path / "cache").rglob("*.json"))


def test_a_corrupt_cache_file_is_a_miss(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = "a: 1\n"
    fresh, _ = _both(text, tmp_path, monkeypatch)
    for path in (tmp_path / "cache").rglob("*.json"):
        path.write_text("{not json")
    assert _walk(yaml_cache.load(text.encode(), text)) == fresh


CARDS = sorted((CORPUS / "cards").rglob("*.md")) if (CORPUS / "cards").is_dir() else []


@pytest.mark.skipif(not CARDS, reason="corpus absent")
def test_real_cards(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for card in CARDS:
        text = card.read_bytes()[: 1024 * 1024].decode("utf-8-sig", errors="replace")
        front, _, problem = split_front_matter(text)
        if front is None or problem is not None:
            continue
        try:
            fresh, cached = _both(front, tmp_path / card.stem, monkeypatch)
        except yamlio.YamlProblem:
            continue
        assert cached == fresh, card.name


def test_keep_stores_past_the_per_process_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Hub card (``keep``) is stored however many documents this process stored already."""
    monkeypatch.setenv("CLEARANCE_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(yaml_cache, "STORE_LIMIT", 0)
    yaml_cache.load(b"a: 1\n", "a: 1\n")
    yaml_cache.load(b"b: 2\n", "b: 2\n", keep=True)
    stored = list((tmp_path / "yaml").glob("*.json")) if (tmp_path / "yaml").is_dir() else []
    assert len(stored) == 1
    assert yaml_cache.load(b"b: 2\n", "b: 2\n") == {"b": 2}
