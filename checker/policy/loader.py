"""Load a policy file: YAML with lines, ``extends`` chains, JSON Schema and semantic checks.

Every problem in every file of the chain is collected in one pass and raised together as a
PolicyError whose lines read ``file:line:column: key.path: message``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from checker import yamlio
from checker.catalog import RULES
from checker.errors import PolicyError, PolicyIssue
from checker.findings import Severity
from checker.knowledge import CATEGORIES, PROHIBITED_USES, Knowledge
from checker.paths import display_path
from checker.policy import conditions
from checker.policy.fields import FIELDS, is_known_field, normalise_field
from checker.policy.model import (
    CardPolicy,
    CustomRule,
    LicensePolicy,
    Policy,
    ProvenancePolicy,
    Settings,
    UseProfile,
    Waiver,
    WeightsPolicy,
    level,
)
from checker.resources import rules_file

MAX_POLICY_BYTES = 1024 * 1024
MAX_EXTENDS_DEPTH = 16
BUILTIN_PREFIX = "builtin:"
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
_PATTERN_HINTS = {
    "^[0-9]{4}-[0-9]{2}-[0-9]{2}$": "a date YYYY-MM-DD",
    "^([A-Z]{2}|[A-Za-z][a-z0-9-]+)$": "an ISO 3166-1 alpha-2 code (DE) or a country group (eu)",
    "^[a-z0-9][a-z0-9_.-]*/[a-z0-9][a-z0-9_.-]*$": "an id of the form org/name, lower case",
}
_TEMPLATE = re.compile(r"\$\{([^}]*)\}")


@dataclass(frozen=True, slots=True)
class PolicyFile:
    """One file of an extends chain: its name, raw bytes and parsed nodes."""

    name: str
    data: bytes
    node: Any
    plain: dict[str, Any]


@cache
def _schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(rules_file("schema", "policy.schema.json").read_text())
    return loaded


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


def builtin_names() -> list[str]:
    """Names of the built-in policies (``builtin:<name>``)."""
    folder = rules_file("policies")
    return sorted(n.name[:-5] for n in folder.iterdir() if n.name.endswith(".yaml"))


def load_policy(ref: str | Path, kb: Knowledge) -> Policy:
    """Load and validate a policy (a path or ``builtin:<name>``), merging its extends chain."""
    issues: list[PolicyIssue] = []
    chain = list(_chain(str(ref), Path.cwd(), [], issues))
    for pf in chain:
        issues.extend(_schema_issues(pf))
        issues.extend(_semantic_issues(pf, kb))
    merged: dict[str, Any] = {}
    for pf in chain:
        merged = _merge(merged, pf.plain)
    if not issues:
        issues.extend(_chain_issues(chain, merged))
    if issues:
        raise PolicyError(list(dict.fromkeys(issues)))
    digest = hashlib.sha256()
    for pf in chain:
        digest.update(pf.data)
    return _build(merged, chain, digest.hexdigest())


def _read(ref: str, base: Path) -> tuple[str, bytes, Path | None]:
    if ref.startswith(BUILTIN_PREFIX):
        name = ref[len(BUILTIN_PREFIX) :]
        node = rules_file("policies", f"{name}.yaml")
        if not re.fullmatch(r"[a-z0-9-]+", name) or not node.is_file():
            known = ", ".join(f"builtin:{n}" for n in builtin_names())
            raise FileNotFoundError(f"no built-in policy {ref!r} (known: {known})")
        return ref, node.read_bytes(), None
    path = (base / ref) if not Path(ref).is_absolute() else Path(ref)
    if not path.is_file():
        if path.exists():
            raise ValueError("not a regular file")
        raise FileNotFoundError(2, "No such file")
    with open(path, "rb") as handle:
        data = handle.read(MAX_POLICY_BYTES + 1)
    if len(data) > MAX_POLICY_BYTES:
        raise ValueError(f"larger than {MAX_POLICY_BYTES:,} bytes")
    return display_path(path), data, path.resolve()


@dataclass(frozen=True, slots=True)
class _Origin:
    """Where an ``extends`` entry names the file being read (for error positions)."""

    file: str
    line: int
    column: int
    key_path: str
    written: str


def _chain(
    ref: str, base: Path, seen: list[str], issues: list[PolicyIssue], origin: _Origin | None = None
) -> Iterator[PolicyFile]:
    def report(message: str) -> None:
        if origin is None:
            issues.append(PolicyIssue(ref, 1, 1, "", message))
        else:
            issues.append(
                PolicyIssue(origin.file, origin.line, origin.column, origin.key_path, message)
            )

    shown = origin.written if origin else ref
    try:
        name, data, resolved = _read(ref, base)
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        if isinstance(exc, FileNotFoundError) and not ref.startswith(BUILTIN_PREFIX):
            reason = "no such file"
        report(f"cannot read {shown}: {reason}")
        return
    key = str(resolved) if resolved else name
    if key in seen:
        report(f"{shown} is already being extended (a cycle)")
        return
    if len(seen) >= MAX_EXTENDS_DEPTH:
        report(f"extends chain is deeper than {MAX_EXTENDS_DEPTH} files")
        return
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        issues.append(PolicyIssue(name, line, 1, "", f"not valid UTF-8 (byte {exc.start})"))
        return
    try:
        node = yamlio.load(text)
    except yamlio.YamlProblem as exc:
        issues.append(PolicyIssue(name, exc.line, exc.column, "", exc.message))
        return
    if not isinstance(node, dict):
        issues.append(PolicyIssue(name, 1, 1, "", "a policy is a YAML mapping (version: 1, ...)"))
        return
    plain = yamlio.to_plain(node)
    extends = node.get("extends")
    if isinstance(extends, list):
        folder = resolved.parent if resolved else Path.cwd()
        for index, parent in enumerate(extends):
            if not isinstance(parent, str):
                continue
            line, col = yamlio.item_position(extends, index) or (0, 0)
            parent_ref = parent if parent.startswith(BUILTIN_PREFIX) else str(folder / parent)
            where = _Origin(name, line + 1, col + 1, f"extends[{index}]", parent)
            yield from _chain(parent_ref, folder, [*seen, key], issues, where)
    yield PolicyFile(name, data, node, plain)


def _position(root: Any, path: list[Any]) -> tuple[int, int]:
    node, pos = root, (0, 0)
    for part in path:
        if isinstance(node, dict) and part in node:
            pos = yamlio.key_position(node, part) or pos
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            pos = yamlio.item_position(node, part) or pos
            node = node[part]
        else:
            break
    return pos[0] + 1, pos[1] + 1


def _key_path(path: list[Any]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


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


def _schema_issues(pf: PolicyFile) -> Iterator[PolicyIssue]:
    import jsonschema

    validator = jsonschema.Draft202012Validator(_schema())
    for error in validator.iter_errors(pf.plain):
        path = list(error.absolute_path)
        kind, value, expected = error.validator, error.instance, error.validator_value
        if kind == "additionalProperties" and isinstance(value, dict):
            allowed = sorted(error.schema.get("properties", {}))
            for extra in sorted(k for k in value if k not in allowed):
                line, col = _position(pf.node, [*path, extra])
                yield PolicyIssue(
                    pf.name,
                    line,
                    col,
                    _key_path([*path, extra]),
                    f"unknown key (expected: {', '.join(allowed)})",
                )
            continue
        if kind == "required" and isinstance(value, dict):
            line, col = _position(pf.node, path)
            for missing in [k for k in expected if k not in value]:
                yield PolicyIssue(
                    pf.name,
                    line,
                    col,
                    _key_path(path) or "(top)",
                    f"missing required key '{missing}'",
                )
            continue
        line, col = _position(pf.node, path)
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
        else:
            message = error.message
        yield PolicyIssue(pf.name, line, col, _key_path(path) or "(top)", message)


def _section(plain: dict[str, Any], name: str) -> dict[str, Any]:
    value = plain.get(name)
    return value if isinstance(value, dict) else {}


def _strings(value: Any) -> list[tuple[int, str]]:
    return (
        [(i, v) for i, v in enumerate(value) if isinstance(v, str)]
        if isinstance(value, list)
        else []
    )


def _mappings(value: Any) -> list[tuple[int, dict[str, Any]]]:
    return (
        [(i, v) for i, v in enumerate(value) if isinstance(v, dict)]
        if isinstance(value, list)
        else []
    )


def code_problem(code: str, kb: Knowledge) -> str | None:
    """Why a territory code is not usable (an ISO 3166-1 alpha-2 code or a country group)."""
    if (len(code) == 2 and code.isalpha() and code.isupper()) or kb.is_group(code):
        return None
    known = ", ".join(sorted(kb.groups))
    return f"unknown country or group {code!r} (an ISO 3166-1 alpha-2 code like DE, or: {known})"


def purpose_problem(purpose: str) -> str | None:
    """Why an intended purpose is not in the closed vocabulary."""
    if purpose in PROHIBITED_USES:
        return None
    return f"unknown purpose {purpose!r} (known: {', '.join(PROHIBITED_USES)})"


def _semantic_issues(pf: PolicyFile, kb: Knowledge) -> Iterator[PolicyIssue]:
    """Checks the JSON Schema cannot make (closed vocabularies, fields, regexes, dates, ids).

    Written to cope with wrongly typed input, so that every error of a file comes out in one
    pass alongside the schema's own.
    """
    plain, node = pf.plain, pf.node

    def issue(path: list[Any], message: str) -> PolicyIssue:
        line, col = _position(node, path)
        return PolicyIssue(pf.name, line, col, _key_path(path), message)

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
    for index, rule in _mappings(plain.get("rules")):
        yield from _condition_issues(rule.get("when"), ["rules", index, "when"], issue)
        message = rule.get("message")
        for match in _TEMPLATE.finditer(message if isinstance(message, str) else ""):
            if not is_known_field(match.group(1)):
                yield issue(
                    ["rules", index, "message"],
                    f"${{{match.group(1)}}} is not a known field (see the facts model)",
                )
    for index, waiver in _mappings(plain.get("waivers")):
        expires = waiver.get("expires")
        if isinstance(expires, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", expires):
            try:
                dt.date.fromisoformat(expires)
            except ValueError:
                yield issue(["waivers", index, "expires"], f"{expires!r} is not a real date")
    yield from _duplicate_ids(plain, issue)


def _duplicate_ids(plain: dict[str, Any], issue: Any) -> Iterator[PolicyIssue]:
    for section in ("rules", "waivers"):
        seen: set[str] = set()
        for index, item in _mappings(plain.get(section)):
            ident = item.get("id")
            if not isinstance(ident, str):
                continue
            if ident in seen:
                yield issue([section, index, "id"], f"duplicate id {ident!r}")
            seen.add(ident)
            if section == "rules" and ident in RULES:
                yield issue([section, index, "id"], f"{ident!r} is a built-in rule id")


def _condition_issues(cond: Any, path: list[Any], issue: Any) -> Iterator[PolicyIssue]:
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
            re.compile(cond[op])
        except re.error as exc:
            yield issue([*path, op], f"invalid regular expression: {exc}")
    if op == "has_category":
        wanted = cond[op] if isinstance(cond[op], list) else [cond[op]]
        for name in wanted:
            if name not in CATEGORIES:
                yield issue(
                    [*path, op], f"unknown category {name!r} (known: {', '.join(CATEGORIES)})"
                )


def _chain_issues(chain: list[PolicyFile], merged: dict[str, Any]) -> Iterator[PolicyIssue]:
    custom = {r.get("id") for _, r in _mappings(merged.get("rules"))}
    for pf in chain:
        for index, waiver in _mappings(pf.plain.get("waivers")):
            rule = waiver.get("rule")
            if rule not in RULES and rule not in custom:
                line, col = _position(pf.node, ["waivers", index, "rule"])
                yield PolicyIssue(
                    pf.name,
                    line,
                    col,
                    f"waivers[{index}].rule",
                    f"unknown rule {rule!r} (a built-in rule id or a custom rule id)",
                )


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if key == "extends":
            continue
        if key in ("rules", "waivers"):
            by_id = {item.get("id"): item for _, item in _mappings(out.get(key))}
            for _, item in _mappings(value):
                by_id[item.get("id")] = item
            out[key] = list(by_id.values())
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _compile(cond: dict[str, Any]) -> conditions.Condition:
    for kind in ("all", "any"):
        if kind in cond:
            return conditions.Combine(kind, tuple(_compile(c) for c in cond[kind]))
    if "not" in cond:
        return conditions.Combine("not", (_compile(cond["not"]),))
    op = next(k for k in conditions.OPERATORS if k in cond)
    value = cond[op]
    pattern = re.compile(value) if op == "matches" else None
    return conditions.Leaf(normalise_field(cond["field"]), op, value, pattern)


def _codes(values: list[str] | None) -> tuple[str, ...] | None:
    return None if values is None else tuple(v if v.islower() else v.upper() for v in values)


def _build(data: dict[str, Any], chain: list[PolicyFile], digest: str) -> Policy:
    use, settings = data.get("use", {}), data.get("settings", {})
    lic, prov = data.get("licenses", {}), data.get("provenance", {})
    weights, card = data.get("weights", {}), data.get("card", {})
    waiver_lines: dict[str, tuple[str, int]] = {}
    for pf in chain:
        for index, w in enumerate(pf.plain.get("waivers", [])):
            waiver_lines[w["id"]] = (pf.name, _position(pf.node, ["waivers", index])[0])
    defaults = Settings()
    return Policy(
        name=str(data.get("name") or chain[-1].name),
        files=tuple(pf.name for pf in chain),
        sha256=digest,
        use=UseProfile(
            commercial=use.get("commercial"),
            monthly_active_users=use.get("monthly-active-users"),
            based_in=_codes(use.get("based-in")),
            territories=_codes(use.get("territories")),
            distribution=use.get("distribution"),
            purposes=None if use.get("purposes") is None else tuple(use["purposes"]),
            train_other_models=use.get("train-other-models"),
        ),
        settings=Settings(
            fail_on=Severity(settings.get("fail-on", defaults.fail_on.value)),
            unknown=level(settings.get("unknown", "error")),
            unused_waiver=level(settings.get("unused-waiver", "warning")),
            expired_waiver=level(settings.get("expired-waiver", "error")),
        ),
        licenses=LicensePolicy(
            allow=tuple(lic.get("allow", ())),
            allow_categories=tuple(lic.get("allow-categories", ())),
            deny=tuple(lic.get("deny", ())),
            deny_categories=tuple(lic.get("deny-categories", ())),
        ),
        provenance=ProvenancePolicy(
            deny_jurisdictions=_codes(prov.get("deny-jurisdictions")) or (),
            include_lineage=prov.get("include-lineage", True),
            unknown_developer=level(prov.get("unknown-developer", "warning")),
        ),
        weights=WeightsPolicy(
            allow_availability=tuple(
                weights.get("allow-availability", ("open", "gated-auto", "gated-manual"))
            ),
            deny_formats=tuple(weights.get("deny-formats", ())),
            unsafe_format=level(weights.get("unsafe-format", "error")),
            remote_code=level(weights.get("remote-code", "warning")),
        ),
        card=CardPolicy(require=tuple(card.get("require", ()))),
        rules=tuple(
            CustomRule(
                id=r["id"],
                severity=Severity(r["severity"]),
                message=r["message"],
                help=r.get("help", ""),
                when=_compile(r["when"]),
                on_missing=r.get("on-missing", "unknown"),
            )
            for r in data.get("rules", [])
        ),
        waivers=tuple(
            Waiver(
                id=w["id"],
                rule=w["rule"],
                model=w["model"],
                reason=w["reason"],
                approved_by=w["approved-by"],
                expires=dt.date.fromisoformat(w["expires"]) if w.get("expires") else None,
                file=waiver_lines[w["id"]][0],
                line=waiver_lines[w["id"]][1],
            )
            for w in data.get("waivers", [])
        ),
    )
