"""A policy file against the JSON Schema (rules/schema/policy.schema.json), in YAML's terms.

Each schema error becomes a PolicyIssue at the key's line and column, with the key path and a
message that speaks YAML (mapping, list) and lists the valid keys for an unknown one.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

from checker.errors import PolicyIssue
from checker.policy.reader import PolicyFile, key_path, position
from checker.resources import rules_file

_PATTERN_HINTS = {
    "^[0-9]{4}-[0-9]{2}-[0-9]{2}$": "a date YYYY-MM-DD",
    "^([A-Z]{2}|[A-Za-z][a-z0-9-]+)$": "an ISO 3166-1 alpha-2 code (DE) or a country group (eu)",
    "^[a-z0-9][a-z0-9_.-]*/[a-z0-9][a-z0-9_.-]*$": "an id of the form org/name, lower case",
    "^[0-9a-fA-F]{64}$": "a SHA-256 digest (64 hex digits, as sha256sum prints it)",
}


@cache
def _schema_bytes() -> bytes:
    return rules_file("schema", "policy.schema.json").read_bytes()


@cache
def _schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(_schema_bytes())
    return loaded


def _type_name(value: Any) -> str:
    return {
        bool: "boolean",
        int: "integer",
        float: "number",
        str: "string",
        list: "list",
        dict: "mapping",
        type(None): "null",
    }.get(type(value), type(value).__name__)


KEEP_MARKS = 64  # files known valid, remembered per cache folder


def _valid_mark(pf: PolicyFile) -> Path | None:
    """Where "this exact file is valid against this exact schema" is remembered: the name is a
    digest of the schema's and the file's bytes, so an edit of either is a new name."""
    from checker.knowledge_cache import cache_dir

    folder = cache_dir()
    if folder is None:
        return None
    digest = hashlib.sha256(_schema_bytes() + b"\0" + pf.data).hexdigest()
    return folder / "policy-valid" / digest


def _remember_valid(mark: Path) -> None:
    with contextlib.suppress(OSError):
        mark.parent.mkdir(parents=True, exist_ok=True)
        mark.touch()
        marks = sorted(mark.parent.iterdir(), key=lambda m: m.stat().st_mtime)
        for old in marks[:-KEEP_MARKS]:
            old.unlink()


def schema_issues(pf: PolicyFile) -> Iterator[PolicyIssue]:
    """Every schema error of one file. A file already found valid against the same schema is
    not validated again (jsonschema costs more to import than a small audit takes)."""
    mark = _valid_mark(pf)
    if mark is not None and mark.is_file():
        return
    found = list(_validate(pf))
    if not found and mark is not None:
        _remember_valid(mark)
    yield from found


def _validate(pf: PolicyFile) -> Iterator[PolicyIssue]:
    import jsonschema

    validator = jsonschema.Draft202012Validator(_schema())
    for error in validator.iter_errors(pf.plain):
        path = list(error.absolute_path)
        kind, value, expected = error.validator, error.instance, error.validator_value
        if kind == "additionalProperties" and isinstance(value, dict):
            allowed = sorted(error.schema.get("properties", {}))
            for extra in sorted(k for k in value if k not in allowed):
                line, col = position(pf.node, [*path, extra])
                yield PolicyIssue(
                    pf.name,
                    line,
                    col,
                    key_path([*path, extra]),
                    f"unknown key (expected: {', '.join(allowed)})",
                )
            continue
        if kind == "required" and isinstance(value, dict):
            line, col = position(pf.node, path)
            for missing in [k for k in expected if k not in value]:
                yield PolicyIssue(
                    pf.name,
                    line,
                    col,
                    key_path(path) or "(top)",
                    f"missing required key '{missing}'",
                )
            continue
        line, col = position(pf.node, path)
        if kind == "type":
            types = expected if isinstance(expected, list) else [expected]
            shown = " or ".join(
                "mapping" if t == "object" else "list" if t == "array" else t for t in types
            )
            message = f"expected {shown}, got {_type_name(value)} {value!r}"
        elif kind == "enum":
            message = f"expected one of: {', '.join(map(str, expected))} (got {value!r})"
        elif kind == "const":
            message = f"must be {expected!r} (got {value!r})"
        elif kind in ("minLength", "minItems", "minProperties"):
            message = "must not be empty"
        elif kind == "pattern":
            message = f"{value!r} is not {_PATTERN_HINTS.get(expected, f'matching {expected}')}"
        elif kind == "minimum":
            message = f"must be at least {expected} (got {value!r})"
        elif kind == "dependentRequired" and isinstance(value, dict):
            pairs = [(k, m) for k, needs in expected.items() if k in value for m in needs]
            message = "; ".join(f"'{k}' needs '{m}'" for k, m in pairs if m not in value)
        elif kind == "oneOf" and "description" in error.schema:
            message = f"expected {error.schema['description']} (got {value!r})"
        else:
            message = error.message
        yield PolicyIssue(pf.name, line, col, key_path(path) or "(top)", message)
