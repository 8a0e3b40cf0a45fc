"""What the GitHub Action says to GitHub: workflow commands, step outputs, the job summary and
one pull-request comment kept up to date (found again by a marker, edited, never duplicated).

Only the Action's script (``checker.action``) uses this module; it talks to GitHub's REST API
(``GITHUB_API_URL``), never to the Hugging Face Hub.
"""

from __future__ import annotations

import json
import secrets
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Any

MARKER = "<!-- clearance-report -->"
COMMENT_LIMIT = 65_536  # GitHub refuses longer comment bodies
TIMEOUT = 30.0


def _escape(message: str) -> str:
    """A workflow command's message: %, CR and LF escaped as the runner expects."""
    return message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def warning(message: str) -> None:
    """A warning annotation on the run."""
    print(f"::warning title=clearance::{_escape(message)}", flush=True)


def error(message: str) -> None:
    """An error annotation on the run."""
    print(f"::error title=clearance::{_escape(message)}", flush=True)


def set_outputs(env: Mapping[str, str], values: Mapping[str, str]) -> None:
    """Write step outputs to ``$GITHUB_OUTPUT`` (heredoc form, safe for any value)."""
    path = env.get("GITHUB_OUTPUT")
    if not path:
        return
    with open(path, "a", encoding="utf-8") as handle:
        for name, value in values.items():
            delimiter = f"CLEARANCE_{secrets.token_hex(8)}"
            handle.write(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")


def append_summary(env: Mapping[str, str], markdown: str) -> None:
    """Append the Markdown report to the job summary (``$GITHUB_STEP_SUMMARY``)."""
    path = env.get("GITHUB_STEP_SUMMARY")
    if path:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(markdown if markdown.endswith("\n") else markdown + "\n")


def pull_request_number(env: Mapping[str, str]) -> int | None:
    """The pull request this run is for, from the event payload (``$GITHUB_EVENT_PATH``)."""
    path = env.get("GITHUB_EVENT_PATH")
    if not path:
        return None
    try:
        with open(path, encoding="utf-8") as handle:
            event = json.load(handle)
        number = event["pull_request"]["number"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return number if isinstance(number, int) and not isinstance(number, bool) else None


def comment_body(markdown: str) -> str:
    """The comment: the marker, then the report cut to GitHub's limit (the report's own
    ``--max-chars`` budget normally keeps it below)."""
    body = f"{MARKER}\n{markdown}"
    if len(body) <= COMMENT_LIMIT:
        return body
    note = "\n\n_Report cut to GitHub's comment limit; the full report is in the job summary._\n"
    return body[: COMMENT_LIMIT - len(note)] + note


def comment_on_pull_request(env: Mapping[str, str], markdown: str, *, create: bool) -> None:
    """Edit this action's earlier comment on the pull request, or post one when ``create``.
    Any failure is a warning: the comment never changes the audit's outcome."""
    number = pull_request_number(env)
    if number is None:
        print("clearance: not a pull request: no comment posted", flush=True)
        return
    api = env.get("GITHUB_API_URL", "https://api.github.com").rstrip("/")
    repo = env.get("GITHUB_REPOSITORY", "")
    token = env.get("GITHUB_TOKEN", "")
    if not repo or not token:
        warning("no GITHUB_REPOSITORY or github-token: cannot comment on the pull request")
        return
    try:
        listing = f"{api}/repos/{repo}/issues/{number}/comments?per_page=100"
        comments = _request("GET", listing, token)
        earlier = next(
            (c for c in comments if isinstance(c, dict) and MARKER in str(c.get("body", ""))),
            None,
        )
        body = {"body": comment_body(markdown)}
        if earlier is not None:
            _request("PATCH", f"{api}/repos/{repo}/issues/comments/{earlier['id']}", token, body)
        elif create:
            _request("POST", f"{api}/repos/{repo}/issues/{number}/comments", token, body)
    except (OSError, ValueError, KeyError) as exc:
        warning(f"cannot comment on pull request #{number}: {exc}")


def _request(method: str, url: str, token: str, payload: Any = None) -> Any:
    data = None if payload is None else json.dumps(payload).encode("utf-8")
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Authorization", f"Bearer {token}")
    request.add_header("Accept", "application/vnd.github+json")
    request.add_header("X-GitHub-Api-Version", "2022-11-28")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            text = response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        raise OSError(f"{method} {url}: HTTP {exc.code}") from None
    return json.loads(text) if text.strip() else None


__all__ = [
    "MARKER",
    "append_summary",
    "comment_body",
    "comment_on_pull_request",
    "error",
    "pull_request_number",
    "set_outputs",
    "warning",
]
