"""The real ``huggingface_hub`` client against the fake Hub in ``tests/fakehub.py``.

huggingface_hub computes ``ENDPOINT``, ``HF_HOME``, the cache path, offline mode and telemetry at
*import* time, so this module starts its fake Hub and sets the environment **before** importing
it.  Every call below also passes ``endpoint=`` explicitly, which works whatever the import order
(except for ``ModelCard.load``, which has no ``endpoint`` parameter: it needs ``HF_ENDPOINT`` at
import, or the patched ``constants`` the ``_hf_env`` fixture applies when huggingface_hub was
already imported by an earlier test module).

Retry back-off sleeps are replaced by a recorder (the ``sleeps`` fixture) so that retry paths are
exercised in full without waiting for them; nothing here takes more than a fraction of a second.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import os
import shutil
import socket
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fakehub import FakeHub, FakeRepo, git_blob_sha1, iter_repos, make_readme

# --- environment, before the first import of huggingface_hub --------------------------------

HUB = FakeHub(token="hf_approved", tree_page_size=1000)
HUB.start()
_HF_HOME = tempfile.mkdtemp(prefix="clearance-fakehub-home-")
_ENV = {
    "HF_ENDPOINT": HUB.url,
    "HF_HOME": _HF_HOME,
    "HF_HUB_CACHE": os.path.join(_HF_HOME, "hub"),
    "HF_HUB_DISABLE_TELEMETRY": "1",  # no GET /api/agent-harnesses probe
    "HF_HUB_OFFLINE": "0",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "HF_HUB_DISABLE_IMPLICIT_TOKEN": "1",  # never send a token found on this machine
    "HF_HUB_ETAG_TIMEOUT": "5",
    "HF_HUB_DOWNLOAD_TIMEOUT": "5",
}
_UNSET = (
    "HF_TOKEN",
    "HUGGING_FACE_HUB_TOKEN",
    "HF_TOKEN_PATH",
    "TRANSFORMERS_OFFLINE",
    "HUGGINGFACE_HUB_CACHE",
    "HUGGINGFACE_CO_STAGING",
)
_SAVED_ENV = {key: os.environ.get(key) for key in (*_ENV, *_UNSET)}
IMPORTED_BEFORE_ENV = "huggingface_hub.constants" in sys.modules
os.environ.update(_ENV)
for _key in _UNSET:
    os.environ.pop(_key, None)

import httpx2  # noqa: E402
import huggingface_hub.file_download as hf_file_download  # noqa: E402
from huggingface_hub import HfApi, ModelCard, constants, hf_hub_download  # noqa: E402
from huggingface_hub.errors import (  # noqa: E402
    BadRequestError,
    DisabledRepoError,
    GatedRepoError,
    HfHubHTTPError,
    LocalEntryNotFoundError,
    RemoteEntryNotFoundError,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)
from huggingface_hub.utils import _http as hf_http  # noqa: E402

TOKEN = "hf_approved"  # approved for gated/private repos (HUB.token)
OTHER_TOKEN = "hf_valid_but_not_approved"
OLD_SHA = "1" * 40
CARD = {
    "license": "apache-2.0",
    "language": ["en", "fr"],
    "base_model": "meta-llama/Llama-3.1-8B",
}
GATED_CARD = {
    "license": "other",
    "license_name": "acme-research-license",
    "license_link": "LICENSE",
    "extra_gated_prompt": "You agree to the ACME research licence.",
}


# --- fixtures -------------------------------------------------------------------------------


@pytest.fixture(scope="module", autouse=True)
def _hf_env() -> Iterator[None]:
    """Point huggingface_hub at HUB even if it was imported before this module set the env."""
    patcher = pytest.MonkeyPatch()
    if HUB.url != constants.ENDPOINT:
        template = HUB.url + "/{repo_id}/resolve/{revision}/{filename}"
        origins = hf_http._HUB_ORIGINS | {hf_http._url_origin(HUB.url)}
        patcher.setattr(constants, "ENDPOINT", HUB.url)
        patcher.setattr(constants, "HUGGINGFACE_CO_URL_TEMPLATE", template)
        patcher.setattr(hf_http, "_HUB_ORIGINS", origins)
    for name, value in {
        "HF_HUB_DISABLE_TELEMETRY": True,
        "HF_HUB_OFFLINE": False,
        "HF_HUB_DISABLE_IMPLICIT_TOKEN": True,
        "HF_HOME": _HF_HOME,
        "HF_TOKEN_PATH": os.path.join(_HF_HOME, "token"),
        "HF_STORED_TOKENS_PATH": os.path.join(_HF_HOME, "stored_tokens"),
        "AGENT_HARNESSES_PATH": os.path.join(_HF_HOME, ".agent_harnesses.json"),
    }.items():
        patcher.setattr(constants, name, value)
    try:
        yield
    finally:
        patcher.undo()
        HUB.stop()
        shutil.rmtree(_HF_HOME, ignore_errors=True)
        for key, value in _SAVED_ENV.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh HF cache per test (also the default one, for ModelCard.load)."""
    path = tmp_path / "hf-cache"
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(path))
    return path


