from transformers import AutoModel
AutoModel.from_pretrained("ignoredtoo/should-not-appear")
