"""The Python calls that name a model, and which of their arguments do (an explicit registry).

Keyed by the called name: a plain name (``pipeline``, after import aliases are undone) or the
last attribute (``AutoModel.from_pretrained``, ``api.model_info``). The first of ``positions``
whose argument is a string (or a constant of the module holding one) names the model; so do the
``keywords``. ``revision=`` pins it; ``repo_type="dataset"`` or ``"space"`` makes it no model.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ArgSpec:
    """Where a call names its model."""

    positions: tuple[int, ...] = ()
    keywords: tuple[str, ...] = ()
    prefix_only: bool = False  # only ``hf_hub:org/name`` strings (timm.create_model)


_REPO = ArgSpec((0,), ("repo_id",))

CALLS: dict[str, ArgSpec] = {
    # transformers, diffusers, peft (PeftModel.from_pretrained(base, "org/adapter")), optimum,
    # llama-cpp-python (Llama.from_pretrained(repo_id=...)), sentence-transformers' models...
    "from_pretrained": ArgSpec(
        (0, 1), ("pretrained_model_name_or_path", "model_id", "model_name_or_path", "repo_id")
    ),
    "from_single_file": ArgSpec((0,), ("pretrained_model_link_or_path",)),
    "pipeline": ArgSpec((1,), ("model", "tokenizer")),
    # huggingface_hub
    "hf_hub_download": _REPO,
    "snapshot_download": _REPO,
    "hf_hub_url": _REPO,
    "model_info": _REPO,
    "repo_info": _REPO,
    "list_repo_files": _REPO,
    "list_repo_tree": _REPO,
    "list_repo_refs": _REPO,
    "list_repo_commits": _REPO,
    "file_exists": _REPO,
    "get_safetensors_metadata": _REPO,
    "try_to_load_from_cache": _REPO,
    "InferenceClient": ArgSpec((0,), ("model",)),
    "AsyncInferenceClient": ArgSpec((0,), ("model",)),
    # sentence-transformers
    "SentenceTransformer": ArgSpec((0,), ("model_name_or_path",)),
    "CrossEncoder": ArgSpec((0,), ("model_name", "model_name_or_path")),
    "SparseEncoder": ArgSpec((0,), ("model_name_or_path",)),
    # vLLM
    "LLM": ArgSpec((0,), ("model", "tokenizer")),
    "EngineArgs": ArgSpec((), ("model", "tokenizer")),
    "AsyncEngineArgs": ArgSpec((), ("model", "tokenizer")),
    # timm and open_clip take hub ids behind a prefix
    "create_model": ArgSpec((0,), ("model_name",), prefix_only=True),
    "create_model_and_transforms": ArgSpec((0,), ("model_name",), prefix_only=True),
    # LangChain's Hugging Face integrations
    "HuggingFaceEmbeddings": ArgSpec((), ("model_name",)),
    "HuggingFaceEndpoint": ArgSpec((), ("repo_id",)),
    "from_model_id": ArgSpec((), ("model_id",)),
}

# the names a module must contain for the parser to be worth running (a fast pre-filter)
TRIGGERS = (*CALLS, "add_argument", "field", "model", "repo_id", "hf.co", "huggingface.co")
