"""SPDX 2.3 JSON report: spdx-tools validation, golden file, lineage, licences, Hub identity.

Regenerate the golden file after a deliberate change with
``CLEARANCE_UPDATE_GOLDEN=1 pytest tests/test_report_spdx.py`` and review the diff.
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path
from typing import Any

import pytest
from conftest import partly_unresolved_licence

from checker.facts import Ancestor, LicenseFacts, ModelIdentity
from checker.knowledge import Knowledge
from checker.reporters._identity import content_version
from checker.reporters.spdx import build_document, render_spdx, spdx_id_for
from checker.result import AuditResult

GOLDEN = Path(__file__).parent / "golden" / "examples.spdx.json"
SHA = "0123456789abcdef0123456789abcdef01234567"


def messages(result: AuditResult) -> list[str]:
    """spdx-tools' own validation of the model built and of the JSON written, parsed back."""
    from spdx_tools.spdx.parser.json.json_parser import parse_from_file
    from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document

    found = [m.validation_message for m in validate_full_spdx_document(build_document(result))]
    text = render_spdx(result)
    path = Path(os.environ.get("TMPDIR", "/tmp")) / f"clearance-spdx-{os.getpid()}.json"
    path.write_text(text, encoding="utf-8")
    try:
        parsed = parse_from_file(str(path))
    finally:
        path.unlink()
    found += [m.validation_message for m in validate_full_spdx_document(parsed)]
    return found


def doc(result: AuditResult) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(render_spdx(result))
    return data


def package(data: dict[str, Any], name: str) -> dict[str, Any]:
    (found,) = [p for p in data["packages"] if p["name"] == name]
    return found


def relations(data: dict[str, Any]) -> set[tuple[str, str, str]]:
    """The relationships between models (CONTAINS, a model's files, is tested on its own)."""
    names = {p["SPDXID"]: p["name"] for p in data["packages"]}
    names["SPDXRef-DOCUMENT"] = "DOCUMENT"
    return {
        (names[r["spdxElementId"]], r["relationshipType"], names[r["relatedSpdxElement"]])
        for r in data["relationships"]
        if r["relationshipType"] != "CONTAINS"
    }


def replace_model(result: AuditResult, model_id: str, **changes: Any) -> AuditResult:
    """The result with one model's facts changed (and only that model kept)."""
    (model,) = [m for m in result.models if m.facts.model.id == model_id]
    facts = dataclasses.replace(model.facts, **changes)
    return dataclasses.replace(result, models=(dataclasses.replace(model, facts=facts),))


def test_examples_validate_with_spdx_tools(example_result: AuditResult) -> None:
    assert messages(example_result) == []


def test_golden(example_result: AuditResult) -> None:
    text = render_spdx(example_result)
    if os.environ.get("CLEARANCE_UPDATE_GOLDEN"):
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text(encoding="utf-8")
    assert render_spdx(example_result) == text  # deterministic
    shuffled = dataclasses.replace(example_result, models=example_result.models[::-1])
    assert render_spdx(shuffled) == text  # packages are sorted


def test_document_header(example_result: AuditResult) -> None:
    data = doc(example_result)
    assert data["spdxVersion"] == "SPDX-2.3"
    assert data["creationInfo"]["created"] == "2026-11-29T12:00:00Z"
    assert data["creationInfo"]["creators"] == ["Tool: clearance-0.0.0-test"]
    assert data["documentNamespace"].startswith("https://clearance.dev/spdx/acme-production-")
    described = {r for r in relations(data) if r[0] == "DOCUMENT"}
    assert described == {("DOCUMENT", "DESCRIBES", m.facts.model.id) for m in example_result.models}


def test_namespace_follows_the_audit(example_result: AuditResult) -> None:
    base = doc(example_result)["documentNamespace"]
    policy = dataclasses.replace(example_result.policy, sha256="f" * 64)
    assert doc(dataclasses.replace(example_result, policy=policy))["documentNamespace"] != base
    fewer = dataclasses.replace(example_result, models=example_result.models[1:])
    assert doc(fewer)["documentNamespace"] != base
    later = dataclasses.replace(example_result, generated_at="2027-01-01T00:00:00Z")
    assert doc(later)["documentNamespace"] == base


