"""The Hugging Face Hub, through huggingface_hub only: model metadata, files, listings.

Every call has an explicit timeout; what is worth retrying (429, 5xx, timeouts, dropped
connections) is retried a bounded number of times, honouring Retry-After. Each model's metadata is
fetched once per run however many models share it (a memo of futures, safe across threads), and
metadata read at an exact commit is kept on disk next to the Hugging Face cache, so a second run
of a pinned audit and ``--offline`` runs need no request for it. A token, when there is one, goes
to huggingface_hub and nowhere else: it is never printed, logged or written into a report.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from checker.sources.hub.fanout import Fanout
from checker.sources.hub.options import HubOptions

SHA = re.compile(r"^[0-9a-f]{40}$")
CALLS = ("model_info", "download", "list_models", "range", "paths_info")  # counted requests
RETRY_STATUS = frozenset({408, 429, 500, 502, 503, 504})
TRANSIENT = ("TimeoutException", "NetworkError", "RemoteProtocolError", "ProtocolError")
INFO_FORMAT = 2
EXPAND: list[Any] = [
    "author",
    "baseModels",
    "cardData",
    "config",
    "createdAt",
    "disabled",
    "gated",
    "gguf",
    "library_name",
    "pipeline_tag",
    "private",
    "safetensors",
    "sha",
    "siblings",
    "tags",
]


class HubError(Exception):
    """A Hub request failed; the message is one line that says why, for the report."""

    def __init__(self, message: str, kind: str = "error") -> None:
        super().__init__(message)
        self.kind = kind  # not-found | revision | gated | disabled | offline | error


@dataclass(frozen=True, slots=True)
class HubInfo:
    """What model_info says about a model at one commit (JSON-serialisable)."""

    id: str
    sha: str
    author: str | None = None
    gated: str | bool = False
    private: bool = False
    disabled: bool = False
    tags: tuple[str, ...] = ()
    pipeline_tag: str | None = None
    library_name: str | None = None
    card_data: Mapping[str, Any] | None = None
    siblings: tuple[str, ...] = ()
    created_at: str | None = None
    parameters: int | None = None
    auto_map: tuple[str, ...] = ()
    base_relation: str | None = None
    base_models: tuple[str, ...] = ()
    gguf_license: str | None = None
    has_config: bool = False

    def to_json(self) -> dict[str, Any]:
        """For the on-disk metadata cache."""
        data = asdict(self)
        data["format"] = INFO_FORMAT
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> HubInfo:
        """Read back what ``to_json`` wrote."""
        fields = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        for key in ("tags", "siblings", "auto_map", "base_models"):
            fields[key] = tuple(fields.get(key) or ())
        return cls(**fields)


def _plain(value: Any) -> Any:
    """Card data from huggingface_hub as plain JSON values."""
    if hasattr(value, "to_dict"):
        value = value.to_dict()
    return json.loads(json.dumps(value, default=str))


def info_from_model(model: Any, requested: str) -> HubInfo:
    """Convert huggingface_hub's ModelInfo (defensively: the Hub sends what it likes)."""
    card = _plain(model.card_data) if getattr(model, "card_data", None) is not None else None
    config = getattr(model, "config", None) or {}
    auto_map = config.get("auto_map") if isinstance(config, dict) else None
    safetensors = getattr(model, "safetensors", None)
    total = getattr(safetensors, "total", None) if safetensors is not None else None
    bases = getattr(model, "base_models", None)
    relation, base_ids = None, ()
    if isinstance(bases, dict):
        relation = bases.get("relation") if isinstance(bases.get("relation"), str) else None
        base_ids = tuple(
            m["id"] for m in bases.get("models", []) if isinstance(m, dict) and "id" in m
        )
    gguf = getattr(model, "gguf", None)
    gguf_license = gguf.get("license") if isinstance(gguf, dict) else None
    created = getattr(model, "created_at", None)
    sha = getattr(model, "sha", None)
    if not isinstance(sha, str) or not SHA.match(sha):
        raise HubError(f"{requested}: the Hub sent no commit sha for this revision")
    return HubInfo(
        id=str(getattr(model, "id", requested) or requested),
        sha=sha,
        author=getattr(model, "author", None),
        gated=getattr(model, "gated", False) or False,
        private=bool(getattr(model, "private", False)),
        disabled=bool(getattr(model, "disabled", False)),
        tags=tuple(t for t in (getattr(model, "tags", None) or []) if isinstance(t, str)),
        pipeline_tag=getattr(model, "pipeline_tag", None),
        library_name=getattr(model, "library_name", None),
        card_data=card if isinstance(card, dict) else None,
        siblings=tuple(s.rfilename for s in (getattr(model, "siblings", None) or [])),
        created_at=created.isoformat() if isinstance(created, dt.date) else created,
        parameters=total if isinstance(total, int) else None,
        auto_map=tuple(sorted(auto_map)) if isinstance(auto_map, dict) else (),
        base_relation=relation,
        base_models=base_ids,
        gguf_license=gguf_license if isinstance(gguf_license, str) else None,
        has_config=isinstance(config, dict) and bool(config),
    )


