"""The files of the knowledge base in rules/, read once as bytes (named tuples, not dataclasses:
this module is imported on every run, and a dataclass costs ~1 ms to create).

The same bytes give the digest printed in every report, the key of the compiled knowledge cache
(checker/knowledge_cache.py) and, when the cache has nothing for that key, the YAML that
checker/knowledge_compile.py parses and validates. Reading them is the one I/O a run with a warm
cache does on rules/; nothing is ever taken from the cache without comparing these contents.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import TYPE_CHECKING, NamedTuple

from checker.errors import KnowledgeError

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

SCHEMAS = (
    "license.schema.json",
    "document.schema.json",
    "developers.schema.json",
    "jurisdictions.schema.json",
    "families.schema.json",
    "base-models.schema.json",
)


class RulesFile(NamedTuple):
    """One file of rules/: where reports cite it (``rules/licenses/mit.yaml``) and its bytes."""

    where: str
    name: str
    data: bytes


class RulesFiles(NamedTuple):
    """Every file the knowledge base is made of, in the order it is compiled and digested."""

    meta: RulesFile
    licenses: tuple[RulesFile, ...]
    documents: tuple[RulesFile, ...]
    developers: RulesFile
    jurisdictions: RulesFile
    schemas: tuple[RulesFile, ...]
    families: RulesFile
    base_models: RulesFile

    def digest(self) -> str:
        """The knowledge digest of reports: licences, documents, developers, jurisdictions."""
        digest = hashlib.sha256()
        for file in (
            *self.licenses,
            *self.documents,
            self.developers,
            self.jurisdictions,
            self.families,
            self.base_models,
        ):
            digest.update(file.data)
        return digest.hexdigest()

    def cache_key(self, digest: str, *salt: bytes) -> str:
        """A digest of every file's name and size, of knowledge.yaml's and the schemas' contents,
        of ``digest`` (this ``digest()``: the other files' contents, in order, hashed once for
        both) and of ``salt`` (the cache format and the compiler's code): equal keys, equal
        compiled forms."""
        parts = [*salt, digest.encode("ascii")]
        for file in self.files():
            parts.append(file.where.encode("utf-8"))
            parts.append(len(file.data).to_bytes(8, "little"))
        parts += [self.meta.data, *(schema.data for schema in self.schemas)]
        key = hashlib.sha256(b"clearance-knowledge\0")
        for part in parts:  # length-prefixed: no two different file sets feed the same bytes
            key.update(len(part).to_bytes(8, "little"))
            key.update(part)
        return key.hexdigest()

    def files(self) -> tuple[RulesFile, ...]:
        """Every file, knowledge.yaml first."""
        return (
            self.meta,
            *self.licenses,
            *self.documents,
            self.developers,
            self.jurisdictions,
            self.families,
            self.base_models,
            *self.schemas,
        )


def _read(node: Traversable, where: str) -> RulesFile:
    try:
        return RulesFile(where, node.name, node.read_bytes())
    except OSError as exc:
        raise KnowledgeError(f"rules/{node.name}: cannot be read: {exc}") from exc


def _yaml_files(folder: Traversable, prefix: str) -> tuple[RulesFile, ...]:
    nodes: Iterable[Traversable] = folder.iterdir() if folder.is_dir() else ()
    return tuple(
        _read(node, f"{prefix}/{node.name}")
        for node in sorted(nodes, key=lambda n: n.name)
        if node.name.endswith(".yaml")
    )


def read_rules(root: Traversable) -> RulesFiles:
    """Read the knowledge base's files below ``root`` (the packaged rules/ folder, or a copy)."""
    licenses = root.joinpath("licenses")
    if not licenses.is_dir():
        raise KnowledgeError("rules/licenses: the licence folder is missing")
    schema = root.joinpath("schema")
    return RulesFiles(
        meta=_read(root.joinpath("knowledge.yaml"), "rules/knowledge.yaml"),
        licenses=_yaml_files(licenses, "rules/licenses"),
        documents=_yaml_files(root.joinpath("documents"), "rules/documents"),
        developers=_read(root.joinpath("developers.yaml"), "rules/developers.yaml"),
        jurisdictions=_read(root.joinpath("jurisdictions.yaml"), "rules/jurisdictions.yaml"),
        schemas=tuple(_read(schema.joinpath(name), f"rules/schema/{name}") for name in SCHEMAS),
        families=_read(root.joinpath("families.yaml"), "rules/families.yaml"),
        base_models=_read(root.joinpath("base-models.yaml"), "rules/base-models.yaml"),
    )
