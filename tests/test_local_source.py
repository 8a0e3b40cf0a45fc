"""The local source and normalisation: facts from a folder on disk, and bad folders."""

from __future__ import annotations

import json
import os
import pickle
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import safetensors_bytes

from checker.api import gather
from checker.errors import UsageError
from checker.facts import LineageError
from checker.knowledge import Knowledge
from checker.sources.targets import Target, local_model_id, looks_local, parse_target


def facts_of(kb: Knowledge, folder: Path, model_id: str | None = None):  # type: ignore[no-untyped-def]
    return gather([Target("local", str(folder), str(folder), model_id)], kb)[0]


def test_model_id_from_hf_cache_layout(tmp_path: Path) -> None:
    snap = tmp_path / "models--Qwen--Qwen2.5-7B-Instruct" / "snapshots" / ("a" * 40)
    snap.mkdir(parents=True)
    assert local_model_id(snap) == ("Qwen/Qwen2.5-7B-Instruct", "a" * 40)
    assert local_model_id(tmp_path) == (f"local/{tmp_path.name}", None)


def test_hf_cache_folder_gets_provenance(kb: Knowledge, tmp_path: Path) -> None:
    snap = tmp_path / "models--deepseek-ai--DeepSeek-V3" / "snapshots" / ("b" * 40)
    snap.mkdir(parents=True)
    (snap / "README.md").write_text("---\nlicense: mit\n---\n")
    facts = facts_of(kb, snap)
    assert facts.model.id == "deepseek-ai/DeepSeek-V3"
    assert facts.model.revision == "b" * 40
    assert facts.provenance.developer is not None and facts.provenance.developer.country == "CN"


def test_license_forms(kb: Knowledge, make_model: Callable[..., Path]) -> None:
    single = facts_of(kb, make_model("license: llama3.1"))
    assert single.license.ids == ("LicenseRef-scancode-llama-3.1-license-2024",)
    listed = facts_of(kb, make_model("license:\n- apache-2.0\n- cc-by-4.0"))
    assert listed.license.expression == "Apache-2.0 AND CC-BY-4.0"
    other = facts_of(kb, make_model("license: other\nlicense_name: tongyi-qianwen"))
    assert other.license.ids == ("LicenseRef-scancode-tongyi-qianwen-2023",)
    by_link = facts_of(
        kb,
        make_model(
            "license: other\nlicense_link: https://github.com/Tencent-Hunyuan/Hunyuan-A13B/blob/main/LICENSE"
        ),
    )
    assert by_link.license.ids == ("LicenseRef-clearance-tencent-hunyuan-community-a13b",)
    expression = facts_of(kb, make_model("license: Apache-2.0 OR MIT"))
    assert expression.license.expression == "Apache-2.0 OR MIT"
    unknown = facts_of(kb, make_model("license: other\nlicense_name: made-up"))
    assert not unknown.license.known and unknown.license.ids == ()
    wrong_type = facts_of(kb, make_model("license: {a: 1}"))
    assert not wrong_type.license.known


def test_weight_formats_from_names_and_bytes(
    kb: Knowledge, make_model: Callable[..., Path]
) -> None:
    files = {
        "model.safetensors": safetensors_bytes(),
        "q4.gguf": b"GGUF\x03\x00\x00\x00" + bytes(16),
        "pytorch_model.bin": pickle.dumps({"x": 1}, protocol=2),
        "onnx/model.onnx": b"\x08\x07",
        "fake.safetensors": b"PK\x03\x04" + bytes(12),  # a zip (torch) archive in disguise
        "notes.txt": b"hello",
    }
    facts = facts_of(kb, make_model(files=files))
    formats = {f.path: f.format for f in facts.weights.files}
    assert formats == {
        "model.safetensors": "safetensors",
        "q4.gguf": "gguf",
        "pytorch_model.bin": "pickle",
        "onnx/model.onnx": "onnx",
        "fake.safetensors": "pickle",
    }
    assert facts.weights.availability == "open"