def describe(exc: BaseException, what: str, endpoint: str) -> HubError:
    """One line for the report: what failed and why, in the user's words."""
    from huggingface_hub import errors

    if isinstance(exc, HubError):
        return exc
    if isinstance(exc, errors.GatedRepoError):
        return HubError(
            f"{what}: gated repository, and this token has no access "
            "(log in or set HF_TOKEN, and request access on the Hub)",
            "gated",
        )
    if isinstance(exc, errors.RevisionNotFoundError):
        return HubError(f"{what}: revision not found", "revision")
    if isinstance(exc, errors.RepositoryNotFoundError):
        return HubError(
            f"{what}: repository not found (or private, and this token has no access)", "not-found"
        )
    if isinstance(exc, errors.DisabledRepoError):
        return HubError(f"{what}: the repository is disabled on the Hub", "disabled")
    if isinstance(exc, errors.OfflineModeIsEnabled):
        return HubError(f"{what}: offline (HF_HUB_OFFLINE is set)", "offline")
    if isinstance(exc, errors.HfHubHTTPError):
        status = exc.response.status_code if exc.response is not None else "?"
        reason = "rate limited" if status == 429 else "Hub error"
        return HubError(f"{what}: {reason} (HTTP {status})")
    if isinstance(exc, json.JSONDecodeError):
        return HubError(f"{what}: the Hub's answer is not JSON")
    names = {cls.__name__ for cls in type(exc).__mro__}
    if "TimeoutException" in names:
        return HubError(f"{what}: the Hub did not answer in time")
    if "ConnectError" in names:
        return HubError(f"{what}: cannot connect to {endpoint}")
    if names & {"RemoteProtocolError", "ProtocolError", "DecodingError"}:
        return HubError(f"{what}: the Hub's answer was cut off or malformed")
    return HubError(f"{what}: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")


def _retry_after(exc: BaseException) -> float | None:
    response = getattr(exc, "response", None)
    value = response.headers.get("Retry-After") if response is not None else None
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def _transient(exc: BaseException) -> bool:
    from huggingface_hub import errors

    if isinstance(exc, errors.HfHubHTTPError) and not isinstance(
        exc, (errors.RepositoryNotFoundError, errors.DisabledRepoError)
    ):
        return exc.response is not None and exc.response.status_code in RETRY_STATUS
    return bool({cls.__name__ for cls in type(exc).__mro__} & set(TRANSIENT))


