"""LLaVA-NeXT-Video (SF²T's Table 4): a CLIP vision tower, a Llama language model, AnyRes image
tiles and 2x2-pooled video frames. LLaMA-Factory 0.9.5 trains it with the llava_next_video
template (Vicuna's "USER: ... ASSISTANT:" turns) and its llava_next_video plugin."""
MODEL_TYPES = ("llava_next_video",)
TEMPLATE = "llava_next_video"
# Frames only: LLaMA-Factory 0.9.5's plugin calls the video processor with `images=None`, which
# transformers 5.6's LlavaNextVideoVideoProcessor rejects, so no video row can be trained.
MEDIA_FORMS = ("frames",)
VIDEO_FRAME_MULTIPLE = 1
TRUST_REMOTE_CODE = False
TWIN_TOKENS = {"image_token": "<image>", "video_token": "<video>"}

SYSTEM = ("A chat between a curious user and an artificial intelligence assistant. "
          "The assistant gives helpful, detailed, and polite answers to the user's questions.")
# What LLaMA-Factory's llava_next_video template renders, as a chat template for evaluation.
TWIN_CHAT_TEMPLATE = (
    "{% if messages[0]['role'] != 'system' %}" + SYSTEM + "{% endif %}"
    "{% for message in messages %}"
    "{% if message['role'] == 'system' %}{{ message['content'] }}"
    "{% elif message['role'] == 'user' %}USER: "
    "{% if message['content'] is string %}{{ message['content'] }}"
    "{% else %}{% for part in message['content'] %}"
    "{% if part['type'] == 'image' %}<image>{% elif part['type'] == 'video' %}<video>"
    "{% else %}{{ part['text'] }}{% endif %}{% endfor %}{% endif %} ASSISTANT:"
    "{% else %}{{ message['content'] }}<|im_end|>{% endif %}{% endfor %}"
)
TILE, PATCH = 64, 16  # the twin's tower sees 64-pixel tiles of 4x4 patches


def tiny(tokenizer, spec):
    """(config, model class, processor) of the tiny twin built from `spec` (models.tiny)."""
    from transformers import (LlavaNextImageProcessor, LlavaNextVideoConfig, LlavaNextVideoForConditionalGeneration,
                              LlavaNextVideoProcessor, LlavaNextVideoVideoProcessor)

    from fragmentforge.models.twins import special_ids

    ids = special_ids(tokenizer)
    text = dict(model_type="llama", vocab_size=len(tokenizer), hidden_size=spec.hidden_size,
                intermediate_size=spec.intermediate_size, num_hidden_layers=spec.layers,
                num_attention_heads=spec.heads, num_key_value_heads=spec.kv_heads, max_position_embeddings=4096,
                bos_token_id=None, eos_token_id=ids["<|im_end|>"], pad_token_id=ids["<|endoftext|>"])
    vision = dict(model_type="clip_vision_model", hidden_size=spec.vision_embed_dim,
                  intermediate_size=2 * spec.vision_embed_dim, num_hidden_layers=max(2, spec.vision_depth),
                  num_attention_heads=spec.vision_heads, image_size=TILE, patch_size=PATCH)
    tokens = {name: tokenizer.convert_tokens_to_ids(token) for name, token in TWIN_TOKENS.items()}
    per_tile = (TILE // PATCH) ** 2
    config = LlavaNextVideoConfig(text_config=text, vision_config=vision, image_token_index=tokens["image_token"],
                                  video_token_index=tokens["video_token"], image_grid_pinpoints=[[TILE, TILE]],
                                  image_seq_length=per_tile, video_seq_length=per_tile // 4,
                                  tie_word_embeddings=False)
    square = {"size": {"shortest_edge": TILE}, "crop_size": {"height": TILE, "width": TILE}}
    processor = LlavaNextVideoProcessor(
        image_processor=LlavaNextImageProcessor(**square, image_grid_pinpoints=[[TILE, TILE]]),
        video_processor=LlavaNextVideoVideoProcessor(**square), tokenizer=tokenizer,
        chat_template=TWIN_CHAT_TEMPLATE, patch_size=PATCH, vision_feature_select_strategy="default",
        num_additional_image_tokens=1)
    return config, LlavaNextVideoForConditionalGeneration, processor
