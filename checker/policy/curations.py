"""The policy's curations: ``developers:`` (org -> country, name, source) and ``clarify:`` (model
globs -> licence, optionally pinned to a licence file's SHA-256), read from an ``extends`` chain
with the file and line of every entry, and the checks on them the JSON Schema cannot make.

Merging follows the other sections' rules: entries add up, and the nearer file wins; a developer
repeated later (case-insensitive org) replaces the earlier entry whole, and a clarification for
the same models likewise; the nearer file's clarifications are tried first.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from types import MappingProxyType
from typing import Any

from checker import licensing, yamlio
from checker.countries import alias_note, canonical
from checker.errors import PolicyIssue
from checker.facts.curations import Clarification, CuratedDeveloper, Curations
from checker.knowledge import Knowledge
from checker.policy.reader import PolicyFile, key_path, mappings, position
from checker.policy.semantics import code_problem

ORG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")  # a Hub namespace (rules/developers.yaml's)
# org/name (a local folder's name may hold any printable character) with wildcards, or ``*``
GLOB = re.compile(r"^[^/\x00-\x1f\x7f]+/[^/\x00-\x1f\x7f]+$|^\*$")
SECTIONS = ("developers", "clarify")


def _globs(value: Any) -> list[tuple[int | None, Any]]:
    """The ``models`` value as (index in the list or None for a string, glob)."""
    if isinstance(value, list):
        return list(enumerate(value))
    return [(None, value)]


def _models_key(value: Any) -> tuple[str, ...]:
    return tuple(sorted({str(g).lower() for _, g in _globs(value)}))


def _line(node: Any, key: str | int) -> int | None:
    pos = (
        yamlio.item_position(node, key) if isinstance(key, int) else yamlio.key_position(node, key)
    )
    return None if pos is None else pos[0] + 1


def read_curations(chain: list[PolicyFile]) -> Curations:
    """The curations of a valid chain (parents first), the nearest file's entries first."""
    developers: dict[str, CuratedDeveloper] = {}
    clarify: list[Clarification] = []
    seen: set[tuple[str, ...]] = set()
    for pf in reversed(chain):
        section = pf.plain.get("developers")
        node = pf.node.get("developers") if isinstance(pf.node, dict) else None
        for org, entry in (section or {}).items() if isinstance(section, dict) else ():
            if org.lower() in developers or not isinstance(entry, dict):
                continue
            developers[org.lower()] = CuratedDeveloper(
                org=org,
                country=canonical(str(entry["country"])),
                name=entry.get("name"),
                source=entry.get("source"),
                file=pf.name,
                line=_line(node, org),
            )
        items = pf.node.get("clarify") if isinstance(pf.node, dict) else None
        for index, item in mappings(pf.plain.get("clarify")):
            key = _models_key(item.get("models"))
            if key in seen:
                continue
            seen.add(key)
            models = item["models"]
            clarify.append(
                Clarification(
                    models=tuple(models) if isinstance(models, list) else (models,),
                    license=item["license"],
                    file=pf.name,
                    line=_line(items, index),
                    index=index,
                    license_file=item.get("file"),
                    sha256=str(item["sha256"]).lower() if "sha256" in item else None,
                    reason=item.get("reason"),
                )
            )
    return Curations(MappingProxyType(developers), tuple(clarify))


def curation_issues(pf: PolicyFile, kb: Knowledge) -> Iterator[PolicyIssue]:
    """What the schema cannot say of one file's ``developers:`` and ``clarify:``: Hub
    namespaces, countries, globs, licence ids (with the closest known), licence file names and
    duplicates. Written to cope with wrongly typed input (the schema reports the types)."""

    def issue(path: list[Any], message: str) -> PolicyIssue:
        line, col = position(pf.node, path)
        return PolicyIssue(pf.name, line, col, key_path(path), message)

    yield from _developer_issues(pf.plain.get("developers"), kb, issue)
    yield from _clarify_issues(pf.plain.get("clarify"), kb, issue)