@pytest.fixture
def hub(cache_dir: Path) -> Iterator[FakeHub]:
    HUB.reset()
    HUB.add(
        FakeRepo(
            "acme/open-model",
            files={
                "README.md": make_readme(CARD, "# Open model\n"),
                "LICENSE": b"Apache License 2.0 (test copy)\n",
                "config.json": b'{"model_type": "llama"}',
                "model.safetensors": b"\x08\x00\x00\x00\x00\x00\x00\x00{}      " + b"\x00" * 64,
                "tokenizer/tokenizer.json": b"{}",
            },
            revision_files={OLD_SHA: {"README.md": b"# old readme\n", "LICENSE": b"MIT (old)\n"}},
            branches={"release/v1": OLD_SHA},
            git_tags={"v1.0": OLD_SHA},
            card_data=CARD,
            library_name="transformers",
            pipeline_tag="text-generation",
            safetensors={"parameters": {"BF16": 8030261248}, "total": 8030261248},
            config={"model_type": "llama", "architectures": ["LlamaForCausalLM"]},
            downloads=1234,
        ),
        FakeRepo(
            "acme/gated-model",
            files={"README.md": make_readme(GATED_CARD, "# Gated\n"), "LICENSE": b"ACME licence\n"},
            gated="manual",
            card_data=GATED_CARD,
        ),
        FakeRepo("acme/private-model", files={"README.md": b"# secret\n"}, private=True),
        FakeRepo("acme/disabled-model", files={"README.md": b"# gone\n"}, disabled=True),
    )
    yield HUB
    HUB.reset()


@pytest.fixture
def api(hub: FakeHub) -> HfApi:
    return HfApi(endpoint=hub.url)


class _SleepRecorder(list[float]):
    """Stands in for the ``time`` module inside huggingface_hub's retry code."""

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)

    def sleep(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> _SleepRecorder:
    """Record, instead of sleeping, the back-off waits of http_backoff and http_get."""
    recorder = _SleepRecorder()
    monkeypatch.setattr(hf_http, "time", recorder)
    monkeypatch.setattr(hf_file_download, "time", recorder)
    return recorder


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def connections(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, int]]]:
    """Every outgoing connection / name lookup made during a test; anything not on the loopback
    interface is refused (so nothing can leak to the Internet) and fails the test."""
    attempts: list[tuple[str, int]] = []
    blocked: list[tuple[str, Any]] = []
    real_create_connection = socket.create_connection
    real_getaddrinfo = socket.getaddrinfo

    def create_connection(address: tuple[str, int], *args: Any, **kwargs: Any) -> socket.socket:
        host, port = address[0], int(address[1])
        attempts.append((host, port))
        if not _is_loopback(host):
            blocked.append(("connect", address))
            raise OSError(f"test guard: connection to {address} blocked")
        return real_create_connection(address, *args, **kwargs)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if not _is_loopback(name):
            blocked.append(("getaddrinfo", name))
            raise socket.gaierror(f"test guard: lookup of {name!r} blocked")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", create_connection)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    yield attempts
    assert blocked == [], f"non-loopback network access attempted: {blocked}"


def _paths(hub: FakeHub) -> list[tuple[str, str]]:
    return [(r.method, r.path) for r in hub.requests]


# --- environment ------------------------------------------------------------------------------


