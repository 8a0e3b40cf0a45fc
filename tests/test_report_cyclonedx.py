"""CycloneDX 1.6 ML-BOM report: strict schema validation, golden file, lineage, licences, identity.

Regenerate the golden file after a deliberate change with
``CLEARANCE_UPDATE_GOLDEN=1 pytest tests/test_report_cyclonedx.py`` and review the diff.
"""

from __future__ import annotations

import dataclasses
import json
import os
import uuid
from pathlib import Path
from typing import Any

from conftest import partly_unresolved_licence

from checker.facts import Ancestor, LicenseFacts, ModelIdentity
from checker.knowledge import Knowledge
from checker.reporters._identity import content_version
from checker.reporters.cyclonedx import (
    ancestor_ref,
    bom_ref_for,
    render_cyclonedx,
    serial_number,
)
from checker.result import AuditResult

GOLDEN = Path(__file__).parent / "golden" / "examples.cdx.json"
SHA = "0123456789abcdef0123456789abcdef01234567"


def errors(text: str) -> list[str]:
    """cyclonedx-python-lib's strict JSON validator for schema 1.6."""
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    found = JsonStrictValidator(SchemaVersion.V1_6).validate_str(text, all_errors=True)
    return [str(e) for e in found] if found else []


def bom(result: AuditResult) -> dict[str, Any]:
    text = render_cyclonedx(result)
    assert errors(text) == []
    data: dict[str, Any] = json.loads(text)
    return data


def component(data: dict[str, Any], model_id: str) -> dict[str, Any]:
    (found,) = [c for c in data["components"] if props(c).get("clearance:model:id") == [model_id]]
    return found


