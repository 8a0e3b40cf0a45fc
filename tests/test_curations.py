"""The policy's curations: ``developers:`` and ``clarify:`` (what the knowledge base does not know).

Loading (file and line of every entry, extends merging, nearest first), the facts they give
(``clarified`` licences, developers from the policy, with the policy line as evidence), the lapse
of a pinned clarification, and the command line end to end with the JSON report's schema.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import jsonschema
from click.testing import CliRunner
from conftest import FIXED_NOW, REPO, safetensors_bytes
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.api import audit_facts, gather
from checker.cli import main
from checker.facts.curations import (
    CLARIFIED,
    Clarification,
    Curations,
    clarify_license,
)
from checker.facts.model import LicenseFacts
from checker.knowledge import Knowledge
from checker.policy import load_policy
from checker.sources.raw import RawModel, RawText
from checker.sources.targets import Target

TEXT = b"Acme Tiny Model Licence. Permission is granted to use these weights for any purpose.\n"
SHA = hashlib.sha256(TEXT).hexdigest()
POLICY = f"""version: 1
extends: [builtin:baseline]
developers:
  acme-labs:
    country: DE
    name: Acme Labs GmbH
    source: https://acme.example/imprint
clarify:
  - models: "acme-labs/tiny-*"
    license: MIT
    file: LICENSE
    sha256: {SHA}
    reason: "LICENSE is a permissive grant (LEGAL-7)"
