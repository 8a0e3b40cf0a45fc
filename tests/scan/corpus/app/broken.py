# a file that does not parse: the scan falls back to the tokenizer
from transformers import AutoModel

MODEL = "ibm-granite/granite-3.0-2b-instruct"

def load(:
    return AutoModel.from_pretrained(MODEL)

print "python 2"
