#!/usr/bin/env bash
set -euo pipefail
REV=4e20de362430cd3b72f300e6b0f18e50e7166e08
# hf download commented/out-model
hf download google/gemma-3-4b-it --revision "$REV" --local-dir ./gemma
hf download allenai/c4 --repo-type dataset
ollama pull library/llama3
ollama run hf.co/bartowski/Llama-3.2-3B-Instruct-GGUF:Q4_K_M
git clone https://github.com/huggingface/transformers
git clone https://huggingface.co/openai-community/gpt2
echo "see meta-llama/Llama-3.1-70B for details"
