"""Each bound of README "Limits and hostile input", hit on purpose: a stated finding or a
one-line error, never a crash, a hang, a silent truncation or a pass."""

from __future__ import annotations

import contextlib
import os
import struct
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker import licensing, yamlio
from checker.api import audit_facts, gather
from checker.errors import InputError, PolicyError
from checker.facts import LineageError, ModelFacts
from checker.gguf import metadata
from checker.identify import fold
from checker.knowledge import Knowledge
from checker.paths import printable
from checker.policy import load_policy
from checker.sources.targets import Target, parse_target
from hostile.generator import APACHE_HEAD, NC_CLAUSE, _apache_body, card, gguf, gguf_string

BASELINE = "builtin:baseline"


def facts(kb: Knowledge, folder: Path, model_id: str = "hostile/m") -> ModelFacts:
    return gather([Target("local", str(folder), "m", model_id)], kb)[0]


def messages(result: ModelFacts) -> list[str]:
    return [p.message for p in result.problems]


def rules(kb: Knowledge, result: ModelFacts, policy: str = BASELINE) -> dict[str, str]:
    audited = audit_facts([result], load_policy(policy, kb), kb)
    out: dict[str, str] = {}
    for f in audited.models[0].findings:  # a rule's messages, joined
        out[f.rule] = f"{out[f.rule]} | {f.message}" if f.rule in out else f.message
    return out


@pytest.mark.parametrize("name", ["model.safetensors", "x.gguf", "LICENSE", "README.md"])
def test_a_named_pipe_is_never_opened(
    name: str, kb: Knowledge, make_model: Callable[..., Path]
) -> None:
    folder = make_model("license: mit", files={})
    if name == "README.md":
        (folder / name).unlink()
    os.mkfifo(folder / name)
    start = time.perf_counter()
    result = facts(kb, folder)
    assert time.perf_counter() - start < 5
    assert any("not a regular file" in m or "named pipe" in m for m in messages(result))


def test_a_device_named_like_weights_is_not_read(
    kb: Knowledge, make_model: Callable[..., Path]
) -> None:
    folder = make_model("license: mit", files={})
    os.symlink("/dev/zero", folder / "model.safetensors")
    assert any("a device" in m for m in messages(facts(kb, folder)))


def test_files_below_the_depth_bound_mark_the_list_incomplete(
    kb: Knowledge, make_model: Callable[..., Path]
) -> None:
    folder = make_model(
        "license: mit", files={"a/b/c/d/e/modeling_evil.py": b"x", "model.safetensors": b"x" * 9}
    )
    result = facts(kb, folder)
    assert result.weights.remote_code is None
    assert any("deeper than 4 levels" in m for m in messages(result))
    assert "weights/remote-code" in rules(kb, result)


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (struct.pack("<Q", 400) + b'{"__metadata__": {', "cut short"),
        (struct.pack("<Q", 16) + b"{not json at all", "not valid JSON"),
        (struct.pack("<Q", 2**63) + b"{" + b"\0" * 64, "not read"),
        (os.urandom(512), "safetensors header"),
    ],
)
def test_a_safetensors_file_that_is_not_one_is_unsafe(
    data: bytes, why: str, kb: Knowledge, make_model: Callable[..., Path]
) -> None:
    folder = make_model("license: mit", files={"model.safetensors": data, "m.bin": b"\x80\x02N."})
    result = facts(kb, folder)
    [weights] = [f for f in result.weights.files if f.format == "safetensors"]
    assert weights.suspect is not None
    found = rules(kb, result)
    assert why in found["weights/unsafe-format"] or why in str(messages(result))
    assert "corrupt or disguised" in found["weights/unsafe-format"]


def test_random_bytes_named_gguf_are_unsafe(kb: Knowledge, make_model: Callable[..., Path]) -> None:
    folder = make_model("license: mit", files={"model.gguf": b"\x01" * 64})
    assert "not a GGUF header" in rules(kb, facts(kb, folder))["weights/unsafe-format"]


def test_a_huge_header_licence_is_not_cut_short_silently(
    kb: Knowledge, make_model: Callable[..., Path]
) -> None:
    data = gguf([("general.license", 8, gguf_string("x" * 600_000))])
    result = facts(kb, make_model("license: mit", files={"m.gguf": data}))
    assert any("600,000 characters, longer than the 2,048 read" in m for m in messages(result))


def test_gguf_licence_past_the_header_read_limit_is_said(
    kb: Knowledge, make_model: Callable[..., Path]
) -> None:
    filler = ("general.description", 8, gguf_string("d" * 1_100_000))
    data = gguf([filler, ("general.license", 8, gguf_string("cc-by-nc-4.0"))])
    result = facts(kb, make_model("license: mit", files={"m.gguf": data}))
    expected = "GGUF header longer than the 1,048,576 bytes read: licence keys after them"
    assert any(expected in m for m in messages(result))
    assert "input/unreadable" in rules(kb, result)
    small = gguf([("general.license", 8, gguf_string("mit"))])
    clean = facts(kb, make_model("license: mit", files={"m.gguf": small}))
    assert not any("GGUF header longer" in m for m in messages(clean))


