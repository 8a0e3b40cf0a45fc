"""Identification from text: every licence text in ../shared/corpus/licenses is identified as
what MANIFEST.yaml says it is (AUPs and NOTICEs as documents), however it is formatted."""

from __future__ import annotations

import random
import re
import textwrap

import pytest
from conftest import CORPUS, corpus_dir

from checker.identify import fold, identify, identify_licence
from checker.knowledge import Knowledge

# corpus file -> the licence key it holds, or ("doc", key) for an AUP / NOTICE / usage policy
EXPECTED: dict[str, str | tuple[str, str]] = {
    "apache-2.0.txt": "apache-2.0",
    "yi-apache-2.0.txt": "apache-2.0",
    "internlm-apache-2.0-variant.txt": "internlm-apache-2.0-variant",
    "deepseek-r1-mit.txt": "mit",
    "microsoft-phi-mit.txt": "mit",
    "kimi-k2-modified-mit.txt": "kimi-k2-modified-mit",
    "llama2.txt": "llama2",
    "llama3.txt": "llama3",
    "llama3_hf-repo-copy.txt": "llama3",
    "llama3.1.txt": "llama3.1",
    "llama3.1_hf-repo-copy.txt": "llama3.1",
    "llama3.2.txt": "llama3.2",
    "llama3.3.txt": "llama3.3",
    "llama4.txt": "llama4",
    "llama4_hf-repo-copy.txt": "llama4",
    "llama2-aup.txt": ("doc", "llama2-aup"),
    "llama3-aup.txt": ("doc", "llama3-aup"),
    "llama3.1-aup.txt": ("doc", "llama3.1-aup"),
    "llama3.2-aup.txt": ("doc", "llama3.2-aup"),
    "llama3.3-aup.txt": ("doc", "llama3.3-aup"),
    "llama4-aup.txt": ("doc", "llama4-aup"),
    "gemma-terms-2024-04-01.txt": "gemma",
    "creativeml-openrail-m.txt": "creativeml-openrail-m",
    "openrail++-m-sdxl1.0.txt": "openrail++",
    "openrail++-m-sd2.txt": "openrail++",
    "bigscience-bloom-rail-1.0.txt": "bigscience-bloom-rail-1.0",
    "deepfloyd-if-license.txt": "deepfloyd-if-license",
    "stability-ai-community.txt": "stability-ai-community",
    "stability-sdxl-turbo-noncommercial.txt": "stability-ai-nc",
    "stability-svd-noncommercial.txt": "stable-video-diffusion-nc",
    "stability-sdxl0.9-research.txt": "sdxl-0.9-research",
    "yi-community-2023.txt": "yi-license",
    "yi-apache-2.0-NOTICE.txt": ("doc", "yi-notice"),
    "databricks-open-model.txt": "databricks-open-model",
    "databricks-open-model-NOTICE.txt": ("doc", "databricks-open-model-notice"),
    "gpt-oss-usage-policy.txt": ("doc", "gpt-oss-usage-policy"),
    "chatglm-6b-model.txt": "chatglm-6b",
    "chatglm3-6b-model.txt": "chatglm3-6b",
    "codegeex4-model.txt": "codegeex4",
    "hunyuan-community-a13b.txt": "tencent-hunyuan-community-a13b",
    "hunyuan-community-large.txt": "tencent-hunyuan-community-large",
    "qwen-tongyi-qianwen.txt": "tongyi-qianwen",
    "qwen-tongyi-qianwen-research.txt": "tongyi-qianwen-research",
    "qwen-research.txt": "qwen-research",
    "deepseek-model.txt": "deepseek",
    "deepseek-model_deepseek-llm-copy.txt": "deepseek",
    "minimax-model.txt": "minimax-model",
    "nvidia-open-model-license.txt": "nvidia-open-model",
    "openmdw-1.1_nvidia-cosmos3-preface.txt": "openmdw-1.1",
    "meta-fair-noncommercial-research.txt": "fair-noncommercial-research-license",
    "meta-dinov3.txt": "meta-dinov3",
    "meta-sam.txt": "meta-sam",
    "apple-sample-code-license.txt": "apple-sample-code",
}


