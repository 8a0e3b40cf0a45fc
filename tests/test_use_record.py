"""The intended use is part of the record: the JSON ``use`` block with where each value came from
(a policy file and line, an extended policy, the command line or the default), evidence of the
``use/*`` findings citing that origin, the effective policy digest, and the views of it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner
from conftest import EXAMPLES, REPO

from checker.api import audit
from checker.cli import main
from checker.reporters import REPORTERS
from checker.reporters.terminal import render_terminal

ACME = str(EXAMPLES / "policies" / "acme.yaml")
LLAMA = str(EXAMPLES / "models" / "llama-3.1-8b-instruct")
HUNYUAN = str(EXAMPLES / "models" / "hunyuan-a13b-instruct")
USE_KEYS = [
    "commercial",
    "monthly-active-users",
    "based-in",
    "territories",
    "distribution",
    "purposes",
    "train-other-models",
]


def _json(*extra: str) -> dict[str, Any]:
    args = ["check", LLAMA, "--id", "meta-llama/Llama-3.1-8B-Instruct", "--policy", ACME]
    result = CliRunner().invoke(main, [*args, "--format", "json", *extra])
    assert "Traceback" not in result.stdout + result.stderr
    doc: dict[str, Any] = json.loads(result.stdout)
    schema = json.loads((REPO / "rules" / "schema" / "report.schema.json").read_text())
    jsonschema.validate(doc, schema)
    return doc


def _evidence(doc: dict[str, Any], rule: str, pointer: str) -> list[dict[str, Any]]:
    return [
        e
        for m in doc["models"]
        for f in m["findings"]
        if f["rule"] == rule
        for e in f["evidence"]
        if e["pointer"] == pointer
    ]


def test_a_command_line_value_is_cited_to_the_command_line_never_the_file() -> None:
    doc = _json("--monthly-active-users", "800000000")
    assert list(doc["use"]) == USE_KEYS
    assert doc["use"]["monthly-active-users"] == {"value": 800000000, "source": "command line"}
    assert doc["use"]["commercial"]["source"].endswith("acme.yaml")
    assert doc["use"]["commercial"]["line"] == 8
    cited = _evidence(doc, "use/user-limit", "/use/monthly-active-users")
    assert cited and all(e["source"] == "command line" and "line" not in e for e in cited)
    assert all(e["value"] == 800000000 for e in cited)
    everywhere = [
        e
        for m in doc["models"]
        for f in m["findings"]
        for e in f["evidence"]
        if e["pointer"] == "/use/monthly-active-users"
    ]
    assert not any(e["source"].endswith(".yaml") for e in everywhere)
    assert doc["policy"]["overrides"] == ["use.monthly-active-users"]


def test_the_digest_covers_the_overrides() -> None:
    plain = _json()
    overridden = _json("--monthly-active-users", "800000000")
    other = _json("--monthly-active-users", "900000000")
    assert plain["policy"]["overrides"] == []
    assert plain["policy"]["sha256"] == plain["policy"]["files_sha256"]
    assert overridden["policy"]["files_sha256"] == plain["policy"]["files_sha256"]
    assert overridden["policy"]["sha256"] != plain["policy"]["sha256"]
    assert other["policy"]["sha256"] not in (
        plain["policy"]["sha256"],
        overridden["policy"]["sha256"],
    )
    assert plain["use"]["monthly-active-users"]["source"].endswith("acme.yaml")


def test_extended_policy_values_cite_that_file_and_unset_values_the_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "parent.yaml").write_text(
        "version: 1\nname: parent\nuse:\n  commercial: true\n  monthly-active-users: 800000000\n"
    )
    (tmp_path / "child.yaml").write_text(
        "version: 1\nname: child\nextends: [parent.yaml]\nlicenses:\n"
        "  allow-categories: [permissive]\nuse:\n  distribution: hosted\n"
    )
    monkeypatch.chdir(tmp_path)
    llama = audit([LLAMA], "child.yaml", model_id="meta-llama/Llama-3.1-8B-Instruct")
    hunyuan = audit([HUNYUAN], "child.yaml", model_id="tencent/Hunyuan-A13B-Instruct")
    doc = json.loads(REPORTERS["json"](llama))
    use = doc["use"]
    assert use["commercial"]["source"].endswith("parent.yaml") and use["commercial"]["line"] == 4
    mau = use["monthly-active-users"]
    assert mau["source"].endswith("parent.yaml") and mau["line"] == 5
    assert use["distribution"]["source"].endswith("child.yaml") and use["distribution"]["line"] == 7
    for key in ("based-in", "territories", "purposes", "train-other-models"):
        assert use[key] == {"value": None, "source": "default"}, key
    cited = _evidence(doc, "use/user-limit", "/use/monthly-active-users")
    assert cited and all(e["source"] == mau["source"] and e["line"] == 5 for e in cited)
    unset = json.loads(REPORTERS["json"](hunyuan))
    territory = _evidence(unset, "use/territory", "/use/territories")
    assert territory and all(
        e == {"source": "default", "pointer": "/use/territories", "value": None} for e in territory
    )


def test_the_views_show_the_use_and_its_origins() -> None:
    import os

    cwd = os.getcwd()
    os.chdir(REPO)
    try:
        result = audit(
            [LLAMA],
            ACME,
            model_id="meta-llama/Llama-3.1-8B-Instruct",
            use={"monthly_active_users": 800_000_000},
        )
    finally:
        os.chdir(cwd)
    text = render_terminal(result, color=False, width=200)
    lines = [line for line in text.splitlines() if line.startswith("intended use:")]
    assert lines == [
        "intended use: commercial, 800,000,000 MAU (command line), based in DE, used in US, DE,"
        " hosted, purposes none, no training on outputs"
    ]
    html = REPORTERS["html"](result)
    assert (
        "<td><code>use.monthly-active-users</code></td><td>800,000,000</td><td>command line</td>"
        in html
    )
    assert "acme.yaml:8</code>" in html and "(set on the command line)" in html
    markdown = REPORTERS["markdown"](result)
    assert "| `use.monthly-active-users` | 800,000,000 | command line |" in markdown
    assert "overrides from the command line: `use.monthly-active-users`" in markdown


def test_sarif_never_places_a_finding_at_the_default() -> None:
    import os

    cwd = os.getcwd()
    os.chdir(REPO)
    try:
        result = audit([LLAMA], "builtin:baseline", model_id="meta-llama/Llama-3.1-8B-Instruct")
    finally:
        os.chdir(cwd)
    sarif = json.loads(REPORTERS["sarif"](result))
    uris = [
        loc["physicalLocation"]["artifactLocation"]["uri"]
        for r in sarif["runs"][0]["results"]
        for loc in r.get("locations", [])
    ]
    assert uris and "default" not in uris
