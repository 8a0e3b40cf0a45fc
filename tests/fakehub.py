"""A small fake Hugging Face Hub for tests: stdlib only, served on 127.0.0.1.

It speaks enough of the Hub's HTTP API for the real ``huggingface_hub`` 2.x client
(``HfApi.model_info``/``list_models``/``list_repo_files``/``list_repo_tree``/``get_paths_info``/
``list_repo_refs``/``auth_check``/``file_exists``, ``hf_hub_download`` and ``ModelCard.load``)
to work against it unchanged.  Nothing here talks to the Internet.

Typical use::

    hub = FakeHub(token="hf_ok")
    hub.add(FakeRepo("acme/model", files={"README.md": b"# hi"}, gated="manual"))
    with hub:
        HfApi(endpoint=hub.url).model_info("acme/model")

Error responses carry ``X-Error-Code`` / ``X-Error-Message`` exactly like the Hub, because the
client maps errors from those headers (a bare 401/404 over ``http://`` is only an
``HfHubHTTPError``).  Large-file ("LFS") downloads are redirected (302) to a second local server
standing in for the CDN, on another port, so the client treats it as a foreign host and drops the
``Authorization`` header, as it does with the real CDN.

Deliberate simplifications: models only (``/api/datasets`` and ``/api/spaces`` answer
``RepoNotFound``); no Xet headers (which would switch the client to the Xet protocol); no
compression; cards are not parsed from README.md (pass ``card_data``, or build both with
:func:`make_readme`).
"""

from __future__ import annotations

import base64
import contextlib
import fnmatch
import hashlib
import json
import re
import socket
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal, NamedTuple
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit

__all__ = [
    "DEFAULT_LFS_PATTERNS",
    "EXPAND_MODEL_PROPERTIES",
    "FakeHub",
    "FakeRepo",
    "Fault",
    "LoggedRequest",
    "git_blob_sha1",
    "iter_repos",
    "make_readme",
    "serving",
]

Gated = Literal[False, "auto", "manual"]
FailMode = Literal["truncate", "non_json", "drop"]

DEFAULT_LFS_PATTERNS: tuple[str, ...] = (
    "*.safetensors",
    "*.bin",
    "*.gguf",
    "*.pt",
    "*.pth",
    "*.ckpt",
    "*.onnx",
    "*.h5",
    "*.msgpack",
    "*.pkl",
    "*.pickle",
    "*.npz",
    "*.tflite",
    "*.model",
    "*.ot",
)

# ExpandModelProperty_T of huggingface_hub 2.4 (hf_api.py).  Anything else gets a 400, like the Hub.
EXPAND_MODEL_PROPERTIES: frozenset[str] = frozenset(
    {
        "author",
        "baseModels",
        "cardData",
        "childrenModelCount",
        "config",
        "createdAt",
        "disabled",
        "downloads",
        "downloadsAllTime",
        "evalResults",
        "gated",
        "gguf",
        "inference",
        "inferenceProviderMapping",
        "lastModified",
        "library_name",
        "likes",
        "mask_token",
        "model-index",
        "pipeline_tag",
        "private",
        "resourceGroup",
        "safetensors",
        "sha",
        "siblings",
        "spaces",
        "tags",
        "transformersInfo",
        "trendingScore",
        "usedStorage",
        "widgetData",
    }
)

# Keys the Hub only returns when asked for through ``expand``.
_EXPAND_ONLY = frozenset(
    {
        "baseModels",
        "childrenModelCount",
        "downloadsAllTime",
        "trendingScore",
        "evalResults",
        "inferenceProviderMapping",
        "resourceGroup",
    }
)

# Keys of a default ``GET /api/models`` item (no full/cardData/config/expand).
_LIST_DEFAULT_KEYS = (
    "_id",
    "id",
    "likes",
    "trendingScore",
    "private",
    "downloads",
    "tags",
    "pipeline_tag",
    "library_name",
    "createdAt",
    "modelId",
)
_LIST_FULL_KEYS = (
    *_LIST_DEFAULT_KEYS,
    "author",
    "sha",
    "lastModified",
    "gated",
    "disabled",
    "siblings",
)

_SHA_RE = re.compile(r"[0-9a-f]{40}")
_API_SUBPATHS = frozenset({"revision", "tree", "paths-info", "auth-check", "refs", "resolve"})

# Every ``scope`` name of FakeRepo.ungated_endpoints.
_SCOPES = frozenset({"info", "revision", "tree", "paths-info", "refs"})


def git_blob_sha1(content: bytes) -> str:
    """The git blob id of ``content`` (what the Hub uses as ETag / ``oid`` for regular files)."""
    return hashlib.sha1(b"blob %d\0" % len(content) + content).hexdigest()


def make_readme(card_data: dict[str, Any] | None, body: str = "") -> bytes:
    """A README.md whose YAML front matter is ``card_data``.

    Each value is written as JSON, which is valid YAML (flow style), so no YAML library is needed.
    """
    if not card_data:
        return body.encode()
    lines = ["---"]
    lines += [f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in card_data.items()]
    lines += ["---", body]
    return "\n".join(lines).encode()