def _read(name: str) -> str:
    return (corpus_dir() / "licenses" / name).read_text(encoding="utf-8-sig", errors="replace")


def _check(text: str, expected: str | tuple[str, str], kb: Knowledge) -> None:
    found = identify(text, kb)
    licences = [i.key for i in found if i.kind == "license"]
    if isinstance(expected, tuple):
        assert licences == [], f"an {expected[1]} is not a licence, got {licences}"
        assert expected[1] in [i.key for i in found], [i.key for i in found]
    else:
        assert licences == [expected], [i.key for i in found]
        ident = identify_licence(text, kb)
        assert ident is not None and ident.key == expected and ident.confidence == 1.0


CORPUS_FILES = (
    sorted(p.name for p in (CORPUS / "licenses").glob("*.txt")) if CORPUS.is_dir() else []
)


def test_every_corpus_text_has_an_expectation() -> None:
    corpus_dir()
    assert sorted(EXPECTED) == CORPUS_FILES


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_text_identified(name: str, kb: Knowledge) -> None:
    _check(_read(name), EXPECTED[name], kb)


def _rewrap(text: str) -> str:
    paragraphs = re.split(r"\n\s*\n", text)
    return "\n\n".join(textwrap.fill(" ".join(p.split()), 47) for p in paragraphs)


def _markdown(text: str) -> str:
    lines = text.splitlines()
    return "\n".join(
        ["# LICENSE", "", *(f"> {line}" if i % 7 == 3 else line for i, line in enumerate(lines))]
    )


def _html(text: str) -> str:
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    body = "</p>\n<p>".join(re.split(r"\n\s*\n", escaped)).replace("\n", "<br/>\n")
    return (
        f"<!DOCTYPE html><html><head><title>License</title></head><body><p>{body}</p></body></html>"
    )


def _headers(text: str) -> str:
    header = "Copyright (c) 2026 Example Fine-Tuner Ltd.\nSPDX-FileCopyrightText: 2026 Example"
    return f"{header}\n\n{text}\n"


def _small_edit(text: str, kb: Knowledge) -> str:
    """Delete one sentence that holds none of the phrases that identified the text."""
    phrases = [fold(p) for i in identify(text, kb) for p in i.matched]
    sentences = re.split(r"(?<=[.;])\s+", text)
    rng = random.Random(len(text))
    order = list(range(len(sentences)))
    rng.shuffle(order)
    for index in order:
        candidate = fold(sentences[index])
        if len(candidate) > 40 and not any(p.strip() in candidate for p in phrases):
            return " ".join(s for i, s in enumerate(sentences) if i != index)
    return text


@pytest.mark.parametrize("form", ["rewrap", "markdown", "html", "headers", "small-edit"])
def test_identification_survives_formatting(form: str, kb: Knowledge) -> None:
    for name, expected in sorted(EXPECTED.items()):
        text = _read(name)
        changed = {
            "rewrap": _rewrap,
            "markdown": _markdown,
            "html": _html,
            "headers": _headers,
            "small-edit": lambda t: _small_edit(t, kb),
        }[form](text)
        _check(changed, expected, kb)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Lorem ipsum dolor sit amet, consectetur adipiscing elit.",
        "ACME MODEL LICENCE. You may use this model for anything you like, except for evil.",
        "This model is licensed under the Llama 3.1 Community License.",  # a mention, not the text
    ],
)
def test_text_that_matches_nothing_is_unknown(text: str, kb: Knowledge) -> None:
    assert identify_licence(text, kb) is None


def test_normalise() -> None:
    assert fold("<p>Hello,&nbsp;\u201cWorld\u201d</p>\n**bold**") == " hello world bold "
