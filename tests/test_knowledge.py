"""The knowledge base: shape, canonical ids, sources, and terms checked against the real texts."""

from __future__ import annotations

import json
import re
from importlib.resources import files

import pytest
from conftest import REPO, corpus_dir
from ruamel.yaml import YAML
from test_knowledge_families import NEW_LICENCES

from checker.errors import KnowledgeError
from checker.knowledge import CATEGORIES, PROHIBITED_USES, Knowledge, _index_licenses

REQUIRED_LICENSES = [
    "apache-2.0",
    "mit",
    "bsd-3-clause",
    "cc-by-4.0",
    "cc-by-nc-4.0",
    "cc-by-sa-4.0",
    "openrail",
    "creativeml-openrail-m",
    "bigscience-openrail-m",
    "llama2",
    "llama3",
    "llama3.1",
    "llama3.2",
    "llama3.3",
    "gemma",
]
REQUIRED_DEVELOPERS = [
    "meta-llama",
    "Qwen",
    "deepseek-ai",
    "google",
    "mistralai",
    "microsoft",
    "tiiuae",
    "THUDM",
    "zai-org",
    "01-ai",
    "baichuan-inc",
    "internlm",
    "tencent",
    "moonshotai",
    "MiniMaxAI",
    "BAAI",
    "nvidia",
    "ibm-granite",
    "stabilityai",
    "CohereForAI",
    "ai21labs",
    "bigscience",
    "allenai",
    "apple",
    "openai",
    "xai-org",
    "black-forest-labs",
    "TheBloke",
    "bartowski",
    "unsloth",
    "NousResearch",
    "lmstudio-community",
    "mlx-community",
]


def _scancode() -> dict[str, dict[str, object]]:
    index = files("license_expression").joinpath("data", "scancode-licensedb-index.json")
    return {e["license_key"]: e for e in json.loads(index.read_text())}


def test_required_licences_present(kb: Knowledge) -> None:
    keys = {e.key for e in kb.licenses}
    assert set(REQUIRED_LICENSES) <= keys


def test_canonical_ids_follow_the_rule(kb: Knowledge) -> None:
    scancode = _scancode()
    spdx = {
        str(e["spdx_license_key"])
        for e in scancode.values()
        if e["spdx_license_key"] and not str(e["spdx_license_key"]).startswith("LicenseRef")
    }
    for entry in kb.licenses:
        if entry.id.startswith("LicenseRef-scancode-"):
            key = entry.id.removeprefix("LicenseRef-scancode-")
            assert key in scancode, f"{entry.file}: {key} is not in ScanCode's LicenseDB"
            assert scancode[key]["spdx_license_key"] == entry.id, entry.file
        elif entry.id.startswith("LicenseRef-clearance-"):
            assert entry.id == f"LicenseRef-clearance-{entry.key}", entry.file
        else:
            assert entry.id in spdx, f"{entry.file}: {entry.id} is not an SPDX id"


def test_every_known_term_cites_a_clause(kb: Knowledge) -> None:
    for entry in kb.licenses:
        t = entry.terms
        for name in (
            "commercial_use",
            "output_training",
            "attribution",
            "naming",
            "redistribution",
        ):
            term = getattr(t, name)
            if term.value not in ("unknown", None, "none"):  # an absent duty needs no clause
                assert term.clause, f"{entry.file}: {name} has no clause"
        for name in ("user_limit", "revenue_limit", "aup"):
            term = getattr(t, name)
            if term.value is not None:
                assert term.clause, f"{entry.file}: {name} has no clause"
        if isinstance(t.prohibited_uses.value, tuple) and t.prohibited_uses.value:
            assert t.prohibited_uses.clause, f"{entry.file}: prohibited_uses has no clause"
        assert all(x.clause for x in t.excluded_territories)
        assert all(o.text for o in entry.obligations)


def test_vocabularies_match_the_schemas() -> None:
    schema = json.loads((REPO / "rules" / "schema" / "license.schema.json").read_text())
    assert tuple(schema["properties"]["categories"]["items"]["enum"]) == CATEGORIES
    uses = schema["properties"]["terms"]["properties"]["prohibited_uses"]["properties"]["value"]
    assert tuple(uses["oneOf"][0]["items"]["enum"]) == PROHIBITED_USES
    assert uses["oneOf"][1] == {"const": "unknown"}


