"""CycloneDX 1.6 ML-BOM JSON report, built with cyclonedx-python-lib.

One ``machine-learning-model`` component per audited model (``bom-ref`` derived from the id and
revision), with its lineage as ``pedigree.ancestors``, the resolved licence (SPDX ids as licence
ids, ``LicenseRef-*`` as named licences or, inside a compound licence, in an expression), the
developer as supplier (country as ``supplier.address.country``) and what Clearance found as
``clearance:*`` properties.

Every model component (ancestors too) has a ``version``: the audited 40-hex revision, else the
content version of ``_identity.py`` (a SHA-256 of the id and the declared licences; the files' own
hashes are its ``file`` components), which the ``clearance:version:kind`` property names
(``revision`` or ``content-digest``) and ``clearance:version:note`` explains. Hub models have their
``purl`` (``pkg:huggingface/org/name@revision``). ``metadata.component`` is the audited project: the
audit records no project name, so it is named after the policy it was audited against, and it
depends on every audited model. Lineage is also written as ``dependencies`` (added to the JSON: the
library refuses refs to pedigree entries): a model depends on its direct parents (the audited
component when the parent is audited, else the pedigree ancestor); in a lineage walked breadth-first
with one model per step, each ancestor depends on the next; otherwise deeper ancestors hang from the
model itself (true at any depth), unless an audited parent's own lineage reaches them.

cyclonedx-python-lib (11.x) has no model for ``modelCard``, so it is added to the JSON the
library writes, as data: ``modelParameters.task`` from the Hub's pipeline tag and
``considerations`` from the binding licence terms (permitted use as ``useCases``, prohibited
uses as ``ethicalConsiderations``), with the raw terms as ``clearance:terms:*`` properties. The
result is validated with the library's strict JSON validator in the tests. Output is
deterministic: the serial number is a uuid5 of the audit, components are sorted by the library,
nothing takes the wall clock.

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
from checker.reporters._cyclonedx_json import (
    PREFIX,
    add_dependencies,
    add_model_cards,
    ancestor_ref,
)
from checker.reporters._identity import CONTENT_VERSION_NOTE, model_version
from checker.reporters.spdx import EXPRESSION_TOKENS, OPERATORS, license_ref_for
from checker.result import AuditResult, ModelResult

if TYPE_CHECKING:
    from cyclonedx.model import ExternalReference, Property
    from cyclonedx.model.bom import Bom
    from cyclonedx.model.component import Component
    from cyclonedx.model.contact import OrganizationalEntity
    from cyclonedx.model.license import License

SERIAL_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://clearance.dev/cyclonedx")


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


def _version_properties(revision: str | None) -> list[Property]:
    if revision:
        return [_prop("version:kind", "revision")]
    return [_prop("version:kind", "content-digest"), _prop("version:note", CONTENT_VERSION_NOTE)]


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
    props += _version_properties(None)
    return Component(
        type=ComponentType.MACHINE_LEARNING_MODEL,
        bom_ref=ancestor_ref(owner_ref, ancestor.id),
        group=group,
        name=name,
        version=model_version(ancestor.id, None, ancestor.license_ids),
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
        version=model_version(
            facts.model.id, facts.model.revision, [d.value for d in facts.license.declared]
        ),
        purl=PackageURL.from_string(purl) if purl else None,
        supplier=_supplier(
            developer.name if developer else None, developer.country if developer else None
        ),
        licenses=_licenses(facts),
        pedigree=Pedigree(ancestors=ancestors) if ancestors else None,
        properties=[*_model_properties(model), *_version_properties(facts.model.revision)],
        external_references=_references(facts),
        components=_files(facts, bom_ref),
    )


def _files(facts: ModelFacts, owner_ref: str) -> list[Component]:
    """The files audited as ``file`` components with their ``hashes``: the files read in full
    (SHA-256 and SHA-1 of the bytes read) and whole weight files (SHA-256 from the Hub's
    ``lfs.sha256`` or ``--hash-weights``). Weight headers and cut-off reads are left out: their
    digest is of part of a file, not of the component (the JSON report lists them)."""
    from cyclonedx.model import HashAlgorithm, HashType
    from cyclonedx.model.component import Component, ComponentType

    out = []
    for f in facts.files:
        if not f.whole:
            continue
        hashes = [HashType(alg=HashAlgorithm.SHA_256, content=f.sha256)]
        if f.sha1:
            hashes.append(HashType(alg=HashAlgorithm.SHA_1, content=f.sha1))
        out.append(
            Component(
                type=ComponentType.FILE,
                bom_ref=f"{owner_ref}#file:{f.role}:{f.path}",
                name=f.path,
                hashes=hashes,
                properties=[_prop("file:role", f.role), _prop("file:digest-origin", f.origin)],
            )
        )
    return out


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
    for model in result.models:
        ref = bom_ref_for(model.facts.model.id, model.facts.model.revision)
        unique, n = ref, 1
        while unique in components:  # the same model and revision listed twice
            n += 1
            unique = f"{ref}/{n}"
        components[unique] = _component(model, unique)
    project = _project(result)
    metadata.component = project
    bom = Bom(serial_number=serial_number(result), metadata=metadata)
    bom.components.update(components.values())
    bom.register_dependency(project, list(components.values()))
    return bom


def _project(result: AuditResult) -> Component:
    """The audited project: named after the policy (the audit records no project name)."""
    from cyclonedx.model.component import Component, ComponentType

    return Component(
        type=ComponentType.APPLICATION,
        bom_ref=f"{PREFIX}:project",
        name=result.policy.name,
        version=result.policy.sha256[:12] if result.policy.sha256 else None,
        description=(
            f"The project whose models were audited against policy '{result.policy.name}' "
            "(named after the policy; version: the policy's sha256 prefix)."
        ),
        properties=[_prop("project:named-after", "policy")],
    )


def render_cyclonedx(result: AuditResult) -> str:
    """The CycloneDX 1.6 JSON document text (deterministic for the same audit and clock)."""
    from cyclonedx.output.json import JsonV1Dot6

    bom = build_bom(result)
    data = json.loads(JsonV1Dot6(bom).output_as_string())
    refs = _model_refs(result)
    add_model_cards(data, result, refs)
    add_dependencies(data, result, refs)
    return json.dumps(data, indent=2) + "\n"


def _model_refs(result: AuditResult) -> list[str]:
    """The bom-refs of the audited models, in the result's order (as build_bom gives them)."""
    refs: list[str] = []
    for model in result.models:
        ref = bom_ref_for(model.facts.model.id, model.facts.model.revision)
        unique, n = ref, 1
        while unique in refs:
            n += 1
            unique = f"{ref}/{n}"
        refs.append(unique)
    return refs
