"""Model families (rules/families.yaml), licensor fields and the licence entries added with them:
schema, cross-references to developers and licences, name patterns against real-looking names
(near misses included), and key terms of the new entries."""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

import pytest
from conftest import REPO, corpus_dir
from ruamel.yaml import YAML

from checker.identify import identify
from checker.knowledge import Knowledge

RULES = REPO / "rules"


@cache
def _families() -> dict[str, Any]:
    return YAML(typ="safe").load((RULES / "families.yaml").read_text(encoding="utf-8"))


@cache
def _licence_files() -> dict[str, dict[str, Any]]:
    out = {}
    for path in sorted((RULES / "licenses").glob("*.yaml")):
        out[path.stem] = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    return out


def _matches(name: str) -> set[str]:
    """Family keys whose patterns match a repository name (and none of its not_patterns)."""
    found = set()
    for fam in _families()["families"]:
        if any(re.search(p["regex"], name, re.IGNORECASE) for p in fam["patterns"]) and not any(
            re.search(p["regex"], name, re.IGNORECASE) for p in fam.get("not_patterns", [])
        ):
            found.add(fam["key"])
    return found


def _name_licences(name: str, family: str) -> set[str]:
    fam = next(f for f in _families()["families"] if f["key"] == family)
    hits = [p for p in fam["patterns"] if re.search(p["regex"], name, re.IGNORECASE)]
    return {k for p in hits for k in p.get("licenses", fam["licenses"])}


# --- families.yaml: shape and cross-references ----------------------------------------------


def test_families_validate_against_their_schema() -> None:
    import jsonschema

    schema = json.loads((RULES / "schema" / "families.schema.json").read_text(encoding="utf-8"))
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(_families()), key=str)
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]


def test_family_keys_are_unique() -> None:
    keys = [f["key"] for f in _families()["families"]]
    assert len(keys) == len(set(keys))


def test_family_developers_exist(kb: Knowledge) -> None:
    for fam in _families()["families"]:
        for org in fam["developers"]:
            assert kb.developer(org) is not None, f"{fam['key']}: {org} is not in developers.yaml"


def test_family_licences_exist(kb: Knowledge) -> None:
    keys = {e.key for e in kb.licenses}
    for fam in _families()["families"]:
        assert set(fam["licenses"]) <= keys, fam["key"]
        for pattern in fam["patterns"]:
            assert set(pattern.get("licenses", [])) <= set(fam["licenses"]), pattern["regex"]


def test_family_sources_exist() -> None:
    data = _families()
    named = set(data["sources"])
    for fam in data["families"]:
        items = fam["patterns"] + fam.get("not_patterns", []) + fam["architectures"]
        for item in items:
            assert item["source"] in named, f"{fam['key']}: unknown source {item['source']}"
    used = {
        i["source"]
        for f in data["families"]
        for k in ("patterns", "not_patterns", "architectures")
        for i in f.get(k, [])
    }
    assert named == used, f"unused sources: {named - used}"


def test_family_corpus_sources_exist() -> None:
    corpus = corpus_dir()
    for key, source in _families()["sources"].items():
        if "corpus" in source:
            assert (corpus / source["corpus"]).is_file(), key


def test_patterns_compile_and_start_with_a_boundary() -> None:
    for fam in _families()["families"]:
        for pattern in fam["patterns"] + fam.get("not_patterns", []):
            re.compile(pattern["regex"], re.IGNORECASE)
            assert pattern["regex"].startswith("(?<![a-z0-9])"), pattern["regex"]


def test_shared_architectures_never_identify() -> None:
    seen: dict[tuple[str, str | None], list[tuple[str, bool]]] = {}
    for fam in _families()["families"]:
        for arch in fam["architectures"]:
            seen.setdefault((arch["class"], arch["model_type"]), []).append(
                (fam["key"], arch["identifies"])
            )
    for pair, where in seen.items():
        if len(where) > 1:
            assert not any(identifies for _, identifies in where), (pair, where)
    # a class listed with a null model_type matches any model_type: it must be unique to a family
    classes: dict[str, set[str]] = {}
    for (cls, _), where in seen.items():
        classes.setdefault(cls, set()).update(k for k, _ in where)
    for cls, model_type in seen:
        if model_type is None:
            assert len(classes[cls]) == 1, cls