def test_environment_points_the_client_at_the_fake_hub(hub: FakeHub) -> None:
    # Either HF_ENDPOINT was read at import (module imported first) or _hf_env patched constants.
    assert hub.url == constants.ENDPOINT
    assert constants.HF_HUB_DISABLE_TELEMETRY is True
    assert constants.HF_HUB_OFFLINE is False
    # No explicit endpoint: relies on constants.ENDPOINT.
    assert HfApi().model_info("acme/open-model").id == "acme/open-model"
    card = ModelCard.load("acme/open-model")  # no endpoint parameter exists
    assert card.data.license == "apache-2.0"
    assert card.data.base_model == "meta-llama/Llama-3.1-8B"
    assert not any(r.path == "/api/agent-harnesses" for r in hub.requests)


# --- model_info -------------------------------------------------------------------------------


def test_model_info_at_branch_tag_and_sha(api: HfApi, hub: FakeHub) -> None:
    repo = hub.repos["acme/open-model"]
    info = api.model_info("acme/open-model", revision="main")
    assert info.sha == repo.sha
    assert info.gated is False
    assert info.author == "acme"
    assert info.card_data.license == "apache-2.0"
    assert info.safetensors.total == 8030261248
    assert "license:apache-2.0" in info.tags
    assert "base_model:finetune:meta-llama/Llama-3.1-8B" in info.tags
    assert sorted(s.rfilename for s in info.siblings) == sorted(repo.files)
    assert hub.requests[-1].path == "/api/models/acme/open-model/revision/main"

    assert api.model_info("acme/open-model", revision="v1.0").sha == OLD_SHA  # git tag
    info = api.model_info("acme/open-model", revision="release/v1")  # branch with a slash
    assert info.sha == OLD_SHA
    assert hub.requests[-1].path == "/api/models/acme/open-model/revision/release%2Fv1"
    assert api.model_info("acme/open-model", revision=OLD_SHA).sha == OLD_SHA
    assert api.model_info("acme/open-model", revision=OLD_SHA[:7]).sha == OLD_SHA
    assert sorted(s.rfilename for s in info.siblings) == ["LICENSE", "README.md"]


def test_model_info_expand_and_files_metadata(api: HfApi, hub: FakeHub) -> None:
    info = api.model_info(
        "acme/open-model", expand=["gated", "cardData", "baseModels", "sha", "safetensors"]
    )
    request = hub.requests[-1]
    assert request.query == {"expand": ["gated", "cardData", "baseModels", "sha", "safetensors"]}
    assert info.gated is False
    assert info.sha == hub.repos["acme/open-model"].sha
    assert info.base_models["relation"] == "finetune"
    assert [m["id"] for m in info.base_models["models"]] == ["meta-llama/Llama-3.1-8B"]
    assert info.card_data.license == "apache-2.0"
    assert info.tags is None and info.siblings is None  # only the requested properties come back

    # baseModels is expand-only; a plain call does not return it.
    assert api.model_info("acme/open-model").base_models is None

    with pytest.raises(BadRequestError):
        api.model_info("acme/open-model", expand=["notAProperty"])  # type: ignore[list-item]

    info = api.model_info("acme/open-model", files_metadata=True)
    assert hub.requests[-1].query == {"blobs": ["true"]}
    by_name = {s.rfilename: s for s in info.siblings}
    readme = hub.repos["acme/open-model"].files["README.md"]
    assert by_name["README.md"].size == len(readme)
    assert by_name["README.md"].blob_id == git_blob_sha1(readme)
    assert by_name["README.md"].lfs is None
    assert by_name["model.safetensors"].lfs is not None
    assert by_name["model.safetensors"].lfs.size == by_name["model.safetensors"].size
    weights = hub.repos["acme/open-model"].files["model.safetensors"]
    assert by_name["model.safetensors"].lfs.sha256 == hashlib.sha256(weights).hexdigest()
    # paths-info (what Clearance asks for the weight digests) answers the same lfs.sha256
    (entry,) = api.get_paths_info("acme/open-model", ["model.safetensors"])
    assert entry.lfs is not None and entry.lfs.sha256 == hashlib.sha256(weights).hexdigest()


def test_repo_refs(api: HfApi) -> None:
    refs = api.list_repo_refs("acme/open-model")
    assert {b.name: b.target_commit for b in refs.branches}["release/v1"] == OLD_SHA
    assert [(t.name, t.target_commit) for t in refs.tags] == [("v1.0", OLD_SHA)]


# --- downloads --------------------------------------------------------------------------------