def props(item: dict[str, Any]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for p in item.get("properties", []):
        out.setdefault(p["name"], []).append(p["value"])
    return out


def replace_model(result: AuditResult, model_id: str, **changes: Any) -> AuditResult:
    """The result with one model's facts changed (and only that model kept)."""
    (model,) = [m for m in result.models if m.facts.model.id == model_id]
    facts = dataclasses.replace(model.facts, **changes)
    return dataclasses.replace(result, models=(dataclasses.replace(model, facts=facts),))


def test_examples_validate_strictly(example_result: AuditResult) -> None:
    assert errors(render_cyclonedx(example_result)) == []


def test_golden(example_result: AuditResult) -> None:
    text = render_cyclonedx(example_result)
    if os.environ.get("CLEARANCE_UPDATE_GOLDEN"):
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text(encoding="utf-8")
    assert render_cyclonedx(example_result) == text  # deterministic


def test_header(example_result: AuditResult) -> None:
    data = bom(example_result)
    assert data["specVersion"] == "1.6"
    assert data["serialNumber"] == serial_number(example_result).urn
    assert serial_number(example_result).version == 5
    assert data["metadata"]["timestamp"] == "2026-11-29T12:00:00+00:00"
    (tool,) = data["metadata"]["tools"]["components"]
    assert (tool["name"], tool["version"]) == ("clearance", "0.0.0-test")
    meta = props(data["metadata"])
    assert meta["clearance:policy:name"] == ["acme-production"]


def test_serial_follows_the_audit(example_result: AuditResult) -> None:
    base = serial_number(example_result)
    assert isinstance(base, uuid.UUID)
    later = dataclasses.replace(example_result, generated_at="2027-01-01T00:00:00Z")
    assert serial_number(later) != base
    fewer = dataclasses.replace(example_result, models=example_result.models[1:])
    assert serial_number(fewer) != base


def test_one_component_per_model(example_result: AuditResult) -> None:
    data = bom(example_result)
    assert len(data["components"]) == len(example_result.models)
    refs = [c["bom-ref"] for c in data["components"]]
    assert len(set(refs)) == len(refs)
    assert {c["type"] for c in data["components"]} == {"machine-learning-model"}
    shuffled = dataclasses.replace(example_result, models=example_result.models[::-1])
    assert render_cyclonedx(shuffled) == render_cyclonedx(example_result)  # sorted components
    gguf = component(data, "bartowski/Meta-Llama-3.1-8B-Instruct-GGUF")
    assert gguf["bom-ref"] == bom_ref_for("bartowski/Meta-Llama-3.1-8B-Instruct-GGUF", None)
    assert (gguf["group"], gguf["name"]) == ("bartowski", "Meta-Llama-3.1-8B-Instruct-GGUF")
    # A local folder: no revision, so the content version (and no purl).
    assert gguf["version"] == content_version(
        "bartowski/Meta-Llama-3.1-8B-Instruct-GGUF", ["llama3.1"]
    )
    assert "purl" not in gguf
    assert props(gguf)["clearance:version:kind"] == ["content-digest"]
    assert "not a revision" in props(gguf)["clearance:version:note"][0]
    for c in data["components"]:
        assert c["version"]
        for a in c.get("pedigree", {}).get("ancestors", []):
            assert a["version"].startswith("sha256:")
    local = component(data, "local/unlabelled-classifier")
    assert "group" not in local and local["name"] == "unlabelled-classifier"


def test_properties(example_result: AuditResult) -> None:
    data = bom(example_result)
    gguf = props(component(data, "bartowski/Meta-Llama-3.1-8B-Instruct-GGUF"))
    assert gguf["clearance:verdict"] == ["warn"]
    assert gguf["clearance:weights:availability"] == ["open"]
    assert gguf["clearance:weights:format"] == ["gguf"]
    assert gguf["clearance:weights:remote-code"] == ["false"]
    assert any("provenance/unknown-developer" in f for f in gguf["clearance:finding"])
    phi = props(component(data, "microsoft/Phi-3-mini-4k-instruct"))
    assert phi["clearance:weights:remote-code"] == ["true"]
    assert any("waived by" in f for f in phi["clearance:finding"])


def test_supplier_and_country(example_result: AuditResult) -> None:
    data = bom(example_result)
    llama = component(data, "meta-llama/Llama-3.1-8B-Instruct")
    assert llama["supplier"] == {"name": "Meta Platforms, Inc.", "address": {"country": "US"}}
    assert props(llama)["clearance:provenance:country"] == ["US"]
    gguf = component(data, "bartowski/Meta-Llama-3.1-8B-Instruct-GGUF")
    assert gguf["supplier"] == {"name": "bartowski (individual)"}  # country unknown
    assert "supplier" not in component(data, "local/unlabelled-classifier")


def test_lineage_as_pedigree(example_result: AuditResult) -> None:
    data = bom(example_result)
    gguf = component(data, "bartowski/Meta-Llama-3.1-8B-Instruct-GGUF")
    # the card declares the Instruct model; the offline catalogue knows the Instruct's own base
    by_depth = {props(a)["clearance:lineage:depth"][0]: a for a in gguf["pedigree"]["ancestors"]}
    parent, grandparent = by_depth["1"], by_depth["2"]
    assert (parent["group"], parent["name"]) == ("meta-llama", "Llama-3.1-8B-Instruct")
    assert (grandparent["group"], grandparent["name"]) == ("meta-llama", "Llama-3.1-8B")
    assert parent["type"] == "machine-learning-model"
    assert props(parent)["clearance:lineage:relation"] == ["quantized"]
    assert props(parent)["clearance:lineage:depth"] == ["1"]
    r1 = component(data, "perplexity-ai/r1-1776")
    (base,) = r1["pedigree"]["ancestors"]
    assert (base["group"], base["name"]) == ("deepseek-ai", "DeepSeek-R1")
    assert props(base)["clearance:lineage:relation"] == ["finetune"]
    assert "pedigree" not in component(data, "google-bert/bert-base-uncased")


def test_licences(example_result: AuditResult) -> None:
    data = bom(example_result)
    bert = component(data, "google-bert/bert-base-uncased")
    assert bert["licenses"] == [{"license": {"id": "Apache-2.0", "acknowledgement": "concluded"}}]
    llama = component(data, "meta-llama/Llama-3.1-8B-Instruct")
    (entry,) = llama["licenses"]
    assert entry["license"]["name"] == "Llama 3.1 Community License Agreement"
    assert props(entry["license"])["clearance:license:id"] == [
        "LicenseRef-scancode-llama-3.1-license-2024"
    ]
    assert entry["license"]["url"].startswith("https://")
    unknown = component(data, "local/unlabelled-classifier")
    assert "licenses" not in unknown
    assert props(unknown)["clearance:license:status"] == ["NOASSERTION"]


def test_partly_unresolved_licence_is_not_asserted(
    example_result: AuditResult, kb: Knowledge
) -> None:
    lic = partly_unresolved_licence(kb)
    result = replace_model(example_result, "google-bert/bert-base-uncased", license=lic)
    bert = component(bom(result), "google-bert/bert-base-uncased")
    assert "licenses" not in bert
    assert props(bert)["clearance:license:unresolved"] == ["my-own-licence"]


def test_compound_licence_is_an_expression(example_result: AuditResult, kb: Knowledge) -> None:
    mit = kb.license("mit")
    llama = kb.license("llama3.1")
    assert mit is not None and llama is not None
    expression = f"MIT AND {llama.id}"
    lic = LicenseFacts(expression=expression, ids=(llama.id, "MIT"), entries=(mit, llama))
    result = replace_model(example_result, "openai-community/gpt2", license=lic)
    gpt2 = component(bom(result), "openai-community/gpt2")
    assert gpt2["licenses"] == [{"expression": expression, "acknowledgement": "concluded"}]


def test_hub_identity_and_purl(example_result: AuditResult) -> None:
    model_id = "meta-llama/Llama-3.1-8B-Instruct"
    ident = ModelIdentity(
        model_id,
        SHA,
        source="hub",
        url=f"https://huggingface.co/{model_id}",
        purl=f"pkg:huggingface/{model_id}@{SHA}",
    )
    result = replace_model(example_result, model_id, model=ident)
    llama = component(bom(result), model_id)
    assert llama["version"] == SHA
    assert props(llama)["clearance:version:kind"] == ["revision"]
    assert llama["purl"] == f"pkg:huggingface/meta-llama/Llama-3.1-8B-Instruct@{SHA}"
    assert llama["bom-ref"] == bom_ref_for(model_id, SHA)


def test_project_is_the_metadata_component(example_result: AuditResult) -> None:
    data = bom(example_result)
    project = data["metadata"]["component"]
    assert project["bom-ref"] == "clearance:project"
    assert project["name"] == "acme-production"
    deps = {d["ref"]: d.get("dependsOn", []) for d in data["dependencies"]}
    assert sorted(deps["clearance:project"]) == sorted(c["bom-ref"] for c in data["components"])


def test_lineage_as_dependencies(example_result: AuditResult) -> None:
    data = bom(example_result)
    deps = {d["ref"]: d.get("dependsOn", []) for d in data["dependencies"]}
    gguf = bom_ref_for("bartowski/Meta-Llama-3.1-8B-Instruct-GGUF", None)
    # the audited parent by its component; the depth-2 base (a local lineage, not walked, and
    # the audited parent records none) hangs from the model itself
    assert deps[gguf] == [
        ancestor_ref(gguf, "meta-llama/Llama-3.1-8B"),
        bom_ref_for("meta-llama/Llama-3.1-8B-Instruct", None),
    ]
    r1776 = bom_ref_for("perplexity-ai/r1-1776", None)
    assert deps[r1776] == [ancestor_ref(r1776, "deepseek-ai/DeepSeek-R1")]
    # every ref a dependency names is a bom-ref in the BOM (pedigree entries included)
    known = {data["metadata"]["component"]["bom-ref"]}
    for c in data["components"]:
        known.add(c["bom-ref"])
        known.update(a["bom-ref"] for a in c.get("pedigree", {}).get("ancestors", []))
    assert set(deps) | {r for rs in deps.values() for r in rs} <= known


def test_ancestor_reached_through_an_audited_parent_is_not_repeated(
    example_result: AuditResult,
) -> None:
    instruct = "meta-llama/Llama-3.1-8B-Instruct"
    base = next(m for m in example_result.models if m.facts.model.id == instruct)
    base = dataclasses.replace(
        base,
        facts=dataclasses.replace(
            base.facts, lineage=(Ancestor("meta-llama/Llama-3.1-8B", "finetune", 1),)
        ),
    )
    models = tuple(base if m.facts.model.id == instruct else m for m in example_result.models)
    data = bom(dataclasses.replace(example_result, models=models))
    deps = {d["ref"]: d.get("dependsOn", []) for d in data["dependencies"]}
    gguf = bom_ref_for("bartowski/Meta-Llama-3.1-8B-Instruct-GGUF", None)
    assert deps[gguf] == [bom_ref_for(instruct, None)]
    assert deps[bom_ref_for(instruct, None)] == [
        ancestor_ref(bom_ref_for(instruct, None), "meta-llama/Llama-3.1-8B")
    ]


def test_model_card(example_result: AuditResult) -> None:
    data = bom(example_result)
    gguf = component(data, "bartowski/Meta-Llama-3.1-8B-Instruct-GGUF")
    card = gguf["modelCard"]
    assert card["modelParameters"] == {"task": "text-generation"}
    uses = card["considerations"]["useCases"]
    assert any(u.startswith("Monthly active user limit") and "700000000" in u for u in uses)
    risks = [r["name"] for r in card["considerations"]["ethicalConsiderations"]]
    assert "Prohibited use: weapons" in risks
    card_props = {p["name"]: p["value"] for p in card["properties"]}
    assert card_props["clearance:terms:commercial_use"] == "conditional"
    bert = component(data, "google-bert/bert-base-uncased")["modelCard"]
    assert bert["modelParameters"] == {"task": "fill-mask"}
    # every audited model has one, and the document stays valid
    assert all("modelCard" in c for c in data["components"])
    assert errors(render_cyclonedx(example_result)) == []


def test_model_card_is_checked_by_the_schema(example_result: AuditResult) -> None:
    """The strict validator sees the post-processed modelCard: a wrong shape fails."""
    data = bom(example_result)
    data["components"][0]["modelCard"]["considerations"]["useCases"] = "not a list"
    assert errors(json.dumps(data))


def test_adapter_depends_on_audited_base(example_result: AuditResult) -> None:
    base = next(m for m in example_result.models if m.facts.model.id.startswith("meta-llama/"))
    adapter = next(m for m in example_result.models if m.facts.model.id.startswith("google-bert/"))
    lineage = (Ancestor(base.facts.model.id, "adapter", 1),)
    ident = ModelIdentity("acme/llama-lora", SHA, source="hub")
    adapter = dataclasses.replace(
        adapter, facts=dataclasses.replace(adapter.facts, model=ident, lineage=lineage)
    )
    result = dataclasses.replace(example_result, models=(base, adapter))
    data = bom(result)
    deps = {d["ref"]: d.get("dependsOn", []) for d in data["dependencies"]}
    assert deps[bom_ref_for("acme/llama-lora", SHA)] == [bom_ref_for(base.facts.model.id, None)]
    lora = component(data, "acme/llama-lora")
    assert props(lora["pedigree"]["ancestors"][0])["clearance:lineage:relation"] == ["adapter"]


def test_same_model_twice(example_result: AuditResult) -> None:
    model = example_result.models[0]
    data = bom(dataclasses.replace(example_result, models=(model, model)))
    refs = [c["bom-ref"] for c in data["components"]]
    assert len(refs) == len(set(refs)) == 2


def test_error_model(example_result: AuditResult) -> None:
    result = replace_model(
        example_result, "openai-community/gpt2", error="cannot read", license=LicenseFacts()
    )
    gpt2 = component(bom(result), "openai-community/gpt2")
    assert props(gpt2)["clearance:error"] == ["cannot read"]


def test_every_knowledge_base_licence_validates(example_result: AuditResult, kb: Knowledge) -> None:
    """Each licence Clearance knows, as a model's licence, gives a schema-valid licence entry."""
    template = example_result.models[0]
    models = []
    for entry in kb.licenses:
        lic = LicenseFacts(expression=entry.id, ids=(entry.id,), entries=(entry,))
        facts = dataclasses.replace(
            template.facts, model=ModelIdentity(f"kb/{entry.key}"), license=lic
        )
        models.append(dataclasses.replace(template, facts=facts))
    data = bom(dataclasses.replace(example_result, models=tuple(models)))
    assert all(len(c["licenses"]) == 1 for c in data["components"])


def test_unlisted_ids_in_an_expression_become_license_refs(
    example_result: AuditResult, kb: Knowledge
) -> None:
    mit = kb.license("mit")
    assert mit is not None
    acme = dataclasses.replace(mit, key="acme", id="Acme-Model-1.0")
    lic = LicenseFacts(
        expression="(MIT OR Acme-Model-1.0) AND LicenseRef-x",
        ids=("Acme-Model-1.0", "MIT"),
        entries=(mit, acme),
    )
    result = replace_model(example_result, "openai-community/gpt2", license=lic)
    gpt2 = component(bom(result), "openai-community/gpt2")
    assert gpt2["licenses"][0]["expression"] == (
        "(MIT OR LicenseRef-clearance-Acme-Model-1.0) AND LicenseRef-x"
    )


def test_hub_models_reference_their_card_at_the_revision(example_result: AuditResult) -> None:
    import dataclasses
    import json

    from checker.reporters.cyclonedx import render_cyclonedx

    model = example_result.models[0]
    hub = dataclasses.replace(
        model.facts,
        model=dataclasses.replace(
            model.facts.model, url="https://huggingface.co/org/m", revision="a" * 40, source="hub"
        ),
    )
    result = dataclasses.replace(example_result, models=(dataclasses.replace(model, facts=hub),))
    (component,) = json.loads(render_cyclonedx(result))["components"]
    refs = {r["type"]: r["url"] for r in component["externalReferences"]}
    assert refs["model-card"] == "https://huggingface.co/org/m/blob/" + "a" * 40 + "/README.md"