def test_remote_code_and_gating(kb: Knowledge, make_model: Callable[..., Path]) -> None:
    folder = make_model(
        "license: mit\nextra_gated_fields:\n  Name: text",
        files={
            "config.json": json.dumps({"auto_map": {"AutoModel": "m.M"}}).encode(),
            "model.safetensors": safetensors_bytes(),
        },
    )
    facts = facts_of(kb, folder)
    assert facts.weights.remote_code is True
    assert facts.weights.availability == "gated-manual"
    plain = facts_of(kb, make_model("license: mit"))
    assert plain.weights.remote_code is False


def test_lineage_relations(kb: Knowledge, make_model: Callable[..., Path]) -> None:
    merge = facts_of(
        kb, make_model("license: mit\nbase_model:\n- Qwen/Qwen2.5-7B\n- meta-llama/Llama-3.1-8B")
    )
    assert {(a.id, a.relation, a.country) for a in merge.lineage} == {
        ("Qwen/Qwen2.5-7B", "merge", "CN"),
        ("meta-llama/Llama-3.1-8B", "merge", "US"),
    }
    assert merge.provenance.jurisdictions == ("CN", "US")
    adapter = facts_of(
        kb,
        make_model(
            "license: mit",
            files={"adapter_config.json": b'{"base_model_name_or_path": "01-ai/Yi-6B"}'},
        ),
    )
    assert [(a.id, a.relation) for a in adapter.lineage] == [("01-ai/Yi-6B", "adapter")]
    quant = facts_of(
        kb,
        make_model(
            "license: mit\nbase_model: google/gemma-2-9b", files={"m.gguf": b"GGUF" + bytes(20)}
        ),
    )
    assert quant.lineage[0].relation == "quantized"
    explicit = facts_of(
        kb, make_model("license: mit\nbase_model: google/gemma-2-9b\nbase_model_relation: adapter")
    )
    assert explicit.lineage[0].relation == "adapter"


def test_lineage_through_models_of_the_same_audit(
    kb: Knowledge, make_model: Callable[..., Path]
) -> None:
    base = make_model("license: apache-2.0\nbase_model: Qwen/Qwen2.5-7B", name="base")
    child = make_model("license: apache-2.0\nbase_model: acme/base-ft", name="child")
    facts = gather(
        [
            Target("local", str(base), "base", "acme/base-ft"),
            Target("local", str(child), "child", "google/child"),
        ],
        kb,
    )
    child_facts = next(f for f in facts if f.model.id == "google/child")
    assert [(a.id, a.depth) for a in child_facts.lineage] == [
        ("acme/base-ft", 1),
        ("Qwen/Qwen2.5-7B", 2),
    ]
    assert "CN" in child_facts.provenance.jurisdictions
    assert child_facts.lineage[0].license_ids == ("Apache-2.0",)


def test_lineage_cycle_terminates(kb: Knowledge, make_model: Callable[..., Path]) -> None:
    a = make_model("license: mit\nbase_model: google/b", name="a")
    b = make_model("license: mit\nbase_model: google/a", name="b")
    facts = gather(
        [Target("local", str(a), "a", "google/a"), Target("local", str(b), "b", "google/b")], kb
    )
    lineage = [(x.id, x.error_kind) for x in facts[0].lineage]
    assert lineage == [("google/b", None), ("google/a", LineageError.CYCLE)]  # reported
    assert facts[0].lineage[1].error == "lineage cycle: google/a -> google/b -> google/a"


def test_missing_folder_is_an_error_not_a_traceback(kb: Knowledge, tmp_path: Path) -> None:
    facts = facts_of(kb, tmp_path / "nope")
    assert facts.error is not None and "no such folder" in facts.error


def test_file_instead_of_folder(kb: Knowledge, tmp_path: Path) -> None:
    path = tmp_path / "file.bin"
    path.write_bytes(b"x")
    assert "not a folder" in (facts_of(kb, path).error or "")


def test_unreadable_folder(kb: Knowledge, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()

    def deny(path: object) -> list[str]:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "listdir", deny)
    assert "Permission denied" in (facts_of(kb, folder).error or "")


