"""SPDX 3.0.1 JSON-LD with the AI profile: one ``ai_AIPackage`` per model, built with
spdx-python-model (the SPDX project's generated bindings), which checks every value as it is set
(types, enumerations, patterns) and every required property as it writes.

Each audited model is an ``ai_AIPackage`` (``software_primaryPurpose`` ``model``), a root element
of the ``SpdxDocument``; ancestors named by a lineage that were not audited are AI packages of
their own. What is filled, and only where the facts know it:

- ``software_packageVersion``: the audited 40-hex revision (no content digest: SPDX 3 needs no
  version, so an unknown one is left out); ``software_packageUrl`` (``pkg:huggingface/...``),
  ``software_downloadLocation`` and ``software_homePage`` for Hub models;
- ``suppliedBy``: an ``Organization``, the developer, else the id's namespace (``_identity.py``);
- licences: ``hasDeclaredLicense`` and ``hasConcludedLicense`` relationships to a
  ``simplelicensing_LicenseExpression``, the canonical SPDX expression Clearance resolved the
  declaration to (``LicenseRef-*`` ids mapped to their text's URL in ``customIdToUri`` where the
  knowledge base has one); none when a declared value did not resolve (SPDX 3: no assertion);
  an ancestor whose card names exactly one licence has it as its declared licence;
- ``ai_domain`` from the pipeline tag and ``ai_limitation`` from the licence terms
  (``_spdx3_ai.py``);
- lineage as relationships from the derivative to its parent: ``descendantOf`` (finetune, merge,
  quantized, adapter), ``dependsOn`` as well for an adapter, and ``generates`` from the parent
  for a quantization (SPDX 2.3's GENERATED_FROM turned round); deeper ancestors as the SPDX 2.3
  report places them (``spdx._lineage``).

Left out because no fact says them: ``ai_autonomyType`` (whether the system acts without a human:
a property of the product, not of the model's card), ``ai_typeOfModel`` (facts carry no
architecture; config.json's is read only as a provenance hint), ``ai_standardCompliance`` (no
fact records a standard; the audit policy is not one), energy, metrics, hyperparameters.

Output is deterministic: element ids derive from the audit (``spdx.document_namespace``), the
library sorts the graph, nothing takes the wall clock. spdx-python-model is imported on first
use, so that importing the reporters stays cheap.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from importlib import import_module
from typing import Any

from checker.facts import Ancestor
from checker.reporters._identity import supplier_name
from checker.reporters._spdx3_ai import domains, limitation
from checker.reporters._spdx_nodes import package_ids
from checker.reporters.spdx import (
    _Licensing,
    _lineage,
    _summary,
    _verdict_comment,
    document_namespace,
)
from checker.result import AuditResult, ModelResult

SPEC_VERSION = "3.0.1"
_SLUG = re.compile(r"[^A-Za-z0-9.-]+")


def _model() -> Any:
    return import_module("spdx_python_model.bindings.v3_0_1")


def _hash(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()[:12]


class _Builder:
    """The elements of one document: ids under the audit's namespace, one creation info."""

    def __init__(self, result: AuditResult) -> None:
        self.s = _model()
        self.result = result
        self.ns = document_namespace(result) + "#"
        created = dt.datetime.fromisoformat(result.generated_at.replace("Z", "+00:00"))
        self.info = self.s.CreationInfo(specVersion=SPEC_VERSION, created=created)
        agent = self.s.SoftwareAgent(
            spdxId=self.ns + "SoftwareAgent-clearance", name="clearance", creationInfo=self.info
        )
        tool = self.s.Tool(
            spdxId=self.ns + "Tool-clearance",
            name=f"clearance {result.tool_version}",
            creationInfo=self.info,
        )
        self.info.createdBy = [agent]
        self.info.createdUsing = [tool]
        self.elements: dict[str, Any] = {}
        self.add(agent)
        self.add(tool)
        self.licensing = _Licensing()

    def add(self, element: Any) -> Any:
        return self.elements.setdefault(element.spdxId, element)

    def organization(self, name: str | None) -> Any:
        if not name:
            return None
        slug = _SLUG.sub("-", name).strip("-.")[:60] or "org"
        ident = f"{self.ns}Organization-{slug}-{_hash(name)}"
        return self.add(self.s.Organization(spdxId=ident, name=name, creationInfo=self.info))

    def expression(self, text: str | None, entries: Any = ()) -> Any:
        """The licence-expression element of a resolved expression, or None."""
        from spdx_tools.spdx.model.spdx_no_assertion import SpdxNoAssertion

        parsed = self.licensing.expression(text, entries)
        if isinstance(parsed, SpdxNoAssertion):
            return None
        rendered = str(parsed)
        ident = f"{self.ns}LicenseExpression-{_hash(rendered)}"
        found = self.elements.get(ident)
        if found is not None:
            return found
        mapping = []
        for ref in sorted(set(re.findall(r"LicenseRef-[A-Za-z0-9.-]+", rendered))):
            _, entry = self.licensing.refs.get(ref, ("", None))
            if entry is not None and entry.urls:
                mapping.append(self.s.DictionaryEntry(key=ref, value=entry.urls[0]))
        element = self.s.simplelicensing_LicenseExpression(
            spdxId=ident,
            creationInfo=self.info,
            simplelicensing_licenseExpression=rendered,
            simplelicensing_customIdToUri=mapping,
        )
        return self.add(element)

    def relate(self, source: Any, kind: str, target: Any, comment: str | None = None) -> None:
        ident = f"{self.ns}Relationship-{_hash(source.spdxId, kind, target.spdxId)}"
        rel = self.s.Relationship(
            spdxId=ident,
            creationInfo=self.info,
            from_=source,
            to=[target],
            relationshipType=getattr(self.s.RelationshipType, kind),
        )
        if comment:
            rel.comment = comment
        self.add(rel)

    def licences(self, package: Any, expression: Any, concluded: bool = True) -> None:
        if expression is None:
            return
        self.relate(package, "hasDeclaredLicense", expression)
        if concluded:
            self.relate(package, "hasConcludedLicense", expression)

    def audited(self, ident: str, model: ModelResult) -> Any:
        facts = model.facts
        pkg = self.s.ai_AIPackage(
            spdxId=self.ns + ident,
            name=facts.model.id,
            creationInfo=self.info,
            software_primaryPurpose=self.s.software_SoftwarePurpose.model,
            comment=_verdict_comment(self.result, model),
        )
        if facts.model.revision:
            pkg.software_packageVersion = facts.model.revision
        if facts.model.purl:
            pkg.software_packageUrl = facts.model.purl
        if facts.model.download_location:
            pkg.software_downloadLocation = facts.model.download_location
        if facts.model.url:
            pkg.software_homePage = facts.model.url
        developer = facts.provenance.developer
        supplier = self.organization(
            supplier_name(developer.name if developer else None, facts.model.id)
        )
        if supplier is not None:
            pkg.suppliedBy = supplier
        if facts.error is None:
            pkg.ai_domain = domains(facts)
            text = limitation(facts)
            if text:
                pkg.ai_limitation = text
        self.add(pkg)
        lic = facts.license
        resolved = lic.expression if lic.expression and not lic.unresolved else None
        self.licences(pkg, self.expression(resolved, lic.entries))
        return pkg

    def ancestor(self, ident: str, ancestor: Ancestor) -> Any:
        comment = "Ancestor model named by an audited model's lineage; not audited itself."
        if ancestor.error:
            comment += f" It could not be read: {ancestor.error}."
        if ancestor.license_ids:
            comment += f" Licences its card names: {', '.join(ancestor.license_ids)}."
        pkg = self.s.ai_AIPackage(
            spdxId=self.ns + ident,
            name=ancestor.id,
            creationInfo=self.info,
            software_primaryPurpose=self.s.software_SoftwarePurpose.model,
            comment=comment,
        )
        supplier = self.organization(supplier_name(ancestor.developer, ancestor.id))
        if supplier is not None:
            pkg.suppliedBy = supplier
        self.add(pkg)
        if len(ancestor.license_ids) == 1:
            self.licences(pkg, self.expression(ancestor.license_ids[0]), concluded=False)
        return pkg


