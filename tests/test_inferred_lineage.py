"""Lineage the card does not declare but the repository shows: GGUF ``general.base_model.N``
keys and config.json ``_name_or_path``; hostile values end in bounded work, never a traceback."""

from __future__ import annotations

import json
import struct
from collections.abc import Callable
from pathlib import Path

import pytest

from checker.api import gather
from checker.facts.lineage import MAX_INFERRED
from checker.facts.lineage_ids import hub_id_of_url, is_hub_id
from checker.knowledge import Knowledge
from checker.sources.targets import Target


def gguf(values: dict[str, str]) -> bytes:
    def s(text: str) -> bytes:
        data = text.encode()
        return struct.pack("<Q", len(data)) + data

    kv = b"".join(s(k) + struct.pack("<I", 8) + s(v) for k, v in values.items())
    return b"GGUF" + struct.pack("<IQQ", 3, 0, len(values)) + kv + bytes(32)


def facts_of(kb: Knowledge, folder: Path, ident: str = "uploads/m"):  # type: ignore[no-untyped-def]
    return gather([Target("local", str(folder), folder.name, ident)], kb)[0]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("meta-llama/Llama-3.1-8B", True),
        ("Qwen/Qwen2.5-7B-Instruct", True),
        ("./out", False),
        ("/home/x/ckpt", False),
        ("~/models/m", False),
        ("out/checkpoint-500/final", False),
        ("../up/m", False),
        ("C:\\models\\m", False),
        ("gpt2", False),
        ("https://huggingface.co/a/b", False),
        ("a" * 300 + "/b", False),
    ],
)
def test_hub_id_grammar(value: str, expected: bool) -> None:
    assert is_hub_id(value) is expected


def test_hub_urls() -> None:
    url = "https://huggingface.co/deepseek-ai/DeepSeek-V2"
    assert hub_id_of_url(url) == "deepseek-ai/DeepSeek-V2"
    assert hub_id_of_url("https://hf.co/Qwen/Qwen2.5-7B/") == "Qwen/Qwen2.5-7B"
    assert hub_id_of_url("https://huggingface.co/datasets/a/b") is None
    assert hub_id_of_url("https://huggingface.co/spaces/a/b") is None
    assert hub_id_of_url("https://example.com/a/b") is None
    assert hub_id_of_url("javascript:alert(1)") is None


def test_gguf_base_model_keys(kb: Knowledge, make_model: Callable[..., Path]) -> None:
    header = gguf(
        {
            "general.base_model.count": "2",
            "general.base_model.0.repo_url": "https://huggingface.co/deepseek-ai/DeepSeek-V2.5",
            "general.base_model.1.repo_url": "https://huggingface.co/meta-llama/Llama-3.1-8B",
            "general.license.name": "deepseek",
        }
    )
    folder = make_model("pipeline_tag: text-generation", files={"m-Q4.gguf": header})
    facts = facts_of(kb, folder)
    assert [(a.id, a.relation, a.inferred, a.country) for a in facts.lineage] == [
        ("deepseek-ai/DeepSeek-V2.5", "quantized", True, "CN"),
        ("meta-llama/Llama-3.1-8B", "quantized", True, "US"),
    ]
    assert "CN" in facts.provenance.jurisdictions
    assert facts.lineage[0].evidence[0].pointer == "general.base_model.0.repo_url"
    header_licence = [d for d in facts.license.declared if d.declared_by == "header"]
    assert [d.evidence.pointer for d in header_licence] == ["general.license.name"]


def test_declared_base_is_not_repeated(kb: Knowledge, make_model: Callable[..., Path]) -> None:
    header = gguf({"general.base_model.0.repo_url": "https://huggingface.co/Qwen/Qwen2.5-7B"})
    folder = make_model("base_model: Qwen/Qwen2.5-7B", files={"m.gguf": header})
    facts = facts_of(kb, folder)
    assert [(a.id, a.inferred) for a in facts.lineage] == [("Qwen/Qwen2.5-7B", False)]


def test_own_id_and_local_paths_are_not_parents(
    kb: Knowledge, make_model: Callable[..., Path]
) -> None:
    for value in ("uploads/m", "./out", "/home/x/ckpt", "x" * (1024 * 1024)):
        config = json.dumps({"_name_or_path": value}).encode()
        facts = facts_of(kb, make_model("license: mit", files={"config.json": config}))
        assert facts.lineage == (), value


def test_ten_thousand_base_model_keys(kb: Knowledge, make_model: Callable[..., Path]) -> None:
    key, url = "general.base_model.{}.repo_url", "https://huggingface.co/org{}/m"
    values = {key.format(n): url.format(n) for n in range(10_000)}
    facts = facts_of(kb, make_model("license: mit", files={"m.gguf": gguf(values)}))
    assert 0 < len(facts.lineage) <= MAX_INFERRED


def test_catalogue_knows_well_known_bases_offline(
    kb: Knowledge, make_model: Callable[..., Path]
) -> None:
    """A local fine-tune of meta-llama/Llama-3.1-8B is bound by its licence without the Hub
    (it used to be "the licence of meta-llama/Llama-3.1-8B is not known")."""
    folder = make_model("license: llama3.1\nbase_model: meta-llama/Llama-3.1-8B")
    facts = facts_of(kb, folder, "acme/llama-ft")
    (base,) = facts.lineage
    assert base.license_ids == ("LicenseRef-scancode-llama-3.1-license-2024",)
    assert base.evidence[-1].source == "rules/base-models.yaml"
    distill = facts_of(
        kb, make_model("license: mit\nbase_model: deepseek-ai/DeepSeek-R1-Distill-Qwen-7B"), "a/b"
    )
    ids = [(a.id, a.depth) for a in distill.lineage]
    assert ids[0] == ("deepseek-ai/DeepSeek-R1-Distill-Qwen-7B", 1)
    assert any(i.startswith("Qwen/") and d == 2 for i, d in ids), ids  # the distill's own base
    assert {"CN"} <= set(distill.provenance.jurisdictions)


def test_licensor_of_a_vendor_licence(kb: Knowledge, make_model: Callable[..., Path]) -> None:
    folder = make_model("license: other\nlicense_name: deepseek")
    facts = facts_of(kb, folder, "uploads/coder")
    assert [(x.org, x.country) for x in facts.provenance.licensors] == [("deepseek-ai", "CN")]
    assert "CN" in facts.provenance.jurisdictions
    own = facts_of(kb, make_model("license: other\nlicense_name: deepseek"), "deepseek-ai/m")
    assert own.provenance.licensors == ()  # the licensor's own release