class HubClient:
    """One run's access to the Hub: memoised, bounded retries, counted requests."""

    def __init__(self, options: HubOptions) -> None:
        from huggingface_hub import HfApi, constants

        self.options = options
        self.endpoint = (options.endpoint or constants.ENDPOINT).rstrip("/")
        self.cache_dir = Path(options.cache_dir or constants.HF_HUB_CACHE)
        if options.cache_dir is None:
            self.meta_dir = Path(constants.HF_HOME) / "clearance" / "hub-info"
        else:  # beside an explicit cache, never inside it (hf cache scan would flag it)
            beside = self.cache_dir.with_name(self.cache_dir.name + "-clearance")
            self.meta_dir = beside / "hub-info"
        self._api = HfApi(endpoint=self.endpoint, token=options.token)
        self._lock = threading.Lock()
        self._memo: dict[tuple[str, str | None], Future[HubInfo]] = {}
        self._slots = threading.BoundedSemaphore(max(1, options.max_requests))
        self.calls: dict[str, int] = dict.fromkeys(CALLS, 0)
        self.fanout = Fanout(options.max_requests)  # the run's threads for a model's own fetches

    def asked(self, repo_id: str, revision: str | None) -> bool:
        """Whether this run has asked for (or is asking for) model_info at this revision."""
        return (repo_id, revision) in self._memo

    # -- metadata ---------------------------------------------------------------------------

    def info(self, repo_id: str, revision: str | None) -> HubInfo:
        """model_info at a revision, once per run (other threads wait for the first)."""
        key = (repo_id, revision)  # as spelt: the same answer for the same question, whatever order
        with self._lock:
            future = self._memo.get(key)
            owner = future is None
            if owner:
                future = Future()
                self._memo[key] = future
        assert future is not None
        if owner:
            try:
                future.set_result(self._fetch_info(repo_id, revision))
            except Exception as exc:
                future.set_exception(describe(exc, _where(repo_id, revision), self.endpoint))
            except BaseException as exc:  # Ctrl-C: waiting threads see it too, then it goes on up
                future.set_exception(exc)
                raise
        return future.result()

    def _cache_path(self, repo_id: str, sha: str) -> Path:
        return self.meta_dir / repo_id.lower().replace("/", "--") / f"{sha}.json"

    def _ref_path(self, repo_id: str, revision: str) -> Path:
        folder = self.meta_dir / repo_id.lower().replace("/", "--") / "refs"
        return folder / quote(revision, safe="")

    def cached_info(self, repo_id: str, revision: str | None) -> HubInfo | None:
        """Metadata kept on disk by an earlier run, for a sha or a remembered branch/tag."""
        rev = revision or "main"
        sha = rev if SHA.match(rev) else None
        if sha is None:
            try:
                sha = self._ref_path(repo_id, rev).read_text().strip()
            except OSError:
                sha = _hf_ref(self.cache_dir, repo_id, rev)
        if sha is None or not SHA.match(sha):
            return None
        try:
            data = json.loads(self._cache_path(repo_id, sha).read_text())
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("format") != INFO_FORMAT:
            return None
        return HubInfo.from_json(data)

    def _remember(self, info: HubInfo, requested: str, revision: str | None) -> None:
        try:
            for name in {info.id, requested}:  # as the Hub spells it, and as it was asked for
                _write_atomic(
                    self._cache_path(name, info.sha), json.dumps(info.to_json(), sort_keys=True)
                )
                _write_atomic(self._ref_path(name, revision or "main"), info.sha)
        except OSError:
            pass  # a cache that cannot be written only costs a request next time

    def _fetch_info(self, repo_id: str, revision: str | None) -> HubInfo:
        if (revision is not None and SHA.match(revision)) or self.options.offline:
            cached = self.cached_info(repo_id, revision)
            if cached is not None:
                return cached
        if self.options.offline:
            raise HubError(
                f"{_where(repo_id, revision)}: not in the local cache (offline); "
                "run once online to fetch it",
                "offline",
            )
        from huggingface_hub import errors

        try:
            model = self._call(
                "model_info",
                lambda: self._api.model_info(
                    repo_id, revision=revision, timeout=self.options.timeout, expand=EXPAND
                ),
            )
        except errors.GatedRepoError:
            if revision != "main":
                raise
            # Gated: the revision-less endpoint (main) still serves the card metadata.
            model = self._call(
                "model_info",
                lambda: self._api.model_info(repo_id, timeout=self.options.timeout, expand=EXPAND),
            )
        info = info_from_model(model, repo_id)
        self._remember(info, repo_id, revision)
        return info

    def _call(self, name: str, fn: Callable[[], Any]) -> Any:
        attempt = 0
        while True:
            with self._lock:
                self.calls[name] += 1
            try:
                with self._slots:
                    return fn()
            except Exception as exc:
                if attempt >= self.options.retries or not _transient(exc):
                    raise
                wait = _retry_after(exc)
                wait = 0.5 * 2**attempt if wait is None else wait
                if wait > self.options.max_wait:
                    raise
                self.options.sleep(wait)
                attempt += 1

    # -- files ------------------------------------------------------------------------------

    def download(self, repo_id: str, sha: str, filename: str) -> bytes:
        """A file at an exact commit, through the huggingface_hub cache."""
        from huggingface_hub import hf_hub_download

        with self._lock:
            self.calls["download"] += 1
        try:
            with self._slots:
                path = hf_hub_download(
                    repo_id,
                    filename,
                    revision=sha,
                    endpoint=self.endpoint,
                    token=self.options.token,
                    cache_dir=str(self.cache_dir),
                    local_files_only=self.options.offline,
                    etag_timeout=self.options.timeout,
                )
            return Path(str(path)).read_bytes()
        except Exception as exc:
            raise describe(exc, f"{repo_id}@{sha[:12]}/{filename}", self.endpoint) from exc

    def read_range(self, repo_id: str, sha: str, filename: str, start: int, length: int) -> bytes:
        """At most ``length`` bytes of a file from ``start`` (an HTTP range request through
        huggingface_hub's session); a server that ignores the range is read no further."""
        from huggingface_hub import get_session, hf_hub_url, hf_raise_for_status
        from huggingface_hub.utils import build_hf_headers  # type: ignore[attr-defined]  # lazy

        url = hf_hub_url(repo_id, filename, revision=sha, endpoint=self.endpoint)
        headers = build_hf_headers(token=self.options.token)
        headers["Range"] = f"bytes={start}-{start + length - 1}"

        def fetch() -> bytes:
            with get_session().stream(
                "GET", url, headers=headers, timeout=self.options.timeout
            ) as response:
                if response.status_code >= 400:
                    response.read()
                    hf_raise_for_status(response)
                skip = start if response.status_code == 200 else 0  # the whole file came
                out = bytearray()
                for chunk in response.iter_bytes():
                    out += chunk
                    if len(out) >= skip + length:
                        break
                return bytes(out[skip : skip + length])

        try:
            return bytes(self._call("range", fetch))
        except Exception as exc:
            raise describe(exc, f"{repo_id}@{sha[:12]}/{filename}", self.endpoint) from exc

    # -- listings ---------------------------------------------------------------------------

    def list_author(self, author: str) -> list[str]:
        """Every model id of an organisation or user (paginated by huggingface_hub)."""
        if self.options.offline:
            raise HubError(f"models of {author}: listing them needs the Hub (offline)", "offline")
        with self._lock:
            self.calls["list_models"] += 1
        try:
            with self._slots:
                return sorted(m.id for m in self._api.list_models(author=author))
        except Exception as exc:
            raise describe(exc, f"models of {author}", self.endpoint) from exc


