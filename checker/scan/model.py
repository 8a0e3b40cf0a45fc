"""What a scan finds: frozen references and notes, and the result of one scan."""

from __future__ import annotations

from dataclasses import dataclass

# the kinds of file a scanner reads (Reference.kind, the JSON output's "kind")
KINDS = ("python", "notebook", "config", "shell", "dockerfile", "modelfile", "env")


@dataclass(frozen=True, slots=True)
class Reference:
    """One place in a source tree that names a Hugging Face model.

    ``file`` is shown as the user would write it (relative to the working folder when below it,
    ``/`` separators); ``line`` is 1-based; ``revision`` is the pin the code gives (``None``
    when it gives none or gives ``main``)."""

    file: str
    line: int
    model_id: str
    revision: str | None
    kind: str

    def sort_key(self) -> tuple[str, int, str, str, str]:
        return (self.file, self.line, self.model_id, self.revision or "", self.kind)

    @property
    def display(self) -> str:
        """``org/name`` or ``org/name@revision``."""
        return self.model_id if self.revision is None else f"{self.model_id}@{self.revision}"


@dataclass(frozen=True, slots=True)
class Note:
    """Something the scan could not read, or read only in part: a file skipped, a fallback."""

    file: str
    line: int | None
    message: str

    def sort_key(self) -> tuple[str, int, str]:
        return (self.file, self.line or 0, self.message)

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.message}"


@dataclass(frozen=True, slots=True)
class Found:
    """What a scanner returns for one file: a line and a model, before the file is known."""

    line: int
    model_id: str
    revision: str | None


@dataclass(frozen=True, slots=True)
class FileScan:
    """One file's findings: references and notes (a line and a message each)."""

    found: tuple[Found, ...] = ()
    notes: tuple[tuple[int | None, str], ...] = ()


@dataclass(frozen=True, slots=True)
class ScanResult:
    """Everything one scan found, sorted: references, notes, and how many files were read."""

    references: tuple[Reference, ...]
    notes: tuple[Note, ...]
    files_scanned: int

    @property
    def model_ids(self) -> tuple[str, ...]:
        return tuple(sorted({r.model_id for r in self.references}))
