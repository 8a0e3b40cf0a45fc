"""Licences named in a card's prose (checker.facts.prose): what counts, what does not, and that
hostile prose ends in bounded work and no exception."""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.facts.prose import MAX_DISTINCT, read_prose, url_variants
from checker.knowledge import Knowledge


def keys(kb: Knowledge, body: str, model_id: str = "acme/m") -> list[str]:
    return [p.entry.key for p in read_prose(kb, body, 10, model_id).licences]


def test_license_label_line(kb: Knowledge) -> None:
    body = (
        "# m\n\n- **License:** [Apache License 2.0](https://www.apache.org/licenses/LICENSE-2.0)\n"
    )
    reading = read_prose(kb, body, 10, "acme/m")
    assert [(p.entry.key, p.line) for p in reading.licences] == [("apache-2.0", 12)]
    assert reading.licences[0].value == "https://www.apache.org/licenses/LICENSE-2.0"


def test_label_line_states_one_licence_whatever_else_it_links(kb: Knowledge) -> None:
    body = (
        "**License:** [MIT](https://opensource.org/licenses/MIT), adapted from the "
        "[Apache-2.0](https://www.apache.org/licenses/LICENSE-2.0) work\n"
    )
    assert keys(kb, body) == ["mit"]


def test_label_without_link(kb: Knowledge) -> None:
    assert keys(kb, "License: Apache-2.0\n") == ["apache-2.0"]
    assert keys(kb, "Licence: MIT License\n") == ["mit"]


def test_licence_section_and_code_clause(kb: Knowledge) -> None:
    body = (
        "# m\n\n## License\n\n"
        "The code is released under the [BSD 3-Clause licence](LICENSE-CODE), while the model "
        "weights are released under the [MIT License](https://opensource.org/licenses/MIT).\n\n"
        "## Citation\n\n[Apache-2.0](https://www.apache.org/licenses/LICENSE-2.0) is cited here.\n"
    )
    assert keys(kb, body) == ["mit"]


def test_chinese_code_clause(kb: Knowledge) -> None:
    body = (
        "## 协议 (License)\n\n本仓库的代码依照 [Apache-2.0](LICENSE) 协议开源\uff0c"
        "模型的权重的使用则需要遵循 [Model License](MODEL_LICENSE)。\n"
    )
    assert keys(kb, body, "THUDM/chatglm3-6b") == ["chatglm3-6b"]


def test_relative_link_resolves_against_the_repository(kb: Knowledge) -> None:
    body = "## License\n\nSee the [Model License](./MODEL_LICENSE).\n"
    assert keys(kb, body, "THUDM/chatglm3-6b") == ["chatglm3-6b"]
    assert keys(kb, body, "local/chatglm") == []  # a local folder has no repository URL


def test_mentions_outside_licence_lines_do_not_count(kb: Knowledge) -> None:
    body = "# m\n\nWe compare with models under the Apache-2.0 and MIT terms.\n"
    assert keys(kb, body) == []


def test_code_blocks_are_not_prose(kb: Knowledge) -> None:
    body = "```python\n# License: MIT\nlicense = 'apache-2.0'\n```\n"
    assert keys(kb, body) == []


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(1)",
        "data:text/html,<b>x</b>",
        "file:///etc/passwd",
        "#license",
        "mailto:a@b",
    ],
)
def test_links_that_name_no_licence(kb: Knowledge, link: str) -> None:
    assert keys(kb, f"**License:** [click here]({link})\n") == []


def test_url_spellings(kb: Knowledge) -> None:
    base = "https://huggingface.co/THUDM/chatglm3-6b"
    for url in (
        f"{base}/blob/main/MODEL_LICENSE",
        f"{base}/resolve/main/MODEL_LICENSE",
        f"{base}/raw/0123456789abcdef0123456789abcdef01234567/MODEL_LICENSE",
        f"{base}/blob/main/MODEL_LICENSE?download=true#top",
        f"{base}/blob/main/MODEL_LICENSE/",
    ):
        assert keys(kb, f"License: [x]({url})\n") == ["chatglm3-6b"], url
    assert f"{base}/blob/main/MODEL_LICENSE" in url_variants("MODEL_LICENSE", "THUDM/chatglm3-6b")


