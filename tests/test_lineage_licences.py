"""Licence sources and lineage: consistency across card, files, tags and GGUF header;
inherited terms, obligations and lineage conflicts."""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from conftest import FIXED_NOW

from checker.api import audit_facts, gather
from checker.knowledge import Knowledge
from checker.policy import load_policy
from checker.sources.targets import Target

POLICY = """version: 1
use: {commercial: true, monthly-active-users: 800000000, based-in: [US], territories: [US],
      distribution: hosted, purposes: [], train-other-models: false}
licenses: {allow: [llama3.1, llama3], allow-categories: [permissive]}
"""


def gguf(license_value: str) -> bytes:
    def s(x: str) -> bytes:
        return struct.pack("<Q", len(x.encode())) + x.encode()

    kv = s("general.architecture") + struct.pack("<I", 8) + s("llama")
    kv += s("general.license") + struct.pack("<I", 8) + s(license_value)
    return b"GGUF" + struct.pack("<I", 3) + struct.pack("<Q", 0) + struct.pack("<Q", 2) + kv


def audit_folders(kb: Knowledge, write_policy: Callable[..., Path], *folders: tuple[Path, str]):  # type: ignore[no-untyped-def]
    policy = load_policy(write_policy(POLICY), kb)
    facts = gather([Target("local", str(p), p.name, i) for p, i in folders], kb)
    return audit_facts(facts, policy, kb, FIXED_NOW)


def rules_of(result, ident: str) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    model = next(m for m in result.models if m.facts.model.id == ident)
    out: dict[str, list[str]] = {}
    for f in model.findings:
        out.setdefault(f.rule, []).append(f.message)
    return out


def test_gguf_header_disagreeing_with_card(kb, make_model, write_policy) -> None:  # type: ignore[no-untyped-def]
    folder = make_model("license: llama3.1", files={"m.gguf": gguf("llama3")})
    result = audit_folders(kb, write_policy, (folder, "meta-llama/q"))
    facts = result.models[0].facts
    assert [(s.declared_by, s.ids) for s in facts.license.places] == [
        ("card", ("LicenseRef-scancode-llama-3.1-license-2024",)),
        ("header", ("LicenseRef-clearance-llama3",)),
    ]
    (message,) = rules_of(result, "meta-llama/q")["license/inconsistent"]
    assert (
        "card: LicenseRef-scancode-llama-3.1" in message
        and "header: LicenseRef-clearance-llama3" in message
    )
    # both licences apply: the strictest reading
    assert set(facts.license.ids) == {
        "LicenseRef-scancode-llama-3.1-license-2024",
        "LicenseRef-clearance-llama3",
    }


def test_agreeing_header_is_consistent(kb, make_model, write_policy) -> None:  # type: ignore[no-untyped-def]
    folder = make_model("license: llama3.1", files={"m.gguf": gguf("llama3.1")})
    result = audit_folders(kb, write_policy, (folder, "meta-llama/q"))
    assert "license/inconsistent" not in rules_of(result, "meta-llama/q")
    assert result.models[0].facts.license.ids == ("LicenseRef-scancode-llama-3.1-license-2024",)


def test_derivative_inherits_base_terms_and_conflict(kb, make_model, write_policy) -> None:  # type: ignore[no-untyped-def]
    base = make_model("license: llama3.1", name="base")
    quant = make_model(
        "license: apache-2.0\nbase_model: meta-llama/base\nbase_model_relation: quantized",
        name="quant",
    )
    result = audit_folders(kb, write_policy, (base, "meta-llama/base"), (quant, "google/quant"))
    found = rules_of(result, "google/quant")
    (conflict,) = found["license/lineage-conflict"]
    assert "meta-llama/base (quantized, depth 1)" in conflict
    # the base's 700M user cap binds the quantisation too
    assert any("inherited from meta-llama/base" in m for m in found["use/user-limit"])
    model = next(m for m in result.models if m.facts.model.id == "google/quant")
    assert {o.license for o in model.obligations} == {
        "Apache-2.0",
        "LicenseRef-scancode-llama-3.1-license-2024",
    }


def test_same_licence_as_base_is_no_conflict(kb, make_model, write_policy) -> None:  # type: ignore[no-untyped-def]
    base = make_model("license: llama3.1", name="base")
    ft = make_model("license: llama3.1\nbase_model: meta-llama/base", name="ft")
    result = audit_folders(kb, write_policy, (base, "meta-llama/base"), (ft, "google/ft"))
    assert "license/lineage-conflict" not in rules_of(result, "google/ft")


def test_inherited_licence_must_be_allowed(kb, make_model, write_policy) -> None:  # type: ignore[no-untyped-def]
    base = make_model("license: cc-by-nc-4.0", name="base")
    ft = make_model("license: cc-by-nc-4.0\nbase_model: google/base", name="ft")
    merge = make_model("license: mit\nbase_model:\n- google/base\n- google/other", name="merge")
    result = audit_folders(
        kb, write_policy, (base, "google/base"), (ft, "google/ft"), (merge, "google/merge")
    )
    found = rules_of(result, "google/merge")
    assert any("inherited from google/base (merge)" in m for m in found["license/not-allowed"])
    assert any("inherited from google/base" in m for m in found["use/non-commercial"])