def test_hf_hub_download_at_sha_uses_the_cache(api: HfApi, hub: FakeHub, cache_dir: Path) -> None:
    repo = hub.repos["acme/open-model"]
    path = hf_hub_download("acme/open-model", "README.md", revision=repo.sha, endpoint=hub.url)
    expected = cache_dir / "models--acme--open-model" / "snapshots" / repo.sha / "README.md"
    assert Path(path) == expected
    assert Path(path).read_bytes() == repo.files["README.md"]
    blob = Path(os.path.realpath(path))
    assert blob.parent == cache_dir / "models--acme--open-model" / "blobs"
    assert blob.name == git_blob_sha1(repo.files["README.md"])  # the ETag names the blob
    assert _paths(hub) == [
        ("HEAD", f"/acme/open-model/resolve/{repo.sha}/README.md"),
        ("GET", f"/acme/open-model/resolve/{repo.sha}/README.md"),
    ]
    for request in hub.requests:
        assert request.headers["x-hf-download-counter"] == "1"
        assert not request.has_auth
    assert hub.requests[0].headers["accept-encoding"] == "identity"

    hub.clear_log()
    again = hf_hub_download("acme/open-model", "README.md", revision=repo.sha, endpoint=hub.url)
    assert again == path
    assert hub.requests == []  # pinned sha already cached: no request at all

    # On a branch the client still asks (HEAD) which commit it points to, but does not re-GET.
    hf_hub_download("acme/open-model", "README.md", endpoint=hub.url)
    hub.clear_log()
    hf_hub_download("acme/open-model", "README.md", endpoint=hub.url)
    assert _paths(hub) == [("HEAD", "/acme/open-model/resolve/main/README.md")]
    assert (cache_dir / "models--acme--open-model" / "refs" / "main").read_text() == repo.sha


def test_hf_hub_download_old_revision_and_missing_file(hub: FakeHub, cache_dir: Path) -> None:
    path = hf_hub_download("acme/open-model", "LICENSE", revision="v1.0", endpoint=hub.url)
    assert Path(path).read_bytes() == b"MIT (old)\n"
    assert f"/snapshots/{OLD_SHA}/" in path

    with pytest.raises(RemoteEntryNotFoundError):
        hf_hub_download("acme/open-model", "NOTICE", endpoint=hub.url)
    sha = hub.repos["acme/open-model"].sha
    assert (cache_dir / "models--acme--open-model" / ".no_exist" / sha / "NOTICE").exists()


def test_lfs_file_is_redirected_to_the_cdn_without_the_token(hub: FakeHub) -> None:
    repo = hub.repos["acme/open-model"]
    path = hf_hub_download("acme/open-model", "model.safetensors", endpoint=hub.url, token=TOKEN)
    assert Path(path).read_bytes() == repo.files["model.safetensors"]
    hub_requests = [r for r in hub.requests if r.server == "hub"]
    cdn_requests = [r for r in hub.requests if r.server == "cdn"]
    assert [(r.method, r.path) for r in hub_requests] == [
        ("HEAD", "/acme/open-model/resolve/main/model.safetensors")
    ]
    assert hub_requests[0].has_auth
    assert [r.method for r in cdn_requests] == ["GET"]
    assert not cdn_requests[0].has_auth  # the client drops Authorization off-Hub
    sha256 = hashlib.sha256(repo.files["model.safetensors"]).hexdigest()
    assert Path(os.path.realpath(path)).name == sha256  # blobs are named by X-Linked-Etag


def test_truncated_download_is_resumed_with_range(hub: FakeHub, sleeps: list[float]) -> None:
    fault = hub.fail(r"/resolve/main/config\.json$", status=0, mode="truncate", method="GET")
    path = hf_hub_download("acme/open-model", "config.json", endpoint=hub.url)
    assert Path(path).read_bytes() == hub.repos["acme/open-model"].files["config.json"]
    assert fault.hits == 1
    # The client retries the GET after 1 s.  It only sends `Range: bytes=N-` when it had already
    # received a whole 10 MiB chunk, so for this small file the second GET starts from 0.
    assert len(hub.requests_to(r"config\.json$", method="GET")) == 2
    assert sleeps == [1]

    url = f"{hub.url}/acme/open-model/resolve/main/config.json"
    partial = httpx2.get(url, headers={"Range": "bytes=5-"})
    assert partial.status_code == 206
    assert partial.content == hub.repos["acme/open-model"].files["config.json"][5:]
    assert partial.headers["content-range"] == "bytes 5-22/23"


