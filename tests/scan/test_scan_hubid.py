"""The Hub id grammar and the URL forms (checker/scan/hubid.py)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from checker.scan.hubid import HubRef, is_hub_id, is_model_key, parse_candidate
from checker.sources.targets import HUB_ID


@pytest.mark.parametrize(
    "text",
    [
        "Qwen/Qwen2.5-7B-Instruct",
        "meta-llama/Llama-3.1-8B",
        "BAAI/bge-small-en-v1.5",
        "openai-community/gpt2",
        "a_b/c_d",
        "TheBloke/Llama-2-7B-GGUF",
    ],
)
def test_ids(text: str) -> None:
    assert is_hub_id(text)
    assert parse_candidate(text) == HubRef(text, None)


@pytest.mark.parametrize(
    "text",
    [
        "gpt2",  # no owner: the manifest cannot name it
        "./checkpoints/final",
        "checkpoints/final",
        "outputs/run-1",
        "path/to/file",
        "text/plain",
        "image/png",
        "application/json",
        "datasets/squad",
        "spaces/gradio",
        "org/model.safetensors",
        "org/train.py",
        "org--x/name",
        "org/na..me",
        "-org/name",
        "org/name-",
        "org/.name",
        "1/2",
        "16/9",
        "org/na me",
        "ōrg/name",
        "a" * 60 + "/" + "b" * 40,
        "org/name.git",
        "",
        "https://github.com/org/name",
        "https://example.com/org/name",
        "ftp://huggingface.co/org/name",
        "hf://datasets/org/name",
        "https://huggingface.co/datasets/org/name",
        "https://huggingface.co/org",
        "https://huggingface.co/org/name/discussions/3",
    ],
)
def test_not_ids(text: str) -> None:
    assert parse_candidate(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://huggingface.co/org/name", HubRef("org/name", None)),
        ("huggingface.co/org/name", HubRef("org/name", None)),
        ("https://huggingface.co/org/name/tree/v1.0", HubRef("org/name", "v1.0")),
        ("https://huggingface.co/org/name/resolve/main/x.gguf", HubRef("org/name", None)),
        ("https://huggingface.co/org/name/blob/abc123/README.md", HubRef("org/name", "abc123")),
        ("https://huggingface.co/org/name/tree/refs%2Fpr%2F3", HubRef("org/name", "refs/pr/3")),
        ("hf.co/org/name:Q4_K_M", HubRef("org/name", None)),
        ("hf.co/org/name", HubRef("org/name", None)),
        (
            "hf_hub:timm/vit_base_patch16_224.augreg_in21k",
            HubRef("timm/vit_base_patch16_224.augreg_in21k", None),
        ),
        (
            "hf-hub:laion/CLIP-ViT-B-32-laion2B-s34B-b79K",
            HubRef("laion/CLIP-ViT-B-32-laion2B-s34B-b79K", None),
        ),
        ("hf://org/name", HubRef("org/name", None)),
        ("  org/name  ", HubRef("org/name", None)),
    ],
)
def test_urls_and_prefixes(text: str, expected: HubRef) -> None:
    assert parse_candidate(text) == expected


def test_main_is_no_pin() -> None:
    assert parse_candidate("org/name", "main") == HubRef("org/name", None)
    assert parse_candidate("org/name", "v2") == HubRef("org/name", "v2")


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("model", True),
        ("model_name_or_path", True),
        ("pretrained_model_name_or_path", True),
        ("base_model", True),
        ("model_id", True),
        ("repo_id", True),
        ("MODEL-ID", True),
        ("EMBEDDING_MODEL", True),
        ("teacher_model_name", True),
        ("hub_model_id", False),
        ("dataset_repo_id", False),
        ("output_model", False),
        ("model_type", False),
        ("models", False),
        ("content_type", False),
    ],
)
def test_model_keys(key: str, expected: bool) -> None:
    assert is_model_key(key) is expected


@given(st.text(max_size=200))
def test_a_candidate_never_raises_and_gives_only_hub_ids(text: str) -> None:
    ref = parse_candidate(text)
    if ref is not None:
        assert HUB_ID.match(ref.model_id) and len(ref.model_id) <= 96
        assert ref.revision != "main"


_OWNER = st.from_regex(r"zz[A-Za-z0-9_-]{0,20}[A-Za-z0-9]", fullmatch=True)
_NAME = st.from_regex(r"[A-Za-z][A-Za-z0-9_-]{0,30}[A-Za-z0-9]", fullmatch=True)


@given(_OWNER, _NAME)
def test_well_formed_ids_are_kept(owner: str, name: str) -> None:
    """Owners that are no reserved word, names with no file suffix: kept unless ``--``."""
    text = f"{owner}/{name}"
    ref = parse_candidate(text)
    assert (ref is None) == ("--" in text)
    if ref is not None:
        assert ref.model_id == text
