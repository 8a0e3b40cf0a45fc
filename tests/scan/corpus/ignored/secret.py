from transformers import AutoModel
AutoModel.from_pretrained("ignored/should-not-appear")