# --- listing ---------------------------------------------------------------------------------


def test_list_repo_files_tree_and_paths_info(api: HfApi, hub: FakeHub) -> None:
    repo = hub.repos["acme/open-model"]
    assert sorted(api.list_repo_files("acme/open-model")) == sorted(repo.files)
    assert hub.requests[-1].query == {"recursive": ["true"], "expand": ["false"]}
    old_files = api.list_repo_files("acme/open-model", revision="v1.0")
    assert sorted(old_files) == ["LICENSE", "README.md"]

    hub.tree_page_size = 2  # paginated through Link headers
    hub.clear_log()
    top = list(api.list_repo_tree("acme/open-model"))
    assert [e.path for e in top] == [
        "tokenizer",
        "LICENSE",
        "README.md",
        "config.json",
        "model.safetensors",
    ]
    assert len(hub.requests) == 3
    assert [e.path for e in api.list_repo_tree("acme/open-model", "tokenizer")] == [
        "tokenizer/tokenizer.json"
    ]

    info = api.get_paths_info("acme/open-model", ["LICENSE", "tokenizer", "missing.txt"])
    assert [e.path for e in info] == ["LICENSE", "tokenizer"]
    assert hub.requests[-1].method == "POST"
    assert api.file_exists("acme/open-model", "LICENSE") is True
    assert api.file_exists("acme/open-model", "NOTICE") is False


def test_list_models_paginates_over_three_pages(api: HfApi, hub: FakeHub) -> None:
    hub.add(*iter_repos(5, org="acme"), *iter_repos(2, org="other"))
    hub.page_size = 3
    hub.clear_log()
    # acme: open, gated, disabled (hidden), private (hidden anonymously), model-0..4 => 7 visible
    models = list(api.list_models(author="acme"))
    ids = [m.id for m in models]
    assert ids == ["acme/open-model", "acme/gated-model"] + [f"acme/model-{i}" for i in range(5)]
    assert len(hub.requests) == 3
    assert [r.query.get("author") for r in hub.requests] == [["acme"]] * 3
    assert "cursor" not in hub.requests[0].query
    assert all("cursor" in r.query for r in hub.requests[1:])
    assert models[1].gated is None  # not among the default list fields
    assert models[0].siblings is None

    with_token = [m.id for m in api.list_models(author="acme", token=TOKEN)]
    assert "acme/private-model" in with_token

    hub.clear_log()
    assert len(list(api.list_models(author="acme", limit=4))) == 4
    assert len(hub.requests) == 2  # islice stops before the last page

    found = list(api.list_models(search="model-3", expand=["gated", "cardData", "sha"]))
    assert [m.id for m in found] == ["acme/model-3"]
    assert found[0].gated is False and found[0].sha == hub.repos["acme/model-3"].sha

    gated = list(api.list_models(author="acme", gated=True, cardData=True))
    assert [m.id for m in gated] == ["acme/gated-model"]
    assert gated[0].card_data.license == "other"
    assert [m.id for m in api.list_models(filter="license:apache-2.0")] == ["acme/open-model"]


# --- access control ---------------------------------------------------------------------------


def test_gated_repo(api: HfApi, hub: FakeHub) -> None:
    info = api.model_info("acme/gated-model")  # metadata is public on the Hub
    assert info.gated == "manual"
    assert info.card_data.license_name == "acme-research-license"

    with pytest.raises(GatedRepoError) as anonymous:
        hf_hub_download("acme/gated-model", "LICENSE", endpoint=hub.url)
    assert anonymous.value.response.status_code == 401
    assert anonymous.value.repo_id == "acme/gated-model"
    assert isinstance(anonymous.value, RepositoryNotFoundError)

    with pytest.raises(GatedRepoError) as unapproved:
        hf_hub_download("acme/gated-model", "LICENSE", endpoint=hub.url, token=OTHER_TOKEN)
    assert unapproved.value.response.status_code == 403

    with pytest.raises(GatedRepoError):
        api.auth_check("acme/gated-model")
    with pytest.raises(GatedRepoError):
        api.model_info("acme/gated-model", revision="main")
    with pytest.raises(GatedRepoError):
        api.list_repo_files("acme/gated-model")

    path = hf_hub_download("acme/gated-model", "LICENSE", endpoint=hub.url, token=TOKEN)
    assert Path(path).read_bytes() == b"ACME licence\n"
    assert hub.requests[-1].has_auth and hub.requests[-1].headers["authorization"] == "<redacted>"
    api.auth_check("acme/gated-model", token=TOKEN)
    assert api.model_info("acme/gated-model", revision="main", token=TOKEN).gated == "manual"

    hub.repos["acme/gated-model"].ungated_files = ("README.md",)  # the lenient variant
    assert ModelCard.load("acme/gated-model").data.license == "other"