def test_llama_architecture_is_marked_shared() -> None:
    llama = next(f for f in _families()["families"] if f["key"] == "llama")
    arch = {a["class"]: a for a in llama["architectures"]}
    assert arch["LlamaForCausalLM"]["identifies"] is False
    assert arch["MllamaForConditionalGeneration"]["identifies"] is True


# --- names: a table of real-looking repository names, near misses included ---------------------

NAMES: list[tuple[str, set[str]]] = [
    # Llama
    ("Meta-Llama-3.1-8B-Instruct-GGUF", {"llama"}),
    ("Llama-3.1-70B-Instruct", {"llama"}),
    ("Llama-3.2-3B-Instruct", {"llama"}),
    ("Llama-4-Scout-17B-16E-Instruct", {"llama"}),
    ("Llama-2-7b-chat-hf", {"llama"}),
    ("llama2_7b_chat_uncensored-GPTQ", {"llama"}),
    ("Meta-Llama-3-120B-Instruct", {"llama"}),
    ("Smaug-Llama-3-70B-Instruct", {"llama"}),
    ("Hermes-3-Llama-3.1-8B", {"llama"}),
    ("dolphin-2.9.4-llama3.1-8b", {"llama"}),  # a Llama fine-tune; "dolphin" is not Phi
    ("CodeLlama-7b-Instruct-hf", {"llama"}),
    ("llama-7b-hf", {"llama"}),
    ("Llama-3_1-Nemotron-51B-Instruct", {"llama", "nemotron"}),
    ("Llama3-ChatQA-1.5-8B", {"llama"}),
    ("TinyLlama-1.1B-Chat-v1.0", set()),  # independent model on the Llama architecture
    ("open_llama_7b", set()),  # OpenLLaMA: Apache-2.0 reproduction, not Meta's
    ("OpenLLaMA-3B", set()),
    ("llamafile-server", set()),
    ("ros2_llama_finetuned", set()),  # too little to say which Llama
    # Qwen
    ("Qwen2.5-72B-Instruct-GGUF", {"qwen"}),
    ("Qwen2.5-3B-Instruct", {"qwen"}),
    ("Qwen-72B-Chat", {"qwen"}),
    ("QwQ-32B-Preview", {"qwen"}),
    ("DeepSeek-R1-Distill-Qwen-7B", {"deepseek", "qwen"}),
    ("qwerty-keyboard-model", set()),
    # DeepSeek
    ("DeepSeek-Coder-V2-Lite-Instruct-GGUF", {"deepseek"}),
    ("deepseek-llm-67b-chat", {"deepseek"}),
    ("DeepSeek-V3-0324", {"deepseek"}),
    # Gemma
    ("gemma-2-9b-it", {"gemma"}),
    ("gemma-2-9b-it-bnb-4bit", {"gemma"}),
    ("gemma-3-27b-it", {"gemma"}),
    ("gemma-3n-E4B-it", {"gemma"}),
    ("codegemma-7b", {"gemma"}),
    ("paligemma-3b-pt-224", {"gemma"}),
    ("zephyr-7b-gemma-v0.1", {"gemma"}),
    ("gemmapro-unrelated", set()),
    ("medgemma-4b-it", {"hai-def"}),  # Gemma-based, but HAI-DEF terms
    ("medgemma-1.5-4b-it-GGUF", {"hai-def"}),
    ("path-foundation", {"hai-def"}),
    # Mistral
    ("Mistral-7B-Instruct-v0.3", {"mistral"}),
    ("Mixtral-8x7B-Instruct-v0.1-GGUF", {"mistral"}),
    ("Mistral-Nemo-Instruct-2407-GGUF", {"mistral"}),
    ("Codestral-22B-v0.1-GGUF", {"mistral"}),
    ("Ministral-8B-Instruct-2410", {"mistral"}),
    ("mistralrs-server", set()),
    # Phi
    ("Phi-3-mini-4k-instruct", {"phi"}),
    ("Phi-3.5-mini-instruct", {"phi"}),
    ("phi-2", {"phi"}),
    ("phi-4", {"phi"}),
    ("phi-1_5", {"phi"}),
    ("dolphin-2.6-mistral-7b", {"mistral"}),
    ("delphi-2b", set()),
    ("philosophy-bert", set()),
    ("sapphire-7b", set()),
    # Yi
    ("Yi-34B", {"yi"}),
    ("Yi-34B-Chat", {"yi"}),
    ("Nous-Hermes-2-Yi-34B", {"yi"}),
    ("Yi-1.5-9B-Chat", {"yi"}),
    ("Yi-Coder-9B-Chat", {"yi"}),
    ("yi-ren-translation", set()),
    ("kyi-34b", set()),
    # THUDM / Zhipu
    ("chatglm3-6b", {"chatglm"}),
    ("chatglm-6b-int4", {"chatglm"}),
    ("glm-4-9b-chat", {"chatglm"}),
    ("codegeex4-all-9b", {"chatglm"}),
    ("GLM-4.5-Air", {"glm-4.5"}),
    ("glm4.5-air-mlx-4bit", {"glm-4.5"}),
    ("cogvideox-5b", set()),
    # Baichuan, InternLM, Hunyuan
    ("Baichuan2-7B-Chat", {"baichuan"}),
    ("Baichuan2-13B-Chat-4bits", {"baichuan"}),
    ("internlm2_5-7b-chat", {"internlm"}),
    ("internlm2-chat-20b", {"internlm"}),
    ("InternVL2_5-8B", set()),
    ("Hunyuan-A13B-Instruct", {"hunyuan"}),
    ("HunyuanDiT", {"hunyuan"}),
    ("HunyuanVideo", {"hunyuan"}),
    ("Tencent-Hunyuan-Large", {"hunyuan"}),
    ("Hunyuan3D-2", {"hunyuan"}),
    # MiniMax, Kimi
    ("MiniMax-Text-01", {"minimax"}),
    ("MiniMax-M1-80k", {"minimax"}),
    ("MiniMax-VL-01", {"minimax"}),
    ("minimaxir-sdxl-wrong-lora", set()),  # a user name, not the model family
    ("Kimi-K2-Instruct", {"kimi"}),
    ("Kimi-K2-Instruct-0905", {"kimi"}),
    ("kimi-no-nawa-lora", set()),
    # Falcon
    ("falcon-7b-instruct", {"falcon"}),
    ("falcon-40b", {"falcon"}),
    ("Falcon-180B-Chat-GGUF", {"falcon"}),
    ("falcon-11B", {"falcon"}),
    ("Falcon3-7B-Instruct", {"falcon"}),
    ("Falcon-H1-7B-Instruct", {"falcon"}),
    ("falcon-mamba-7b", {"falcon"}),
    ("falcon-rw-1b", {"falcon"}),
    ("falcon-detector-yolov8", set()),  # named after the bird
    ("peregrine-falcon-classifier", set()),
    ("FalconNet", set()),
    # others
    ("ERNIE-4.5-0.3B-PT", {"ernie"}),
    ("ERNIE-4.5-21B-A3B-Base-PT", {"ernie"}),
    ("ernie-2.0-base-en", set()),
    ("EXAONE-3.5-7.8B-Instruct", {"exaone"}),
    ("gpt-oss-20b", {"gpt-oss"}),
    ("gpt-oss-120b-GGUF", {"gpt-oss"}),
    ("gpt2-medium", set()),
    ("Nemotron-4-340B-Instruct", {"nemotron"}),
    ("FLUX.1-dev", {"flux"}),
    ("FLUX.1-schnell", {"flux"}),
    ("flux1-dev-fp8", {"flux"}),
    ("flux-capacitor-bert", set()),
    ("Kolors-diffusers", {"kolors"}),
]


