"""Qwen3-VL: 16-pixel patches with learned position embeddings, DeepStack (vision features fed
into the first language layers) and interleaved M-RoPE. LLaMA-Factory 0.9.5 trains it with the
qwen3_vl_nothink template, which has no default system prompt."""
from dataclasses import replace

from fragmentforge.models.twins import TURNS as TWIN_CHAT_TEMPLATE  # Qwen's turns, no default system prompt

MODEL_TYPES = ("qwen3_vl",)
TEMPLATE = "qwen3_vl_nothink"
MEDIA_FORMS = ("frames", "video")
VIDEO_FRAME_MULTIPLE = 2  # two frames share a temporal patch
TRUST_REMOTE_CODE = False


def twin_spec(spec):
    """Qwen3-VL's 16-pixel patches: 32 pixels a merged token, so 128-pixel frames keep 16 tokens."""
    return replace(spec, patch_size=16, image_min_pixels=64 * 64, image_max_pixels=128 * 128)


def tiny(tokenizer, spec):
    """(config, model class, processor) of the tiny twin built from `spec` (models.tiny)."""
    from transformers import Qwen3VLConfig, Qwen3VLForConditionalGeneration, Qwen3VLProcessor

    from fragmentforge.models.twins import build_processor, media_token_ids, text_config

    text = text_config(tokenizer, spec)
    text["head_dim"] = spec.hidden_size // spec.heads
    text["rope_parameters"] = {**text["rope_parameters"], "mrope_interleaved": True}
    for key in ("max_window_layers", "tie_word_embeddings", "bos_token_id", "eos_token_id"):
        text.pop(key, None)
    side = spec.image_max_pixels ** 0.5 / spec.patch_size
    vision = dict(depth=spec.vision_depth, hidden_size=spec.vision_embed_dim, intermediate_size=2 * spec.vision_embed_dim,
                  num_heads=spec.vision_heads, out_hidden_size=spec.hidden_size, patch_size=spec.patch_size,
                  spatial_merge_size=spec.merge_size, num_position_embeddings=int(side) ** 2,
                  deepstack_visual_indexes=[0])
    config = Qwen3VLConfig(text_config=text, vision_config=vision, **media_token_ids(tokenizer),
                           tie_word_embeddings=False)
    processor = build_processor(tokenizer, spec, Qwen3VLProcessor, chat_template=TWIN_CHAT_TEMPLATE)
    return config, Qwen3VLForConditionalGeneration, processor
