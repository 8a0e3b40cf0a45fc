"""SPDX 2.3 JSON report: one package per model, lineage as relationships, built with spdx-tools.

Each audited model is a package (``primaryPackagePurpose`` OTHER: SPDX 2.3 has no purpose for a
machine-learning model), described by the document. Ancestors that are not audited models become
packages of their own with NOASSERTION for what is not known. Licences: ``licenseDeclared`` and
``licenseConcluded`` are the canonical SPDX expression Clearance resolved the card's declaration
to, or NOASSERTION when any declared value did not resolve (or nothing was declared); every
``LicenseRef-*`` used gets an ``ExtractedLicensingInfo`` from its knowledge-base entry.

NTIA minimum elements (checked with ntia-conformance-checker, which counts a NOASSERTION supplier
as missing but accepts any version string): every package has ``versionInfo`` (the audited
revision, else the content version of ``_identity.py``, said so in the comment) and a supplier
(the developer, else the id's namespace; NOASSERTION only when neither exists).

Lineage relationship types (SPDX 2.3 clause 11), from the derivative to its parent:

- ``finetune`` and ``merge``: DESCENDANT_OF (same lineage, postdates the parent);
- ``quantized``: GENERATED_FROM (a mechanical conversion of the parent's weights);
- ``adapter``: DESCENDANT_OF, and DEPENDS_ON as well (an adapter is trained against its base and
  cannot run without it);
- an ancestor deeper than one step whose parent is not known in this document: the model is
  DESCENDANT_OF it (true at any depth), with the recorded relation in the comment.

VARIANT_OF (direction unknown) is not used: the lineage always says which model came first.

Heavy libraries (spdx-tools, license-expression, packageurl) are imported inside functions so that
importing the reporters stays cheap.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from checker.facts import Ancestor, ModelFacts
from checker.findings import Verdict
from checker.knowledge import LicenseEntry
from checker.reporters._identity import CONTENT_VERSION_NOTE, model_version, supplier_name
from checker.reporters._spdx_files import file_nodes, spdx_files
from checker.reporters._spdx_nodes import package_ids, spdx_id_for
from checker.result import AuditResult, ModelResult

NAMESPACE_BASE = "https://clearance.dev/spdx/"
_ID_UNSAFE = re.compile(r"[^A-Za-z0-9.-]+")
_LICENSE_REF = re.compile(r"^LicenseRef-[A-Za-z0-9.-]+$")
EXPRESSION_TOKENS = re.compile(r"(\s+|\(|\))")
OPERATORS = frozenset({"AND", "OR", "WITH"})

# Lineage relation -> SPDX 2.3 relationship types, from the derivative to its parent.
RELATIONSHIP_TYPES: dict[str, tuple[str, ...]] = {
    "finetune": ("DESCENDANT_OF",),
    "merge": ("DESCENDANT_OF",),
    "quantized": ("GENERATED_FROM",),
    "adapter": ("DESCENDANT_OF", "DEPENDS_ON"),
}
DEFAULT_RELATIONSHIP = ("DESCENDANT_OF",)


# --- identifiers --------------------------------------------------------------------------------


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def document_namespace(result: AuditResult) -> str:
    """A namespace that is the same for the same audit: a hash of the audited ids and revisions,
    the policy and the knowledge base."""
    keys = sorted({(m.facts.model.id, m.facts.model.revision or "") for m in result.models})
    payload = json.dumps(
        {
            "models": keys,
            "policy": result.policy.sha256,
            "knowledge": result.knowledge_digest,
        },
        sort_keys=True,
    )
    slug = _ID_UNSAFE.sub("-", result.policy.name).strip("-.") or "audit"
    return f"{NAMESPACE_BASE}{slug}-{_digest(payload)}"


# --- licences -----------------------------------------------------------------------------------


def license_ref_for(key: str) -> str:
    """A valid ``LicenseRef-`` id for a knowledge-base id outside the SPDX list."""
    if _LICENSE_REF.match(key):
        return key
    rest = key[len("LicenseRef-") :] if key.startswith("LicenseRef-") else f"clearance-{key}"
    return "LicenseRef-" + (_ID_UNSAFE.sub("-", rest.replace("+", "-plus")).strip("-") or "x")


def _spdx_licensing() -> Any:
    """The SPDX licence list as license-expression knows it (spdx-tools' own instance)."""
    from spdx_tools.common.spdx_licensing import spdx_licensing  # type: ignore[import-untyped]

    return spdx_licensing


def _is_listed(key: str) -> bool:
    try:
        invalid = _spdx_licensing().validate(key).invalid_symbols
    except Exception:
        return False
    return not key.startswith("LicenseRef-") and not invalid


@dataclass(slots=True)
class _Licensing:
    """The LicenseRefs the document uses: SPDX id -> knowledge-base entry (None if unknown)."""

    refs: dict[str, tuple[str, LicenseEntry | None]] = field(default_factory=dict)

    def expression(self, text: str | None, entries: Iterable[LicenseEntry]) -> Any:
        """The parsed SPDX expression, or NOASSERTION when there is none or it is not valid."""
        from spdx_tools.spdx.model.spdx_no_assertion import SpdxNoAssertion

        if not text:
            return SpdxNoAssertion()
        by_id = {e.id: e for e in entries}
        used: dict[str, tuple[str, LicenseEntry | None]] = {}
        parts: list[str] = []
        previous = ""
        for token in (t for t in EXPRESSION_TOKENS.split(text) if t and not t.isspace()):
            if token in "()" or token.upper() in OPERATORS:
                parts.append(token.upper() if token.upper() in OPERATORS else token)
            elif previous == "WITH" or _is_listed(token):
                parts.append(token)
            else:
                ref = license_ref_for(token)
                used[ref] = (token, by_id.get(token))
                parts.append(ref)
            previous = parts[-1]
        rendered = " ".join(parts)
        spdx_licensing = _spdx_licensing()
        try:
            check = spdx_licensing.validate(rendered)
        except Exception:
            return SpdxNoAssertion()
        if check.errors and any(not s.startswith("LicenseRef-") for s in check.invalid_symbols):
            return SpdxNoAssertion()
        try:
            parsed = spdx_licensing.parse(rendered)
        except Exception:  # license-expression raises several unrelated types
            return SpdxNoAssertion()
        for ref, value in used.items():
            self.refs.setdefault(ref, value)
        return parsed

    def extracted(self) -> list[Any]:
        from spdx_tools.spdx.model.extracted_licensing_info import ExtractedLicensingInfo

        out = []
        for ref in sorted(self.refs):
            original, entry = self.refs[ref]
            if entry is None:
                out.append(
                    ExtractedLicensingInfo(
                        license_id=ref,
                        extracted_text=f"The licence {original!r}; Clearance has no text for it.",
                        license_name=original,
                    )
                )
                continue
            text = (
                f"See {entry.urls[0]}"
                if entry.urls
                else f"{entry.name}: the text is not included in this document."
            )
            out.append(
                ExtractedLicensingInfo(
                    license_id=ref,
                    extracted_text=text,
                    license_name=entry.name,
                    cross_references=list(entry.urls),
                    comment=f"Clearance knowledge base entry {entry.key} ({entry.file}).",
                )
            )
        return out


# --- packages -----------------------------------------------------------------------------------


def _verdict_comment(result: AuditResult, model: ModelResult) -> str:
    facts = model.facts
    text = (
        f"Machine-learning model audited by Clearance: verdict {model.verdict.value.upper()} "
        f"under policy '{result.policy.name}'."
    )
    if facts.error is not None:
        text += f" The model could not be read: {facts.error}."
    unwaived = model.unwaived
    if unwaived:
        listed = "; ".join(f"{f.rule} ({f.severity.value})" for f in unwaived)
        text += f" Findings: {listed}."
    waived = len(model.findings) - len(unwaived)
    if waived:
        text += f" Waived findings: {waived}."
    return text


def _license_comment(facts: ModelFacts) -> str | None:
    lic = facts.license
    notes = []
    if lic.declared:
        shown = ", ".join(f"{d.value!r} ({d.declared_by})" for d in lic.declared)
        notes.append(f"Declared: {shown}.")
    else:
        notes.append("No licence declared.")
    if lic.unresolved:
        shown = ", ".join(repr(d.value) for d in lic.unresolved)
        notes.append(f"Not in the Clearance knowledge base: {shown}.")
    return " ".join(notes)


def _supplier(name: str | None) -> Any:
    from spdx_tools.spdx.model.actor import Actor, ActorType
    from spdx_tools.spdx.model.spdx_no_assertion import SpdxNoAssertion

    return Actor(ActorType.ORGANIZATION, name) if name else SpdxNoAssertion()


def _model_package(
    result: AuditResult, model: ModelResult, spdx_id: str, licensing: _Licensing
) -> Any:
    from spdx_tools.spdx.model.package import (
        ExternalPackageRef,
        ExternalPackageRefCategory,
        Package,
        PackagePurpose,
    )
    from spdx_tools.spdx.model.spdx_no_assertion import SpdxNoAssertion

    facts = model.facts
    lic = facts.license
    resolved = lic.expression if lic.expression and not lic.unresolved else None
    expression = licensing.expression(resolved, lic.entries)
    developer = facts.provenance.developer
    purl = facts.model.purl
    homepage = facts.model.url
    declared = [d.value for d in lic.declared]
    comment = _verdict_comment(result, model)
    if not facts.model.revision:
        comment += f" versionInfo is {CONTENT_VERSION_NOTE}."
    return Package(
        spdx_id=spdx_id,
        name=facts.model.id,
        download_location=facts.model.download_location or SpdxNoAssertion(),
        version=model_version(facts.model.id, facts.model.revision, declared),
        supplier=_supplier(supplier_name(developer.name if developer else None, facts.model.id)),
        files_analyzed=bool(spdx_files(facts)),  # the files read are listed (_spdx_files.py)
        homepage=homepage,
        license_concluded=expression,
        license_declared=expression,
        license_comment=_license_comment(facts),
        comment=comment,
        external_references=(
            [ExternalPackageRef(ExternalPackageRefCategory.PACKAGE_MANAGER, "purl", purl)]
            if purl
            else []
        ),
        primary_package_purpose=PackagePurpose.OTHER,
    )


def _ancestor_package(ancestor: Ancestor, spdx_id: str) -> Any:
    from spdx_tools.spdx.model.package import Package, PackagePurpose
    from spdx_tools.spdx.model.spdx_no_assertion import SpdxNoAssertion

    comment = "Ancestor model named by an audited model's lineage; not audited itself."
    comment += f" versionInfo is {CONTENT_VERSION_NOTE}."
    if ancestor.error:
        comment += f" It could not be read: {ancestor.error}."
    license_comment = (
        f"Licences its card names: {', '.join(ancestor.license_ids)}."
        if ancestor.license_ids
        else None
    )
    return Package(
        spdx_id=spdx_id,
        name=ancestor.id,
        download_location=SpdxNoAssertion(),
        version=model_version(ancestor.id, None, ancestor.license_ids),
        supplier=_supplier(supplier_name(ancestor.developer, ancestor.id)),
        files_analyzed=False,
        license_concluded=SpdxNoAssertion(),
        license_declared=SpdxNoAssertion(),
        license_comment=license_comment,
        comment=comment,
        primary_package_purpose=PackagePurpose.OTHER,
    )


# --- relationships ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, order=True)
class _Edge:
    child: str
    kind: str
    parent: str
    comment: str


def _reachable(edges: Sequence[_Edge], start: str) -> set[str]:
    graph: dict[str, set[str]] = {}
    for e in edges:
        graph.setdefault(e.child, set()).add(e.parent)
    seen: set[str] = set()
    todo = [start]
    while todo:
        for nxt in graph.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def _edges(child: str, parent: str, relation: str, note: str) -> list[_Edge]:
    kinds = RELATIONSHIP_TYPES.get(relation, DEFAULT_RELATIONSHIP)
    return [_Edge(child, kind, parent, f"Lineage: {relation}{note}.") for kind in kinds]


def _lineage(models: Sequence[tuple[str, ModelFacts]], node_of: dict[str, str]) -> list[_Edge]:
    """Relationships for every lineage: direct parents first, deeper ancestors only when they
    are not already reachable through the edges found."""
    edges: list[_Edge] = []
    for spdx_id, facts in models:
        for a in facts.lineage:
            if a.depth == 1:
                edges.extend(_edges(spdx_id, node_of[a.id.lower()], a.relation, ""))
    for spdx_id, facts in models:
        by_depth: dict[int, list[Ancestor]] = {}
        for a in facts.lineage:
            by_depth.setdefault(a.depth, []).append(a)
        for a in sorted(facts.lineage, key=lambda x: (x.depth, x.id.lower())):
            target = node_of[a.id.lower()]
            if a.depth == 1 or target in _reachable(edges, spdx_id):
                continue
            parents = by_depth.get(a.depth - 1, [])
            if facts.lineage_complete and len(parents) == 1:
                # A lineage its source walked breadth-first: the one model a step closer is
                # the parent.
                edges.extend(_edges(node_of[parents[0].id.lower()], target, a.relation, ""))
            else:
                note = f" (recorded at depth {a.depth} of {facts.model.id})"
                edges.append(
                    _Edge(spdx_id, "DESCENDANT_OF", target, f"Lineage: {a.relation}{note}.")
                )
    return sorted(set(edges))


# --- document -----------------------------------------------------------------------------------


def _created(result: AuditResult) -> dt.datetime:
    text = result.generated_at.replace("Z", "+00:00")
    stamp = dt.datetime.fromisoformat(text)
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)