@dataclass
class FakeRepo:
    """One model repository.

    ``files`` is the tree at ``sha`` (the commit ``main`` points to unless ``branches`` says
    otherwise).  Other commits can be described with ``revision_files`` (sha -> files) and named
    with ``branches`` / ``git_tags`` (name -> sha).  ``tags`` are the *Hub* tags of model_info
    (``None`` derives them from library_name, files and ``card_data`` the way the Hub does).

    Access: ``private`` repos are visible only to ``authorized_tokens``; ``gated`` repos serve
    metadata publicly through the endpoints in ``ungated_endpoints`` (default: only
    ``GET /api/models/{id}`` without a revision) and the files in ``ungated_files``, everything
    else needs an authorized token (401 ``GatedRepo`` anonymously, 403 ``GatedRepo`` otherwise).
    ``authorized_tokens=None`` means "the hub's ``token``".  ``extra`` is merged last into the
    model_info JSON (a ``None`` value removes a key).
    """

    repo_id: str
    files: dict[str, bytes] = field(default_factory=dict)
    sha: str | None = None
    branches: dict[str, str] = field(default_factory=dict)
    git_tags: dict[str, str] = field(default_factory=dict)
    revision_files: dict[str, dict[str, bytes]] = field(default_factory=dict)
    # access
    gated: Gated = False
    private: bool = False
    disabled: bool = False
    authorized_tokens: frozenset[str] | set[str] | None = None
    ungated_files: tuple[str, ...] = ()
    ungated_endpoints: frozenset[str] = frozenset({"info"})
    # model_info fields
    author: str | None = None
    tags: list[str] | None = None
    pipeline_tag: str | None = None
    library_name: str | None = None
    card_data: dict[str, Any] | None = None
    created_at: str = "2024-01-15T09:30:00.000Z"
    last_modified: str = "2024-06-01T12:00:00.000Z"
    downloads: int = 0
    downloads_all_time: int = 0
    likes: int = 0
    trending_score: int = 0
    safetensors: dict[str, Any] | None = None
    gguf: dict[str, Any] | None = None
    config: dict[str, Any] | None = None
    transformers_info: dict[str, Any] | None = None
    base_models: dict[str, Any] | None = None
    children_model_count: dict[str, int] | None = None
    spaces: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    lfs_patterns: tuple[str, ...] = DEFAULT_LFS_PATTERNS

    def __post_init__(self) -> None:
        if self.gated not in (False, "auto", "manual"):
            raise ValueError(f"gated must be False, 'auto' or 'manual', not {self.gated!r}")
        if self.sha is None:
            digest = hashlib.sha1(self.repo_id.encode())
            for path in sorted(self.files):
                digest.update(
                    b"\0" + path.encode() + b"\0" + git_blob_sha1(self.files[path]).encode()
                )
            self.sha = digest.hexdigest()
        for sha in (
            self.sha,
            *self.revision_files,
            *self.branches.values(),
            *self.git_tags.values(),
        ):
            if not _SHA_RE.fullmatch(sha):
                raise ValueError(f"{self.repo_id}: commit ids must be 40 lower-case hex: {sha!r}")
        self.branches.setdefault("main", self.sha)
        unknown = set(self.ungated_endpoints) - _SCOPES
        if unknown:
            raise ValueError(f"unknown ungated_endpoints {sorted(unknown)}")
        if self.author is None and "/" in self.repo_id:
            self.author = self.repo_id.split("/", 1)[0]

    # -- git-ish helpers -------------------------------------------------------------------

    @property
    def commits(self) -> set[str]:
        return {
            self.sha or "",
            *self.revision_files,
            *self.branches.values(),
            *self.git_tags.values(),
        }

    def resolve_revision(self, revision: str) -> str | None:
        """Commit sha for a branch, tag, full sha or unique sha prefix (>= 7 chars); else None."""
        if revision in self.branches:
            return self.branches[revision]
        if revision in self.git_tags:
            return self.git_tags[revision]
        for prefix in ("refs/heads/", "refs/tags/"):
            if revision.startswith(prefix):
                names = self.branches if prefix == "refs/heads/" else self.git_tags
                return names.get(revision[len(prefix) :])
        if revision in self.commits:
            return revision
        if len(revision) >= 7 and re.fullmatch(r"[0-9a-f]+", revision):
            matches = [c for c in self.commits if c.startswith(revision)]
            if len(matches) == 1:
                return matches[0]
        return None

    def files_at(self, commit: str) -> dict[str, bytes]:
        return self.revision_files.get(commit, self.files)

    def is_lfs(self, path: str) -> bool:
        name = path.rsplit("/", 1)[-1]
        return any(fnmatch.fnmatch(name, pattern) for pattern in self.lfs_patterns)

    def card_value(self, key: str) -> Any:
        return (self.card_data or {}).get(key)

    def derived_base_models(self) -> dict[str, Any] | None:
        if self.base_models is not None:
            return self.base_models
        base = self.card_value("base_model")
        if not base:
            return None
        ids = [base] if isinstance(base, str) else list(base)
        # The Hub infers the relation (docs/hub/model-cards.md): adapter files, GGUF files, a list.
        names = set(self.files)
        if "adapter_config.json" in names:
            inferred = "adapter"
        elif any(n.endswith(".gguf") for n in names):
            inferred = "quantized"
        else:
            inferred = "merge" if len(ids) > 1 else "finetune"
        relation = self.card_value("base_model_relation") or inferred
        return {"relation": relation, "models": [{"_id": _object_id(i), "id": i} for i in ids]}

    def derived_tags(self, commit: str) -> list[str]:
        if self.tags is not None:
            return list(self.tags)
        tags: list[str] = []
        if self.library_name:
            tags.append(self.library_name)
        names = self.files_at(commit)
        if any(p.endswith(".safetensors") for p in names):
            tags.append("safetensors")
        if any(p.endswith(".gguf") for p in names):
            tags.append("gguf")
        if self.pipeline_tag:
            tags.append(self.pipeline_tag)
        card_tags = self.card_value("tags") or []
        tags += [card_tags] if isinstance(card_tags, str) else list(card_tags)
        licence = self.card_value("license")
        for lic in [licence] if isinstance(licence, str) else list(licence or []):
            tags.append(f"license:{lic}")
        base = self.derived_base_models()
        if base:
            for model in base.get("models", []):
                tags.append(f"base_model:{model['id']}")
                tags.append(f"base_model:{base.get('relation', 'finetune')}:{model['id']}")
        tags.append("region:us")
        return list(dict.fromkeys(tags))


