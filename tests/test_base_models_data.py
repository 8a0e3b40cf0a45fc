"""The offline catalogue of well-known base models (rules/base-models.yaml): shape and consistency.

Data only: these tests check the file against its schema and against the rest of the knowledge base
(licence keys, developers), that ids and aliases are unique, that declared bases resolve without
cycles, and a handful of facts that are easy to get wrong (the "traps" of issue 9 item 4).
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

import jsonschema
import pytest
from conftest import REPO
from ruamel.yaml import YAML

CATALOGUE = REPO / "rules" / "base-models.yaml"
SCHEMA = REPO / "rules" / "schema" / "base-models.schema.json"

# Declared bases that are deliberately not catalogued: re-uploads, intermediate SFT checkpoints and
# other namespaces' models. Anything else a base names must resolve to an entry (typo guard).
EXTERNAL_BASES = {
    "HuggingFaceH4/zephyr-7b-gemma-sft-v0.1",
    "NousResearch/Meta-Llama-3-8B",
    "allenai/OLMoE-1B-7B-0924-SFT",
    "openai/clip-vit-large-patch14-336",
}


@cache
def _load() -> dict[str, Any]:
    data = YAML(typ="safe").load(CATALOGUE.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


@cache
def _licence_keys() -> frozenset[str]:
    return frozenset(p.stem for p in (REPO / "rules" / "licenses").glob("*.yaml"))


@cache
def _licence_names() -> dict[str, str]:
    """Hub ids and aliases (lower case) -> licence key, from rules/licenses/*.yaml."""
    out: dict[str, str] = {}
    for path in sorted((REPO / "rules" / "licenses").glob("*.yaml")):
        entry = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
        for name in [entry["key"], *entry["hub_ids"], *entry["aliases"]]:
            out.setdefault(str(name).lower(), entry["key"])
    return out


def _models() -> list[dict[str, Any]]:
    return list(_load()["models"])


def _by_name() -> dict[str, dict[str, Any]]:
    """Every id and alias (lower case) -> its entry."""
    out: dict[str, dict[str, Any]] = {}
    for m in _models():
        for name in [m["id"], *m.get("aliases", [])]:
            out[name.lower()] = m
    return out


def _bases(m: dict[str, Any]) -> list[str]:
    base = m["base"]
    if base is None:
        return []
    return [base] if isinstance(base, str) else list(base)


def test_catalogue_matches_its_schema() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(_load()), key=str)
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]


def test_at_least_300_models() -> None:
    assert len(_models()) >= 300


def test_ids_and_aliases_are_unique_case_insensitively() -> None:
    seen: dict[str, str] = {}
    for m in _models():
        for name in [m["id"], *m.get("aliases", [])]:
            key = name.lower()
            assert key not in seen, f"{name!r} ({m['id']}) repeats {seen[key]!r}"
            seen[key] = m["id"]


def test_every_licence_is_known_or_pending() -> None:
    pending = {p["key"] for p in _load()["pending_licenses"]}
    known = _licence_keys()
    for m in _models():
        assert m["license"] in known or m["license"] in pending, (m["id"], m["license"])


def test_pending_licences_are_really_pending_and_used() -> None:
    used = {m["license"] for m in _models()}
    keys = [p["key"] for p in _load()["pending_licenses"]]
    assert len(keys) == len(set(keys))
    for key in keys:
        assert key not in _licence_keys(), (
            f"rules/licenses/{key}.yaml now exists: drop {key!r} from pending_licenses"
        )
        assert key in used, f"pending licence {key!r} is used by no entry"


def test_every_developer_is_in_developers_yaml() -> None:
    devs = YAML(typ="safe").load((REPO / "rules" / "developers.yaml").read_text(encoding="utf-8"))
    orgs = {d["org"] for d in devs["developers"]}
    for m in _models():
        assert m["developer"] in orgs, (m["id"], m["developer"])
        assert m["id"].split("/", 1)[0] == m["developer"], m["id"]


def test_source_names_the_model_page_and_what_was_read() -> None:
    for m in _models():
        src = m["source"]
        assert src["url"] == f"https://huggingface.co/{m['id']}", m["id"]
        assert src["read"].strip(), m["id"]
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", src["as_of"]), m["id"]


def test_bases_resolve_and_relation_is_given() -> None:
    names = _by_name()
    unresolved = set()
    for m in _models():
        bases = _bases(m)
        assert ("relation" in m) == bool(bases), m["id"]
        for base in bases:
            assert base.lower() != m["id"].lower(), f"{m['id']} names itself as base"
            if base.lower() not in names:
                unresolved.add(base)
    assert unresolved == EXTERNAL_BASES


def test_no_base_cycles() -> None:
    names = _by_name()

    def parents(m: dict[str, Any]) -> list[dict[str, Any]]:
        return [names[b.lower()] for b in _bases(m) if b.lower() in names]

    for start in _models():
        path = [start["id"]]
        frontier = parents(start)
        depth = 0
        while frontier:
            depth += 1
            assert depth < 20, f"base chain too deep from {start['id']}"
            nxt = []
            for p in frontier:
                assert p["id"] != start["id"], f"base cycle through {start['id']}: {path}"
                path.append(p["id"])
                nxt.extend(parents(p))
            frontier = nxt


def test_card_licence_agrees_unless_explained() -> None:
    """Where the card's own licence was read and names a known licence, it matches the entry."""
    names = _licence_names()
    for m in _models():
        raw = m.get("hub_license")
        if raw is None:
            continue
        named = re.search(r"license_name: ([^)]+)\)", raw)
        value = named.group(1) if named else raw.split(" ")[0]
        key = names.get(value.strip().lower())
        if key is not None and key != m["license"]:
            assert "note" in m, f"{m['id']}: card says {raw!r} ({key}), entry says {m['license']}"


@pytest.mark.parametrize(
    ("model", "licence"),
    [
        ("meta-llama/Llama-3.1-8B", "llama3.1"),
        ("Qwen/Qwen2.5-7B", "apache-2.0"),
        ("Qwen/Qwen2.5-3B", "qwen-research"),
        ("Qwen/Qwen2.5-3B-Instruct", "qwen-research"),
        ("Qwen/Qwen2.5-72B", "qwen"),
        ("Qwen/Qwen2.5-72B-Instruct", "qwen"),
        ("Qwen/Qwen2.5-Coder-3B-Instruct", "qwen-research"),
        ("Qwen/Qwen2.5-Coder-7B-Instruct", "apache-2.0"),
        ("Qwen/Qwen2-72B-Instruct", "tongyi-qianwen"),
        ("deepseek-ai/DeepSeek-R1", "mit"),
        ("deepseek-ai/DeepSeek-V2", "deepseek"),
        ("deepseek-ai/DeepSeek-V2.5", "deepseek"),
        ("mistralai/Mistral-7B-v0.1", "apache-2.0"),
        ("mistralai/Codestral-22B-v0.1", "mistral-non-production"),
        ("mistralai/Mistral-Large-Instruct-2411", "mistral-research"),
        ("google/gemma-2-9b", "gemma"),
        ("meta-llama/Llama-3.2-3B-Instruct", "llama3.2"),
        ("meta-llama/Llama-3.2-11B-Vision-Instruct", "llama3.2"),
        ("black-forest-labs/FLUX.1-schnell", "apache-2.0"),
        ("black-forest-labs/FLUX.1-dev", "flux-1-dev-non-commercial-license"),
    ],
)
def test_known_traps(model: str, licence: str) -> None:
    assert _by_name()[model.lower()]["license"] == licence


def test_gating_of_llama_and_gemma() -> None:
    for m in _models():
        if m["developer"] == "meta-llama":
            assert m["gated"] == "manual", m["id"]
        if m["developer"] == "google" and m["license"] == "gemma":
            assert m["gated"] == "manual", m["id"]


def test_renamed_repositories_resolve_to_the_same_entry() -> None:
    names = _by_name()
    assert names["meta-llama/meta-llama-3.1-8b"]["id"] == "meta-llama/Llama-3.1-8B"
    assert names["cohereforai/c4ai-command-r-v01"] is names["coherelabs/c4ai-command-r-v01"]
    assert names["bert-base-uncased"]["id"] == "google-bert/bert-base-uncased"


def test_r1_distills_point_at_their_qwen_and_llama_bases() -> None:
    names = _by_name()
    expected = {
        "deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B": "Qwen/Qwen2.5-Math-1.5B",
        "deepseek-ai/DeepSeek-R1-Distill-Qwen-7B": "Qwen/Qwen2.5-Math-7B",
        "deepseek-ai/DeepSeek-R1-Distill-Llama-8B": "meta-llama/Llama-3.1-8B",
        "deepseek-ai/DeepSeek-R1-Distill-Qwen-14B": "Qwen/Qwen2.5-14B",
        "deepseek-ai/DeepSeek-R1-Distill-Qwen-32B": "Qwen/Qwen2.5-32B",
        "deepseek-ai/DeepSeek-R1-Distill-Llama-70B": "meta-llama/Llama-3.3-70B-Instruct",
    }
    for distill, base in expected.items():
        entry = names[distill.lower()]
        assert entry["base"] == base and entry["base_from"] == "developer-readme"
        assert names[base.lower()]["license"] in {"apache-2.0", "llama3.1", "llama3.3"}