@pytest.mark.parametrize(("name", "expected"), NAMES, ids=[n for n, _ in NAMES])
def test_names_point_to_their_families(name: str, expected: set[str]) -> None:
    assert _matches(name) == expected


@pytest.mark.parametrize(
    ("name", "licences"),
    [
        ("Meta-Llama-3.1-8B-Instruct-GGUF", {"llama3.1"}),
        ("Llama-3_1-Nemotron-51B-Instruct", {"llama3.1"}),
        ("Meta-Llama-3-70B-Instruct", {"llama3"}),
        ("Llama-3.2-3B-Instruct", {"llama3.2"}),
        ("Llama-3.3-70B-Instruct", {"llama3.3"}),
        ("Llama-4-Maverick-17B-128E-Instruct", {"llama4"}),
        ("Llama-2-13B-chat-GGUF", {"llama2"}),
        ("llama-65b-hf", {"llama-1"}),
        ("glm-4-9b-chat", {"glm-4"}),
    ],
)
def test_names_narrow_the_licence(name: str, licences: set[str]) -> None:
    family = "chatglm" if name.startswith("glm") else "llama"
    assert _name_licences(name, family) == licences


def test_corpus_card_names_point_to_their_families() -> None:
    """Every corpus card of a family developer (or re-upload of one) is recognised by name."""
    corpus = corpus_dir()
    expected = {
        "Qwen__Qwen2.5-72B-Instruct.md": "qwen",
        "deepseek-ai__DeepSeek-V2.5.md": "deepseek",
        "bartowski__gemma-2-9b-it-GGUF.md": "gemma",
        "microsoft__Phi-3.5-mini-instruct.md": "phi",
        "01-ai__Yi-34B-Chat.md": "yi",
        "THUDM__chatglm3-6b.md": "chatglm",
        "baichuan-inc__Baichuan2-7B-Chat.md": "baichuan",
        "internlm__internlm2_5-7b-chat.md": "internlm",
        "Tencent-Hunyuan__HunyuanDiT.md": "hunyuan",
        "tiiuae__falcon-mamba-7b.md": "falcon",
        "lmstudio-community__Meta-Llama-3.1-8B-Instruct-GGUF.md": "llama",
        "TheBloke__Mixtral-8x7B-Instruct-v0.1-GGUF.md": "mistral",
        "black-forest-labs__FLUX.1-schnell.md": "flux",
    }
    for card, family in expected.items():
        assert (corpus / "cards" / card).is_file(), card
        name = card.removesuffix(".md").split("__", 1)[1]
        assert family in _matches(name), card