class LoggedRequest(NamedTuple):
    """One request as the fake servers saw it.

    ``path`` is the raw (percent-encoded) path without the query; ``query`` the parsed query
    string; ``headers`` lower-cased, with the Authorization *value* replaced by ``"<redacted>"``
    (so presence is visible, the secret is not); ``server`` is ``"hub"`` or ``"cdn"``.
    """

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    server: str

    @property
    def has_auth(self) -> bool:
        return "authorization" in self.headers


@dataclass
class Fault:
    """A scheduled misbehaviour: see :meth:`FakeHub.fail`."""

    path_regex: str
    status: int = 500
    headers: dict[str, str] = field(default_factory=dict)
    times: int | None = 1
    body: bytes | str | dict[str, Any] | list[Any] | None = None
    method: str | None = None
    delay: float = 0.0
    mode: FailMode | None = None
    hits: int = 0

    def matches(self, method: str, path: str) -> bool:
        if self.times is not None and self.hits >= self.times:
            return False
        if self.method is not None and self.method.upper() != method:
            return False
        return re.search(self.path_regex, path) is not None

    @property
    def exhausted(self) -> bool:
        return self.times is not None and self.hits >= self.times


@dataclass
class _Response:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    is_json: bool = False


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, hub: FakeHub, role: str) -> None:
        self.hub = hub
        self.role = role
        self.open_sockets: set[socket.socket] = set()
        self.sockets_lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _Handler)


class _Handler(BaseHTTPRequestHandler):
    disable_nagle_algorithm = True  # headers and body go in two writes: no 40 ms delayed ACK
    protocol_version = "HTTP/1.1"
    timeout = 30  # idle keep-alive connections give up eventually
    server: _Server

    def setup(self) -> None:
        super().setup()
        with self.server.sockets_lock:
            self.server.open_sockets.add(self.connection)

    def finish(self) -> None:
        with contextlib.suppress(OSError):
            super().finish()
        with self.server.sockets_lock:
            self.server.open_sockets.discard(self.connection)

    def log_message(self, format: str, *args: Any) -> None:  # silence stderr
        pass

    def do_GET(self) -> None:
        self.server.hub._dispatch(self, "GET")

    def do_HEAD(self) -> None:
        self.server.hub._dispatch(self, "HEAD")

    def do_POST(self) -> None:
        self.server.hub._dispatch(self, "POST")