def test_packages_per_model(example_result: AuditResult) -> None:
    data = doc(example_result)
    ids = [p["SPDXID"] for p in data["packages"]]
    assert len(ids) == len(set(ids))
    gguf = package(data, "bartowski/Meta-Llama-3.1-8B-Instruct-GGUF")
    assert gguf["SPDXID"] == spdx_id_for("bartowski/Meta-Llama-3.1-8B-Instruct-GGUF")
    assert gguf["downloadLocation"] == "NOASSERTION"  # a local folder
    # No revision (a local folder): the content version, and the comment says what it is.
    assert gguf["versionInfo"] == content_version(
        "bartowski/Meta-Llama-3.1-8B-Instruct-GGUF", ["llama3.1"]
    )
    assert "not a revision" in gguf["comment"]
    assert gguf["supplier"] == "Organization: bartowski (individual)"
    assert gguf["primaryPackagePurpose"] == "OTHER"
    assert gguf["filesAnalyzed"] is True  # the card it read is listed as a file
    assert "verdict WARN" in gguf["comment"]
    assert "provenance/unknown-developer" in gguf["comment"]
    # No developer known: the namespace that distributes it.
    unknown = package(data, "local/unlabelled-classifier")
    assert unknown["supplier"] == "Organization: local"
    for p in data["packages"]:
        assert p["versionInfo"]
        assert p["licenseConcluded"]
        assert p["supplier"] != "NOASSERTION", p["name"]


def test_ntia_minimum_elements(example_result: AuditResult, tmp_path: Path) -> None:
    """ntia-conformance-checker (its NOASSERTION supplier counts as missing; a version string
    is enough) on the example audit, including the ancestor packages it leaves floating."""
    from ntia_conformance_checker import NTIAChecker

    path = tmp_path / "audit.spdx.json"
    path.write_text(render_spdx(example_result), encoding="utf-8")
    checker = NTIAChecker(str(path), validate=True)
    assert checker.components_without_versions == []
    assert checker.components_without_suppliers == []
    assert checker.components_without_names == []
    assert checker.components_without_identifiers == []
    assert checker.doc_author and checker.doc_timestamp and checker.dependency_relationships
    assert checker.compliant
    # The checker ignores packages not reached by DESCRIBES/DEPENDS_ON: check those directly.
    data = doc(example_result)
    for p in data["packages"]:
        assert p["versionInfo"] and p["supplier"] != "NOASSERTION", p["name"]


def test_lineage_relationships(example_result: AuditResult) -> None:
    rel = relations(doc(example_result))
    assert (
        "bartowski/Meta-Llama-3.1-8B-Instruct-GGUF",
        "GENERATED_FROM",
        "meta-llama/Llama-3.1-8B-Instruct",
    ) in rel
    assert ("perplexity-ai/r1-1776", "DESCENDANT_OF", "deepseek-ai/DeepSeek-R1") in rel


def test_ancestor_outside_the_audit_is_a_package(example_result: AuditResult) -> None:
    data = doc(example_result)
    r1 = package(data, "deepseek-ai/DeepSeek-R1")
    assert r1["downloadLocation"] == "NOASSERTION"
    assert r1["licenseDeclared"] == r1["licenseConcluded"] == "NOASSERTION"
    assert "DESCRIBES" not in {t for _, t, n in relations(data) if n == r1["name"]}
    # An ancestor that is itself audited is not duplicated.
    assert (
        len([p for p in data["packages"] if p["name"] == "meta-llama/Llama-3.1-8B-Instruct"]) == 1
    )


def test_every_license_ref_has_extracted_info(example_result: AuditResult, kb: Knowledge) -> None:
    data = doc(example_result)
    used = {
        token
        for p in data["packages"]
        for key in ("licenseDeclared", "licenseConcluded")
        for token in p[key].replace("(", " ").replace(")", " ").split()
        if token.startswith("LicenseRef-")
    }
    assert "LicenseRef-scancode-llama-3.1-license-2024" in used
    infos = {i["licenseId"]: i for i in data["hasExtractedLicensingInfos"]}
    assert set(infos) == used
    for ref, info in infos.items():
        entry = kb.license(ref)
        assert entry is not None
        assert info["name"] == entry.name
        assert info["seeAlsos"] == list(entry.urls)
        assert info["extractedText"] == f"See {entry.urls[0]}"


