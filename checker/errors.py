"""The error family: every expected failure is a ClearanceError (exit 2); anything else is a bug."""

from __future__ import annotations

from dataclasses import dataclass


class ClearanceError(Exception):
    """An expected failure that the user can fix: bad usage, bad input, invalid policy."""


class UsageError(ClearanceError):
    """The command line or a target was given wrongly."""


class InputError(ClearanceError):
    """A file the user named (manifest, policy, folder) could not be read or understood."""


class KnowledgeError(ClearanceError):
    """The shipped knowledge base in rules/ is broken (a packaging bug, but reported clearly)."""


@dataclass(frozen=True, slots=True)
class PolicyIssue:
    """One problem in a policy file, located at file:line:column and a key path."""

    file: str
    line: int
    column: int
    key_path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        return (
            f"{where}: {self.key_path}: {self.message}"
            if self.key_path
            else f"{where}: {self.message}"
        )


class PolicyError(ClearanceError):
    """A policy file is invalid; carries every issue found in one pass."""

    def __init__(self, issues: list[PolicyIssue]) -> None:
        self.issues = sorted(
            issues, key=lambda i: (i.file, i.line, i.column, i.key_path, i.message)
        )
        super().__init__("\n".join(str(i) for i in self.issues))
