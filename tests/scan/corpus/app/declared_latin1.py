# -*- coding: latin-1 -*-
# café
from transformers import AutoModel
AutoModel.from_pretrained("nvidia/Llama-3.1-Nemotron-Nano-8B-v1")