def test_licence_past_the_read_limit_is_unknown(
    kb: Knowledge, make_model: Callable[..., Path]
) -> None:
    text = (APACHE_HEAD + _apache_body()).encode() + b" " * (1024 * 1024) + NC_CLAUSE.encode()
    result = facts(kb, make_model(None, files={"LICENSE": text, "model.safetensors": b"x" * 9}))
    expected = "licence file larger than 1 MiB: read the first 1 MiB; the rest was not checked"
    assert any(expected in m for m in messages(result))
    assert "input/unreadable" in rules(kb, result)


def test_licence_text_in_an_html_comment_is_unknown(
    kb: Knowledge, make_model: Callable[..., Path]
) -> None:
    text = (APACHE_HEAD + _apache_body() + "<!--" + NC_CLAUSE + "-->").encode()
    result = facts(kb, make_model("license: apache-2.0", files={"LICENSE": text}))
    assert any("HTML comment" in m for m in messages(result))


@pytest.mark.parametrize("base", ["hostile/m", "HOSTILE/M"])
def test_a_model_that_names_itself_as_base_is_a_cycle(
    base: str, kb: Knowledge, make_model: Callable[..., Path]
) -> None:
    result = facts(kb, make_model(f"license: mit\nbase_model: {base}"))
    assert [a.error_kind for a in result.lineage] == [LineageError.CYCLE]
    assert "base_model forms a cycle" in rules(kb, result)["card/invalid-metadata"]


@pytest.mark.parametrize("value", ["5", '["a/b"]', '{"a": "b"}', '""', "null"])
def test_an_adapter_whose_base_cannot_be_read_is_reported(
    value: str, kb: Knowledge, make_model: Callable[..., Path]
) -> None:
    config = f'{{"base_model_name_or_path": {value}}}'.encode()
    result = facts(kb, make_model("license: mit", files={"adapter_config.json": config}))
    assert any("the adapter's base model is not known" in m for m in messages(result))


@pytest.mark.parametrize("version", ["true", "1.0", '"1"'])
def test_manifest_version_must_be_the_integer_one(version: str, tmp_path: Path) -> None:
    manifest = tmp_path / "m.yaml"
    manifest.write_text(f"version: {version}\nmodels: [{{id: a/b}}]\n")
    with pytest.raises(InputError, match="version: must be 1"):
        parse_target(str(manifest))


def test_a_nul_byte_is_reported_at_its_line(tmp_path: Path, kb: Knowledge) -> None:
    manifest = tmp_path / "m.yaml"
    manifest.write_bytes(b"models:\n  - id: a/b\n  - id: c/d\x00\n")
    with pytest.raises(InputError) as error:
        parse_target(str(manifest))
    assert (
        str(error.value)
        == f"{manifest}:3:12: invalid YAML: character U+0000 is not allowed in YAML"
    )
    policy = tmp_path / "p.yaml"
    policy.write_bytes(b"version: 1\nname: x\n\x00\n")
    with pytest.raises(PolicyError) as perror:
        load_policy(policy, kb)
    assert "p.yaml:3:1: invalid YAML: character U+0000" in str(perror.value)
    assert "\n" not in str(perror.value).strip()


def test_duplicate_key_messages_are_escaped(tmp_path: Path, kb: Knowledge) -> None:
    policy = tmp_path / "p.yaml"
    policy.write_text('version: 1\nname: "\\x1b[2J\\u202e"\nname: b\n')
    with pytest.raises(PolicyError) as error:
        load_policy(policy, kb)
    assert "\x1b" not in str(error.value) and "\u202e" not in str(error.value)
    assert "\\x1b[2J" in str(error.value)


def rule_policy(tmp_path: Path, when: str, message: str = "m") -> Path:
    """A policy of one custom rule ``a/b``."""
    policy = tmp_path / "p.yaml"
    policy.write_text(
        f"version: 1\nrules:\n  - id: a/b\n    severity: note\n    message: {message}\n"
        f"    when: {when}\n"
    )
    return policy


def test_contains_takes_a_string(tmp_path: Path, kb: Knowledge) -> None:
    policy = rule_policy(tmp_path, "{field: model.id, contains: 5}")
    with pytest.raises(PolicyError, match="contains looks for a string"):
        load_policy(policy, kb)


def test_a_catastrophic_regex_is_stopped(
    tmp_path: Path, kb: Knowledge, make_model: Callable[..., Path]
) -> None:
    policy = rule_policy(tmp_path, "{field: card.metadata.x, matches: '(x+x+)+y'}")
    result = facts(kb, make_model(f"license: mit\nx: {'x' * 5000}"))
    start = time.perf_counter()
    found = rules(kb, result, str(policy))
    assert time.perf_counter() - start < 5
    assert "matching took longer than 0.1 s" in found["a/b"]


