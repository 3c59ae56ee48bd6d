"""Qwen2-VL, the embedded tiny model's family: LLaMA-Factory's qwen2_vl template, frames as images."""
MODEL_TYPES = ("qwen2_vl",)
TEMPLATE = "qwen2_vl"
MEDIA = "images"
TRUST_REMOTE_CODE = False
