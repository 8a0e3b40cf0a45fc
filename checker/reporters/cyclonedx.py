"""CycloneDX 1.6 ML-BOM JSON report, built with cyclonedx-python-lib.

One ``machine-learning-model`` component per audited model (``bom-ref`` derived from the id and
revision), with its lineage as ``pedigree.ancestors``, the resolved licence (SPDX ids as licence
ids, ``LicenseRef-*`` as named licences or, inside a compound licence, in an expression), the
developer as supplier (country as ``supplier.address.country``) and what Clearance found as
``clearance:*`` properties. cyclonedx-python-lib (11.x) has no model for ``modelCard``, so the
verdict, findings and weight facts are properties. Output is deterministic: the serial number is
a uuid5 of the audit, components are sorted by the library, nothing takes the wall clock.

Heavy libraries are imported inside functions so that importing the reporters stays cheap.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING

from checker.facts import Ancestor, ModelFacts
from checker.reporters.spdx import EXPRESSION_TOKENS, OPERATORS, license_ref_for
from checker.result import AuditResult, ModelResult

if TYPE_CHECKING:
    from cyclonedx.model import ExternalReference, Property
    from cyclonedx.model.bom import Bom
    from cyclonedx.model.component import Component
    from cyclonedx.model.contact import OrganizationalEntity
    from cyclonedx.model.license import License

SERIAL_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://clearance.dev/cyclonedx")
PREFIX = "clearance"


def serial_number(result: AuditResult) -> uuid.UUID:
    """The same uuid5 for the same audit: audited ids and revisions, policy, knowledge, clock."""
    payload = json.dumps(
        {
            "models": sorted(
                {(m.facts.model.id, m.facts.model.revision or "") for m in result.models}
            ),
            "policy": result.policy.sha256,
            "knowledge": result.knowledge_digest,
            "generated_at": result.generated_at,
        },
        sort_keys=True,
    )
    return uuid.uuid5(SERIAL_NAMESPACE, hashlib.sha256(payload.encode("utf-8")).hexdigest())


def bom_ref_for(model_id: str, revision: str | None) -> str:
    """A stable bom-ref for an audited model."""
    return f"{PREFIX}:model:{model_id}" + (f"@{revision}" if revision else "")


def _split(model_id: str) -> tuple[str | None, str]:
    """(group, name) from a Hub id; ``local/<name>`` ids have no group."""
    group, sep, name = model_id.partition("/")
    if not sep or not name:
        return None, model_id
    return (None if group == "local" else group), name


def _prop(name: str, value: object) -> Property:
    from cyclonedx.model import Property

    return Property(name=f"{PREFIX}:{name}", value=str(value))


def _licenses(facts: ModelFacts) -> list[License]:
    """The resolved licence, or nothing when any declared value did not resolve."""
    from cyclonedx.model.license import (
        DisjunctiveLicense,
        LicenseAcknowledgement,
        LicenseExpression,
    )

    lic = facts.license
    if not lic.expression or lic.unresolved:
        return []
    concluded = LicenseAcknowledgement.CONCLUDED
    entries = {e.id: e for e in lic.entries}
    single = entries.get(lic.expression)
    if single is None:
        return [LicenseExpression(_expression(lic.expression), acknowledgement=concluded)]
    if single.id.startswith("LicenseRef-") or not _is_cdx_spdx_id(single.id):
        from cyclonedx.model import XsUri

        return [
            DisjunctiveLicense(
                name=single.name,
                url=XsUri(single.urls[0]) if single.urls else None,
                acknowledgement=concluded,
                properties=[_prop("license:id", single.id)],
            )
        ]
    return [DisjunctiveLicense(id=single.id, acknowledgement=concluded)]


def _expression(text: str) -> str:
    """The expression with ids outside the SPDX list as ``LicenseRef-`` ids (as in the SPDX
    report), so that it stays a valid SPDX expression."""
    out: list[str] = []
    for token in (t for t in EXPRESSION_TOKENS.split(text) if t and not t.isspace()):
        keep = token in "()" or token.upper() in OPERATORS or (out and out[-1] == "WITH")
        if keep or token.startswith("LicenseRef-") or _is_cdx_spdx_id(token):
            out.append(token.upper() if token.upper() in OPERATORS else token)
        else:
            out.append(license_ref_for(token))
    return " ".join(out).replace("( ", "(").replace(" )", ")")


def _is_cdx_spdx_id(key: str) -> bool:
    from cyclonedx.spdx import is_supported_id

    return bool(is_supported_id(key))


def _supplier(name: str | None, country: str | None) -> OrganizationalEntity | None:
    from cyclonedx.model.contact import OrganizationalEntity, PostalAddress

    if not name:
        return None
    address = PostalAddress(country=country) if country else None
    return OrganizationalEntity(name=name, address=address)


def _model_properties(model: ModelResult) -> Iterator[Property]:
    facts = model.facts
    ident, lic, weights = facts.model, facts.license, facts.weights
    yield _prop("model:id", ident.id)
    yield _prop("model:source", ident.source)
    if ident.pipeline_tag:
        yield _prop("model:pipeline-tag", ident.pipeline_tag)
    if ident.library:
        yield _prop("model:library", ident.library)
    yield _prop("verdict", model.verdict.value)
    if facts.error is not None:
        yield _prop("error", facts.error)
    for f in model.findings:
        state = f" (waived by {f.waived_by})" if f.waived_by else ""
        yield _prop("finding", f"{f.severity.value} {f.rule}: {f.message}{state}")
    for d in lic.declared:
        yield _prop("license:declared", d.value)
    for d in lic.unresolved:
        yield _prop("license:unresolved", d.value)
    if not lic.expression or lic.unresolved:
        yield _prop("license:status", "NOASSERTION")
    elif lic.expression:
        yield _prop("license:expression", lic.expression)
    developer = facts.provenance.developer
    if developer is not None:
        yield _prop("provenance:developer-org", developer.org)
        if developer.country:
            yield _prop("provenance:country", developer.country)
    for country in facts.provenance.jurisdictions:
        yield _prop("provenance:jurisdiction", country)
    yield _prop("weights:availability", weights.availability)
    for fmt in weights.formats:
        yield _prop("weights:format", fmt)
    for fmt in weights.unsafe_formats:
        yield _prop("weights:unsafe-format", fmt)
    remote = weights.remote_code
    yield _prop("weights:remote-code", "unknown" if remote is None else str(remote).lower())
    if weights.parameters is not None:
        yield _prop("weights:parameters", weights.parameters)


def _ancestor(owner_ref: str, ancestor: Ancestor) -> Component:
    from cyclonedx.model.component import Component, ComponentType

    group, name = _split(ancestor.id)
    props = [
        _prop("model:id", ancestor.id),
        _prop("lineage:relation", ancestor.relation),
        _prop("lineage:depth", ancestor.depth),
        *(_prop("license:id", i) for i in ancestor.license_ids),
    ]
    if ancestor.country:
        props.append(_prop("provenance:country", ancestor.country))
    if ancestor.error:
        props.append(_prop("error", ancestor.error))
    return Component(
        type=ComponentType.MACHINE_LEARNING_MODEL,
        bom_ref=f"{owner_ref}/ancestor:{ancestor.id}",
        group=group,
        name=name,
        supplier=_supplier(ancestor.developer, ancestor.country),
        properties=props,
    )


def _component(model: ModelResult, bom_ref: str) -> Component:
    from cyclonedx.model.component import Component, ComponentType, Pedigree
    from packageurl import PackageURL

    facts = model.facts
    developer = facts.provenance.developer
    group, name = _split(facts.model.id)
    purl = facts.model.purl
    ancestors = [_ancestor(bom_ref, a) for a in facts.lineage]
    return Component(
        type=ComponentType.MACHINE_LEARNING_MODEL,
        bom_ref=bom_ref,
        group=group,
        name=name,
        version=facts.model.revision,
        purl=PackageURL.from_string(purl) if purl else None,
        supplier=_supplier(
            developer.name if developer else None, developer.country if developer else None
        ),
        licenses=_licenses(facts),
        pedigree=Pedigree(ancestors=ancestors) if ancestors else None,
        properties=list(_model_properties(model)),
        external_references=_references(facts),
    )


def _references(facts: ModelFacts) -> list[ExternalReference]:
    """The model card at the audited revision (cyclonedx-python-lib has no modelCard object
    yet, so the card is referenced) and the repository, for models read from the Hub."""
    from cyclonedx.model import ExternalReference, ExternalReferenceType, XsUri

    url, sha = facts.model.url, facts.model.revision
    if not url or not sha:
        return []
    return [
        ExternalReference(
            type=ExternalReferenceType.MODEL_CARD, url=XsUri(f"{url}/blob/{sha}/README.md")
        ),
        ExternalReference(type=ExternalReferenceType.DISTRIBUTION, url=XsUri(f"{url}/tree/{sha}")),
    ]


def _timestamp(result: AuditResult) -> dt.datetime:
    stamp = dt.datetime.fromisoformat(result.generated_at.replace("Z", "+00:00"))
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)


def build_bom(result: AuditResult) -> Bom:
    """The CycloneDX model of an audit."""
    from cyclonedx.model.bom import Bom, BomMetaData
    from cyclonedx.model.component import Component, ComponentType
    from cyclonedx.model.tool import ToolRepository

    tool = Component(
        type=ComponentType.APPLICATION,
        bom_ref=f"{PREFIX}:tool",
        name="clearance",
        version=result.tool_version,
    )
    metadata = BomMetaData(
        timestamp=_timestamp(result),
        tools=ToolRepository(components=[tool]),
        properties=[
            _prop("policy:name", result.policy.name),
            _prop("policy:sha256", result.policy.sha256),
            _prop("knowledge:version", result.knowledge_version),
            _prop("knowledge:digest", result.knowledge_digest),
            _prop("exit-code", result.exit_code),
            *(
                _prop("policy:finding", f"{f.severity.value} {f.rule}: {f.message}")
                for f in result.findings
            ),
        ],
    )
    components: dict[str, Component] = {}
    by_id: dict[str, Component] = {}
    for model in result.models:
        ref = bom_ref_for(model.facts.model.id, model.facts.model.revision)
        unique, n = ref, 1
        while unique in components:  # the same model and revision listed twice
            n += 1
            unique = f"{ref}/{n}"
        components[unique] = _component(model, unique)
        by_id.setdefault(model.facts.model.id.lower(), components[unique])
    bom = Bom(serial_number=serial_number(result), metadata=metadata)
    bom.components.update(components.values())

    # An adapter needs its base to run: a dependency when the base is an audited component.
    for model, component in zip(result.models, components.values(), strict=True):
        needs = [
            by_id[a.id.lower()]
            for a in model.facts.lineage
            if a.depth == 1 and a.relation == "adapter" and a.id.lower() in by_id
        ]
        if needs:
            bom.register_dependency(component, needs)
    return bom


def render_cyclonedx(result: AuditResult) -> str:
    """The CycloneDX 1.6 JSON document text (deterministic for the same audit and clock)."""
    from cyclonedx.output.json import JsonV1Dot6

    text = JsonV1Dot6(build_bom(result)).output_as_string(indent=2)
    return text + "\n"