def test_private_disabled_and_invalid_token(api: HfApi, hub: FakeHub) -> None:
    with pytest.raises(RepositoryNotFoundError) as anonymous:
        api.model_info("acme/private-model")
    assert anonymous.value.response.status_code == 401
    assert not isinstance(anonymous.value, GatedRepoError)
    with pytest.raises(RepositoryNotFoundError) as other:
        api.model_info("acme/private-model", token=OTHER_TOKEN)
    assert other.value.response.status_code == 404
    assert api.model_info("acme/private-model", token=TOKEN).private is True

    with pytest.raises(DisabledRepoError):
        api.model_info("acme/disabled-model")

    hub.invalid_tokens.add("hf_revoked")
    with pytest.raises(HfHubHTTPError) as invalid:
        api.model_info("acme/open-model", token="hf_revoked")
    assert invalid.value.response.status_code == 401
    assert not isinstance(invalid.value, RepositoryNotFoundError)


def test_missing_repo_and_revision(api: HfApi, hub: FakeHub) -> None:
    with pytest.raises(RepositoryNotFoundError) as missing:
        api.model_info("acme/does-not-exist")
    assert missing.value.repo_id == "acme/does-not-exist"
    assert "Repository not found" in (missing.value.server_message or "")
    with pytest.raises(RepositoryNotFoundError):
        api.model_info("acme/does-not-exist", token=TOKEN)  # 404 flavour
    with pytest.raises(RepositoryNotFoundError):
        hf_hub_download("acme/does-not-exist", "README.md", endpoint=hub.url)

    with pytest.raises(RevisionNotFoundError):
        api.model_info("acme/open-model", revision="no-such-branch")
    with pytest.raises(RevisionNotFoundError):
        hf_hub_download("acme/open-model", "README.md", revision="v9", endpoint=hub.url)
    with pytest.raises(RevisionNotFoundError):
        api.list_repo_files("acme/open-model", revision="0" * 40)


# --- faults ----------------------------------------------------------------------------------


def test_429_with_retry_after_then_success(api: HfApi, hub: FakeHub, sleeps: list[float]) -> None:
    # list_models goes through http_backoff: waits Retry-After + 1 s, then retries.
    fault = hub.fail(r"^/api/models$", 429, headers={"Retry-After": "3"})
    assert next(iter(api.list_models(author="acme"))).id == "acme/open-model"
    assert fault.hits == 1 and len(hub.requests) == 2
    assert sleeps == [4.0]

    # hf_hub_download: the first HEAD has no retry; the fallback metadata call retries at once.
    hub.clear_log()
    hub.fail(r"/resolve/main/LICENSE$", 429, headers={"Retry-After": "0"}, method="HEAD")
    path = hf_hub_download("acme/open-model", "LICENSE", endpoint=hub.url)
    assert Path(path).read_bytes() == hub.repos["acme/open-model"].files["LICENSE"]
    assert [m for m, _ in _paths(hub)] == ["HEAD", "HEAD", "GET"]

    # model_info does not retry: a 429 surfaces at once as HfHubHTTPError.
    hub.clear_log()
    hub.fail(r"^/api/models/acme/open-model$", 429, headers={"Retry-After": "0"})
    with pytest.raises(HfHubHTTPError) as limited:
        api.model_info("acme/open-model")
    assert limited.value.response.status_code == 429
    assert len(hub.requests) == 1