def _write_atomic(path: Path, text: str) -> None:
    """Write through a uniquely named temporary file, so concurrent writers never mix."""
    import os
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _where(repo_id: str, revision: str | None) -> str:
    return f"{repo_id}@{revision}" if revision else repo_id


def _hf_ref(cache_dir: Path, repo_id: str, revision: str) -> str | None:
    """The commit a branch or tag pointed to when huggingface_hub last cached it."""
    ref = cache_dir / f"models--{repo_id.replace('/', '--')}" / "refs" / revision
    try:
        sha = ref.read_text().strip()
    except OSError:
        return None
    return sha if SHA.match(sha) else None


def iter_cached_models(cache_dir: Path) -> Iterator[tuple[str, str, Path]]:
    """(model id, commit sha, snapshot folder) for every model snapshot in a Hugging Face cache."""
    if not cache_dir.is_dir():
        return
    for repo in sorted(cache_dir.glob("models--*")):
        parts = repo.name.split("--")
        if len(parts) < 3:
            continue
        repo_id = f"{parts[1]}/{'--'.join(parts[2:])}"
        main = _hf_ref(cache_dir, repo_id, "main")
        snapshots = [p for p in (repo / "snapshots").glob("*") if SHA.match(p.name)]
        newest = sorted(snapshots, key=lambda p: (p.stat().st_mtime, p.name))[-1:]
        chosen = [s for s in snapshots if s.name == main] or newest
        for snap in chosen:
            yield repo_id, snap.name, snap