def _object_id(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()[:24]


def _json(status: int, payload: Any, headers: dict[str, str] | None = None) -> _Response:
    hdrs = {"Content-Type": "application/json; charset=utf-8", **(headers or {})}
    return _Response(status, hdrs, json.dumps(payload).encode(), is_json=True)


def _error(
    status: int, message: str, code: str | None = None, headers: dict[str, str] | None = None
) -> _Response:
    hdrs = {"X-Error-Message": message, **(headers or {})}
    if code:
        hdrs["X-Error-Code"] = code
    return _json(status, {"error": message}, hdrs)


def _content_type(path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    if name.endswith((".md", ".txt", ".yaml", ".yml", ".gitattributes")) or name in (
        "LICENSE",
        "NOTICE",
        "README",
        "COPYING",
    ):
        return "text/plain; charset=utf-8"
    if path.endswith(".json"):
        return "application/json; charset=utf-8"
    return "application/octet-stream"


def _lfs_pointer(content: bytes) -> bytes:
    return (
        "version https://git-lfs.github.com/spec/v1\n"
        f"oid sha256:{hashlib.sha256(content).hexdigest()}\nsize {len(content)}\n"
    ).encode()


def _flag(query: dict[str, list[str]], name: str) -> bool:
    values = query.get(name) or [""]
    return values[-1].lower() in ("1", "true", "yes")


class FakeHub:
    """A fake Hub on ``127.0.0.1`` (random port), plus a fake CDN on a second port.

    * ``add(*repos)``, ``remove(repo_id)``, ``repos`` (dict by id);
    * ``start()`` / ``stop()`` or ``with FakeHub() as hub``; ``url``, ``cdn_url``, ``port``;
    * ``requests``: list of :class:`LoggedRequest` (both servers); ``clear_log()``,
      ``requests_to(path_regex, method=None)``;
    * ``token``: the token approved for every gated/private repo whose ``authorized_tokens`` is
      None; any *other* bearer token is a valid user that is not approved (403 on gated repos),
      except those in ``invalid_tokens`` (401 "Invalid credentials in Authorization header");
    * ``fail(...)``: per-path fault injection; ``latency``: seconds slept before every answer;
      ``fail_mode``: ``"truncate"``, ``"non_json"`` or ``"drop"`` applied to every answer;
    * ``page_size`` (``GET /api/models``) and ``tree_page_size`` (tree listing) drive pagination.
    """

    def __init__(
        self,
        repos: Iterable[FakeRepo] = (),
        *,
        token: str | None = "hf_fake_approved_token",
        invalid_tokens: Iterable[str] = (),
        latency: float = 0.0,
        page_size: int = 1000,
        tree_page_size: int = 1000,
        cdn: bool = True,
    ) -> None:
        self.repos: dict[str, FakeRepo] = {}
        self.token = token
        self.invalid_tokens: set[str] = set(invalid_tokens)
        self.latency = latency
        self.fail_mode: FailMode | None = None
        self.page_size = page_size
        self.tree_page_size = tree_page_size
        self.use_cdn = cdn
        self.ignore_ranges = False  # True: answer 200 and the whole file, as some servers do
        self.requests: list[LoggedRequest] = []
        self.faults: list[Fault] = []
        self._lock = threading.Lock()
        self._counter = 0
        self.in_flight = 0  # requests being answered now (from logged to answered)
        self.peak_in_flight = 0  # the most at once since the log was last cleared
        self._servers: dict[str, _Server] = {}
        self._last_ports: dict[str, int] = {}
        self._threads: list[threading.Thread] = []
        for repo in repos:
            self.add(repo)

    # -- setup -----------------------------------------------------------------------------

    def add(self, *repos: FakeRepo) -> FakeRepo:
        """Register repos (replacing same ids); returns the last one."""
        if not repos:
            raise TypeError("add() needs at least one FakeRepo")
        for repo in repos:
            self.repos[repo.repo_id] = repo
        return repos[-1]

    def remove(self, repo_id: str) -> None:
        self.repos.pop(repo_id, None)

    def fail(
        self,
        path_regex: str,
        status: int = 500,
        headers: dict[str, str] | None = None,
        times: int | None = 1,
        body: bytes | str | dict[str, Any] | list[Any] | None = None,
        *,
        method: str | None = None,
        delay: float = 0.0,
        mode: FailMode | None = None,
    ) -> Fault:
        """Answer the next ``times`` requests whose raw path matches ``path_regex`` (``re.search``,
        query excluded) with ``status`` (body: ``{"error": ...}`` JSON unless ``body`` is given;
        ``X-Error-Message`` is always set).  ``times=None`` means forever.

        ``status=0`` answers normally, only applying ``delay`` (seconds) and/or ``mode``:
        ``"truncate"`` sends half the body then closes, ``"non_json"`` replaces the body with HTML,
        ``"drop"`` closes the connection without answering.  Faults are tried in the order added;
        the returned :class:`Fault` counts its ``hits``.
        """
        fault = Fault(path_regex, status, dict(headers or {}), times, body, method, delay, mode)
        with self._lock:
            self.faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        with self._lock:
            self.faults.clear()

    def clear_log(self) -> None:
        with self._lock:
            self.requests.clear()
            self.peak_in_flight = self.in_flight

    def reset(self) -> None:
        """Forget repos, faults and the log; restore latency/fail_mode/page sizes defaults."""
        with self._lock:
            self.repos.clear()
            self.faults.clear()
            self.requests.clear()
        self.latency = 0.0
        self.ignore_ranges = False
        self.fail_mode = None
        self.page_size = 1000
        self.tree_page_size = 1000
        self.invalid_tokens.clear()

    def requests_to(self, path_regex: str = "", method: str | None = None) -> list[LoggedRequest]:
        with self._lock:
            logged = list(self.requests)
        return [
            r
            for r in logged
            if re.search(path_regex, r.path) and (method is None or r.method == method.upper())
        ]

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> FakeHub:
        if self._servers:
            return self
        roles = ("hub", "cdn") if self.use_cdn else ("hub",)
        for role in roles:
            server = _Server(self, role)
            thread = threading.Thread(
                target=server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"fakehub-{role}",
                daemon=True,
            )
            thread.start()
            self._servers[role] = server
            self._last_ports[role] = int(server.server_address[1])
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        """Stop both servers and close every open (keep-alive) connection, so that later requests
        get "connection refused" instead of being served by a lingering connection."""
        servers, self._servers = self._servers, {}
        for server in servers.values():
            server.shutdown()
            server.server_close()
            with server.sockets_lock:
                open_sockets = list(server.open_sockets)
            for sock in open_sockets:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                with contextlib.suppress(OSError):
                    sock.close()
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads.clear()

    def __enter__(self) -> FakeHub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return bool(self._servers)

    def _server(self, role: str) -> _Server:
        try:
            return self._servers[role]
        except KeyError:
            raise RuntimeError(f"FakeHub {role} server is not running (call start())") from None

    @property
    def port(self) -> int:
        """The hub's port; still answers after ``stop()`` (handy as a dead endpoint)."""
        if "hub" in self._servers:
            return int(self._servers["hub"].server_address[1])
        if self._last_ports.get("hub"):
            return self._last_ports["hub"]
        return int(self._server("hub").server_address[1])  # raises: never started

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def cdn_url(self) -> str:
        if "cdn" not in self._servers and self._last_ports.get("cdn"):
            return f"http://127.0.0.1:{self._last_ports['cdn']}"
        return f"http://127.0.0.1:{self._server('cdn').server_address[1]}"

    # -- request handling ------------------------------------------------------------------

    def _dispatch(self, handler: _Handler, method: str) -> None:
        with self._lock:
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
        try:
            self._answer(handler, method)
        finally:
            with self._lock:
                self.in_flight -= 1

    def _answer(self, handler: _Handler, method: str) -> None:
        split = urlsplit(handler.path)
        query = parse_qs(split.query, keep_blank_values=True)
        headers = {k.lower(): v for k, v in handler.headers.items()}
        if "authorization" in headers:
            headers["authorization"] = "<redacted>"
        body = b""
        length = int(handler.headers.get("Content-Length") or 0)
        if length:
            body = handler.rfile.read(length)
        role = handler.server.role
        with self._lock:
            self.requests.append(LoggedRequest(method, split.path, query, headers, role))
            self._counter += 1
            request_id = f"fakehub-{self._counter}"
            fault = next((f for f in self.faults if f.matches(method, split.path)), None)
            if fault is not None:
                fault.hits += 1
        if self.latency:
            time.sleep(self.latency)
        mode = self.fail_mode
        if fault is not None:
            if fault.delay:
                time.sleep(fault.delay)
            mode = fault.mode or mode
        if mode == "drop":
            handler.close_connection = True
            with contextlib.suppress(OSError):
                handler.connection.shutdown(socket.SHUT_RDWR)
            return
        if fault is not None and fault.status:
            response = self._fault_response(fault)
        else:
            try:
                if role == "cdn":
                    response = self._route_cdn(method, split.path, handler)
                else:
                    response = self._route(method, split.path, query, handler, body)
            except Exception as exc:  # a bug in the fake must show up, not hang the client
                response = _error(500, f"fakehub internal error: {exc!r}")
        response.headers.setdefault("X-Request-Id", request_id)
        self._send(handler, method, response, mode)

    def _fault_response(self, fault: Fault) -> _Response:
        message = f"Injected fault: HTTP {fault.status}"
        headers = {"X-Error-Message": message, **fault.headers}
        if fault.body is None:
            return _json(fault.status, {"error": message}, headers)
        if isinstance(fault.body, (dict, list)):
            return _json(fault.status, fault.body, headers)
        raw = fault.body.encode() if isinstance(fault.body, str) else fault.body
        headers.setdefault("Content-Type", "text/plain; charset=utf-8")
        return _Response(fault.status, headers, raw)

    def _send(
        self, handler: _Handler, method: str, response: _Response, mode: FailMode | None
    ) -> None:
        body = response.body
        headers = dict(response.headers)
        if mode == "non_json":
            body = b"<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>"
            headers["Content-Type"] = "text/html; charset=utf-8"
            headers.pop("Content-Length", None)
        headers.setdefault("Content-Length", str(len(body)))
        try:
            handler.send_response(response.status)
            for key, value in headers.items():
                handler.send_header(key, value)
            handler.end_headers()
            if method != "HEAD" and body:
                if mode == "truncate":
                    handler.wfile.write(body[: len(body) // 2])
                    handler.wfile.flush()
                    handler.close_connection = True
                    with contextlib.suppress(OSError):
                        handler.connection.shutdown(socket.SHUT_RDWR)
                    return
                handler.wfile.write(body)
            handler.wfile.flush()
        except OSError:
            handler.close_connection = True

    # -- auth --------------------------------------------------------------------------------

    def _bearer(self, handler: _Handler) -> tuple[str | None, _Response | None]:
        value = handler.headers.get("Authorization")
        if not value:
            return None, None
        scheme, _, token = value.partition(" ")
        if scheme.lower() != "bearer" or not token or token in self.invalid_tokens:
            return None, _error(401, "Invalid credentials in Authorization header")
        return token, None

    def _approved(self, repo: FakeRepo, token: str | None) -> bool:
        if token is None:
            return False
        allowed = repo.authorized_tokens
        if allowed is None:
            return self.token is not None and token == self.token
        return token in allowed

    @staticmethod
    def _not_found(token: str | None) -> _Response:
        # 401 anonymously (the Hub will not tell "private" from "missing"), 404 with a token.
        return _error(401 if token is None else 404, "Repository not found", "RepoNotFound")

    def _access(
        self, repo: FakeRepo | None, token: str | None, scope: str, filename: str | None = None
    ) -> _Response | None:
        """None if allowed, else the error response.  ``scope`` is an API scope name or "file"."""
        if repo is None or (repo.private and not self._approved(repo, token)):
            return self._not_found(token)
        if repo.disabled:
            return _error(403, "Access to this resource is disabled.")
        if not repo.gated or self._approved(repo, token):
            return None
        if scope in repo.ungated_endpoints or (scope == "file" and filename in repo.ungated_files):
            return None
        if token is None:
            message = (
                f"Access to model {repo.repo_id} is restricted. You must have access to it "
                "and be authenticated to access it. Please log in."
            )
            return _error(401, message, "GatedRepo")
        message = (
            f"Access to model {repo.repo_id} is restricted and you are not in the "
            f"authorized list. Visit {self.url}/{repo.repo_id} to ask for access."
        )
        return _error(403, message, "GatedRepo")

    # -- routing -----------------------------------------------------------------------------

    def _find_repo_id(self, segments: list[str]) -> tuple[str, list[str]]:
        """Split raw path segments into (repo_id, rest): known ids first, else the Hub's shapes."""
        decoded = [unquote(s) for s in segments]
        if len(decoded) >= 2 and "/".join(decoded[:2]) in self.repos:
            return "/".join(decoded[:2]), segments[2:]
        if decoded and decoded[0] in self.repos:
            return decoded[0], segments[1:]
        if len(decoded) >= 2 and decoded[1] not in _API_SUBPATHS:
            return "/".join(decoded[:2]), segments[2:]
        return (decoded[0] if decoded else ""), segments[1:]

    @staticmethod
    def _split_revision(segments: list[str]) -> tuple[str, list[str]]:
        """First revision from raw segments: one percent-encoded segment (what the client sends),
        or an unencoded ``refs/pr/N`` / ``refs/convert/x`` / ``refs/heads|tags/x``."""
        if len(segments) >= 3 and segments[0] == "refs":
            return "/".join(segments[:3]), segments[3:]
        return unquote(segments[0]), segments[1:]

    def _route(
        self, method: str, path: str, query: dict[str, list[str]], handler: _Handler, body: bytes
    ) -> _Response:
        token, auth_error = self._bearer(handler)
        if path == "/api/agent-harnesses":
            return _json(200, {"standardEnvVars": [], "harnesses": {}})
        if auth_error is not None:
            return auth_error
        segments = path.lstrip("/").split("/")
        if path.rstrip("/") == "/api/models":
            if method not in ("GET", "HEAD"):
                return _error(405, "Method not allowed")
            return self._list_models(query, token)
        if segments[:1] == ["api"] and len(segments) >= 3 and segments[1] in ("datasets", "spaces"):
            return self._not_found(token)
        if segments[:2] == ["api", "models"] and len(segments) >= 3:
            repo_id, rest = self._find_repo_id(segments[2:])
            return self._model_api(method, repo_id, rest, query, token, body)
        if "resolve" in segments[1:4]:
            index = segments.index("resolve", 1)
            if method not in ("GET", "HEAD"):
                return _error(405, "Method not allowed")
            return self._resolve(method, segments[:index], segments[index + 1 :], handler, token)
        return _json(404, {"error": "Sorry, we can't find the page you are looking for."})

    def _model_api(
        self,
        method: str,
        repo_id: str,
        rest: list[str],
        query: dict[str, list[str]],
        token: str | None,
        body: bytes,
    ) -> _Response:
        repo = self.repos.get(repo_id)
        head = rest[0] if rest else ""
        if head == "" and len(rest) <= 1:
            return self._model_info(repo, None, query, token)
        if head == "revision" and len(rest) >= 2:
            return self._model_info(repo, unquote("/".join(rest[1:])), query, token)
        if head == "tree" and len(rest) >= 2:
            revision, tail = self._split_revision(rest[1:])
            return self._tree(repo, revision, unquote("/".join(tail)), query, token)
        if head == "paths-info" and len(rest) >= 2 and method == "POST":
            revision, _ = self._split_revision(rest[1:])
            return self._paths_info(repo, revision, body, token)
        if head == "auth-check":
            error = self._access(repo, token, "auth-check")
            return error or _json(200, {})
        if head == "refs" and len(rest) == 1:
            return self._refs(repo, query, token)
        return _json(404, {"error": "Sorry, we can't find the page you are looking for."})

    # -- model_info / list_models ------------------------------------------------------------

    def _commit_or_error(
        self, repo: FakeRepo, revision: str | None
    ) -> tuple[str, _Response | None]:
        if revision is None:
            return repo.branches["main"], None
        commit = repo.resolve_revision(revision)
        if commit is None:
            return "", _error(404, f"Invalid rev id: {revision}", "RevisionNotFound")
        return commit, None

    def _full_model_json(
        self, repo: FakeRepo, commit: str, *, blobs: bool = False
    ) -> dict[str, Any]:
        files = repo.files_at(commit)
        siblings = []
        for path in files:
            entry: dict[str, Any] = {"rfilename": path}
            if blobs:
                content = files[path]
                entry.update(self._blob_fields(repo, path, content, sibling=True))
            siblings.append(entry)
        info: dict[str, Any] = {
            "_id": _object_id(repo.repo_id),
            "id": repo.repo_id,
            "modelId": repo.repo_id,
            "author": repo.author,
            "sha": commit,
            "lastModified": repo.last_modified,
            "private": repo.private,
            "disabled": repo.disabled,
            "gated": repo.gated,
            "pipeline_tag": repo.pipeline_tag,
            "library_name": repo.library_name,
            "tags": repo.derived_tags(commit),
            "downloads": repo.downloads,
            "likes": repo.likes,
            "model-index": repo.card_value("model-index"),
            "config": repo.config,
            "cardData": repo.card_data,
            "transformersInfo": repo.transformers_info,
            "siblings": siblings,
            "spaces": list(repo.spaces),
            "createdAt": repo.created_at,
            "usedStorage": sum(len(c) for c in files.values()),
            "safetensors": repo.safetensors,
            "gguf": repo.gguf,
            # expand-only below
            "baseModels": repo.derived_base_models(),
            "childrenModelCount": repo.children_model_count,
            "downloadsAllTime": repo.downloads_all_time,
            "trendingScore": repo.trending_score,
        }
        info.update(repo.extra)
        return {k: v for k, v in info.items() if v is not None}

    @staticmethod
    def _project(full: dict[str, Any], expand: list[str]) -> dict[str, Any]:
        out = {"_id": full["_id"], "id": full["id"]}
        out.update({key: full[key] for key in expand if key in full})
        return out

    @staticmethod
    def _expand_error(expand: list[str]) -> _Response | None:
        unknown = [key for key in expand if key not in EXPAND_MODEL_PROPERTIES]
        if unknown:
            return _error(400, f'"expand" contains unknown properties: {", ".join(unknown)}')
        return None

    def _model_info(
        self,
        repo_or_none: FakeRepo | None,
        revision: str | None,
        query: dict[str, list[str]],
        token: str | None,
    ) -> _Response:
        scope = "info" if revision is None else "revision"
        error = self._access(repo_or_none, token, scope)
        if error is not None:
            return error
        repo = repo_or_none
        assert repo is not None
        commit, error = self._commit_or_error(repo, revision)
        if error is not None:
            return error
        expand = query.get("expand", []) + query.get("expand[]", [])
        if expand and (_flag(query, "blobs") or _flag(query, "securityStatus")):
            return _error(400, "expand cannot be combined with blobs or securityStatus")
        if expand and (error := self._expand_error(expand)):
            return error
        full = self._full_model_json(repo, commit, blobs=_flag(query, "blobs"))
        if expand:
            return _json(200, self._project(full, expand))
        info = {k: v for k, v in full.items() if k not in _EXPAND_ONLY or k in repo.extra}
        if _flag(query, "securityStatus"):
            info["securityRepoStatus"] = {"scansDone": True, "filesWithIssues": []}
        return _json(200, info)

    def _list_models(self, query: dict[str, list[str]], token: str | None) -> _Response:
        def last(name: str) -> str | None:
            values = query.get(name)
            return values[-1] if values else None

        expand = query.get("expand", []) + query.get("expand[]", [])
        if expand and (_flag(query, "full") or _flag(query, "cardData") or _flag(query, "config")):
            return _error(400, "expand cannot be combined with full, cardData or config")
        if expand and (error := self._expand_error(expand)):
            return error
        author, search, gated = last("author"), last("search"), last("gated")
        pipeline_tag, library = last("pipeline_tag"), last("library")
        filters = [f for value in query.get("filter", []) for f in value.split(",") if f]
        items: list[dict[str, Any]] = []
        for repo in list(self.repos.values()):
            if repo.disabled or (repo.private and not self._approved(repo, token)):
                continue
            if author is not None and repo.author != author:
                continue
            if search and search.lower() not in repo.repo_id.lower():
                continue
            if gated is not None and bool(repo.gated) != (gated.lower() == "true"):
                continue
            if pipeline_tag and repo.pipeline_tag != pipeline_tag:
                continue
            if library and repo.library_name != library:
                continue
            full = self._full_model_json(repo, repo.branches["main"])
            if not all(f in full["tags"] for f in filters):
                continue
            items.append(full)
        sort = last("sort")
        if sort:
            reverse = last("direction") != "1"
            items.sort(
                key=lambda item: (item.get(sort) is not None, item.get(sort) or 0), reverse=reverse
            )
        limit = last("limit")
        page_size = self.page_size
        if limit is not None:
            if not limit.isdigit():
                return _error(400, f"Invalid limit: {limit}")
            page_size = max(1, min(int(limit), page_size))
        offset = _decode_cursor(last("cursor"))
        page = items[offset : offset + page_size]
        out = []
        for full in page:
            if expand:
                out.append(self._project(full, expand))
                continue
            keys: tuple[str, ...] = _LIST_FULL_KEYS if _flag(query, "full") else _LIST_DEFAULT_KEYS
            item = {k: full[k] for k in keys if k in full}
            if _flag(query, "cardData") and "cardData" in full:
                item["cardData"] = full["cardData"]
            if _flag(query, "config") and "config" in full:
                item["config"] = full["config"]
            out.append(item)
        headers = {}
        if offset + page_size < len(items):
            params = [(k, v) for k, values in query.items() if k != "cursor" for v in values]
            params.append(("cursor", _encode_cursor(offset + page_size)))
            headers["Link"] = f'<{self.url}/api/models?{urlencode(params)}>; rel="next"'
        return _json(200, out, headers)

    # -- tree / paths-info / refs --------------------------------------------------------------

    def _blob_fields(
        self, repo: FakeRepo, path: str, content: bytes, *, sibling: bool = False
    ) -> dict[str, Any]:
        fields: dict[str, Any] = {"size": len(content)}
        if repo.is_lfs(path):
            pointer = _lfs_pointer(content)
            fields["blobId" if sibling else "oid"] = git_blob_sha1(pointer)
            key = "sha256" if sibling else "oid"
            fields["lfs"] = {
                key: hashlib.sha256(content).hexdigest(),
                "size": len(content),
                "pointerSize": len(pointer),
            }
        else:
            fields["blobId" if sibling else "oid"] = git_blob_sha1(content)
        return fields

    def _entries(self, repo: FakeRepo, commit: str, expand: bool) -> dict[str, dict[str, Any]]:
        """Every file and directory at ``commit``, by path."""
        entries: dict[str, dict[str, Any]] = {}
        last_commit = {
            "id": commit,
            "title": "Upload folder using huggingface_hub",
            "date": repo.last_modified,
        }
        for path, content in repo.files_at(commit).items():
            parts = path.split("/")
            for depth in range(1, len(parts)):
                directory = "/".join(parts[:depth])
                if directory not in entries:
                    entry = {
                        "type": "directory",
                        "oid": hashlib.sha1(directory.encode()).hexdigest(),
                        "size": 0,
                        "path": directory,
                    }
                    if expand:
                        entry["lastCommit"] = last_commit
                    entries[directory] = entry
            entry = {"type": "file", "path": path, **self._blob_fields(repo, path, content)}
            if expand:
                entry["lastCommit"] = last_commit
                entry["securityFileStatus"] = {
                    "status": "safe",
                    "avScan": {"virusFound": False},
                    "pickleImportScan": None,
                }
            entries[path] = entry
        return entries

    def _tree(
        self,
        repo_or_none: FakeRepo | None,
        revision: str,
        path_in_repo: str,
        query: dict[str, list[str]],
        token: str | None,
    ) -> _Response:
        error = self._access(repo_or_none, token, "tree")
        if error is not None:
            return error
        repo = repo_or_none
        assert repo is not None
        commit, error = self._commit_or_error(repo, revision)
        if error is not None:
            return error
        entries = self._entries(repo, commit, _flag(query, "expand"))
        prefix = path_in_repo.strip("/")
        if prefix and entries.get(prefix, {}).get("type") != "directory":
            return _error(
                404,
                f'{prefix} does not exist on "{revision}"',
                "EntryNotFound",
                {"X-Repo-Commit": commit},
            )
        recursive = _flag(query, "recursive")
        selected = []
        for path in sorted(entries):
            if prefix and not path.startswith(prefix + "/"):
                continue
            relative = path[len(prefix) + 1 :] if prefix else path
            if recursive or "/" not in relative:
                selected.append(entries[path])
        selected.sort(key=lambda e: (e["type"] != "directory", e["path"]))
        page_size = 50 if _flag(query, "expand") else self.tree_page_size
        page_size = min(page_size, self.tree_page_size)
        offset = _decode_cursor((query.get("cursor") or [""])[-1])
        headers = {"X-Repo-Commit": commit}
        if offset + page_size < len(selected):
            params = [(k, v) for k, values in query.items() if k != "cursor" for v in values]
            params.append(("cursor", _encode_cursor(offset + page_size)))
            rev = quote(revision, safe="")
            suffix = "/" + quote(prefix, safe="/") if prefix else ""
            next_url = (
                f"{self.url}/api/models/{repo.repo_id}/tree/{rev}{suffix}?{urlencode(params)}"
            )
            headers["Link"] = f'<{next_url}>; rel="next"'
        return _json(200, selected[offset : offset + page_size], headers)

    def _paths_info(
        self, repo_or_none: FakeRepo | None, revision: str, body: bytes, token: str | None
    ) -> _Response:
        error = self._access(repo_or_none, token, "paths-info")
        if error is not None:
            return error
        repo = repo_or_none
        assert repo is not None
        commit, error = self._commit_or_error(repo, revision)
        if error is not None:
            return error
        form = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
        entries = self._entries(repo, commit, _flag(form, "expand"))
        wanted = [p.strip("/") for p in form.get("paths", [])]
        return _json(200, [entries[p] for p in wanted if p in entries], {"X-Repo-Commit": commit})

    def _refs(
        self, repo_or_none: FakeRepo | None, query: dict[str, list[str]], token: str | None
    ) -> _Response:
        error = self._access(repo_or_none, token, "refs")
        if error is not None:
            return error
        repo = repo_or_none
        assert repo is not None
        data: dict[str, Any] = {
            "branches": [
                {"name": n, "ref": f"refs/heads/{n}", "targetCommit": c}
                for n, c in repo.branches.items()
            ],
            "converts": [],
            "tags": [
                {"name": n, "ref": f"refs/tags/{n}", "targetCommit": c}
                for n, c in repo.git_tags.items()
            ],
        }
        if _flag(query, "include_prs"):
            data["pullRequests"] = []
        return _json(200, data)

    # -- downloads -----------------------------------------------------------------------------

    def _resolve(
        self,
        method: str,
        repo_segments: list[str],
        rest: list[str],
        handler: _Handler,
        token: str | None,
    ) -> _Response:
        if repo_segments and repo_segments[0] in ("datasets", "spaces"):
            return self._not_found(token)
        repo_id = "/".join(unquote(s) for s in repo_segments)
        repo = self.repos.get(repo_id)
        if not rest or not rest[0]:
            return _json(404, {"error": "Sorry, we can't find the page you are looking for."})
        revision, tail = self._split_revision(rest)
        filename = unquote("/".join(tail))
        error = self._access(repo, token, "file", filename)
        if error is not None:
            return error
        assert repo is not None
        commit, error = self._commit_or_error(repo, revision)
        if error is not None:
            return error
        files = repo.files_at(commit)
        if filename not in files:
            return _error(404, "Entry not found", "EntryNotFound", {"X-Repo-Commit": commit})
        content = files[filename]
        common = {
            "X-Repo-Commit": commit,
            "Accept-Ranges": "bytes",
            "Access-Control-Expose-Headers": "X-Repo-Commit,X-Linked-Etag,X-Linked-Size",
        }
        if repo.is_lfs(filename):
            sha256 = hashlib.sha256(content).hexdigest()
            common.update({"X-Linked-Etag": f'"{sha256}"', "X-Linked-Size": str(len(content))})
            if self.use_cdn:
                signature = hashlib.sha256(f"{sha256}{commit}".encode()).hexdigest()[:32]
                location = (
                    f"{self.cdn_url}/lfs/{sha256}?response-content-disposition="
                    f"{quote('inline; filename=' + filename.rsplit('/', 1)[-1])}"
                    f"&X-Amz-Expires=3600&X-Amz-Signature={signature}"
                )
                body = f"Found. Redirecting to {location}".encode()
                return _Response(
                    302,
                    {
                        **common,
                        "Location": location,
                        "ETag": f'"{git_blob_sha1(body)}"',
                        "Content-Type": "text/plain; charset=utf-8",
                    },
                    body,
                )
            return self._file_response(
                handler, content, _content_type(filename), {**common, "ETag": f'"{sha256}"'}
            )
        return self._file_response(
            handler,
            content,
            _content_type(filename),
            {**common, "ETag": f'"{git_blob_sha1(content)}"'},
        )

    def _route_cdn(self, method: str, path: str, handler: _Handler) -> _Response:
        match = re.fullmatch(r"/lfs/([0-9a-f]{64})", path)
        sha256 = match.group(1) if match else ""
        content = self._blob_by_sha256(sha256) if sha256 else None
        if content is None:
            xml = b"<?xml version='1.0'?><Error><Code>AccessDenied</Code></Error>"
            return _Response(403, {"Content-Type": "application/xml"}, xml)
        return self._file_response(
            handler,
            content,
            "application/octet-stream",
            {"ETag": f'"{sha256}"', "Accept-Ranges": "bytes"},
        )

    def _blob_by_sha256(self, sha256: str) -> bytes | None:
        for repo in list(self.repos.values()):
            for files in (repo.files, *repo.revision_files.values()):
                for content in files.values():
                    if hashlib.sha256(content).hexdigest() == sha256:
                        return content
        return None

    @staticmethod
    def _file_response(
        handler: _Handler, content: bytes, content_type: str, headers: dict[str, str]
    ) -> _Response:
        headers = {"Content-Type": content_type, **headers}
        range_header = handler.headers.get("Range")
        if getattr(handler.server, "hub", None) is not None and handler.server.hub.ignore_ranges:
            range_header = None
        match = re.fullmatch(r"bytes=(\d+)-(\d*)", range_header or "")
        if match:
            start = int(match.group(1))
            end = int(match.group(2)) if match.group(2) else len(content) - 1
            if start >= len(content) or end < start:
                headers["Content-Range"] = f"bytes */{len(content)}"
                return _Response(416, headers, b"")
            end = min(end, len(content) - 1)
            headers["Content-Range"] = f"bytes {start}-{end}/{len(content)}"
            return _Response(206, headers, content[start : end + 1])
        return _Response(200, headers, content)


def _encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"offset": offset}).encode()).decode()


def _decode_cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        return int(json.loads(base64.urlsafe_b64decode(cursor.encode()))["offset"])
    except (ValueError, KeyError, TypeError):
        return 0


@contextlib.contextmanager
def serving(hub: FakeHub) -> Iterator[FakeHub]:
    """``hub`` running, and huggingface_hub's module constants (read at call time) set for
    tests: no telemetry probe, no implicit token, online, no progress bars; all undone after."""
    import os

    from huggingface_hub import constants

    wanted = {
        "HF_HUB_DISABLE_TELEMETRY": True,
        "HF_HUB_DISABLE_IMPLICIT_TOKEN": True,
        "HF_HUB_OFFLINE": False,
    }
    saved = {name: getattr(constants, name) for name in wanted}
    bars = os.environ.get("HF_HUB_DISABLE_PROGRESS_BARS")
    hub.start()
    try:
        for name, value in wanted.items():
            setattr(constants, name, value)
        os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"
        yield hub
    finally:
        for name, value in saved.items():
            setattr(constants, name, value)
        if bars is None:
            os.environ.pop("HF_HUB_DISABLE_PROGRESS_BARS", None)
        else:
            os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = bars
        hub.stop()


def iter_repos(count: int, org: str = "acme", **kwargs: Any) -> Iterator[FakeRepo]:
    """``count`` small repos ``{org}/model-{i}`` (handy for pagination tests)."""
    for i in range(count):
        yield FakeRepo(f"{org}/model-{i}", files={"README.md": f"# model {i}\n".encode()}, **kwargs)
