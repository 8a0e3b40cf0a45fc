"""Run hostile cases through the library API and count what went wrong.

For each case: write it to a temporary folder (named pipes, links to devices, folders named like
files included), load its policy and manifest, gather the facts and audit them, each under a time
bound (SIGALRM: a read that blocks is interrupted and counted). Then every report format is
rendered and parsed by its consumer: JSON with NaN/Infinity refused and the report schema,
SARIF with the official schema, JUnit with lxml against the strict XSD, SPDX with spdx-tools,
CycloneDX with its strict validator, HTML and Markdown (markdown-it-py) parsed and searched for
injected elements, the terminal report searched for raw control characters. Models are rendered
in batches (one result for many cases) and a batch that fails is split to find its cases.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from checker.api import audit_facts, gather
from checker.errors import ClearanceError
from checker.facts import ModelFacts
from checker.knowledge import Knowledge
from checker.policy import Policy, load_policy
from checker.reporters import REPORTERS
from checker.sources.targets import Target, parse_target
from hostile.generator import DEVICE, FIFO, FOLDER, Case

REPO = Path(__file__).resolve().parents[2]
SARIF_SCHEMA = REPO.parent / "shared" / "schemas" / "sarif-schema-2.1.0.json"
JUNIT_XSD = REPO / "tests" / "schemas" / "junit-strict.xsd"
REPORT_SCHEMA = REPO / "rules" / "schema" / "report.schema.json"
NOW = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
FORMATS = ("json", "sarif", "junit", "spdx", "cyclonedx", "html", "markdown", "terminal", "notice")
BATCH = 150  # models per rendered result
PER_ENTRY = 0.01  # seconds the time bound grows by for each manifest entry after the first
MODELS_RENDERED = 3  # of one case (a manifest of 1,000 entries renders its first 3)
STRICT = """version: 1
name: hostile-strict
extends: [builtin:baseline]
settings: {fail-on: error, unknown: error}
licenses: {allow: [MIT, Apache-2.0], deny-categories: [non-commercial, research-only]}
weights: {deny-formats: [pickle], unsafe-format: error, remote-code: error}
"""


class _Timeout(Exception):
    pass


@dataclass
class Counts:
    """What a run found; ``failures`` keeps a few examples of each kind."""

    cases: int = 0
    refused: int = 0  # a policy or manifest refused with a clean one-line error (correct)
    internal_errors: int = 0
    over_time: int = 0
    invalid: Counter[str] = field(default_factory=Counter)  # by format
    passes_on_unknowable: int = 0
    slowest: tuple[float, str] = (0.0, "")
    times: list[tuple[float, str]] = field(default_factory=list)
    cpu: list[tuple[float, str]] = field(default_factory=list)
    failures: dict[str, list[str]] = field(default_factory=dict)

    def fail(self, kind: str, case: Case, detail: str = "") -> None:
        """Record an example (at most five of a kind)."""
        examples = self.failures.setdefault(kind, [])
        if len(examples) < 5:
            examples.append(f"{case.family}/{case.name}: {detail[-600:]}")

    def bad(self) -> dict[str, int]:
        """The counts that must be zero."""
        out = {
            "internal errors": self.internal_errors,
            "runs over the time bound": self.over_time,
            "passes on unknowable input": self.passes_on_unknowable,
        }
        out.update({f"invalid {fmt}": self.invalid[fmt] for fmt in FORMATS})
        return out


@contextmanager
def bounded(seconds: float) -> Iterator[None]:
    """Raise _Timeout in the block after ``seconds`` (main thread only; interrupts blocking I/O)."""

    def alarm(signum: int, frame: Any) -> None:
        raise _Timeout

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _write_folder(root: Path, files: dict[str, bytes]) -> None:
    root.mkdir(parents=True, exist_ok=True)
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if data == FIFO:
            os.mkfifo(path)
        elif data == DEVICE:
            os.symlink("/dev/zero", path)
        elif data == FOLDER:
            path.mkdir()
        elif data.startswith(b"\x00<link:"):
            os.symlink(data[7:-1].decode(), path)
        else:
            path.write_bytes(data)


def materialise(case: Case, root: Path) -> tuple[list[Target] | None, Path | None, Path]:
    """Write the case under ``root``: (targets, or None when a manifest is to be read; the policy
    file, or None for the strict policy; the manifest or model folder)."""
    if case.files:
        _write_folder(root / "m", case.files)
    for name, files in case.extra_folders.items():
        _write_folder(root / name, files)
    for name, data in case.extra_files.items():
        (root / name).write_bytes(data)
    policy = None
    if case.policy is not None:
        policy = root / "policy.yaml"
        policy.write_bytes(case.policy.encode("utf-8", "surrogatepass"))
    if case.manifest is not None:
        manifest = root / "models.yaml"
        manifest.write_bytes(case.manifest.encode("utf-8", "surrogatepass"))
        return None, policy, manifest
    return [Target("local", str(root / "m"), "m", "hostile/m")], policy, root / "m"


def run_cases(
    cases: Iterable[Case], kb: Knowledge, bound: float = 10.0, formats: Sequence[str] = FORMATS
) -> Counts:
    """Audit every case and validate every report format; return the counts."""
    counts = Counts()
    strict = _strict_policy(kb)
    pending: list[tuple[Case, list[ModelFacts]]] = []
    with tempfile.TemporaryDirectory(prefix="clearance-hostile-") as tmp:
        for number, case in enumerate(cases):
            counts.cases += 1
            root = Path(tmp) / f"c{number}"
            root.mkdir()
            done = _audit_case(case, root, kb, strict, bound, counts)
            if done is None:
                continue
            policy, facts = done
            if policy is strict:
                pending.append((case, facts[:MODELS_RENDERED]))
                if len(pending) >= BATCH:
                    _render(pending, strict, kb, formats, counts)
                    pending = []
            else:
                _render([(case, facts[:MODELS_RENDERED])], policy, kb, formats, counts)
        if pending:
            _render(pending, strict, kb, formats, counts)
    return counts


def _strict_policy(kb: Knowledge) -> Policy:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "strict.yaml"
        path.write_text(STRICT)
        return load_policy(path, kb)


def _audit_case(
    case: Case, root: Path, kb: Knowledge, strict: Policy, bound: float, counts: Counts
) -> tuple[Policy, list[ModelFacts]] | None:
    # a manifest's models are audited one by one: the bound is per model
    entries = case.manifest.count("id:") if case.manifest else 1
    bound = bound + PER_ENTRY * max(0, entries - 1)
    start = time.perf_counter()
    cpu = time.process_time()
    try:
        with bounded(bound):
            targets, policy_path, where = materialise(case, root)
            policy = strict
            if policy_path is not None:
                policy = load_policy(policy_path, kb)
            if targets is None:
                targets = parse_target(str(where))
            facts = gather(targets, kb, jobs=1)
            result = audit_facts(facts, policy, kb, NOW)
    except ClearanceError as exc:  # a clean, one-line refusal of a policy or manifest
        message = str(exc)
        # one line per error (a policy's errors come out together), no raw control character
        if any(c in CONTROL for c in message):
            counts.invalid["terminal"] += 1
            counts.fail("invalid terminal", case, f"error message: {message!r}")
        counts.refused += 1
        return None
    except _Timeout:
        counts.over_time += 1
        counts.fail("runs over the time bound", case, f"over {bound} s")
        return None
    except Exception:
        counts.internal_errors += 1
        counts.fail("internal errors", case, traceback.format_exc())
        return None
    elapsed = time.perf_counter() - start
    counts.cpu.append((time.process_time() - cpu, f"{case.family}/{case.name}"))
    counts.times.append((elapsed, f"{case.family}/{case.name}"))
    if elapsed > counts.slowest[0]:
        counts.slowest = (elapsed, f"{case.family}/{case.name}")
    if elapsed > bound:
        counts.over_time += 1
        counts.fail("runs over the time bound", case, f"{elapsed:.1f} s")
    if case.must_not_pass and result.exit_code == 0:
        counts.passes_on_unknowable += 1
        verdicts = [(m.facts.model.id, m.verdict.value) for m in result.models]
        counts.fail("passes on unknowable input", case, repr(verdicts[:3]))
    return policy, list(facts)


def _render(
    batch: list[tuple[Case, list[ModelFacts]]],
    policy: Policy,
    kb: Knowledge,
    formats: Sequence[str],
    counts: Counts,
) -> None:
    """Render the batch in every format; a format that fails is rendered case by case."""
    facts = [f for _, fs in batch for f in fs]
    if not facts:
        return
    try:
        result = audit_facts(facts, policy, kb, NOW)
    except Exception:
        if len(batch) == 1:
            counts.internal_errors += 1
            counts.fail("internal errors", batch[0][0], traceback.format_exc())
            return
        for item in batch:
            _render([item], policy, kb, formats, counts)
        return
    for fmt in formats:
        try:
            problem = check_report(fmt, REPORTERS[fmt](result))
        except Exception:
            problem = "render: " + traceback.format_exc()
        if problem is None:
            continue
        if len(batch) == 1:
            counts.invalid[fmt] += 1
            counts.fail(f"invalid {fmt}", batch[0][0], problem)
        else:
            for item in batch:
                _render([item], policy, kb, (fmt,), counts)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


class _Tags(HTMLParser):
    """Start tags of an HTML text, and whether any carries the injected marker."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hostile: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if any(name == "data-hostile" for name, _ in attrs):
            self.hostile.append(tag)

    def handle_comment(self, data: str) -> None:
        if "unclosed comment" in data:
            self.hostile.append("<!--")