# --- licensor ----------------------------------------------------------------------------------


def test_licensor_orgs_exist(kb: Knowledge) -> None:
    with_licensor = 0
    for key, data in _licence_files().items():
        for licensor in data.get("licensor", []):
            with_licensor += 1
            assert licensor["clause"].strip(), key
            for org in licensor["orgs"]:
                assert kb.developer(org) is not None, f"{key}: licensor org {org} not in developers"
    assert with_licensor >= 35


@pytest.mark.parametrize(
    ("key", "org"),
    [
        ("deepseek", "deepseek-ai"),
        ("llama2", "meta-llama"),
        ("llama3", "meta-llama"),
        ("llama3.1", "meta-llama"),
        ("llama3.2", "meta-llama"),
        ("llama3.3", "meta-llama"),
        ("llama4", "meta-llama"),
        ("gemma", "google"),
        ("gemma-terms-2025", "google"),
        ("tongyi-qianwen", "Qwen"),
        ("qwen", "Qwen"),
        ("qwen-research", "Qwen"),
        ("yi-license", "01-ai"),
        ("tencent-hunyuan-community-large", "tencent"),
        ("tencent-hunyuan-community-a13b", "tencent"),
        ("tencent-hunyuan-community-dit", "Tencent-Hunyuan"),
        ("chatglm3-6b", "THUDM"),
        ("codegeex4", "THUDM"),
        ("baichuan2-community", "baichuan-inc"),
        ("minimax-model", "MiniMaxAI"),
        ("kimi-k2-modified-mit", "moonshotai"),
        ("tii-falcon-2.0", "tiiuae"),
        ("databricks-open-model", "databricks"),
        ("nvidia-open-model", "nvidia"),
        ("stability-ai-community", "stabilityai"),
        ("flux-1-dev-non-commercial-license", "black-forest-labs"),
        ("exaone-ai-model-1.1-nc", "LGAI-EXAONE"),
    ],
)
def test_vendor_licences_name_their_licensor(key: str, org: str) -> None:
    orgs = {o for lic in _licence_files()[key].get("licensor", []) for o in lic["orgs"]}
    assert org in orgs, key