def test_licence_file_declares_when_card_does_not(kb, make_model, write_policy) -> None:  # type: ignore[no-untyped-def]
    mit = (
        b"MIT License\n\nCopyright (c) 2026 Example\n\n"
        b"Permission is hereby granted, free of charge, "
        b"to any person obtaining a copy of this software and associated documentation files "
        b"(the "
        b'"Software"), to deal in the Software without restriction, including without limitation '
        b"the rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell "
        b"copies of the Software, and to permit persons to whom the Software is furnished to do "
        b"so, "
        b"subject to the following conditions:\n\nThe above copyright notice and this permission "
        b"notice shall be included in all copies or substantial portions of the Software.\n\n"
        b'THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED.\n'
    )
    folder = make_model(None, files={"LICENSE": mit})
    result = audit_folders(kb, write_policy, (folder, "google/m"))
    lic = result.models[0].facts.license
    assert lic.ids == ("MIT",) and lic.declared_by == "file"
    assert "license/unknown" not in rules_of(result, "google/m")


def test_unrecognised_licence_file_is_named(kb, make_model, write_policy) -> None:  # type: ignore[no-untyped-def]
    folder = make_model(None, files={"LICENSE.txt": b"All rights reserved. Ask us first."})
    result = audit_folders(kb, write_policy, (folder, "google/m"))
    (message,) = rules_of(result, "google/m")["license/unknown"]
    assert "LICENSE.txt not recognised" in message


def test_facts_bound_before_linking_are_bound_again_where_the_lineage_grows(kb, make_model) -> None:  # type: ignore[no-untyped-def]
    """Reading binds the facts (the pool's workers do it); linking keeps facts it adds nothing
    to as the same object and unbinds those whose lineage it extends, so ``bind`` sees the
    base's licences: the same facts as binding after linking."""
    from checker.facts.binding import bind
    from checker.facts.curations import NO_CURATIONS
    from checker.facts.lineage import link_lineage
    from checker.pool import read_target
    from checker.sources import Session

    base = make_model("license: llama3.1\nbase_model: meta-llama/root", name="base")
    quant = make_model("license: apache-2.0\nbase_model: meta-llama/base", name="quant")
    alone = make_model("license: mit\nbase_model: someone/elsewhere", name="alone")
    targets = [
        Target("local", str(base), "base", "meta-llama/base"),
        Target("local", str(quant), "quant", "google/quant"),
        Target("local", str(alone), "alone", "google/alone"),
    ]
    read = [read_target(t, kb, NO_CURATIONS, Session()) for t in targets]
    assert all(f.binding is not None for f in read)
    linked = link_lineage(read)
    assert linked[0] is read[0] and linked[2] is read[2]  # nothing in the audit adds to them
    assert linked[1] is not read[1] and linked[1].binding is None
    assert [a.id for a in linked[1].lineage] == ["meta-llama/base", "meta-llama/root"]
    unbound = [replace(f, binding=None, terms=None, obligations=()) for f in read]
    assert [bind(f, kb) for f in linked] == [bind(f, kb) for f in link_lineage(unbound)]
    llama = kb.license("llama3.1")
    assert llama is not None
    inherited = {(b.entry.id, b.via.id) for b in bind(linked[1], kb).binding or () if b.via}
    assert (llama.id, "meta-llama/base") in inherited


ANCESTOR_CARDS = [
    {"license": "llama3.1"},
    {"license": ["apache-2.0", "mit"]},
    {"license": "other", "license_name": "llama3.1"},
    {"license": "other", "license_link": "https://www.apache.org/licenses/LICENSE-2.0"},
    {"license": "other", "license_name": "my-own-licence"},
    {"license": "other"},
    {"license": 1},
    {"license": True},
    {"license": "1"},
    {"license": None},
    {"license": {"id": "mit"}},
    {"license_name": "gemma"},
    {"tags": ["text-generation"]},
    {},
]


def test_ancestor_licence_ids_are_those_of_license_facts_remembered_or_not(kb) -> None:  # type: ignore[no-untyped-def]
    """The memo of an ancestor's licence ids (keyed by the three licence keys) gives what
    ``license_facts`` gives for the whole card data, on every shape, asked twice, in any order;
    values that compare equal in Python but differ in YAML (1, True, "1") are kept apart."""
    from types import MappingProxyType

    from checker.facts import lineage
    from checker.facts.license import license_facts
    from checker.facts.model import CardFacts

    def direct(data: dict) -> tuple[str, ...]:  # type: ignore[type-arg]
        card = CardFacts(present=True, path="hf:x/y", metadata=MappingProxyType(dict(data)))
        return license_facts(kb, card).ids

    lineage._CARD_IDS[:] = [None, {}]
    expected = [direct({**d, "model-index": [{"name": "x"}]}) for d in ANCESTOR_CARDS]
    assert ("Apache-2.0", "MIT") in expected and ("Apache-2.0",) in expected and () in expected
    for order in (ANCESTOR_CARDS, ANCESTOR_CARDS[::-1], ANCESTOR_CARDS):
        for data in order:
            want = expected[ANCESTOR_CARDS.index(data)]
            assert lineage._card_licence_ids(kb, {**data, "model-index": []}) == want, data
    # {"license": None}, {"tags": [...]} and {} read alike (``get`` gives None): one entry
    assert lineage._CARD_IDS[0] is kb
    assert len(lineage._CARD_IDS[1]) == len(ANCESTOR_CARDS) - 2


def test_ancestor_licence_memo_is_per_knowledge_base(kb) -> None:  # type: ignore[no-untyped-def]
    """What was remembered for one knowledge base is never used for another (a knowledge base
    that knows a licence the other does not), and only the last one asked is kept alive."""
    from dataclasses import replace

    from checker.facts import lineage

    other = replace(kb, version="other")
    lineage._CARD_IDS[:] = [None, {}]
    assert lineage._card_licence_ids(kb, {"license": "mit"}) == ("MIT",)
    lineage._CARD_IDS[1][repr(["mit", None, None])] = ("not-this",)  # as if another kb said so
    lineage._CARD_IDS[0] = other
    assert lineage._card_licence_ids(kb, {"license": "mit"}) == ("MIT",)
    assert lineage._CARD_IDS[0] is kb