def build_document(result: AuditResult) -> Any:
    """The SPDX 2.3 document (spdx-tools model) for an audit."""
    from spdx_tools.spdx.model.actor import Actor, ActorType
    from spdx_tools.spdx.model.document import CreationInfo, Document
    from spdx_tools.spdx.model.relationship import Relationship, RelationshipType

    licensing = _Licensing()
    audited, ancestors, node_of = package_ids(result)
    packages = [_model_package(result, m, s, licensing) for s, m in audited]
    packages += [_ancestor_package(ancestors[k], node_of[k]) for k in sorted(ancestors)]

    relationships = [
        Relationship("SPDXRef-DOCUMENT", RelationshipType.DESCRIBES, spdx_id)
        for spdx_id, _ in audited
    ]
    edges = _lineage([(s, m.facts) for s, m in audited], node_of)
    relationships += [
        Relationship(e.child, RelationshipType[e.kind], e.parent, comment=e.comment) for e in edges
    ]
    files, weight_packages, contains = file_nodes(audited)
    packages += weight_packages
    relationships += contains

    creation = CreationInfo(
        spdx_version="SPDX-2.3",
        spdx_id="SPDXRef-DOCUMENT",
        name=f"clearance-audit-{result.policy.name}",
        document_namespace=document_namespace(result),
        creators=[Actor(ActorType.TOOL, f"clearance-{result.tool_version}")],
        created=_created(result),
        creator_comment=(
            f"Clearance audit of {len(result.models)} model(s) against policy "
            f"'{result.policy.name}' (sha256 {result.policy.sha256}); knowledge base "
            f"{result.knowledge_version} (digest {result.knowledge_digest})."
        ),
        document_comment=_summary(result),
    )
    return Document(
        creation_info=creation,
        packages=packages,
        files=files,
        relationships=relationships,
        extracted_licensing_info=licensing.extracted(),
    )


def _summary(result: AuditResult) -> str:
    counts = ", ".join(f"{v.value} {result.count(v)}" for v in Verdict)
    return f"Verdicts: {counts}; exit code {result.exit_code}."


def render_spdx(result: AuditResult) -> str:
    """The SPDX 2.3 JSON document text (deterministic for the same audit and clock)."""
    from spdx_tools.spdx.writer.json.json_writer import write_document_to_stream

    stream = io.StringIO()
    write_document_to_stream(build_document(result), stream, validate=False)
    return stream.getvalue() + "\n"


__all__ = [
    "build_document",
    "document_namespace",
    "license_ref_for",
    "package_ids",
    "render_spdx",
    "spdx_id_for",
]
