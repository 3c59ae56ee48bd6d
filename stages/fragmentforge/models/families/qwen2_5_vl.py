"""Qwen2.5-VL: Qwen2-VL's language model and template, a vision tower with windowed attention,
RMSNorm and a gated MLP. LLaMA-Factory 0.9.5 trains it with the qwen2_vl template."""
MODEL_TYPES = ("qwen2_5_vl",)
TEMPLATE = "qwen2_vl"
MEDIA_FORMS = ("frames", "video")
VIDEO_FRAME_MULTIPLE = 2  # two frames share a temporal patch
TRUST_REMOTE_CODE = False


def tiny(tokenizer, spec):
    """(config, model class, processor) of the tiny twin built from `spec` (models.tiny)."""
    from transformers import Qwen2_5_VLConfig, Qwen2_5_VLForConditionalGeneration, Qwen2_5_VLProcessor

    from fragmentforge.models.twins import build_processor, media_token_ids, text_config

    # One windowed block, then one with full attention; a window of 2x2 merged tokens (112 px).
    vision = dict(depth=max(2, spec.vision_depth), hidden_size=spec.vision_embed_dim,
                  intermediate_size=2 * spec.vision_embed_dim, num_heads=spec.vision_heads,
                  out_hidden_size=spec.hidden_size, patch_size=spec.patch_size, spatial_merge_size=spec.merge_size,
                  window_size=2 * spec.patch_size * spec.merge_size * 2,
                  fullatt_block_indexes=[max(2, spec.vision_depth) - 1])
    config = Qwen2_5_VLConfig(text_config=text_config(tokenizer, spec), vision_config=vision,
                              **media_token_ids(tokenizer), tie_word_embeddings=False)
    return config, Qwen2_5_VLForConditionalGeneration, build_processor(tokenizer, spec, Qwen2_5_VLProcessor)