def test_licences_declared_and_concluded(example_result: AuditResult) -> None:
    data = doc(example_result)
    bert = package(data, "google-bert/bert-base-uncased")
    assert bert["licenseDeclared"] == bert["licenseConcluded"] == "Apache-2.0"
    assert "'apache-2.0'" in bert["licenseComments"]
    llama = package(data, "meta-llama/Llama-3.1-8B-Instruct")
    assert llama["licenseConcluded"] == "LicenseRef-scancode-llama-3.1-license-2024"


def test_unknown_licence_is_noassertion(example_result: AuditResult, kb: Knowledge) -> None:
    data = doc(example_result)
    unknown = package(data, "local/unlabelled-classifier")
    assert unknown["licenseDeclared"] == unknown["licenseConcluded"] == "NOASSERTION"
    # One value resolved, one not: the expression would misstate the licence.
    partial = partly_unresolved_licence(kb)
    result = replace_model(example_result, "google-bert/bert-base-uncased", license=partial)
    assert messages(result) == []
    bert = package(doc(result), "google-bert/bert-base-uncased")
    assert bert["licenseDeclared"] == bert["licenseConcluded"] == "NOASSERTION"
    assert "my-own-licence" in bert["licenseComments"]


def test_compound_and_unlisted_ids(example_result: AuditResult, kb: Knowledge) -> None:
    llama = kb.license("llama3.1")
    mit = kb.license("mit")
    assert llama is not None and mit is not None
    odd = dataclasses.replace(llama, key="odd", id="LicenseRef-clearance-odd+terms", urls=())
    unlisted = dataclasses.replace(mit, key="acme", id="Acme-Model-1.0")
    expression = "MIT OR (LicenseRef-clearance-odd+terms AND Acme-Model-1.0)"
    lic = LicenseFacts(
        expression=expression,
        ids=("Acme-Model-1.0", "LicenseRef-clearance-odd+terms", "MIT"),
        entries=(mit, odd, unlisted),
    )
    result = replace_model(example_result, "openai-community/gpt2", license=lic)
    assert messages(result) == []
    data = doc(result)
    gpt2 = package(data, "openai-community/gpt2")
    assert gpt2["licenseConcluded"] == (
        "MIT OR (LicenseRef-clearance-odd-plusterms AND LicenseRef-clearance-Acme-Model-1.0)"
    )
    infos = {i["licenseId"]: i for i in data["hasExtractedLicensingInfos"]}
    assert set(infos) == {
        "LicenseRef-clearance-odd-plusterms",
        "LicenseRef-clearance-Acme-Model-1.0",
    }
    assert infos["LicenseRef-clearance-odd-plusterms"]["name"] == llama.name
    assert "seeAlsos" not in infos["LicenseRef-clearance-odd-plusterms"]


def test_hub_model_identity(example_result: AuditResult) -> None:
    model_id = "meta-llama/Llama-3.1-8B-Instruct"
    ident = ModelIdentity(
        model_id,
        SHA,
        source="hub",
        url=f"https://huggingface.co/{model_id}",
        author="meta-llama",
        purl=f"pkg:huggingface/{model_id}@{SHA}",
        download_location=f"https://huggingface.co/{model_id}/tree/{SHA}",
    )
    result = replace_model(example_result, model_id, model=ident)
    assert messages(result) == []
    llama = package(doc(result), model_id)
    assert llama["versionInfo"] == SHA
    assert llama["downloadLocation"] == f"https://huggingface.co/{model_id}/tree/{SHA}"
    assert llama["homepage"] == f"https://huggingface.co/{model_id}"
    assert llama["externalRefs"] == [
        {
            "referenceCategory": "PACKAGE_MANAGER",  # spdx-tools spells it so; SPDX 2.3 allows it
            "referenceLocator": f"pkg:huggingface/meta-llama/Llama-3.1-8B-Instruct@{SHA}",
            "referenceType": "purl",
        }
    ]
    assert llama["SPDXID"] == spdx_id_for(model_id, SHA)


