"""Each reader on small texts: Python (ast and the tokenizer fallback), notebooks, configs,
shell scripts, Dockerfiles, Modelfiles, .env files."""

from __future__ import annotations

import json

from checker.scan.config import scan_json, scan_toml, scan_yaml
from checker.scan.model import FileScan
from checker.scan.notebook import scan_notebook
from checker.scan.python import scan_python
from checker.scan.shell import scan_dockerfile, scan_env, scan_modelfile, scan_shell


def refs(scan: FileScan) -> list[tuple[int, str, str | None]]:
    return sorted((f.line, f.model_id, f.revision) for f in scan.found)


def test_python_constants_and_revisions_are_resolved() -> None:
    text = (
        'from transformers import AutoModel\nM = "org/a"\nREV = "abc"\n'
        "def f():\n    return AutoModel.from_pretrained(M, revision=REV)\n"
    )
    assert refs(scan_python(text)) == [(5, "org/a", "abc")]


def test_python_import_aliases_and_expressions() -> None:
    text = (
        "import os\nfrom transformers import pipeline as p\n"
        'p("text-generation", "org/positional")\n'
        'p(task="x", model=args.model or "org/default")\n'
        'p(model="org/a" if big else "org/b")\n'
        'p(model=os.getenv("MODEL", "org/env"))\n'
    )
    assert [r[1] for r in refs(scan_python(text))] == [
        "org/positional",
        "org/default",
        "org/a",
        "org/b",
        "org/env",
    ]


def test_python_peft_adapter_is_the_second_argument() -> None:
    text = (
        'base = AutoModel.from_pretrained("org/base")\n'
        'model = PeftModel.from_pretrained(base, "org/adapter")\n'
    )
    assert refs(scan_python(text)) == [(1, "org/base", None), (2, "org/adapter", None)]


def test_python_datasets_and_spaces_are_not_models() -> None:
    text = (
        'hf_hub_download("org/data", "x.csv", repo_type="dataset")\n'
        'snapshot_download(repo_id="org/space", repo_type="space")\n'
        'load_dataset("org/ds")\n'
        'create_model("org/not-timm")\n'
        'create_model("hf_hub:timm/resnet50.a1_in1k")\n'
    )
    assert refs(scan_python(text)) == [(5, "timm/resnet50.a1_in1k", None)]


def test_python_model_named_constant_that_no_call_uses() -> None:
    text = 'EMBEDDING_MODEL = "org/emb"\nOTHER = "org/not-a-model-name"\nhelp = "org/x"\n'
    assert refs(scan_python(text)) == [(1, "org/emb", None)]


def test_python_used_constant_is_reported_at_the_call_only() -> None:
    text = 'MODEL_ID = "org/a"\nSentenceTransformer(MODEL_ID)\n'
    assert refs(scan_python(text)) == [(2, "org/a", None)]


def test_python_prose_and_comments_are_not_read() -> None:
    text = '"""Uses org/doc."""\n# from_pretrained("org/comment")\nx = "see org/prose"\n'
    assert refs(scan_python(text)) == []


def test_python_syntax_error_falls_back_to_tokens() -> None:
    text = 'M = "org/a"\ndef broken(:\n    AutoModel.from_pretrained(M)\nprint "x"\n'
    scan = scan_python(text)
    assert refs(scan) == [(3, "org/a", None)]
    assert scan.notes and "tokenizer" in scan.notes[0][1] and scan.notes[0][0] == 2


def test_python_tokenizer_reads_keywords_and_skips_datasets() -> None:
    text = (
        "def f(:\n"
        '    hf_hub_download(repo_id="org/m", revision="r1")\n'
        '    hf_hub_download(repo_id="org/d", repo_type="dataset")\n'
        '    pipeline("task", model="org/p")\n'
    )
    assert refs(scan_python(text)) == [(2, "org/m", "r1"), (4, "org/p", None)]


def test_python_without_any_trigger_is_not_parsed() -> None:
    assert scan_python("def f(:\n  pass\n") == FileScan()


def test_notebook_v3_and_magics() -> None:
    notebook = {
        "nbformat": 3,
        "worksheets": [
            {
                "cells": [
                    {"cell_type": "code", "input": ['AutoModel.from_pretrained("org/a")\n']},
                    {"cell_type": "code", "input": "%%bash\nhf download org/b\n"},
                    {"cell_type": "code", "input": "%%javascript\nhf download org/c\n"},
                    {"cell_type": "markdown", "source": 'from_pretrained("org/d")'},
                ]
            }
        ],
    }
    assert [r[1] for r in refs(scan_notebook(json.dumps(notebook, indent=1)))] == [
        "org/a",
        "org/b",
    ]