def test_llama_names_both_meta_entities() -> None:
    names = [lic["name"] for lic in _licence_files()["llama3.1"]["licensor"]]
    assert names == ["Meta Platforms Ireland Limited", "Meta Platforms, Inc."]


def test_black_forest_labs_is_the_us_licensor(kb: Knowledge) -> None:
    dev = kb.developer("black-forest-labs")
    assert dev is not None and dev.country == "US"
    assert "Inc." in dev.name and "Freiburg" in (dev.note or "")


# --- the licence entries added with this change ------------------------------------------------


def test_hunyuan_community_name_stays_ambiguous(kb: Knowledge) -> None:
    assert kb.license("tencent-hunyuan-community") is None
    links = {
        "github.com/Tencent/HunyuanDiT/blob/main/LICENSE.txt": "dit",
        "github.com/Tencent-Hunyuan/HunyuanVideo/blob/main/LICENSE.txt": "video",
        "github.com/Tencent-Hunyuan/Hunyuan-A13B/blob/main/LICENSE": "a13b",
        "huggingface.co/tencent/Tencent-Hunyuan-Large/blob/main/LICENSE.txt": "large",
    }
    for link, release in links.items():
        entry = kb.license("https://" + link)
        assert entry is not None and entry.key == f"tencent-hunyuan-community-{release}", link
    entry = kb.license("https://github.com/Tencent/Hunyuan3D-2/blob/main/LICENSE")
    assert entry is not None and entry.key == "tencent-hunyuan-3d-2.0-community"


def test_hunyuan_releases_differ_as_their_texts_say(kb: Knowledge) -> None:
    def territories(key: str) -> set[str]:
        entry = kb.license(key)
        assert entry is not None
        return {x.territory.upper() for x in entry.terms.excluded_territories}

    assert territories("tencent-hunyuan-community-dit") == set()
    assert territories("tencent-hunyuan-community-video") == {"EU", "GB", "KR"}
    assert territories("tencent-hunyuan-3d-2.0-community") == {"EU", "GB", "KR"}
    limits = {
        key: kb.license(key).terms.user_limit.value  # type: ignore[union-attr]
        for key in (
            "tencent-hunyuan-community-dit",
            "tencent-hunyuan-community-video",
            "tencent-hunyuan-3d-2.0-community",
        )
    }
    assert limits == {
        "tencent-hunyuan-community-dit": 100_000_000,
        "tencent-hunyuan-community-video": 100_000_000,
        "tencent-hunyuan-3d-2.0-community": 1_000_000,
    }


def test_qwen_2024_is_not_the_2023_licence(kb: Knowledge) -> None:
    qwen, tongyi = kb.license("qwen"), kb.license("tongyi-qianwen")
    assert qwen is not None and tongyi is not None and qwen.key != tongyi.key
    assert kb.license("https://huggingface.co/Qwen/Qwen2.5-72B-Instruct/blob/main/LICENSE") is qwen
    assert qwen.terms.user_limit.value == 100_000_000
    assert qwen.terms.output_training.value == "conditional"  # "Built with Qwen", not a ban
    assert tongyi.terms.output_training.value == "forbidden"
    assert kb.license("tongyi-qianwen-license-agreement") is tongyi