def test_duplicate_names_are_refused(kb: Knowledge) -> None:
    import dataclasses

    first = kb.licenses[0]
    clash = dataclasses.replace(kb.licenses[1], aliases=(first.key,), file="rules/licenses/x.yaml")
    with pytest.raises(KnowledgeError, match="also names the licence"):
        _index_licenses([first, clash])


def test_lookup_is_case_and_url_insensitive(kb: Knowledge) -> None:
    entry = kb.license("LLAMA3.1")
    assert entry is not None and entry.key == "llama3.1"
    assert kb.license("apache-2.0") is kb.license("Apache-2.0")
    link = "http://www.github.com/Tencent-Hunyuan/Hunyuan-A13B/blob/main/LICENSE/"
    found = kb.license(link)
    assert found is not None and found.key == "tencent-hunyuan-community-a13b"


def test_developers(kb: Knowledge) -> None:
    assert len(kb.developers) >= 130
    for org in REQUIRED_DEVELOPERS:
        assert kb.developer(org) is not None, org
    for dev in kb.developers.values():
        assert dev.source.startswith("http"), dev.org
        assert dev.country is None or re.fullmatch(r"[A-Z]{2}", dev.country), dev.org
        if dev.country is None:
            assert dev.note, f"{dev.org}: an unknown country says why"
    assert kb.developer("deepseek-ai").country == "CN"  # type: ignore[union-attr]
    assert kb.developer("meta-llama").country == "US"  # type: ignore[union-attr]
    assert kb.developer("tiiuae").country == "AE"  # type: ignore[union-attr]


def test_jurisdictions(kb: Knowledge) -> None:
    adversaries = kb.groups["us-foreign-adversaries"]
    assert {"CN", "HK", "CU", "IR", "KP", "RU"} <= adversaries.members
    assert "791.4" in adversaries.source
    assert len(kb.groups["eu"].members) == 27
    assert kb.groups["eea"].members == kb.groups["eu"].members | {"IS", "LI", "NO"}
    assert "GB" not in kb.groups["eu"].members
    assert kb.expand(["EU"]) == kb.groups["eu"].members
    assert kb.expand(["de", "eu"]) == kb.groups["eu"].members


# --- against the real texts in ../shared/corpus (skipped when absent) ---------------------------


def test_corpus_sources_exist() -> None:
    corpus = corpus_dir()
    for path in sorted((REPO / "rules" / "licenses").glob("*.yaml")):
        data = YAML(typ="safe").load(path.read_text())
        for source in data["sources"]:
            if "corpus" in source:
                assert (corpus / source["corpus"]).is_file(), f"{path.name}: {source['corpus']}"


def _text(name: str) -> str:
    return " ".join((corpus_dir() / "licenses" / name).read_text(encoding="utf-8-sig").split())


@pytest.mark.parametrize(
    ("key", "text", "phrase"),
    [
        ("llama2", "llama2.txt", "700 million monthly active users"),
        ("llama3", "llama3.txt", "700 million monthly active users"),
        ("llama3.1", "llama3.1.txt", "700 million monthly active users"),
        ("llama3.2", "llama3.2.txt", "700 million monthly active users"),
        ("llama3.3", "llama3.3.txt", "700 million monthly active users"),
        ("tongyi-qianwen", "qwen-tongyi-qianwen.txt", "100 million monthly active users"),
    ],
)
def test_user_limits_match_the_texts(kb: Knowledge, key: str, text: str, phrase: str) -> None:
    assert phrase in _text(text)
    entry = kb.license(key)
    assert entry is not None
    expected = 700_000_000 if phrase.startswith("700") else 100_000_000
    assert entry.terms.user_limit.value == expected