def _html_problem(text: str) -> str | None:
    parser = _Tags()
    parser.feed(text)
    parser.close()
    return f"injected element(s) {parser.hostile[:3]}" if parser.hostile else None


CONTROL = {chr(c) for c in range(32) if chr(c) not in "\n\t"} | {"\x7f", "\u202e", "\u202d"}


def check_report(fmt: str, text: str) -> str | None:
    """Why the report is not valid or not safe for its consumer, or None."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return f"not UTF-8: {exc}"
    if fmt in ("json", "sarif", "spdx", "cyclonedx"):
        try:
            doc = json.loads(text, parse_constant=_refuse_constant)
        except ValueError as exc:
            return f"not JSON: {exc}"
        return _VALIDATORS[fmt](doc, text)
    if fmt == "junit":
        return _junit(text)
    if fmt == "html":
        return _html_problem(text)
    if fmt == "markdown":
        from markdown_it import MarkdownIt

        return _html_problem(MarkdownIt("commonmark").render(text))
    if fmt == "terminal":
        found = sorted({c for c in text if c in CONTROL})
        return f"raw control characters {found!r}" if found else None
    return None  # notice: plain text for distribution, rendered is enough


def _schema_errors(schema_path: Path, doc: Any) -> str | None:
    if not schema_path.is_file():
        return None

    validator = _validator(str(schema_path))
    error = next(iter(validator.iter_errors(doc)), None)
    return None if error is None else f"schema: {error.message[:300]} at {list(error.path)}"


_VALIDATOR_CACHE: dict[str, Any] = {}


def _validator(path: str) -> Any:
    if path not in _VALIDATOR_CACHE:
        import jsonschema

        schema = json.loads(Path(path).read_text(encoding="utf-8"))
        _VALIDATOR_CACHE[path] = jsonschema.validators.validator_for(schema)(schema)
    return _VALIDATOR_CACHE[path]


def _spdx(doc: Any, text: str) -> str | None:
    from spdx_tools.spdx.parser.json.json_parser import parse_from_file
    from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document

    with tempfile.NamedTemporaryFile("w", suffix=".spdx.json", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        try:
            parsed = parse_from_file(handle.name)
        except Exception as exc:
            return f"spdx-tools cannot parse it: {str(exc)[:300]}"
    found = [m.validation_message for m in validate_full_spdx_document(parsed)]
    return f"spdx-tools: {found[:2]}" if found else None


def _cyclonedx(doc: Any, text: str) -> str | None:
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    error = JsonStrictValidator(SchemaVersion.V1_6).validate_str(text)
    return None if error is None else f"cyclonedx: {str(error)[:300]}"


def _junit(text: str) -> str | None:
    from lxml import etree

    try:
        tree = etree.fromstring(text.encode("utf-8"))
    except etree.XMLSyntaxError as exc:
        return f"not XML: {exc}"
    if "junit" not in _VALIDATOR_CACHE:
        _VALIDATOR_CACHE["junit"] = etree.XMLSchema(etree.parse(str(JUNIT_XSD)))
    schema = _VALIDATOR_CACHE["junit"]
    return None if schema.validate(tree) else f"xsd: {schema.error_log.last_error}"


_VALIDATORS = {
    "json": lambda doc, _: _schema_errors(REPORT_SCHEMA, doc),
    "sarif": lambda doc, _: _schema_errors(SARIF_SCHEMA, doc),
    "spdx": _spdx,
    "cyclonedx": _cyclonedx,
}
