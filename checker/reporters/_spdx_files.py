"""The audited files of each model in the SPDX 2.3 report (``ModelFacts.files``).

- The card, configs and licence files Clearance read in full become SPDX **files** (``./path``,
  ``checksums`` SHA1 and SHA256 of the bytes read), each CONTAINED by the model's package, whose
  ``filesAnalyzed`` is then true (SPDX 2.3 makes ``packageVerificationCode`` optional, and it is
  left out: the listed files are the ones audited, not every file of the model).
- A whole weight file's SHA-256 (the Hub's ``lfs.sha256``, or ``--hash-weights``) cannot be an
  SPDX file: SPDX 2.3 requires every file to carry a SHA1, which the Hub does not publish. Each
  weight file is a **package** of its own instead (``packageFileName``, ``checksums`` SHA256,
  ``filesAnalyzed`` false), which the model package CONTAINS: for a single file a package
  checksum is exactly that file's digest. The model package itself has no ``checksums``: a
  model of many files has no single digest.
- Weight headers and files cut at the read limit are not listed: their digest is of part of the
  file only (the JSON report lists them, with the byte range).
"""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import quote

from checker.facts import AuditedFile, ModelFacts
from checker.reporters._identity import model_version, supplier_name
from checker.result import ModelResult

ORIGIN_NOTE = {
    "hub-lfs": "its SHA-256 is the one the Hub publishes for the LFS file (lfs.sha256)",
    "hashed": "its SHA-256 was computed from the whole file (--hash-weights)",
}


def _node_id(kind: str, owner: str, path: str) -> str:
    digest = hashlib.sha256(f"{owner}\n{path}".encode()).hexdigest()[:16]
    return f"SPDXRef-{kind}-{digest}"


def spdx_files(facts: ModelFacts) -> list[AuditedFile]:
    """The files that become SPDX files: read in full, with both digests."""
    return [f for f in facts.files if f.origin == "read" and f.whole and f.sha1]


def _weights(facts: ModelFacts) -> list[AuditedFile]:
    return [f for f in facts.files if f.role == "weights" and f.origin != "read"]


def _file(f: AuditedFile, owner: str) -> Any:
    from spdx_tools.spdx.model.checksum import Checksum, ChecksumAlgorithm
    from spdx_tools.spdx.model.file import File, FileType
    from spdx_tools.spdx.model.spdx_no_assertion import SpdxNoAssertion

    kind = FileType.DOCUMENTATION if f.role in ("card", "license") else FileType.TEXT
    return File(
        name=f"./{f.path}",
        spdx_id=_node_id("File", owner, f.path),
        checksums=[
            Checksum(ChecksumAlgorithm.SHA1, f.sha1 or ""),
            Checksum(ChecksumAlgorithm.SHA256, f.sha256),
        ],
        file_types=[kind],
        license_concluded=SpdxNoAssertion(),
        copyright_text=SpdxNoAssertion(),
        comment=f"Read by Clearance to reach its verdict (role: {f.role}).",
    )


def _weight_package(f: AuditedFile, owner: str, facts: ModelFacts) -> Any:
    from spdx_tools.spdx.model.actor import Actor, ActorType
    from spdx_tools.spdx.model.checksum import Checksum, ChecksumAlgorithm
    from spdx_tools.spdx.model.package import Package, PackagePurpose
    from spdx_tools.spdx.model.spdx_no_assertion import SpdxNoAssertion

    model = facts.model
    url, sha = model.url, model.revision
    where = f"{url}/resolve/{sha}/{quote(f.path)}" if url and sha else SpdxNoAssertion()
    developer = facts.provenance.developer
    supplier = supplier_name(developer.name if developer else None, model.id)
    declared = [d.value for d in facts.license.declared]
    return Package(
        spdx_id=_node_id("Weights", owner, f.path),
        name=f"{model.id}/{f.path}",
        download_location=where,
        version=model_version(model.id, sha, declared),
        file_name=f"./{f.path}",
        supplier=Actor(ActorType.ORGANIZATION, supplier) if supplier else SpdxNoAssertion(),
        files_analyzed=False,
        checksums=[Checksum(ChecksumAlgorithm.SHA256, f.sha256)],
        license_concluded=SpdxNoAssertion(),
        license_declared=SpdxNoAssertion(),
        comment=(
            f"Weight file of {model.id} ({f.size:,} bytes); {ORIGIN_NOTE.get(f.origin, f.origin)}. "
            "A package, not an SPDX file: SPDX 2.3 files need a SHA1, which is not known."
        ),
        primary_package_purpose=PackagePurpose.FILE,
    )


def file_nodes(audited: list[tuple[str, ModelResult]]) -> tuple[list[Any], list[Any], list[Any]]:
    """The SPDX files, the weight packages and the CONTAINS relationships of the audited
    models (``(spdx id, model)`` pairs, in document order)."""
    from spdx_tools.spdx.model.relationship import Relationship, RelationshipType

    files: list[Any] = []
    packages: list[Any] = []
    contains: list[Any] = []
    for spdx_id, model in audited:
        for f in spdx_files(model.facts):
            node = _file(f, spdx_id)
            files.append(node)
            contains.append(Relationship(spdx_id, RelationshipType.CONTAINS, node.spdx_id))
        for f in _weights(model.facts):
            node = _weight_package(f, spdx_id, model.facts)
            packages.append(node)
            contains.append(Relationship(spdx_id, RelationshipType.CONTAINS, node.spdx_id))
    return files, packages, contains