def test_unreadable_readme_is_a_finding(kb: Knowledge, make_model: Callable[..., Path]) -> None:
    folder = make_model(None)
    (folder / "README.md").mkdir()  # a folder where a file should be
    facts = facts_of(kb, folder)
    assert facts.error is None
    assert [p.kind for p in facts.problems] == ["unreadable"]


def test_huge_readme_is_read_only_up_to_the_limit(
    kb: Knowledge, make_model: Callable[..., Path]
) -> None:
    body = b"---\nlicense: mit\n---\n" + b"x" * (50 * 1024 * 1024)
    facts = facts_of(kb, make_model(card=body))
    assert facts.license.ids == ("MIT",)
    [problem] = facts.problems  # the prose past the limit was not read, and the facts say so
    assert "read the first 1,048,576; the rest was not checked" in problem.message


def test_invalid_front_matter_still_audits_the_rest(
    kb: Knowledge, make_model: Callable[..., Path]
) -> None:
    facts = facts_of(kb, make_model("license: [mit", name="broken"))
    assert [p.kind for p in facts.problems] == ["invalid-metadata"]
    assert facts.problems[0].evidence[0].line == 2
    assert facts.weights.formats == ("safetensors",)


def test_parse_target_kinds(tmp_path: Path) -> None:
    assert parse_target(str(tmp_path))[0].kind == "local"
    hub = parse_target("Qwen/Qwen2.5-7B-Instruct@main")[0]
    assert (hub.kind, hub.ref, hub.revision) == ("hub", "Qwen/Qwen2.5-7B-Instruct", "main")
    with pytest.raises(UsageError, match=r"^\./not/here: no such folder$"):
        parse_target("./not/here")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("./gone", "./gone: no such folder"),
        ("../gone-entirely", "../gone-entirely: no such folder"),
        ("/gone/entirely", "/gone/entirely: no such folder"),
        ("{first}/gone", "{first}/gone: no such folder"),  # the first segment is a folder
        ("gone.yaml", "gone.yaml: no such manifest"),
        ("{first}/models.YML", "{first}/models.YML: no such manifest"),
        ("gpt2", "gpt2: no such folder or manifest, and not a Hub id"),
        ("org/name/extra", "org/name/extra: no such folder or manifest, and not a Hub id"),
    ],
)
def test_parse_target_refuses_what_is_not_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "models").mkdir()
    with pytest.raises(UsageError) as info:
        parse_target(text.format(first="models"))
    assert str(info.value).startswith(message.format(first="models"))


def test_parse_target_hub_ids_and_local_look(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert looks_local("./x") and looks_local("/x") and looks_local("../x") and looks_local(".")
    assert not looks_local("Qwen/Qwen2.5-7B-Instruct")
    (tmp_path / "Qwen").mkdir()  # a folder named like the org: the target is that folder's
    assert looks_local("Qwen/Qwen2.5-7B-Instruct")
    with pytest.raises(UsageError, match="no such folder"):
        parse_target("Qwen/Qwen2.5-7B-Instruct")
    sha = "a" * 40
    hub = parse_target(f"google/gemma-2b@{sha}")[0]
    assert (hub.kind, hub.ref, hub.model_id, hub.revision) == (
        "hub",
        "google/gemma-2b",
        "google/gemma-2b",
        sha,
    )


def test_parse_target_id_rules(tmp_path: Path) -> None:
    folder = tmp_path / "m"
    folder.mkdir()
    assert parse_target(str(folder), "org/name")[0].model_id == "org/name"
    with pytest.raises(UsageError, match="--id 'gpt2' is not of the form org/name"):
        parse_target(str(folder), "gpt2")
    manifest = tmp_path / "models.yaml"
    manifest.write_text("models:\n  - id: org/a\n")
    assert parse_target(str(manifest))[0].model_id == "org/a"
    with pytest.raises(UsageError, match="a manifest gives each model its id"):
        parse_target(str(manifest), "org/name")
    with pytest.raises(UsageError, match="not of a Hub id"):
        parse_target("org/a", "org/b")
