"""NOTICE file for distribution: what the licences of the adopted models require you to ship.

Only models the audit adopts (verdict pass or warn) are included. The obligations of every
licence that binds them (their own, and their ancestors' through the lineage) are grouped by
licence, so a licence several models share is listed once, with its models: the
notice texts to reproduce verbatim, attribution lines to display, name-prefix duties, the copy of
the licence to ship (with its URL from the knowledge base) and the acceptable-use-policy flow-down.
Each model lists the licence files the audit read, with their SHA-256 (of the bytes read).
Plain text from reports/notice.txt.j2; deterministic given the same audit result.
"""

from __future__ import annotations

import re
import textwrap
from typing import Any

from checker.facts import Ancestor
from checker.facts.files import licence_files
from checker.findings import Verdict
from checker.knowledge import LicenseEntry
from checker.reporters._common import environment
from checker.result import AuditResult, ModelObligation, ModelResult

ADOPTED = (Verdict.PASS, Verdict.WARN)

# Obligation kinds with a section of their own; every other kind is listed under "Other".
SECTIONS = ("notice", "attribution-display", "naming", "license-copy", "aup-flow-down")

_NOTICE_TEXT = re.compile(r'"Notice" text file(?: containing)?:\s*"(?P<text>.+)"\s*$', re.S)
_QUOTED = re.compile(r'"([^"]+)"')


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _verbatim_notices(obligations: list[ModelObligation]) -> list[str]:
    """Notice texts the licence quotes for a "Notice" file (reproduced verbatim)."""
    out = []
    for o in obligations:
        match = _NOTICE_TEXT.search(o.text) if o.kind == "notice" else None
        if match:
            out.append(match.group("text"))
    return _unique(out)


def _quoted(obligations: list[ModelObligation], kind: str) -> list[str]:
    """The quoted phrases of obligations of one kind ("Built with Llama", "Llama")."""
    return _unique([q for o in obligations if o.kind == kind for q in _QUOTED.findall(o.text)])


def _aup_urls(entry: LicenseEntry | None) -> list[str]:
    value = None if entry is None else entry.terms.aup.value
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return []


def _model_line(m: ModelResult, via: Ancestor | None) -> dict[str, Any]:
    lic = m.facts.license
    return {
        "id": m.facts.model.id,
        "revision": m.facts.model.revision,
        "expression": lic.expression if len(lic.ids) > 1 else None,
        "via": None if via is None else {"id": via.id, "relation": via.relation},
        "notice_files": sorted({d.path for d in lic.documents if d.kind == "notice"}),
        "aup_files": sorted({d.path for d in lic.documents if d.kind in ("aup", "usage-policy")}),
        "license_files": [
            {"path": f.path, "sha256": f.sha256, "whole": f.whole}
            for f in licence_files(m.facts.files)
        ],
    }


def _groups(result: AuditResult) -> list[dict[str, Any]]:
    """One group per licence binding an adopted model: its own licences and, through the
    lineage, its ancestors' (``ModelFacts.binding``)."""
    members: dict[str, list[tuple[ModelResult, Ancestor | None]]] = {}
    entries: dict[str, LicenseEntry | None] = {}
    for m in result.models:
        if m.verdict not in ADOPTED:
            continue
        binding = m.facts.binding or ()
        for b in binding:
            entries.setdefault(b.entry.id, b.entry)
            members.setdefault(b.entry.id, []).append((m, b.via))
        resolved = {b.entry.id for b in binding}
        for license_id in m.facts.license.ids:  # declared but not in the knowledge base
            if license_id not in resolved:
                entries.setdefault(license_id, None)
                members.setdefault(license_id, []).append((m, None))
    groups = []
    for license_id, pairs in members.items():
        pairs = sorted(pairs, key=lambda pair: pair[0].facts.model.id.casefold())
        entry = entries[license_id]
        obligations = list(
            dict.fromkeys(o for m, _ in pairs for o in m.obligations if o.license == license_id)
        )
        groups.append(
            {
                "id": license_id,
                "name": entry.name if entry else license_id,
                "known": entry is not None,
                "url": entry.urls[0] if entry and entry.urls else None,
                "other_urls": list(entry.urls[1:]) if entry else [],
                "models": [_model_line(m, via) for m, via in pairs],
                "notices": _verbatim_notices(obligations),
                "attribution_lines": _quoted(obligations, "attribution-display"),
                "name_prefixes": _quoted(obligations, "naming"),
                "aup_urls": _aup_urls(entry),
                "duties": {k: [o for o in obligations if o.kind == k] for k in SECTIONS},
                "other": [o for o in obligations if o.kind not in SECTIONS],
            }
        )
    return sorted(groups, key=lambda g: (g["name"].casefold(), g["id"]))


def _wrap(text: Any, indent: int = 0, first: str = "", width: int = 78) -> str:
    """Fill ``text`` to ``width`` columns; ``first`` starts the first line (e.g. "- ")."""
    pad = " " * indent
    return textwrap.fill(
        " ".join(str(text).split()),
        width=width,
        initial_indent=pad + first,
        subsequent_indent=pad + " " * len(first),
        break_long_words=False,
        break_on_hyphens=False,
    )


def _duty(obligation: ModelObligation, prefix: str = "") -> str:
    """One obligation as a wrapped list item, with its clause."""
    clause = f" ({obligation.clause})" if obligation.clause else ""
    return _wrap(prefix + obligation.text + clause, 4, "- ")


def render_notice(result: AuditResult) -> str:
    """The NOTICE text (plain text, trailing newline)."""
    env = environment(autoescape=False)
    env.filters.update(wrap=_wrap, duty=_duty)
    adopted = [m for m in result.models if m.verdict in ADOPTED]
    template = env.get_template("notice.txt.j2")
    return str(
        template.render(
            result=result,
            groups=_groups(result),
            adopted=len(adopted),
            unlicensed=sorted(
                (_model_line(m, None) for m in adopted if not m.facts.license.ids),
                key=lambda line: line["id"].casefold(),
            ),
            left_out=len(result.models) - len(adopted),
        )
    )