def test_500(api: HfApi, hub: FakeHub, sleeps: list[float], cache_dir: Path) -> None:
    hub.fail(r"^/api/models/acme/open-model$", 500)
    with pytest.raises(HfHubHTTPError) as error:
        api.model_info("acme/open-model")
    assert error.value.response.status_code == 500
    assert error.value.server_message == "Injected fault: HTTP 500"
    assert type(error.value) is HfHubHTTPError

    hub.fail(r"/tree/", 503, times=2)  # list_repo_tree retries 5xx with back-off
    assert "LICENSE" in api.list_repo_files("acme/open-model")
    assert sleeps == [1, 2]

    # Download with nothing cached: 1 HEAD + 6 retried HEADs, then LocalEntryNotFoundError.
    hub.clear_log()
    sleeps.clear()
    hub.fail(r"/resolve/", 500, times=None)
    with pytest.raises(LocalEntryNotFoundError) as no_cache:
        hf_hub_download("acme/open-model", "config.json", endpoint=hub.url)
    assert isinstance(no_cache.value.__cause__, HfHubHTTPError)
    assert len(hub.requests) == 7 and sleeps == [1, 2, 4, 8, 8]

    # Once cached, a failing Hub is papered over with the cached copy.
    hub.clear_faults()
    cached = hf_hub_download("acme/open-model", "config.json", endpoint=hub.url)
    hub.fail(r"/resolve/", 500, times=None)
    assert hf_hub_download("acme/open-model", "config.json", endpoint=hub.url) == cached


def test_bad_bodies_and_timeouts(api: HfApi, hub: FakeHub) -> None:
    hub.fail(r"^/api/models/acme/open-model$", status=0, mode="non_json")
    with pytest.raises(json.JSONDecodeError):  # not wrapped by huggingface_hub
        api.model_info("acme/open-model")

    hub.fail(r"^/api/models/acme/open-model$", status=0, mode="truncate")
    with pytest.raises(httpx2.RemoteProtocolError):
        api.model_info("acme/open-model")

    hub.fail(r"^/api/models/acme/open-model$", status=0, mode="drop")
    with pytest.raises(httpx2.RemoteProtocolError):
        api.model_info("acme/open-model")

    hub.fail(r"^/api/models/acme/open-model$", status=0, delay=0.5)
    with pytest.raises(httpx2.ReadTimeout):
        api.model_info("acme/open-model", timeout=0.1)

    hub.latency = 0.05
    assert api.model_info("acme/open-model", timeout=2).id == "acme/open-model"


def test_connection_refused(sleeps: list[float], cache_dir: Path) -> None:
    dead = FakeHub(repos=[FakeRepo("acme/m", files={"README.md": b"x"})])
    with dead:
        api = HfApi(endpoint=dead.url)
        assert api.model_info("acme/m").id == "acme/m"  # leaves a keep-alive connection behind
    assert not dead.running
    with pytest.raises(httpx2.ConnectError):
        api.model_info("acme/m")
    with pytest.raises(LocalEntryNotFoundError) as error:
        hf_hub_download("acme/m", "README.md", endpoint=dead.url)
    assert isinstance(error.value.__cause__, httpx2.ConnectError)
    assert sleeps == [1, 2, 4, 8, 8]


# --- nothing leaves 127.0.0.1 ------------------------------------------------------------------


def test_every_request_goes_to_the_fake_hub(
    api: HfApi, hub: FakeHub, connections: list[tuple[str, int]]
) -> None:
    hf_http.close_session()  # no keep-alive connection from earlier tests: every socket is new
    api.model_info("acme/open-model", expand=["gated", "cardData"])
    list(api.list_models(author="acme"))
    api.list_repo_files("acme/open-model")
    hf_hub_download("acme/open-model", "model.safetensors", endpoint=hub.url)
    ModelCard.load("acme/open-model")  # relies on HF_ENDPOINT / constants
    cdn_port = int(hub.cdn_url.rsplit(":", 1)[1])
    assert connections, "expected the client to open at least one connection"
    assert {host for host, _ in connections} == {"127.0.0.1"}
    assert {port for _, port in connections} <= {hub.port, cdn_port}
    # The server saw every call: 1 info + 1 list + 1 tree + HEAD/CDN GET + HEAD/GET README.
    assert [(r.server, r.method) for r in hub.requests] == [
        ("hub", "GET"),
        ("hub", "GET"),
        ("hub", "GET"),
        ("hub", "HEAD"),
        ("cdn", "GET"),
        ("hub", "HEAD"),
        ("hub", "GET"),
    ]
    for request in hub.requests:
        assert "hf_hub/" in request.headers["user-agent"]