def test_new_non_commercial_licences(kb: Knowledge) -> None:
    for key in ("flux-1-dev-non-commercial-license", "exaone-ai-model-1.1-nc"):
        entry = kb.license(key)
        assert entry is not None and entry.terms.commercial_use.value == "forbidden", key
        assert "non-commercial" in entry.categories


def test_ltxv_revenue_threshold_and_hai_def_names(kb: Knowledge) -> None:
    ltxv = kb.license("ltxv-open-weights")
    assert ltxv is not None and ltxv.terms.revenue_limit.value == 10_000_000
    assert ltxv.terms.commercial_use.value == "conditional"
    hai = kb.license("health-ai-developer-foundations")
    assert hai is not None and hai.terms.commercial_use.value == "unknown"  # terms not read
    assert kb.license("https://developers.google.com/health-ai-developer-foundations/terms") is hai
    assert kb.license("health-ai-developer-foundations-terms-of-use") is hai


# The licences added for issue 9 (tests/test_knowledge.py checks they resolve, too).
NEW_LICENCES = (
    "qwen",
    "tencent-hunyuan-community-dit",
    "tencent-hunyuan-community-video",
    "tencent-hunyuan-3d-2.0-community",
    "gemma-terms-2025",
    "flux-1-dev-non-commercial-license",
    "kolors",
    "internlm-model",
    "exaone-ai-model-1.1-nc",
    "ltxv-open-weights",
    "health-ai-developer-foundations",
)


def test_new_entries_cite_their_terms(kb: Knowledge) -> None:
    for key in NEW_LICENCES:
        entry = kb.license(key)
        assert entry is not None, key
        assert entry.sources, key
        for name in ("commercial_use", "output_training", "attribution", "redistribution"):
            term = getattr(entry.terms, name)
            if term.value not in ("unknown", None, "none"):
                assert term.clause, f"{key}: {name}"
        assert all(o.clause for o in entry.obligations), key


def test_chatglm_6b_commercial_use_follows_its_grant(kb: Knowledge) -> None:
    text = " ".join((corpus_dir() / "licenses" / "chatglm-6b-model.txt").read_text().split())
    assert "royalty-free copyright license to use the Software" in text
    assert "non-commercial" not in text.lower() and "commercial use" not in text.lower()
    entry = kb.license("chatglm-6b")
    assert entry is not None and entry.terms.commercial_use.value == "allowed"


def test_apple_entries_do_not_overlap(kb: Knowledge) -> None:
    text = (corpus_dir() / "licenses" / "apple-sample-code-license.txt").read_text()
    for candidate in (text, "Apple Sample Code License\n\n" + text):
        keys = [i.key for i in identify(candidate, kb) if i.kind == "license"]
        assert keys == ["apple-sample-code"], keys
    assert kb.license("apple-ascl").key == "apple-ascl"  # type: ignore[union-attr]
    assert kb.license("apple sample code license").key == "apple-ascl"  # type: ignore[union-attr]
    assert kb.license("apple-sample-code-license").key == "apple-sample-code"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "key"),
    [
        # version lines of the Qwen texts (a few words each, as the licence files open)
        (
            "Qwen LICENSE AGREEMENT\n\nQwen LICENSE AGREEMENT Release Date: September 19, 2024\n",
            "qwen",
        ),
        (
            "Qwen RESEARCH LICENSE AGREEMENT\n\nQwen RESEARCH LICENSE AGREEMENT Release Date: "
            "September 19, 2024\n",
            "qwen-research",
        ),
        # the Gemma definition that changed in 2025
        (
            'Gemma Terms of Use\n(c) "Gemma" means the set of machine learning language models, '
            "trained model weights and parameters identified in the Appendix\n",
            "gemma-terms-2025",
        ),
        (
            'Gemma Terms of Use\n(c) "Gemma" means the set of machine learning language models, '
            "trained model weights and parameters identified at ai.google.dev/gemma\n",
            "gemma",
        ),
    ],
)
def test_version_lines_tell_the_texts_apart(text: str, key: str, kb: Knowledge) -> None:
    keys = [i.key for i in identify(text, kb) if i.kind == "license"]
    assert keys == [key]
