"""Loads the models of the demo app. See meta-llama/Llama-3.1-8B in the docs (prose: not a reference)."""

import argparse
import os
from dataclasses import dataclass, field

from diffusers import DiffusionPipeline
from peft import PeftModel
from sentence_transformers import SentenceTransformer
from transformers import AutoModelForCausalLM, AutoTokenizer
from transformers import pipeline as make_pipeline
from vllm import LLM

from huggingface_hub import HfApi, hf_hub_download, snapshot_download
from datasets import load_dataset

BASE = "Qwen/Qwen2.5-7B-Instruct"
BASE_REV = "a09a35458c702b33eeacc393d103063234e8bc28"
EMBEDDER = "BAAI/bge-small-en-v1.5"
LOCAL_CKPT = "./checkpoints/final"
CONTENT_TYPE = "text/plain"
# model = "mistralai/Mistral-7B-v0.1" is only a comment


def load_base():
    tokenizer = AutoTokenizer.from_pretrained(BASE, revision=BASE_REV)
    model = AutoModelForCausalLM.from_pretrained(BASE, revision=BASE_REV)
    adapter = PeftModel.from_pretrained(model, "acme-ai/qwen-support-lora")
    return tokenizer, adapter


def load_others():
    classifier = make_pipeline("text-classification", model="distilbert/distilbert-base-uncased-finetuned-sst-2-english")
    embedder = SentenceTransformer(EMBEDDER)
    llm = LLM(model="mistralai/Mistral-7B-Instruct-v0.3", revision="v0.3")
    image = DiffusionPipeline.from_pretrained("stabilityai/stable-diffusion-xl-base-1.0")
    weights = hf_hub_download(repo_id="TheBloke/Llama-2-7B-GGUF", filename="llama-2-7b.Q4_K_M.gguf")
    snapshot = snapshot_download("google/gemma-2-2b-it", revision="main")
    info = HfApi().model_info("openai/whisper-large-v3")
    default = os.environ.get("SUMMARY_MODEL", "facebook/bart-large-cnn")
    summarizer = make_pipeline("summarization", model=default)
    return classifier, embedder, llm, image, weights, snapshot, info, summarizer


def not_models(user):
    local = AutoModelForCausalLM.from_pretrained(LOCAL_CKPT)
    also_local = AutoModelForCausalLM.from_pretrained("checkpoints/final")
    nested = AutoModelForCausalLM.from_pretrained("path/to/file")
    other_site = AutoModelForCausalLM.from_pretrained("https://github.com/org/repo")
    templated = AutoModelForCausalLM.from_pretrained(f"{user}/private-model")
    dataset = load_dataset("squad/plain_text")
    data_file = hf_hub_download(repo_id="allenai/c4", filename="x.json", repo_type="dataset")
    headers = {"Content-Type": CONTENT_TYPE, "Accept": "image/png"}
    message = "try meta-llama/Llama-3.1-8B instead"
    return local, also_local, nested, other_site, templated, dataset, data_file, headers, message


@dataclass
class Arguments:
    model_name_or_path: str = field(default="google-bert/bert-base-uncased", metadata={"help": "x"})
    output_dir: str = "outputs/run-1"


def parse():
    parser = argparse.ArgumentParser()
    parser.add_argument("--teacher-model", default="microsoft/deberta-v3-base")
    parser.add_argument("--data", default="data/train.jsonl")
    return parser.parse_args()


GENERATION = {"model": "HuggingFaceTB/SmolLM2-360M-Instruct", "mime": "application/json"}
