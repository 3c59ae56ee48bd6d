"""InternVL, transformers' native port (InternVL3-hf and later): an InternViT tower whose features
are pixel-shuffled 2x2 into one token, and a Qwen2 language model. LLaMA-Factory 0.9.5 trains it
with the intern_vl template and plugin; a video is its frames, "Frame1: <img>...</img>" and so on."""
from fragmentforge.models.twins import TURNS

MODEL_TYPES = ("internvl",)
TEMPLATE = "intern_vl"
MEDIA_FORMS = ("frames", "video")
VIDEO_FRAME_MULTIPLE = 1
TRUST_REMOTE_CODE = False
# With oneDNN on, the twin's adapter from one recipe came out two ways over six fresh CPU runs
# (the last bits of the loss); with it off, one way over 14 (families.reproducible_cpu_kernels).
ONEDNN_REPRODUCIBLE = False
# LLaMA-Factory tiles an image only when asked (its crop_to_patches is off by default); the
# transformers processor tiles unless told not to. Evaluation tells it, so both see one tile.
PROCESSOR_KWARGS = {"crop_to_patches": False}
TWIN_TOKENS = {"start_image_token": "<img>", "end_image_token": "</img>", "context_image_token": "<IMG_CONTEXT>",
               "video_token": "<video>"}

# LLaMA-Factory's intern_vl default system prompt, as its template renders it.
SYSTEM = "你是书生·万象，英文名是InternVL，是由上海人工智能实验室、清华大学及多家合作单位联合开发的多模态大语言模型。"
TWIN_CHAT_TEMPLATE = (
    "{% if messages[0]['role'] != 'system' %}<|im_start|>system\n" + SYSTEM + "<|im_end|>\n{% endif %}"
    + TURNS.replace("<|vision_start|><|image_pad|><|vision_end|>", "<IMG_CONTEXT>")
    .replace("<|vision_start|><|video_pad|><|vision_end|>", "<video>")
)
SIDE, PATCH = 128, 16  # an 8x8 patch grid, shuffled to 4x4 = 16 tokens a frame


def tiny(tokenizer, spec):
    """(config, model class, processor) of the tiny twin built from `spec` (models.tiny)."""
    from transformers import (GotOcr2ImageProcessor, InternVLConfig, InternVLForConditionalGeneration,
                              InternVLProcessor, InternVLVideoProcessor)

    from fragmentforge.models.twins import text_config

    text = {**text_config(tokenizer, spec), "model_type": "qwen2"}
    text["rope_parameters"] = {k: v for k, v in text["rope_parameters"].items() if k != "mrope_section"}
    vision = dict(hidden_size=spec.vision_embed_dim, intermediate_size=2 * spec.vision_embed_dim,
                  num_hidden_layers=spec.vision_depth, num_attention_heads=spec.vision_heads,
                  image_size=[SIDE, SIDE], patch_size=[PATCH, PATCH])
    tokens_per_frame = (SIDE // PATCH) ** 2 // 4
    config = InternVLConfig(text_config=text, vision_config=vision, downsample_ratio=0.5,
                            image_token_id=tokenizer.convert_tokens_to_ids(TWIN_TOKENS["context_image_token"]),
                            image_seq_length=tokens_per_frame, tie_word_embeddings=False)
    size = {"height": SIDE, "width": SIDE}
    processor = InternVLProcessor(image_processor=GotOcr2ImageProcessor(size=size, crop_to_patches=False),
                                  video_processor=InternVLVideoProcessor(size=size), tokenizer=tokenizer,
                                  image_seq_length=tokens_per_frame, chat_template=TWIN_CHAT_TEMPLATE)
    return config, InternVLForConditionalGeneration, processor
