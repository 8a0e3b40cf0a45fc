"""Load a policy file: YAML with lines, ``extends`` chains, JSON Schema and semantic checks.

Every problem in every file of the chain is collected in one pass and raised together as a
PolicyError whose lines read ``file:line:column: key.path: message``. The steps live in
``reader`` (files and the chain), ``schema`` and ``semantics`` (the issues) and ``build`` (the
merge, with where each setting came from, and the sections).
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

from checker.errors import PolicyError, PolicyIssue
from checker.knowledge import Knowledge
from checker.policy.build import build, merge
from checker.policy.curations import curation_issues, curation_notes
from checker.policy.model import Policy
from checker.policy.reader import builtin_names, read_chain
from checker.policy.schema import schema_issues
from checker.policy.semantics import alias_notes, chain_issues, semantic_issues

__all__ = ["builtin_names", "load_policy"]


def load_policy(ref: str | Path, kb: Knowledge) -> Policy:
    """Load and validate a policy (a path or ``builtin:<name>``), merging its extends chain."""
    issues: list[PolicyIssue] = []
    chain = list(read_chain(str(ref), Path.cwd(), [], issues))
    for pf in chain:
        issues.extend(schema_issues(pf))
        issues.extend(semantic_issues(pf, kb))
        issues.extend(curation_issues(pf, kb))
    merged, origins = merge(chain)
    if not issues:
        issues.extend(chain_issues(chain, merged))
    if issues:
        raise PolicyError(list(dict.fromkeys(issues)))
    digest = hashlib.sha256()
    for pf in chain:
        digest.update(pf.data)
    notes = tuple(note for pf in chain for note in (*alias_notes(pf), *curation_notes(pf)))
    return replace(build(merged, origins, chain, digest.hexdigest()), notes=notes)
