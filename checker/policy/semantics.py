"""Checks the JSON Schema cannot make: closed vocabularies (countries, purposes, licences,
categories, formats), custom-rule fields and regexes, real dates, ids, and waivers that name a
rule that exists.

Written to cope with wrongly typed input, so that every error of a file comes out in one pass
alongside the schema's own.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterator
from functools import cache
from typing import Any

from checker.checks import RULES
from checker.errors import PolicyIssue
from checker.knowledge import CATEGORIES, PROHIBITED_USES, Knowledge
from checker.paths import escaped
from checker.policy import conditions
from checker.policy.fields import FIELDS, is_known_field, normalise_field
from checker.policy.reader import PolicyFile, key_path, mappings, position

Issue = Callable[[list[Any], str], PolicyIssue]

WEIGHT_FORMATS = (
    "safetensors",
    "gguf",
    "ggml",
    "onnx",
    "pickle",
    "keras-h5",
    "keras",
    "flax-msgpack",
    "tflite",
    "coreml",
    "numpy",
)
_TEMPLATE = re.compile(r"\$\{([^}]*)\}")


@cache
def _spdx_ids() -> frozenset[str]:
    from importlib.resources import files

    index = files("license_expression").joinpath("data", "scancode-licensedb-index.json")
    entries = json.loads(index.read_text(encoding="utf-8"))
    out: set[str] = set()
    for entry in entries:
        for key in [entry.get("spdx_license_key"), *entry.get("other_spdx_license_keys", [])]:
            if key:
                out.add(str(key).lower())
    return frozenset(out)


def _section(plain: dict[str, Any], name: str) -> dict[str, Any]:
    value = plain.get(name)
    return value if isinstance(value, dict) else {}


def _strings(value: Any) -> list[tuple[int, str]]:
    return (
        [(i, v) for i, v in enumerate(value) if isinstance(v, str)]
        if isinstance(value, list)
        else []
    )


def code_problem(code: str, kb: Knowledge) -> str | None:
    """Why a territory code is not usable: it must be an assigned ISO 3166-1 alpha-2 code in
    upper case (``UK`` and ``EL`` are taken as ``GB`` and ``GR``) or a country group."""
    from checker.countries import is_country

    if kb.is_group(code) or (code.isupper() and is_country(code)):
        return None
    known = ", ".join(sorted(kb.groups))
    if len(code) == 2 and code.isalpha() and code.isupper():
        what = "is not an assigned ISO 3166-1 alpha-2 code (like DE), nor a group"
        return f"{code!r} {what}: {known}"
    return f"unknown country or group {code!r} (an ISO 3166-1 alpha-2 code like DE, or: {known})"


def purpose_problem(purpose: str) -> str | None:
    """Why an intended purpose is not in the closed vocabulary."""
    if purpose in PROHIBITED_USES:
        return None
    return f"unknown purpose {purpose!r} (known: {', '.join(PROHIBITED_USES)})"


def semantic_issues(pf: PolicyFile, kb: Knowledge) -> Iterator[PolicyIssue]:
    """Checks the JSON Schema cannot make (closed vocabularies, fields, regexes, dates, ids).

    Written to cope with wrongly typed input, so that every error of a file comes out in one
    pass alongside the schema's own.
    """
    plain, node = pf.plain, pf.node

    def issue(path: list[Any], message: str) -> PolicyIssue:
        line, col = position(node, path)
        return PolicyIssue(pf.name, line, col, key_path(path), message)

    for section, key in (
        ("use", "based-in"),
        ("use", "territories"),
        ("provenance", "deny-jurisdictions"),
    ):
        for index, code in _strings(_section(plain, section).get(key)):
            problem = code_problem(code, kb)
            if problem:
                yield issue([section, key, index], problem)
    for index, purpose in _strings(_section(plain, "use").get("purposes")):
        problem = purpose_problem(purpose)
        if problem:
            yield issue(["use", "purposes", index], problem)
    licenses = _section(plain, "licenses")
    for key in ("allow", "deny"):
        for index, name in _strings(licenses.get(key)):
            if (
                kb.license(name) is None
                and name.lower() not in _spdx_ids()
                and not (name.startswith("LicenseRef-"))
            ):
                yield issue(
                    ["licenses", key, index],
                    f"unknown licence {name!r} (not an SPDX id, a Hub id or a "
                    "knowledge-base licence; see `clearance licenses`)",
                )
    for key in ("allow-categories", "deny-categories"):
        for index, name in _strings(licenses.get(key)):
            if name not in CATEGORIES:
                yield issue(
                    ["licenses", key, index],
                    f"unknown category {name!r} (known: {', '.join(CATEGORIES)})",
                )
    for index, fmt in _strings(_section(plain, "weights").get("deny-formats")):
        if fmt not in WEIGHT_FORMATS:
            yield issue(
                ["weights", "deny-formats", index],
                f"unknown format {fmt!r} (known: {', '.join(WEIGHT_FORMATS)})",
            )
    for index, rule in mappings(plain.get("rules")):
        yield from _condition_issues(rule.get("when"), ["rules", index, "when"], issue)
        message = rule.get("message")
        for match in _TEMPLATE.finditer(message if isinstance(message, str) else ""):
            if not is_known_field(match.group(1)):
                yield issue(
                    ["rules", index, "message"],
                    f"${{{match.group(1)}}} is not a known field (see the facts model)",
                )
    for index, waiver in mappings(plain.get("waivers")):
        expires = waiver.get("expires")
        if isinstance(expires, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", expires):
            try:
                dt.date.fromisoformat(expires)
            except ValueError:
                yield issue(["waivers", index, "expires"], f"{expires!r} is not a real date")
    yield from _duplicate_ids(plain, issue)


def _duplicate_ids(plain: dict[str, Any], issue: Issue) -> Iterator[PolicyIssue]:
    for section in ("rules", "waivers"):
        seen: set[str] = set()
        for index, item in mappings(plain.get(section)):
            ident = item.get("id")
            if not isinstance(ident, str):
                continue
            if ident in seen:
                yield issue([section, index, "id"], f"duplicate id {ident!r}")
            seen.add(ident)
            if section == "rules" and ident in RULES:
                yield issue([section, index, "id"], f"{ident!r} is a built-in rule id")


def _condition_issues(cond: Any, path: list[Any], issue: Issue) -> Iterator[PolicyIssue]:
    if not isinstance(cond, dict):
        return
    combinators = [k for k in ("all", "any", "not") if k in cond]
    ops = [k for k in conditions.OPERATORS if k in cond]
    if combinators:
        if len(combinators) > 1 or "field" in cond or ops:
            yield issue(path, "a condition is one of all/any/not, or one {field, operator} leaf")
            return
        kind = combinators[0]
        children = [cond[kind]] if kind == "not" else cond[kind]
        for index, child in enumerate(children if isinstance(children, list) else []):
            sub = [*path, kind] if kind == "not" else [*path, kind, index]
            yield from _condition_issues(child, sub, issue)
        return
    if "field" not in cond:
        yield issue(path, "a leaf condition needs 'field' and one operator")
        return
    field = cond["field"]
    if not isinstance(field, str):
        return  # the schema reports the wrong type
    if not is_known_field(field):
        near = sorted(f for f in FIELDS if f.split(".")[0] == normalise_field(field).split(".")[0])
        hint = ", ".join(near) if near else ", ".join(sorted({f.split(".")[0] for f in FIELDS}))
        yield issue([*path, "field"], f"unknown field {field!r} (valid: {hint})")
    if len(ops) != 1:
        yield issue(path, f"a leaf needs exactly one operator ({', '.join(conditions.OPERATORS)})")
        return
    op = ops[0]
    if op == "matches" and isinstance(cond[op], str):
        try:
            conditions.compile_pattern(cond[op])
        except ValueError as exc:
            yield issue([*path, op], f"invalid regular expression: {exc}")
    if op == "contains" and not isinstance(cond[op], str):
        yield issue(
            [*path, op],
            f"contains looks for a string in a text or a list, not {escaped(repr(cond[op]))[:80]}"
            " (for a number use equals, which over a list field matches any item)",
        )
    if op == "has_category":
        wanted = cond[op] if isinstance(cond[op], list) else [cond[op]]
        for name in wanted:
            if name not in CATEGORIES:
                yield issue(
                    [*path, op], f"unknown category {name!r} (known: {', '.join(CATEGORIES)})"
                )


def chain_issues(chain: list[PolicyFile], merged: dict[str, Any]) -> Iterator[PolicyIssue]:
    custom = {r.get("id") for _, r in mappings(merged.get("rules"))}
    for pf in chain:
        for index, waiver in mappings(pf.plain.get("waivers")):
            rule = waiver.get("rule")
            if rule not in RULES and rule not in custom:
                line, col = position(pf.node, ["waivers", index, "rule"])
                yield PolicyIssue(
                    pf.name,
                    line,
                    col,
                    f"waivers[{index}].rule",
                    f"unknown rule {rule!r} (a built-in rule id or a custom rule id)",
                )


def alias_notes(pf: PolicyFile) -> Iterator[str]:
    """Notes for country aliases the policy writes (``UK`` is taken as ``GB``), with their place."""
    from checker.countries import alias_note

    plain, node = pf.plain, pf.node
    for section, key in (
        ("use", "based-in"),
        ("use", "territories"),
        ("provenance", "deny-jurisdictions"),
    ):
        for index, code in _strings(_section(plain, section).get(key)):
            note = alias_note(code)
            if note:
                line, col = position(node, [section, key, index])
                yield f"{pf.name}:{line}:{col}: {section}.{key}[{index}]: {note}"
