"""Shell scripts, Dockerfiles, Ollama Modelfiles and ``.env`` files.

Commands: ``huggingface-cli download REPO`` and ``hf download REPO`` (``--revision``,
``--repo-type``), ``ollama run|pull REPO`` and ``git clone URL`` when they name the Hub
(``hf.co/org/name:Q4_K_M``, ``https://huggingface.co/org/name``). ``$VAR`` and ``${VAR}`` are
resolved from the file's own assignments (``VAR=...``, ``export``, Dockerfile ``ARG``/``ENV``);
model-named variables (``MODEL_ID=org/name``) are references themselves. Comments are skipped;
a Dockerfile's ``FROM`` names an image, never a model.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Iterator

from checker.scan.hubid import HubRef, is_model_key, parse_candidate
from checker.scan.model import FileScan, Found


def _names(text: str) -> frozenset[str]:
    """A set of names written as one string of words."""
    return frozenset(text.split())


_ASSIGN = re.compile(r"^(?:export\s+|readonly\s+|declare\s+(?:-\w+\s+)?)?([A-Za-z_]\w*)=(.*)$")
_VAR = re.compile(r"\$(?:\{([A-Za-z_]\w*)(?::?-([^}]*))?\}|([A-Za-z_]\w*))")
_SEPARATORS = frozenset({"&&", "||", ";", "|", "&", "(", ")", ";;"})
_VALUE_OPTIONS = _names(
    "--revision --repo-type --local-dir --cache-dir --token --include --exclude "
    "--max-workers --etag-timeout"
)


class _Line:
    """A logical line (backslash continuations joined) and the physical lines it came from."""

    def __init__(self, start: int, parts: list[str]) -> None:
        self.start, self.parts, self.text = start, parts, " ".join(parts)

    def of(self, word: str) -> int:
        """The physical line where ``word`` is written (the first one when it is not found)."""
        for offset, part in enumerate(self.parts):
            if word and word in part:
                return self.start + offset
        return self.start


def _logical_lines(text: str) -> Iterator[_Line]:
    start, parts = 0, list[str]()
    for number, line in enumerate(text.splitlines(), 1):
        if not parts:
            start = number
        if line.endswith("\\"):
            parts.append(line[:-1])
            continue
        parts.append(line)
        yield _Line(start, parts)
        parts = []
    if parts:
        yield _Line(start, parts)


def _words(line: str) -> list[str]:
    lexer = shlex.shlex(line, posix=True, punctuation_chars=";&|()")
    lexer.whitespace_split = True
    lexer.commenters = "#"
    try:
        return list(lexer)
    except ValueError:  # an unclosed quote: read what splits plainly
        return line.split("#", 1)[0].split()


class _Variables:
    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    def expand(self, word: str) -> str:
        def sub(match: re.Match[str]) -> str:
            name = match[1] or match[3]
            return self.values.get(name, match[2] or "")

        return _VAR.sub(sub, word) if "$" in word else word


def _commands(words: list[str]) -> Iterator[list[str]]:
    command: list[str] = []
    for word in words:
        if word in _SEPARATORS:
            if command:
                yield command
            command = []
        else:
            command.append(word)
    if command:
        yield command


def _operand(args: list[str]) -> tuple[str | None, dict[str, str]]:
    """The first positional argument and the options with values."""
    options: dict[str, str] = {}
    first: str | None = None
    i = 0
    while i < len(args):
        arg = args[i]
        if arg.startswith("--") and "=" in arg:
            key, _, value = arg.partition("=")
            options[key] = value
        elif arg in _VALUE_OPTIONS and i + 1 < len(args):
            options[arg] = args[i + 1]
            i += 1
        elif not arg.startswith("-") and first is None:
            first = arg
        i += 1
    return first, options


_PREFIXES = frozenset(["sudo", "exec", "time", "env", "uv", "uvx", "run", "pipx", "poetry"])


def _command_refs(command: list[str], variables: _Variables) -> Iterator[tuple[HubRef, str]]:
    """Each model a command names, with the word as written (to find its physical line)."""
    while command and (
        ("=" in command[0] and not command[0].startswith("-")) or (command[0] in _PREFIXES)
    ):
        command = command[1:]
    words = [variables.expand(w) for w in command]
    if len(words) < 2:
        return
    program, raw = words[0].rsplit("/", 1)[-1], dict(zip(words, command, strict=True))
    ref: HubRef | None = None
    operand, options = _operand(words[2:])
    if program in ("huggingface-cli", "hf") and words[1] == "download":
        if operand and options.get("--repo-type", "model") == "model":
            ref = parse_candidate(operand, options.get("--revision"))
    elif program == "ollama" and words[1] in ("run", "pull", "show", "push", "cp"):
        if operand and operand.startswith(("hf.co/", "huggingface.co/")):
            ref = parse_candidate(operand)
    elif program == "git" and words[1] == "clone" and operand and "://" in operand:
        ref = parse_candidate(operand.removesuffix(".git"))
    if ref is not None and operand is not None:
        yield ref, raw.get(operand, operand)


def _assignment(line_no: int, name: str, value: str, variables: _Variables) -> Iterator[Found]:
    value = variables.expand(_unquote(value))
    variables.values[name] = value
    if is_model_key(name):
        ref = parse_candidate(value)
        if ref:
            yield Found(line_no, ref.model_id, ref.revision)


def _unquote(value: str) -> str:
    words = _words(value)
    return words[0] if len(words) == 1 else value.split("#", 1)[0].strip().strip("'\"")


def scan_shell(text: str) -> FileScan:
    variables = _Variables()
    found: list[Found] = []
    for line in _logical_lines(text):
        words = _words(line.text)
        if not words:
            continue
        for command in _commands(words):
            if len(command) == 1 and (match := _ASSIGN.match(command[0])):
                found.extend(_assignment(line.start, match[1], match[2], variables))
                continue
            if command[0] in ("export", "readonly"):
                for word in command[1:]:
                    if match := _ASSIGN.match(word):
                        found.extend(_assignment(line.start, match[1], match[2], variables))
                continue
            for ref, word in _command_refs(command, variables):
                found.append(Found(line.of(word), ref.model_id, ref.revision))
    return FileScan(tuple(found))


def scan_dockerfile(text: str) -> FileScan:
    variables = _Variables()
    found: list[Found] = []
    for line in _logical_lines(text):
        instruction, _, rest = line.text.strip().partition(" ")
        keyword = instruction.upper()
        if keyword in ("ARG", "ENV"):
            found.extend(_docker_assignments(line.start, rest.strip(), variables))
        elif keyword == "RUN":
            body = rest.strip()
            while body.startswith("--"):  # RUN --mount=... flags
                body = body.partition(" ")[2].lstrip()
            if body.startswith("["):
                try:
                    exec_form = json.loads(body)
                except ValueError:
                    exec_form = None
                if isinstance(exec_form, list) and all(isinstance(w, str) for w in exec_form):
                    body = shlex.join(exec_form)
            for command in _commands(_words(body)):
                for ref, word in _command_refs(command, variables):
                    found.append(Found(line.of(word), ref.model_id, ref.revision))
    return FileScan(tuple(found))


def _docker_assignments(line_no: int, rest: str, variables: _Variables) -> Iterator[Found]:
    words = _words(rest)
    if len(words) >= 2 and "=" not in words[0]:  # the old form: ENV KEY value
        yield from _assignment(line_no, words[0], " ".join(words[1:]), variables)
        return
    for word in words:
        name, sep, value = word.partition("=")
        if sep and re.fullmatch(r"[A-Za-z_]\w*", name):
            yield from _assignment(line_no, name, shlex.quote(value), variables)


def scan_modelfile(text: str) -> FileScan:
    """Ollama's ``FROM hf.co/org/name:TAG`` and ``ADAPTER``; a plain ``FROM llama3`` or a local
    ``.gguf`` is Ollama's library or a file, not the Hub."""
    found: list[Found] = []
    for line_no, line in enumerate(text.splitlines(), 1):
        instruction, _, rest = line.strip().partition(" ")
        value = rest.strip()
        if instruction.upper() in ("FROM", "ADAPTER") and value.startswith(
            ("hf.co/", "huggingface.co/", "https://huggingface.co/", "https://hf.co/")
        ):
            ref = parse_candidate(value)
            if ref:
                found.append(Found(line_no, ref.model_id, ref.revision))
    return FileScan(tuple(found))


def scan_env(text: str) -> FileScan:
    """``KEY=value`` lines (``export`` allowed, quotes stripped, comments skipped)."""
    variables = _Variables()
    found: list[Found] = []
    for line_no, line in enumerate(text.splitlines(), 1):
        match = _ASSIGN.match(line.strip())
        if match:
            found.extend(_assignment(line_no, match[1], match[2], variables))
    return FileScan(tuple(found))