def test_territories_match_the_texts(kb: Knowledge) -> None:
    a13b, large = (
        kb.license("tencent-hunyuan-community-a13b"),
        kb.license("tencent-hunyuan-community-large"),
    )
    assert a13b is not None and large is not None
    assert (
        "EXCLUDING THE TERRITORY OF THE EUROPEAN UNION, UNITED KINGDOM AND SOUTH KOREA"
        in _text("hunyuan-community-a13b.txt").upper()
    )
    assert "excluding the territory of the European Union." in _text("hunyuan-community-large.txt")
    assert {x.territory.upper() for x in a13b.terms.excluded_territories} == {"EU", "GB", "KR"}
    assert {x.territory.upper() for x in large.terms.excluded_territories} == {"EU"}
    assert all(x.applies_to == "use" for x in a13b.terms.excluded_territories)
    llama32 = kb.license("llama3.2")
    assert llama32 is not None
    assert "principal place of business in, the European Union" in _text("llama3.2-aup.txt")
    (eu,) = llama32.terms.excluded_territories
    assert (eu.territory.upper(), eu.applies_to, eu.only_for) == ("EU", "licensee", "multimodal")
    llama31 = kb.license("llama3.1")
    assert llama31 is not None and llama31.terms.excluded_territories == ()
    assert "European Union" not in _text("llama3.1-aup.txt")


def test_output_training_matches_the_texts(kb: Knowledge) -> None:
    assert "to improve any other large language model" in _text("llama2.txt")
    assert kb.license("llama2").terms.output_training.value == "forbidden"  # type: ignore[union-attr]
    assert "to improve any other large language model" in _text("qwen-tongyi-qianwen.txt")
    assert kb.license("tongyi-qianwen").terms.output_training.value == "forbidden"  # type: ignore[union-attr]


def test_non_commercial_licences(kb: Knowledge) -> None:
    for key in ("cc-by-nc-4.0", "qwen-research"):
        entry = kb.license(key)
        assert entry is not None and entry.terms.commercial_use.value == "forbidden", key
        assert "non-commercial" in entry.categories


def test_hub_ids_are_real_hub_ids(kb: Knowledge) -> None:
    listed = YAML(typ="safe").load(
        (corpus_dir() / "hub" / "hf-license-ids.derived.yaml").read_text()
    )
    hub = {item["id"] for item in listed["licenses"]}
    for entry in kb.licenses:
        for hub_id in entry.hub_ids:
            assert hub_id in hub, f"{entry.file}: {hub_id} is not a Hub licence id"


def test_every_hub_licence_id_is_known(kb: Knowledge) -> None:
    listed = YAML(typ="safe").load(
        (corpus_dir() / "hub" / "hf-license-ids.derived.yaml").read_text()
    )
    missing = [i["id"] for i in listed["licenses"] if kb.license(i["id"]) is None]
    assert missing == ["unknown", "other"]  # not licences: `other` is resolved by name or link


def test_license_names_seen_in_the_wild_resolve(kb: Knowledge) -> None:
    import csv

    path = corpus_dir() / "hub" / "hub-docs__model_license_other.csv"
    with path.open(newline="", encoding="utf-8") as handle:
        names = {row["suggested_license_name"] for row in csv.DictReader(handle)} - {""}
    assert names and all(kb.license(n) is not None for n in names), names
    assert kb.license("llama-license").key == "llama-1"  # type: ignore[union-attr]


def test_ai_licences_without_hub_ids(kb: Knowledge) -> None:
    for name in (
        "tongyi-qianwen",
        "qwen-research",
        "deepseek",
        "yi-license",
        "baichuan2-community",
        "chatglm3-6b",
        "glm-4",
        "codegeex4",
        "internlm-apache-2.0-variant",
        "tencent-hunyuan-community-large",
        "tencent-hunyuan-community-a13b",
        "kimi-k2-modified-mit",
        "minimax-model",
        "nvidia-open-model",
        "stability-ai-community",
        "tii-falcon-180b",
        "tii-falcon-2.0",
        "mistral-research",
        "mistral-non-production",
        "databricks-open-model",
        "jamba-open-model",
        "apple-sample-code",
        "llama4",
        *NEW_LICENCES,
    ):
        assert kb.license(name) is not None, name
    community = kb.license("stability-ai-community")
    assert community is not None and community.terms.revenue_limit.value == 1_000_000


def test_documents_point_at_known_licences(kb: Knowledge) -> None:
    assert kb.documents
    for doc in kb.documents:
        assert doc.kind in ("aup", "notice", "usage-policy")
        assert doc.of is None or kb.license(doc.of) is not None, doc.file


def test_scancode_keys_exist_for_every_scancode_id(kb: Knowledge) -> None:
    scancode = _scancode()
    for entry in kb.licenses:
        if entry.id.startswith("LicenseRef-scancode-"):
            assert entry.id.removeprefix("LicenseRef-scancode-") in scancode
