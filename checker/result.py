"""The audit result: per-model verdicts and findings, the one thing every reporter renders."""

from __future__ import annotations

from dataclasses import dataclass

from checker.facts import ModelFacts, ModelObligation
from checker.findings import Finding, Severity, Verdict
from checker.policy.model import Policy


@dataclass(frozen=True, slots=True)
class RuleInfo:
    """What a report says of a rule: a built-in rule's text and report group (the check it
    belongs to, the JUnit testcase), or a custom rule's from the policy."""

    id: str
    summary: str
    help: str
    group: str  # a check name (``license``, ``use``...), ``waivers``, or ``custom``
    builtin: bool
    description: str = ""  # a longer text (a custom rule's message and condition)
    level: Severity | None = None  # a custom rule's severity; built-in levels come from findings


@dataclass(frozen=True, slots=True)
class Workspace:
    """Where the audit's file paths sit, for reports that place findings in files (SARIF).

    ``base`` is the directory relative evidence paths are relative to (the working directory),
    ``root`` the repository root reports place them against, ``found_by`` how the root was
    chosen (``git``: the top level of the audited targets' repository; ``--root``: given).
    Absolute POSIX paths, found by the API layer (I/O); reporters only read them."""

    base: str
    root: str
    found_by: str = "git"


@dataclass(frozen=True, slots=True)
class ModelResult:
    """One model's facts, findings (waived ones included) and verdict."""

    facts: ModelFacts
    verdict: Verdict
    findings: tuple[Finding, ...]

    @property
    def obligations(self) -> tuple[ModelObligation, ...]:
        """What adopting the model brings: the obligations of every licence that binds it."""
        return self.facts.obligations

    @property
    def unwaived(self) -> tuple[Finding, ...]:
        """Findings no waiver covers."""
        return tuple(f for f in self.findings if f.waived_by is None)


@dataclass(frozen=True, slots=True)
class BaselineSummary:
    """What the findings were compared with (``--baseline``, ``--baseline-ref``): the source
    (a report file, ``git:REF``), how many findings are new and how many were carried over."""

    source: str
    new: int
    known: int
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AuditResult:
    """Everything an audit found: models, policy-level findings, and what it was run with."""

    tool_version: str
    knowledge_version: str
    knowledge_digest: str
    knowledge_licenses: int
    knowledge_developers: int
    policy: Policy
    generated_at: str
    models: tuple[ModelResult, ...]
    findings: tuple[Finding, ...] = ()
    rules: tuple[RuleInfo, ...] = ()  # the built-in rules (custom ones come from the policy)
    checks: tuple[str, ...] = ()  # the per-model checks that ran, in order
    workspace: Workspace | None = None  # None: paths stay relative to the working directory
    baseline: BaselineSummary | None = None  # set when findings were compared with a baseline
    notes: tuple[str, ...] = ()  # what the run noted but did not refuse (a stale lock entry)

    def rule(self, rule_id: str) -> RuleInfo | None:
        """The descriptor of a rule id: a built-in rule's, else the policy's own rule's (None for
        an id no rule has)."""
        found = next((r for r in self.rules if r.id == rule_id), None)
        if found is not None:
            return found
        custom = next((r for r in self.policy.custom_rules if r.id == rule_id), None)
        if custom is None:
            return None
        return RuleInfo(
            custom.id,
            f"Custom policy rule: {custom.when.describe()}",
            custom.help or f"See the rule {custom.id} in the policy {self.policy.name}.",
            "custom",
            False,
            description=custom.message,
            level=custom.severity,
        )

    def count(self, verdict: Verdict) -> int:
        """How many models have this verdict."""
        return sum(1 for m in self.models if m.verdict is verdict)

    @property
    def policy_failed(self) -> bool:
        """True when a policy-level finding (waiver) is at or above fail-on and unwaived."""
        fail_on = self.policy.settings.fail_on
        return any(f.severity.rank >= fail_on.rank for f in self.findings)

    def gating(self, finding: Finding) -> bool:
        """True when the finding counts for the exit code: unwaived, at or above fail-on, and
        (against a baseline) new."""
        return (
            finding.waived_by is None
            and finding.severity.rank >= self.policy.settings.fail_on.rank
            and finding.new is not False
        )

    @property
    def exit_code(self) -> int:
        """0 pass, 1 a finding at or above fail-on (against a baseline: a new one), 2 a model
        could not be audited."""
        if any(m.verdict is Verdict.ERROR for m in self.models):
            return 2
        if self.baseline is not None:
            found = [*self.findings, *(f for m in self.models for f in m.findings)]
            return 1 if any(self.gating(f) for f in found) else 0
        if any(m.verdict is Verdict.FAIL for m in self.models) or self.policy_failed:
            return 1
        return 0


__all__ = [
    "AuditResult",
    "BaselineSummary",
    "ModelObligation",
    "ModelResult",
    "RuleInfo",
    "Workspace",
]