def test_prose_naming_many_licences_is_ambiguous(kb: Knowledge) -> None:
    urls = [
        "https://opensource.org/licenses/MIT",
        "https://www.apache.org/licenses/LICENSE-2.0",
        "https://opensource.org/licenses/BSD-3-Clause",
        "https://opensource.org/licenses/ISC",
        "https://opensource.org/licenses/Zlib",
        "https://creativecommons.org/licenses/by-nc/4.0/",
    ]
    body = "## License\n\n" + "".join(f"- [x]({u})\n" for u in urls)
    reading = read_prose(kb, body, 1, "acme/m")
    assert reading.licences == () and reading.ambiguous > MAX_DISTINCT


def test_hostile_prose_is_bounded(kb: Knowledge) -> None:
    """A MiB of licence lines, links and brackets: no exception, a bounded answer."""
    line = "License: " + "[MIT](https://opensource.org/licenses/MIT) " * 30 + "[" * 200 + "(" * 200
    body = "## License\n" + (line + "\n") * (1024 * 1024 // len(line))
    reading = read_prose(kb, body, 1, "acme/m")
    assert [p.entry.key for p in reading.licences] == ["mit"]
    assert read_prose(kb, "#" * 100_000 + "\n" + "[" * 100_000, 1, "acme/m").licences == ()


HF = "https://huggingface.co"


def bases(body: str, model_id: str = "uploads/m-GGUF") -> list[tuple[str, int]]:
    from checker.knowledge import load_knowledge

    return [(b.id, b.line) for b in read_prose(load_knowledge(), body, 1, model_id).bases]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (f"Original model: {HF}/deepseek-ai/DeepSeek-V2-Lite", "deepseek-ai/DeepSeek-V2-Lite"),
        (f"- Original model: [Yi 34B]({HF}/01-ai/Yi-34B)", "01-ai/Yi-34B"),
        (f"Quantized version of [meta-llama/L-3]({HF}/meta-llama/L-3)", "meta-llama/L-3"),
        (f"From: {HF}/meta-llama/Llama-2-7b-chat-hf", "meta-llama/Llama-2-7b-chat-hf"),
        ("A fine-tuned version of `Qwen/Qwen2.5-7B` on our data.", "Qwen/Qwen2.5-7B"),
        ("**Base model:** mistralai/Mistral-7B-v0.1", "mistralai/Mistral-7B-v0.1"),
    ],
)
def test_prose_names_its_origin(line: str, expected: str) -> None:
    assert bases(f"# m\n\n{line}\n") == [(expected, 3)]


@pytest.mark.parametrize(
    "line",
    [
        "Fine-tuned on the https://huggingface.co/datasets/org/data dataset.",
        "Original model: see ./checkpoints/final",
        "We thank https://huggingface.co/meta-llama/Llama-2-7b for inspiration.",
        "Original model: https://huggingface.co/uploads/m-GGUF",  # itself
    ],
)
def test_prose_that_names_no_origin(line: str) -> None:
    assert bases(f"{line}\n") == []


def test_the_copied_original_card_is_not_this_models_lineage() -> None:
    body = (
        "Original model: https://huggingface.co/a/original\n\n# Original Model Card\n\n"
        "Fine-tuned version of [b/grandparent](https://huggingface.co/b/grandparent)\n"
    )
    assert bases(body) == [("a/original", 1)]


def test_unknown_licence_says_what_would_decide_it(kb: Knowledge, tmp_path: Path) -> None:
    from checker.api import gather
    from checker.sources.targets import Target

    card = "---\nlicense: other\nlicense_name: tencent-hunyuan-community\n---\n# m\n"
    (tmp_path / "README.md").write_text(card)
    facts = gather([Target("local", str(tmp_path), "m", "tencent/m")], kb)[0]
    assert not facts.license.known
    (hint,) = facts.license.hints
    assert "license_link to one of them decides which" in hint
    assert "https://github.com/Tencent/HunyuanDiT/blob/main/LICENSE.txt" in hint