# SPDX 2.3 lineage relationship -> (SPDX 3 type, from the parent instead of the child)
_RELATIONSHIPS = {
    "DESCENDANT_OF": ("descendantOf", False),
    "DEPENDS_ON": ("dependsOn", False),
    "GENERATED_FROM": ("generates", True),
}


def build_objects(result: AuditResult) -> Any:
    """The ``SHACLObjectSet`` of the document (spdx-python-model objects)."""
    b = _Builder(result)
    audited, ancestors, node_of = package_ids(result)
    packages = {ident: b.audited(ident, m) for ident, m in audited}
    for key, ancestor in ancestors.items():
        packages[node_of[key]] = b.ancestor(node_of[key], ancestor)
    for edge in _lineage([(i, m.facts) for i, m in audited], node_of):
        kind, reverse = _RELATIONSHIPS.get(edge.kind, ("descendantOf", False))
        child, parent = packages[edge.child], packages[edge.parent]
        if reverse:
            b.relate(parent, kind, child, edge.comment)
            b.relate(child, "descendantOf", parent, edge.comment)
        else:
            b.relate(child, kind, parent, edge.comment)
    s = b.s
    data_licence = b.expression("CC0-1.0")
    roots = [packages[ident] for ident, _ in audited]
    doc = s.SpdxDocument(
        spdxId=b.ns + "SpdxDocument",
        name=f"clearance-audit-{result.policy.name}",
        creationInfo=b.info,
        dataLicense=data_licence,
        profileConformance=[
            s.ProfileIdentifierType.core,
            s.ProfileIdentifierType.software,
            s.ProfileIdentifierType.ai,
            s.ProfileIdentifierType.simpleLicensing,
        ],
        rootElement=roots,
        element=[b.elements[k] for k in sorted(b.elements)],
        comment=(
            f"Clearance audit of {len(result.models)} model(s) against policy "
            f"'{result.policy.name}' (sha256 {result.policy.sha256}); knowledge base "
            f"{result.knowledge_version} (digest {result.knowledge_digest}). "
            f"{_summary(result)}"
        ),
    )
    return s.SHACLObjectSet([doc, *(b.elements[k] for k in sorted(b.elements))])


def to_spdx3(result: AuditResult) -> dict[str, Any]:
    """The JSON-LD document as plain data."""
    data: dict[str, Any] = _model().JSONLDSerializer().serialize_data(build_objects(result))
    return data


def render_spdx3(result: AuditResult) -> str:
    """The SPDX 3.0.1 JSON-LD text (indented, trailing newline)."""
    return json.dumps(to_spdx3(result), indent=2, ensure_ascii=False) + "\n"


__all__ = ["SPEC_VERSION", "build_objects", "render_spdx3", "to_spdx3"]