def _developer_issues(section: Any, kb: Knowledge, issue: Any) -> Iterator[PolicyIssue]:
    if not isinstance(section, dict):
        return
    seen: dict[str, str] = {}
    for org, entry in section.items():
        path: list[Any] = ["developers", org]
        if not ORG.match(org):
            yield issue(path, f"{org!r} is not a Hub namespace (letters, digits, '-', '_', '.')")
        elif org.lower() in seen:
            yield issue(path, f"duplicate developer {org!r} (also written {seen[org.lower()]!r})")
        seen.setdefault(org.lower(), org)
        country = entry.get("country") if isinstance(entry, dict) else None
        if not isinstance(country, str):
            continue
        if kb.is_group(country):
            yield issue(
                [*path, "country"],
                f"{country!r} is a country group; a developer is established in one country "
                "(an ISO 3166-1 alpha-2 code like DE)",
            )
            continue
        problem = code_problem(country, kb)
        if problem:
            yield issue([*path, "country"], problem)


def _clarify_issues(section: Any, kb: Knowledge, issue: Any) -> Iterator[PolicyIssue]:
    seen: dict[tuple[str, ...], int] = {}
    for index, item in mappings(section):
        path: list[Any] = ["clarify", index]
        for at, glob in _globs(item.get("models")):
            where = [*path, "models"] if at is None else [*path, "models", at]
            if isinstance(glob, str) and glob and not _valid_glob(glob):
                yield issue(
                    where,
                    f"{glob!r} is not a model glob (org/name with wildcards * ? [...], "
                    "like 'acme/tiny-*')",
                )
        if "models" in item:
            key = _models_key(item["models"])
            if key in seen:
                yield issue(
                    [*path, "models"],
                    f"duplicate clarification for {', '.join(key)} (also clarify[{seen[key]}])",
                )
            seen.setdefault(key, index)
        licence = item.get("license")
        if isinstance(licence, str) and licence.strip():
            problem = _license_problem(licence, kb)
            if problem:
                yield issue([*path, "license"], problem)
        name = item.get("file")
        if isinstance(name, str) and name:
            problem = _file_problem(name)
            if problem:
                yield issue([*path, "file"], problem)


def _valid_glob(glob: str) -> bool:
    """An ``org/name`` pattern (or ``*``) whose brackets are closed."""
    if not GLOB.match(glob) or glob != glob.strip():
        return False
    depth = 0
    for char in glob:
        if char == "[":
            if depth:
                return False
            depth = 1
        elif char == "]" and depth:
            depth = 0
    return depth == 0


def _license_problem(licence: str, kb: Knowledge) -> str | None:
    """Why a clarified licence cannot be used: each id of the expression must be one the
    knowledge base knows (its terms are what the checks judge)."""
    from checker.cli_text import did_you_mean

    resolved = licensing.resolve(kb, licence)
    if resolved.expression is not None:
        return None
    names = {n: e.key for e in kb.licenses for n in (e.key, e.id, *e.hub_ids, *e.aliases)}
    unknown = resolved.unknown or (licence,)
    shown = "; ".join(f"{u!r}{did_you_mean(u, names)}" for u in unknown)
    return (
        f"unknown licence {shown}; a clarification names licences the knowledge base knows "
        "(`clearance licenses` lists them)"
    )


def _file_problem(name: str) -> str | None:
    """Why ``file:`` cannot name a licence file the sources read: a top-level file whose name
    is a licence file's (LICENSE, LICENSE.md, COPYING, NOTICE, MODEL_LICENSE, ...)."""
    from checker.sources.local import LICENSE_FILE

    if "/" in name or "\\" in name or name in (".", ".."):
        return f"{name!r} is not a file name (a top-level licence file of the model, like LICENSE)"
    if not LICENSE_FILE.match(name) or name.lower() == "readme.md":
        return (
            f"{name!r} is not a licence file Clearance reads (LICENSE*, LICENCE*, COPYING*, "
            "NOTICE*, MODEL_LICENSE, USE_POLICY*, *-LICENSE*)"
        )
    return None


def curation_notes(pf: PolicyFile) -> Iterator[str]:
    """Notes for country aliases the developers write (``UK`` is taken as ``GB``)."""
    section = pf.plain.get("developers")
    for org, entry in section.items() if isinstance(section, dict) else ():
        country = entry.get("country") if isinstance(entry, dict) else None
        note = alias_note(country) if isinstance(country, str) else None
        if note:
            line, col = position(pf.node, ["developers", org, "country"])
            yield f"{pf.name}:{line}:{col}: developers.{org}.country: {note}"
