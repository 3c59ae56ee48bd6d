"""Qwen2-VL, the embedded tiny model's family: LLaMA-Factory's qwen2_vl template; frames as
images, or as a video whose frame pairs share a patch."""
MODEL_TYPES = ("qwen2_vl",)
TEMPLATE = "qwen2_vl"
MEDIA_FORMS = ("frames", "video")
VIDEO_FRAME_MULTIPLE = 2  # two frames share a temporal patch
TRUST_REMOTE_CODE = False
SHARED_VISION_SCORING = True  # option scoring encodes a question's frames once (evaluate/likelihood.py)
TOKEN_COUNT_MEMO = True  # tokenizing measures each frame once (training/image_grids.py)
FROZEN_VISION_CACHE = True  # LoRA on the language side encodes each frame once a run (training/frozen_vision.py)


def tiny(tokenizer, spec):
    """(config, model class, processor) of the tiny twin built from `spec` (models.tiny)."""
    from transformers import Qwen2VLConfig, Qwen2VLForConditionalGeneration, Qwen2VLProcessor

    from fragmentforge.models.twins import build_processor, media_token_ids, text_config

    vision = dict(depth=spec.vision_depth, embed_dim=spec.vision_embed_dim, hidden_size=spec.hidden_size,
                  num_heads=spec.vision_heads, mlp_ratio=2, patch_size=spec.patch_size,
                  spatial_merge_size=spec.merge_size)
    config = Qwen2VLConfig(text_config=text_config(tokenizer, spec), vision_config=vision,
                           **media_token_ids(tokenizer), tie_word_embeddings=False)
    return config, Qwen2VLForConditionalGeneration, build_processor(tokenizer, spec, Qwen2VLProcessor)