def test_deep_hub_lineage_and_adapters(example_result: AuditResult) -> None:
    model_id = "acme/support-bot-lora"
    ident = ModelIdentity(model_id, SHA, source="hub", url=f"https://huggingface.co/{model_id}")
    lineage = (
        Ancestor("acme/support-bot", "adapter", 1),
        Ancestor("meta-llama/Llama-3.1-8B-Instruct", "finetune", 2, country="US"),
        Ancestor("meta-llama/Llama-3.1-8B", "finetune", 3, error="gated"),
    )
    result = replace_model(
        example_result,
        "google-bert/bert-base-uncased",
        model=ident,
        lineage=lineage,
        lineage_complete=True,  # walked level by level by its source, as the Hub source does
    )
    assert messages(result) == []
    rel = relations(doc(result)) - {r for r in relations(doc(result)) if r[0] == "DOCUMENT"}
    assert rel == {
        (model_id, "DESCENDANT_OF", "acme/support-bot"),
        (model_id, "DEPENDS_ON", "acme/support-bot"),
        ("acme/support-bot", "DESCENDANT_OF", "meta-llama/Llama-3.1-8B-Instruct"),
        ("meta-llama/Llama-3.1-8B-Instruct", "DESCENDANT_OF", "meta-llama/Llama-3.1-8B"),
    }
    gated = package(doc(result), "meta-llama/Llama-3.1-8B")
    assert "could not be read: gated" in gated["comment"]


def test_ambiguous_deep_lineage_stays_true(example_result: AuditResult) -> None:
    """Two parents a step closer and a local lineage: the model descends from the ancestor."""
    lineage = (
        Ancestor("org/a", "merge", 1),
        Ancestor("org/b", "merge", 1),
        Ancestor("org/root", "quantized", 2),
    )
    result = replace_model(example_result, "google-bert/bert-base-uncased", lineage=lineage)
    assert messages(result) == []
    data = doc(result)
    rel = relations(data)
    assert ("google-bert/bert-base-uncased", "DESCENDANT_OF", "org/a") in rel
    assert ("google-bert/bert-base-uncased", "DESCENDANT_OF", "org/b") in rel
    assert ("google-bert/bert-base-uncased", "DESCENDANT_OF", "org/root") in rel
    comments = [r.get("comment", "") for r in data["relationships"]]
    assert any("quantized (recorded at depth 2" in c for c in comments)


def test_same_model_twice_gets_two_packages(example_result: AuditResult) -> None:
    model = example_result.models[0]
    result = dataclasses.replace(example_result, models=(model, model))
    assert messages(result) == []
    ids = [p["SPDXID"] for p in doc(result)["packages"] if p["name"] == model.facts.model.id]
    assert len(ids) == len(set(ids)) == 2


def test_error_model(example_result: AuditResult) -> None:
    result = replace_model(
        example_result,
        "openai-community/gpt2",
        error="cannot read the folder",
        license=LicenseFacts(),
    )
    assert messages(result) == []
    gpt2 = package(doc(result), "openai-community/gpt2")
    assert "could not be read: cannot read" in gpt2["comment"]


@pytest.mark.parametrize(
    "model_id",
    ["org/name", "Org/Name", "weird id/with spaces+plus", "a/b.c-d_e", "x" * 300],
)
def test_spdx_ids_are_valid(model_id: str) -> None:
    import re

    spdx_id = spdx_id_for(model_id)
    assert re.fullmatch(r"SPDXRef-[A-Za-z0-9.-]+", spdx_id)
    # Hub ids are case-insensitive: the hash part does not change with the case.
    assert spdx_id_for(model_id.upper()).rsplit("-", 1)[1] == spdx_id.rsplit("-", 1)[1]
    assert spdx_id_for(model_id, SHA) != spdx_id


def test_every_knowledge_base_licence_validates(example_result: AuditResult, kb: Knowledge) -> None:
    """Each licence Clearance knows, as a model's licence: listed ids stay, others get a valid
    LicenseRef with its extracted info (e.g. an id newer than license-expression's SPDX list)."""
    template = example_result.models[0]
    models = []
    for entry in kb.licenses:
        lic = LicenseFacts(expression=entry.id, ids=(entry.id,), entries=(entry,))
        ident = ModelIdentity(f"kb/{entry.key}")
        facts = dataclasses.replace(template.facts, model=ident, license=lic, lineage=())
        models.append(dataclasses.replace(template, facts=facts))
    result = dataclasses.replace(example_result, models=tuple(models))
    assert messages(result) == []
    data = doc(result)
    assert all(p["licenseConcluded"] != "NOASSERTION" for p in data["packages"])
    refs = {
        p["licenseConcluded"] for p in data["packages"] if "LicenseRef-" in p["licenseConcluded"]
    }
    assert refs == {i["licenseId"] for i in data["hasExtractedLicensingInfos"]}