def test_notebook_not_json_or_no_cells_is_a_note() -> None:
    assert "not valid JSON" in scan_notebook("{nope").notes[0][1]
    assert "no 'cells'" in scan_notebook("[1, 2]").notes[0][1]


def test_yaml_keys_lists_documents_and_lines() -> None:
    text = (
        "# model: org/comment\n"
        "base_model:\n  - org/a\n  - org/b\n"
        "notes: |\n  model: org/prose\n"
        "nested:\n  deeper:\n    model_name_or_path: 'org/c'\n"
        "---\nmodel: org/d\n"
    )
    assert refs(scan_yaml(text)) == [
        (2, "org/a", None),
        (2, "org/b", None),
        (9, "org/c", None),
        (11, "org/d", None),
    ]


def test_yaml_bad_and_hostile_documents_are_notes() -> None:
    assert "not valid YAML" in scan_yaml("model: [unclosed\n").notes[0][1]
    bomb = "a: &a [model, model, model, model, model, model, model, model, model]\n"
    for level in range(1, 8):
        bomb += (
            f"{chr(97 + level)}: &{chr(97 + level)} [{', '.join(['*' + chr(96 + level)] * 9)}]\n"
        )
    scan = scan_yaml(bomb)
    assert scan.notes and "nodes" in scan.notes[0][1]


def test_json_and_toml_lines() -> None:
    text = '{\n  "x": 1,\n  "base_model_name_or_path": "org/a",\n  "model": {"type": "BPE"}\n}\n'
    assert refs(scan_json(text)) == [(3, "org/a", None)]
    toml = '# model = "org/comment"\n[a]\nmodel = "org/b"\nrepo_id = "org/c"\n'
    assert refs(scan_toml(toml)) == [(3, "org/b", None), (4, "org/c", None)]
    assert "not valid TOML" in scan_toml("model = \n").notes[0][1]
    assert "not valid JSON" in scan_json('{"model": }').notes[0][1]


def test_shell_commands_variables_and_traps() -> None:
    text = (
        "M=org/a\n"
        "export REV=r1\n"
        'hf download "$M" --revision "${REV}"\n'
        "huggingface-cli download org/b config.json --local-dir ./x && echo ok\n"
        "hf download org/ds --repo-type dataset\n"
        "hf download --repo-type=dataset org/ds2\n"
        "# hf download org/comment\n"
        "echo hf download org/echoed\n"
        "ollama run llama3 && ollama pull hf.co/org/c:Q4_K_M\n"
        "git clone https://huggingface.co/org/d.git\n"
        "git clone https://github.com/org/e\n"
        "sudo -E hf download org/f\n"
    )
    assert refs(scan_shell(text)) == [
        (3, "org/a", "r1"),
        (4, "org/b", None),
        (9, "org/c", None),
        (10, "org/d", None),
    ]


def test_shell_unclosed_quote_is_read_plainly() -> None:
    assert refs(scan_shell("hf download org/a 'unclosed\n")) == [(1, "org/a", None)]


def test_dockerfile() -> None:
    text = (
        "FROM nvidia/cuda:12.1.0-base\n"
        "ARG BASE_MODEL=org/a\n"
        "ENV EMBED_MODEL org/b\n"
        "RUN --mount=type=cache,target=/root/.cache \\\n"
        "    hf download ${BASE_MODEL} \\\n"
        "    && echo done\n"
        'RUN ["huggingface-cli", "download", "org/c"]\n'
    )
    assert refs(scan_dockerfile(text)) == [
        (2, "org/a", None),
        (3, "org/b", None),
        (5, "org/a", None),
        (7, "org/c", None),
    ]


def test_modelfile_and_env() -> None:
    modelfile = "FROM llama3\nFROM hf.co/org/a:Q8_0\nFROM ./x.gguf\nADAPTER hf.co/org/b\n"
    assert refs(scan_modelfile(modelfile)) == [(2, "org/a", None), (4, "org/b", None)]
    env = '# MODEL=org/c\nMODEL_ID="org/d"\nexport LLM_MODEL=org/e # the chat model\nURL=org/f\n'
    assert refs(scan_env(env)) == [(2, "org/d", None), (3, "org/e", None)]


def test_a_mapping_s_revision_pins_its_model() -> None:
    text = 'K = {"a": {"repo_id": "org/k", "revision": "ep-support"}, "b": {"repo_id": "org/j"}}\n'
    assert refs(scan_python(text)) == [(1, "org/j", None), (1, "org/k", "ep-support")]
    yaml_text = "models:\n  - model: org/y\n    revision: v3\n  - model: org/z\n"
    assert refs(scan_yaml(yaml_text)) == [(2, "org/y", "v3"), (4, "org/z", None)]
    assert refs(scan_json('{"model_id": "org/x", "revision": "abc"}')) == [(1, "org/x", "abc")]
