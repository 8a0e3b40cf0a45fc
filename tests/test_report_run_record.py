"""What a SARIF or JUnit file records of the run: the intended use with each value's origin, and
(SARIF) where its files are: URIs relative to the repository root, absolute outside it.

The files are parsed back (json, lxml / junitparser) and the values compared with the JSON
report's ``use`` block, which is the reference.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import EXAMPLES, REPO
from hypothesis import given
from hypothesis import strategies as st

from checker.api import find_workspace, with_use
from checker.cli import main
from checker.findings import Evidence, Finding, Severity
from checker.reporters.json_report import use_block
from checker.reporters.junit import render_junit
from checker.reporters.sarif import FINGERPRINT_KEY, LINE_HASH_KEY, render_sarif
from checker.result import AuditResult, Workspace
from checker.sources.workspace import repository_root


def _sarif_run(result: AuditResult) -> dict[str, Any]:
    run: dict[str, Any] = json.loads(render_sarif(result))["runs"][0]
    return run


def _junit_properties(result: AuditResult, tmp_path: Path) -> dict[str, str]:
    from junitparser import JUnitXml

    path = tmp_path / "audit.xml"
    path.write_text(render_junit(result), encoding="utf-8")
    (suite,) = [s for s in JUnitXml.fromfile(str(path)) if s.name == "policy"]
    return {p.name: p.value for p in suite.properties()}


def _overridden(result: AuditResult) -> AuditResult:
    policy = with_use(result.policy, {"monthly_active_users": 800_000_000})
    return dataclasses.replace(result, policy=policy)


# --- the intended use ------------------------------------------------------------------------


def test_sarif_run_properties_hold_the_use_block(example_result: AuditResult) -> None:
    props = _sarif_run(example_result)["properties"]
    assert props["use"] == use_block(example_result.policy)
    assert props["use"]["monthly-active-users"] == {
        "value": 40_000_000,
        "source": "examples/policies/acme.yaml",
        "line": 9,
    }


def test_sarif_cites_a_command_line_value_to_the_command_line(
    example_result: AuditResult,
) -> None:
    use = _sarif_run(_overridden(example_result))["properties"]["use"]
    assert use["monthly-active-users"] == {"value": 800_000_000, "source": "command line"}
    assert use["commercial"]["source"] == "examples/policies/acme.yaml"


def test_junit_policy_suite_properties_hold_the_use(
    example_result: AuditResult, tmp_path: Path
) -> None:
    props = _junit_properties(example_result, tmp_path)
    expected = use_block(example_result.policy)
    for key, entry in expected.items():
        value = entry["value"]
        text = value if isinstance(value, str) else json.dumps(value)
        assert props[f"use.{key}"] == text
        assert json.loads(text) == value if not isinstance(value, str) else True
        line = entry.get("line")
        assert props[f"use.{key}.origin"] == (
            entry["source"] if line is None else f"{entry['source']}:{line}"
        )
    assert props["use.territories"] == '["US", "DE"]'
    assert props["use.distribution"] == "hosted"
    assert props["use.commercial.origin"] == "examples/policies/acme.yaml:8"


def test_junit_cites_a_command_line_value_to_the_command_line(
    example_result: AuditResult, tmp_path: Path
) -> None:
    props = _junit_properties(_overridden(example_result), tmp_path)
    assert props["use.monthly-active-users"] == "800000000"
    assert props["use.monthly-active-users.origin"] == "command line"


def test_junit_with_use_still_validates_against_the_strict_xsd(
    example_result: AuditResult,
) -> None:
    from lxml import etree

    schema = etree.XMLSchema(etree.parse(str(REPO / "tests" / "schemas" / "junit-strict.xsd")))
    doc = etree.fromstring(render_junit(_overridden(example_result)).encode("utf-8"))
    assert schema.validate(doc), schema.error_log


# --- SARIF paths against the repository root -------------------------------------------------


def _uris(run: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for res in run["results"]:
        physical = res["locations"][0].get("physicalLocation")
        if physical is not None:
            out.append(physical["artifactLocation"])
        for sup in res.get("suppressions", ()):
            if "location" in sup:
                out.append(sup["location"]["physicalLocation"]["artifactLocation"])
    return out


def test_workspace_rebases_paths_given_from_a_subfolder(example_result: AuditResult) -> None:
    """The same audit, its paths as given from ``examples/`` (``models/gpt2/...``): relative to
    the root they are ``examples/models/gpt2/...``, as they are given from the root."""
    from_root = _uris(_sarif_run(example_result))
    ws = Workspace(base="/work/repo", root="/work/repo")
    rooted = _sarif_run(dataclasses.replace(example_result, workspace=ws))
    assert _uris(rooted) == from_root
    assert rooted["originalUriBaseIds"]["%SRCROOT%"]["uri"] == "file:///work/repo/"
    assert rooted["invocations"][0]["workingDirectory"] == {"uri": "file:///work/repo/"}
    # a path given from examples/ (models/x/...) is examples/models/x/... against the root
    model = example_result.models[0]
    ident = model.facts.model.id
    evidence = (Evidence("models/x/config.json", "/k", 1, 3), Evidence("/srv/x/a.md", "/k", 1))
    findings = tuple(
        Finding(f"acme/{i}", Severity.ERROR, ident, "m", "h", (e,)) for i, e in enumerate(evidence)
    )
    nested = dataclasses.replace(
        example_result,
        models=(dataclasses.replace(model, findings=findings),),
        findings=(),
        workspace=Workspace(base="/work/repo/examples", root="/work/repo"),
    )
    assert _uris(_sarif_run(nested)) == [
        {"uri": "examples/models/x/config.json", "uriBaseId": "%SRCROOT%"},
        {"uri": "file:///srv/x/a.md"},
    ]


def test_a_file_outside_the_root_is_an_absolute_file_uri(example_result: AuditResult) -> None:
    ws = Workspace(base="/work/repo", root="/work/repo/examples")
    run = _sarif_run(dataclasses.replace(example_result, workspace=ws))
    locations = _uris(run)
    inside = [loc for loc in locations if loc["uri"].startswith("models/")]
    assert inside and all(loc["uriBaseId"] == "%SRCROOT%" for loc in inside)
    # the built-in policy and knowledge files are not paths; examples/policies is inside
    outside = Workspace(base="/srv/elsewhere", root="/work/repo")
    far = _uris(_sarif_run(dataclasses.replace(example_result, workspace=outside)))
    assert far and all(loc["uri"].startswith("file:///srv/elsewhere/") for loc in far)
    assert all("uriBaseId" not in loc for loc in far)


def test_line_hash_next_to_the_stable_fingerprint(example_result: AuditResult) -> None:
    run = _sarif_run(example_result)
    seen: set[str] = set()
    for res in run["results"]:
        prints = res["partialFingerprints"]
        assert set(prints) == {FINGERPRINT_KEY, LINE_HASH_KEY}
        digest, _, occurrence = prints[LINE_HASH_KEY].partition(":")
        assert len(digest) == 16 and int(digest, 16) >= 0 and int(occurrence) >= 1
        assert prints[LINE_HASH_KEY] not in seen, "occurrences keep equal hashes apart"
        seen.add(prints[LINE_HASH_KEY])
    # a line number that moves does not change it; the root it is written against does not
    moved = _sarif_run(
        dataclasses.replace(example_result, workspace=Workspace("/work/repo", "/work/repo"))
    )
    assert [r["partialFingerprints"] for r in moved["results"]] == [
        r["partialFingerprints"] for r in run["results"]
    ]


# --- finding the root -------------------------------------------------------------------------


def test_repository_root_walks_up_to_git(tmp_path: Path) -> None:
    (tmp_path / "repo" / "a" / "b").mkdir(parents=True)
    (tmp_path / "repo" / ".git").write_text("gitdir: elsewhere\n")  # a worktree's .git file
    root = str((tmp_path / "repo").resolve())
    assert repository_root(str(tmp_path / "repo" / "a" / "b")) == root
    ws = find_workspace(["b"], cwd=str(tmp_path / "repo" / "a"))
    assert ws == Workspace(str((tmp_path / "repo" / "a").resolve()), root, "git")
    given = find_workspace(["b"], root="..", cwd=str(tmp_path / "repo" / "a"))
    assert given is not None and given.root == root and given.found_by == "--root"


def test_root_must_be_a_folder(tmp_path: Path) -> None:
    code, _, err = _invoke(["check", "x", "--root", str(tmp_path / "nope")])
    assert code == 2
    assert "--root" in err and "no such folder" in err


def _invoke(args: list[str]) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, args)
    assert "Traceback" not in result.stdout + result.stderr
    return result.exit_code, result.stdout, result.stderr


def _git_root() -> Path:
    top = repository_root(str(REPO))
    if top is None:
        pytest.skip("the checkout is not a git repository (no .git above it)")
    return Path(top)


def test_cli_from_examples_writes_uris_relative_to_the_repository_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    top = _git_root()
    out = tmp_path / "audit.sarif"
    monkeypatch.chdir(EXAMPLES)
    code, _, _ = _invoke(["check", "models.yaml", "-p", "policies/acme.yaml", "-q", "-o", str(out)])
    assert code == 1
    run = json.loads(out.read_text(encoding="utf-8"))["runs"][0]
    prefix = EXAMPLES.resolve().relative_to(top).as_posix() + "/"
    locations = _uris(run)
    assert locations
    for loc in locations:
        assert loc["uriBaseId"] == "%SRCROOT%", loc
        assert loc["uri"].startswith(prefix), loc
        assert (top / loc["uri"]).is_file(), loc
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == top.as_uri() + "/"
    aya = [r for r in run["results"] if r["properties"]["model"] == "CohereForAI/aya-23-8B"]
    assert {"uri": prefix + "models/aya-23-8b/README.md", "uriBaseId": "%SRCROOT%"} in [
        r["locations"][0]["physicalLocation"]["artifactLocation"] for r in aya
    ]


def test_cli_target_outside_the_root_gets_absolute_file_uris(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A model folder outside the repository (here: --root names the examples' policies
    folder, the model is in a temporary folder): its files are absolute file: URIs, with no
    uriBaseId; the policy file inside the root stays relative."""
    folder = tmp_path / "gpt2"
    shutil.copytree(EXAMPLES / "models" / "gpt2", folder)
    out = tmp_path / "audit.sarif"
    monkeypatch.chdir(EXAMPLES)
    code, _, _ = _invoke(
        ["check", str(folder), "--id", "openai-community/gpt2", "-p", "policies/acme.yaml",
         "--root", "policies", "-q", "-o", str(out)]
    )  # fmt: skip
    assert code == 1
    run = json.loads(out.read_text(encoding="utf-8"))["runs"][0]
    locations = _uris(run)
    model_files = [loc for loc in locations if "gpt2" in loc["uri"]]
    assert model_files
    for loc in model_files:
        assert "uriBaseId" not in loc
        assert loc["uri"].startswith(folder.resolve().as_uri() + "/"), loc
    root = (EXAMPLES / "policies").resolve()
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == root.as_uri() + "/"
    assert "--root" in run["originalUriBaseIds"]["%SRCROOT%"]["description"]["text"]


_SEGMENT = st.text(alphabet="abcXYZ019_-. ", min_size=1, max_size=8).filter(
    lambda s: s not in (".", "..")
)


@given(
    sub=st.lists(_SEGMENT, min_size=0, max_size=3),
    rel=st.lists(_SEGMENT, min_size=1, max_size=4),
    up=st.integers(min_value=0, max_value=5),
)
def test_rebasing_is_path_arithmetic(sub: list[str], rel: list[str], up: int) -> None:
    """A path given from ``root/sub`` is ``sub/path`` against the root, unless ``..`` steps
    leave the root: then it is the absolute file URI of where it points."""
    import posixpath
    from urllib.parse import unquote

    from checker.reporters.sarif import _uri

    base = posixpath.join("/r", *sub)
    path = "/".join([".."] * up + rel)
    uri, base_id = _uri(path, Workspace(base=base, root="/r"))
    target = posixpath.normpath(posixpath.join(base, path))
    if target == "/r" or target.startswith("/r/"):
        assert base_id == "%SRCROOT%"
        assert unquote(uri) == posixpath.relpath(target, "/r")
    else:
        assert base_id is None
        assert unquote(uri) == "file://" + target
