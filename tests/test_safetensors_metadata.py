"""Safetensors ``__metadata__`` as licence and lineage evidence (issue 13 item 1): read bounded
(the 8-byte length, at most 4 MiB of JSON), a malformed header is a finding, never a crash."""

from __future__ import annotations

import json
import struct
from collections.abc import Callable
from pathlib import Path

import pytest

from checker.api import gather
from checker.facts import ProblemKind
from checker.knowledge import Knowledge
from checker.sources.targets import Target


def safetensors(metadata: dict[str, str] | None, tensors: bool = True) -> bytes:
    header: dict[str, object] = {}
    if metadata is not None:
        header["__metadata__"] = metadata
    if tensors:
        header["w"] = {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}
    raw = json.dumps(header).encode()
    raw += b" " * ((8 - len(raw) % 8) % 8)
    return struct.pack("<Q", len(raw)) + raw + b"\0\0\0\0"


def facts_of(kb: Knowledge, folder: Path, ident: str = "uploads/m"):  # type: ignore[no-untyped-def]
    return gather([Target("local", str(folder), folder.name, ident)], kb)[0]


@pytest.mark.parametrize(
    ("metadata", "expected"),
    [
        ({"license": "apache-2.0"}, ("Apache-2.0",)),
        ({"modelspec.license": "mit"}, ("MIT",)),
        ({"license_name": "deepseek"}, ("LicenseRef-scancode-deepseek-la-1.0",)),
    ],
)
def test_licence_from_the_header(
    metadata: dict[str, str],
    expected: tuple[str, ...],
    kb: Knowledge,
    make_model: Callable[..., Path],
) -> None:
    folder = make_model(None, files={"model.safetensors": safetensors(metadata)})
    facts = facts_of(kb, folder)
    assert facts.license.ids == expected
    (declared,) = [d for d in facts.license.declared if d.declared_by == "header"]
    assert declared.evidence.source.endswith("model.safetensors")


def test_header_disagreeing_with_the_card_is_inconsistent(
    kb: Knowledge, make_model: Callable[..., Path]
) -> None:
    folder = make_model(
        "license: mit", files={"model.safetensors": safetensors({"license": "cc-by-nc-4.0"})}
    )
    facts = facts_of(kb, folder)
    assert facts.license.inconsistent
    assert set(facts.license.ids) == {"MIT", "CC-BY-NC-4.0"}


def test_base_model_from_the_header(kb: Knowledge, make_model: Callable[..., Path]) -> None:
    folder = make_model(
        "license: mit",
        files={"model.safetensors": safetensors({"base_model": "deepseek-ai/DeepSeek-V2-Lite"})},
    )
    facts = facts_of(kb, folder)
    assert [(a.id, a.inferred, a.country) for a in facts.lineage] == [
        ("deepseek-ai/DeepSeek-V2-Lite", True, "CN")
    ]


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (struct.pack("<Q", 10**12) + b"{}", "not read"),
        (struct.pack("<Q", 500) + b'{"a": 1}', "cut short"),
        (struct.pack("<Q", 8) + b"{not js}", "not valid JSON"),
        (struct.pack("<Q", 8) + b"\xff\xfe\xfd\xfc{}{}", "not valid JSON"),
    ],
)
def test_malformed_headers_are_findings(
    data: bytes, why: str, kb: Knowledge, make_model: Callable[..., Path]
) -> None:
    folder = make_model("license: mit", files={"model.safetensors": data})
    facts = facts_of(kb, folder)
    problems = [p for p in facts.problems if p.kind is ProblemKind.UNREADABLE]
    assert any(why in p.message for p in problems), problems


def test_no_metadata_says_nothing(kb: Knowledge, make_model: Callable[..., Path]) -> None:
    folder = make_model("license: mit", files={"model.safetensors": safetensors(None)})
    facts = facts_of(kb, folder)
    assert facts.license.ids == ("MIT",) and facts.problems == ()