def test_interpolated_card_text_is_escaped(
    tmp_path: Path, kb: Knowledge, make_model: Callable[..., Path]
) -> None:
    when, message = "{field: card.metadata.x, exists: true}", "'x=${card.metadata.x}'"
    policy = rule_policy(tmp_path, when, message)
    result = facts(kb, make_model('license: mit\nx: "\\x1b[2Jred\\nline"'))
    assert rules(kb, result, str(policy))["a/b"] == "x=\\x1b[2Jred line"


def test_policy_bounds(tmp_path: Path, kb: Knowledge) -> None:
    for i in range(100):
        (tmp_path / f"p{i}.yaml").write_text("version: 1\n")
    wide = tmp_path / "wide.yaml"
    wide.write_text("version: 1\nextends: [" + ", ".join(f"p{i}.yaml" for i in range(100)) + "]\n")
    with pytest.raises(PolicyError, match="more than 64 files"):
        load_policy(wide, kb)
    long = tmp_path / "long.yaml"
    long.write_text("version: 1\n" + "# x\n" * 10_001)
    with pytest.raises(PolicyError, match="lines long, over the 10,000 read"):
        load_policy(long, kb)


def test_a_manifest_past_its_bounds_is_refused_at_once(tmp_path: Path) -> None:
    from checker.sources.targets import MAX_MANIFEST_BYTES, MAX_MANIFEST_LINES

    lines = tmp_path / "lines.yaml"
    lines.write_text("models:\n  - id: a/b\n" + "# x\n" * MAX_MANIFEST_LINES)
    with pytest.raises(InputError, match="400,003 lines long, over the 400,000 read"):
        parse_target(str(lines))
    big = tmp_path / "big.yaml"
    big.write_bytes(b"models:\n  - id: a/b\n" + b"#" * MAX_MANIFEST_BYTES)
    with pytest.raises(InputError, match="larger than 33,554,432 bytes"):
        parse_target(str(big))


def test_a_manifest_past_the_old_10000_entries_is_read(tmp_path: Path) -> None:
    manifest = tmp_path / "m.yaml"
    entries = "".join(f"  - id: o/m{i}\n    path: m{i}\n" for i in range(15_000))
    manifest.write_text("models:\n" + entries)
    targets = parse_target(str(manifest))  # 45,000 nodes: the old bound allowed 10,000 entries
    assert len(targets) == 15_000
    assert targets[-1].named_by is not None and targets[-1].named_by.line == 30_000


def test_deep_flow_yaml_is_refused_at_once() -> None:
    start = time.perf_counter()
    with pytest.raises(yamlio.YamlProblem, match="nested more than 200 levels"):
        yamlio.load("x: " + "[" * 100_000 + "]" * 100_000)
    assert time.perf_counter() - start < 1


def test_a_front_matter_too_long_is_not_parsed(
    kb: Knowledge, make_model: Callable[..., Path]
) -> None:
    front = "license: mit\n" + "".join(f"k{i}: {i}\n" for i in range(10_001))
    result = facts(kb, make_model(card=card(front)))
    assert any("over the 10,000 this reads" in m for m in messages(result))


def test_nan_never_reaches_json(kb: Knowledge, make_model: Callable[..., Path]) -> None:
    import json

    from checker.reporters import REPORTERS

    result = facts(kb, make_model("license: .nan\nx: [.inf, -.inf]"))
    audited = audit_facts([result], load_policy(BASELINE, kb), kb)
    for fmt in ("json", "sarif"):
        json.loads(REPORTERS[fmt](audited), parse_constant=lambda c: pytest.fail(c))


def test_many_alternatives_are_bounded() -> None:
    ids = [f"LicenseRef-x{i}" for i in range(40)]
    expression = " AND ".join(f"({a} OR {b})" for a, b in zip(ids[::2], ids[1::2], strict=True))
    with pytest.raises(licensing.TooComplex):
        licensing.alternatives(expression)


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="<>a !-/", min_size=0, max_size=3000))
def test_fold_is_linear_and_strips_tags(text: str) -> None:
    start = time.perf_counter()
    folded = fold(text * 30)
    assert time.perf_counter() - start < 1
    assert "<" not in folded


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_gguf_metadata_never_raises(data: bytes) -> None:
    metadata(b"GGUF\x03\x00\x00\x00" + data)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(["MIT", "Apache-2.0", "AND", "OR", "WITH", "(", ")", "x"]), max_size=30
    )
)
def test_licence_expressions_never_raise(tokens: list[str]) -> None:
    text = " ".join(tokens)
    licensing.satisfied(text, lambda _: True)
    with contextlib.suppress(licensing.TooComplex):
        licensing.alternatives(text)


@given(st.text())
def test_printable_names_have_no_control_characters(text: str) -> None:
    shown = printable(text)
    assert shown.isprintable() or all(c.isprintable() or c == " " for c in shown)
    shown.encode("utf-8")