"""


def _model(make_model, front: str = "license: other", licence: bytes | None = TEXT) -> Path:  # type: ignore[no-untyped-def]
    files = {"model.safetensors": safetensors_bytes()}
    if licence is not None:
        files["LICENSE"] = licence
    folder: Path = make_model(front, files=files)
    return folder


def _audit(kb: Knowledge, policy_path: Path, *folders: tuple[Path, str]):  # type: ignore[no-untyped-def]
    policy = load_policy(policy_path, kb)
    targets = [Target("local", str(p), p.name, ident) for p, ident in folders]
    facts = gather(targets, kb, curations=policy.curations)
    return audit_facts(facts, policy, kb, FIXED_NOW)


def _rules(result: Any, model: str) -> dict[str, Any]:
    found = next(m for m in result.models if m.facts.model.id == model)
    return {f.rule: f for f in found.findings}


# --- loading ----------------------------------------------------------------------------------


def test_entries_keep_their_file_and_line(kb: Knowledge, write_policy) -> None:  # type: ignore[no-untyped-def]
    path = write_policy(POLICY)
    cur = load_policy(path, kb).curations
    dev = cur.developer("ACME-LABS")
    assert dev is not None and (dev.country, dev.line, dev.file) == ("DE", 4, str(path))
    clar = cur.clarification("Acme-Labs/Tiny-1")
    assert clar is not None and clar.line == 9 and clar.sha256 == SHA and clar.license == "MIT"
    assert cur.clarification("acme-labs/big") is None


def test_extends_merge_entries_nearer_file_wins(kb: Knowledge, write_policy) -> None:  # type: ignore[no-untyped-def]
    write_policy(
        "version: 1\ndevelopers:\n  Acme-Labs: {country: FR, name: Old}\n  other: {country: US}\n"
        "clarify:\n  - {models: 'acme-labs/*', license: Apache-2.0}\n"
        "  - {models: 'acme-labs/tiny-*', license: gpl-3.0}\n",
        "base.yaml",
    )
    child = write_policy(
        "version: 1\nextends: [./base.yaml]\ndevelopers:\n  acme-labs: {country: DE}\n"
        "clarify:\n  - {models: 'acme-labs/tiny-*', license: MIT}\n",
        "child.yaml",
    )
    cur = load_policy(child, kb).curations
    dev = cur.developer("acme-labs")
    assert dev is not None and dev.country == "DE" and dev.name is None  # replaced whole
    assert cur.developer("other") is not None  # the parent's other entries stay
    assert [c.license for c in cur.clarify] == ["MIT", "Apache-2.0"]  # nearer first, same key once
    first = cur.clarification("acme-labs/tiny-2")
    assert first is not None and first.file.endswith("child.yaml")
    broad = cur.clarification("acme-labs/big")
    assert broad is not None and broad.license == "Apache-2.0"


def test_country_alias_is_taken_with_a_note(kb: Knowledge, write_policy) -> None:  # type: ignore[no-untyped-def]
    policy = load_policy(write_policy("version: 1\ndevelopers:\n  acme: {country: UK}\n"), kb)
    dev = policy.curations.developer("acme")
    assert dev is not None and dev.country == "GB"
    assert any("developers.acme.country: UK is taken as GB" in n for n in policy.notes)


# --- facts and checks -------------------------------------------------------------------------


def test_unknown_licence_passes_after_clarify(kb: Knowledge, make_model, write_policy) -> None:  # type: ignore[no-untyped-def]
    folder = _model(make_model)
    bare = write_policy("version: 1\nextends: [builtin:baseline]\n", "bare.yaml")
    before = _rules(_audit(kb, bare, (folder, "acme-labs/tiny-1")), "acme-labs/tiny-1")
    assert "license/unknown" in before
    path = write_policy(POLICY)
    result = _audit(kb, path, (folder, "acme-labs/tiny-1"))
    rules = _rules(result, "acme-labs/tiny-1")
    assert "license/unknown" not in rules and "license/clarification-lapsed" not in rules
    lic = result.models[0].facts.license
    assert lic.declared_by == CLARIFIED and lic.ids == ("MIT",) and lic.clarified
    stated = lic.declared[0]
    assert (stated.evidence.source, stated.evidence.line) == (str(path), 9)
    assert [d.declared_by for d in lic.declared] == [CLARIFIED, "card"]  # the card stays recorded


def test_clarification_lapses_when_the_file_changes(
    kb: Knowledge, make_model, write_policy
) -> None:  # type: ignore[no-untyped-def]
    folder = _model(make_model, licence=TEXT + b"Use is limited to research.\n")
    path = write_policy(POLICY)
    rules = _rules(_audit(kb, path, (folder, "acme-labs/tiny-1")), "acme-labs/tiny-1")
    lapsed = rules["license/clarification-lapsed"]
    assert "has changed" in lapsed.message and SHA in lapsed.message
    assert (lapsed.evidence[0].source, lapsed.evidence[0].line) == (str(path), 9)
    assert lapsed.evidence[1].pointer == "sha256"
    assert "license/unknown" in rules  # the licence falls back to what the files say


def test_clarification_lapses_when_the_file_is_missing(
    kb: Knowledge, make_model, write_policy
) -> None:  # type: ignore[no-untyped-def]
    folder = _model(make_model, licence=None)
    rules = _rules(
        _audit(kb, write_policy(POLICY), (folder, "acme-labs/tiny-1")), "acme-labs/tiny-1"
    )
    assert "is not among the model's licence files" in rules["license/clarification-lapsed"].message


def test_unpinned_clarification_applies_and_decides_a_disagreement(
    kb: Knowledge, make_model, write_policy
) -> None:  # type: ignore[no-untyped-def]
    folder = _model(make_model, front="license: apache-2.0\ntags: [x]", licence=b"MIT License\n")
    path = write_policy(
        "version: 1\nextends: [builtin:baseline]\nclarify:\n"
        "  - {models: [other/x, 'acme-labs/*'], license: Apache-2.0, reason: reviewed}\n"
    )
    result = _audit(kb, path, (folder, "acme-labs/m"))
    assert result.models[0].facts.license.ids == ("Apache-2.0",)
    assert "license/inconsistent" not in _rules(result, "acme-labs/m")


def test_clarification_of_an_ancestor_the_audit_does_not_read(
    kb: Knowledge, make_model, write_policy
) -> None:  # type: ignore[no-untyped-def]
    folder = _model(
        make_model, front="license: apache-2.0\nbase_model: nobody-knows/base", licence=None
    )
    plain = write_policy("version: 1\nextends: [builtin:baseline]\n", "plain.yaml")
    assert "license/unknown" in _rules(_audit(kb, plain, (folder, "acme-labs/ft")), "acme-labs/ft")
    path = write_policy(
        "version: 1\nextends: [builtin:baseline]\nclarify:\n"
        "  - {models: nobody-knows/base, license: Apache-2.0}\n"
    )
    result = _audit(kb, path, (folder, "acme-labs/ft"))
    (ancestor,) = result.models[0].facts.lineage
    assert ancestor.license_ids == ("Apache-2.0",) and ancestor.evidence[-1].line == 4
    assert "license/unknown" not in _rules(result, "acme-labs/ft")


def test_developer_of_unknown_country_becomes_known(
    kb: Knowledge, make_model, write_policy
) -> None:  # type: ignore[no-untyped-def]
    folder = _model(make_model, front="license: apache-2.0")
    path = write_policy(POLICY + "provenance:\n  deny-jurisdictions: [DE]\n")
    result = _audit(kb, path, (folder, "acme-labs/x"))
    dev = result.models[0].facts.provenance.developer
    assert dev is not None and (dev.country, dev.name) == ("DE", "Acme Labs GmbH")
    denied = _rules(result, "acme-labs/x")["provenance/denied-jurisdiction"]
    cited = [(e.source, e.pointer, e.line) for e in denied.evidence]
    assert (str(path), "/developers/acme-labs", 4) in cited
    assert "provenance/unknown-developer" not in _rules(result, "acme-labs/x")


def test_policy_entry_overrides_the_knowledge_base(kb: Knowledge, make_model, write_policy) -> None:  # type: ignore[no-untyped-def]
    known = kb.developer("qwen")
    assert known is not None and known.country == "CN"
    folder = _model(make_model, front="license: apache-2.0")
    path = write_policy(
        "version: 1\ndevelopers:\n  qwen: {country: SG, source: https://x.example}\n"
    )
    result = _audit(kb, path, (folder, "Qwen/x"))
    dev = result.models[0].facts.provenance.developer
    assert dev is not None and dev.country == "SG" and dev.name == known.name
    assert [e.value for e in dev.evidence][1:] == ["SG", "CN (overridden by the policy)"]


# --- the pin, as a property -------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(pinned=st.binary(max_size=64), found=st.binary(max_size=64))
def test_a_pin_applies_exactly_when_the_bytes_match(
    kb: Knowledge, pinned: bytes, found: bytes
) -> None:
    clar = Clarification(
        ("a/b",), "MIT", "p.yaml", 3, 0, "LICENSE", hashlib.sha256(pinned).hexdigest()
    )
    raw = RawModel(
        target="t", model_id="a/b", source="local", location="m",
        license_files=(RawText("m/LICENSE", found),),
    )  # fmt: skip
    out = clarify_license(kb, LicenseFacts(), raw, Curations(clarify=(clar,)))
    assert out.clarification is not None
    assert out.clarified == (pinned == found)
    assert (out.ids == ("MIT",)) == (pinned == found)


# --- end to end -------------------------------------------------------------------------------


def _check(*args: str) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(main, ["check", *args, "--format", "json", "--quiet"])
    assert "Traceback" not in result.stdout + result.stderr
    doc: dict[str, Any] = json.loads(result.stdout)
    schema = json.loads((REPO / "rules" / "schema" / "report.schema.json").read_text())
    jsonschema.validate(doc, schema)
    return result.exit_code, doc


def test_cli_clarify_and_developers_end_to_end(make_model, write_policy) -> None:  # type: ignore[no-untyped-def]
    folder = _model(make_model)
    path = write_policy(POLICY)
    args = (str(folder), "--id", "acme-labs/tiny-1", "--policy", str(path))
    code, doc = _check(*args)
    model = doc["models"][0]
    assert code == 0 and model["verdict"] == "pass"
    assert model["license"]["source"] == "clarified"
    assert model["license"]["declared"][0]["reason"] == "LICENSE is a permissive grant (LEGAL-7)"
    assert model["license"]["declared"][0]["evidence"] == {
        "source": str(path), "pointer": "/clarify/0", "value": "MIT", "line": 9,
    }  # fmt: skip
    developer = model["provenance"]["developer"]
    assert developer["country"] == "DE"
    assert {"source": str(path), "pointer": "/developers/acme-labs", "value": "DE", "line": 4} in (
        developer["evidence"]
    )
    (folder / "LICENSE").write_bytes(TEXT.replace(b"any purpose", b"research"))
    code, doc = _check(*args)
    rules = {f["rule"] for f in doc["models"][0]["findings"]}
    assert code == 1 and {"license/clarification-lapsed", "license/unknown"} <= rules


# --- the documented examples ------------------------------------------------------------------


def test_readme_example_is_a_valid_policy(kb: Knowledge, write_policy) -> None:  # type: ignore[no-untyped-def]
    readme = (REPO / "README.md").read_text()
    block = readme.split("**What the knowledge base does not know**", 1)[1].split("```yaml", 1)[1]
    block = "\n".join(line.removeprefix("  ") for line in block.split("```", 1)[0].splitlines())
    cur = load_policy(write_policy("version: 1\n" + block), kb).curations
    assert cur.developer("acme-labs") is not None and len(cur.clarify) == 1


def test_starter_policy_example_uncommented_is_valid(kb: Knowledge, write_policy) -> None:  # type: ignore[no-untyped-def]
    from checker.cli_text import STARTER_POLICY

    lines = STARTER_POLICY.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("# developers:"))
    end = next(i for i, line in enumerate(lines) if line.startswith("# rules:"))
    text = STARTER_POLICY + "\n".join(line[2:] for line in lines[start:end]) + "\n"
    cur = load_policy(write_policy(text), kb).curations
    assert cur.developer("acme-labs") is not None and len(cur.clarify) == 1
