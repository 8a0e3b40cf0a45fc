"""Compile the knowledge base: parse rules/ YAML and validate it against rules/schema/.

The compiled form is plain JSON data (the YAML documents as parsed, once validated), which
checker/knowledge.py turns into its dataclasses on every run and checker/knowledge_cache.py keeps
between runs. This is the only place ruamel.yaml and jsonschema are imported for the knowledge
base, so a run whose cache is warm imports neither. Changing what this module produces changes
its source, and its source is part of the cache key, so no cache built by older code is used.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from checker.errors import KnowledgeError
from checker.knowledge_files import RulesFile, RulesFiles

COMPILED_FORMAT = 1


class _Compiler:
    """One compilation: a YAML loader and one validator per schema, made once."""

    def __init__(self, files: RulesFiles) -> None:
        from ruamel.yaml import YAML

        self._yaml = YAML(typ="safe", pure=False)
        self._schemas = {f.name: f for f in files.schemas}
        self._validators: dict[str, Any] = {}

    def load(self, file: RulesFile) -> Any:
        from ruamel.yaml.error import YAMLError

        try:
            return self._yaml.load(file.data.decode("utf-8"))
        except (UnicodeDecodeError, YAMLError) as exc:
            raise KnowledgeError(f"rules/{file.name}: cannot be read: {exc}") from exc

    def validate(self, data: Any, schema_name: str, where: str) -> None:
        validator = self._validators.get(schema_name)
        if validator is None:
            import jsonschema

            schema = self._schemas[schema_name]
            try:
                validator = jsonschema.Draft202012Validator(json.loads(schema.data))
            except ValueError as exc:
                raise KnowledgeError(f"{schema.where}: not valid JSON: {exc}") from exc
            self._validators[schema_name] = validator
        errors = sorted(validator.iter_errors(data), key=str)
        if errors:
            first = errors[0]
            path = ".".join(str(p) for p in first.absolute_path) or "(top)"
            raise KnowledgeError(f"{where}: {path}: {first.message}")


def compile_rules(files: RulesFiles) -> dict[str, Any]:
    """Parse and validate every file; the compiled form, or a KnowledgeError naming the file."""
    compiler = _Compiler(files)
    meta = compiler.load(files.meta)

    licenses = []
    for file in files.licenses:
        data = compiler.load(file)
        compiler.validate(data, "license.schema.json", file.where)
        if f"{data['key']}.yaml" != file.name:
            raise KnowledgeError(f"{file.where}: key {data['key']!r} does not match the file name")
        licenses.append({"file": file.where, "data": data})

    documents = []
    for file in files.documents:
        data = compiler.load(file)
        compiler.validate(data, "document.schema.json", file.where)
        documents.append({"file": file.where, "data": data})

    dev_data = compiler.load(files.developers)
    compiler.validate(dev_data, "developers.schema.json", files.developers.where)
    seen: set[str] = set()
    for d in dev_data["developers"]:
        org = str(d["org"])
        if org.lower() in seen:
            raise KnowledgeError(f"{files.developers.where}: {org!r} is listed twice")
        seen.add(org.lower())

    jur_data = compiler.load(files.jurisdictions)
    compiler.validate(jur_data, "jurisdictions.schema.json", files.jurisdictions.where)

    families = compiler.load(files.families)
    compiler.validate(families, "families.schema.json", files.families.where)
    base_models = compiler.load(files.base_models)
    compiler.validate(base_models, "base-models.schema.json", files.base_models.where)

    return {
        "format": COMPILED_FORMAT,
        "version": str(_mapping(meta, files.meta)["version"]),
        "licenses": licenses,
        "documents": documents,
        "developers": dev_data["developers"],
        "groups": jur_data["groups"],
        "families": families["families"],
        "base_models": [_catalogue_entry(m) for m in base_models["models"]],
    }


# What a run reads of a catalogued model (checker/knowledge_lineage.py BaseModel): the rest of
# rules/base-models.yaml (how each entry was verified, notes) is for people and the tests, and
# would double the compiled form that every run decodes.
_CATALOGUE_KEYS = ("id", "license", "developer", "base", "relation", "gated")


def _catalogue_entry(model: Mapping[str, Any]) -> dict[str, Any]:
    entry = {k: model[k] for k in _CATALOGUE_KEYS if k in model}
    source = model.get("source")
    if isinstance(source, Mapping) and "url" in source:
        entry["source"] = {"url": source["url"]}
    return entry


def _mapping(data: Any, file: RulesFile) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise KnowledgeError(f"{file.where}: expected a mapping")
    return data
