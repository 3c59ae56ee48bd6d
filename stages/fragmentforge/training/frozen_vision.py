"""Visual embeddings computed once per image while the vision side is frozen.

With `tune: language` the vision tower and the projector are frozen and carry no LoRA, so an
image's visual embeddings are a fixed function of its pixels. LLaMA-Factory still decodes,
resizes and patchifies every image of every batch and runs the tower on it: for the embedded
default about a third of each training step, for images seen about eight times a run
(`make bench-image-memo`). Installed in the training child (training/launch.py), this module:

- in the collator, turns each image into its embeddings: a cached copy, or, for the batch's
  new images together, the plugin's own preprocessing and the tower's forward (the tower attends
  within each image, and tests/test_frozen_vision.py checks the adapter is the one the plain
  path trains, bit for bit);
- hands them on as `pixel_values`, which the model's `get_image_features` returns as they are.

Only for a family that declares FROZEN_VISION_CACHE (whose classes the patches know), and only
when the recipe freezes both the tower and the projector. The cache is bounded in bytes and drops
the oldest first; a dropped image is encoded again, to the same numbers.
"""
from __future__ import annotations

from collections import OrderedDict
from pathlib import Path

CAP_KEY = "vision_cache_mib"  # the launch recipe's bound on the cache (training.vision_cache_mib)


def applies(recipe: dict, family) -> bool:
    return bool(getattr(family, "FROZEN_VISION_CACHE", False) and recipe.get("stage") == "sft"
                and recipe.get("freeze_vision_tower") and recipe.get("freeze_multi_modal_projector")
                and recipe.get("finetuning_type") == "lora")


class EmbeddingCache:
    """image path -> (grid, embeddings), at most `max_bytes`, oldest dropped first."""

    def __init__(self, max_bytes: int):
        self.max_bytes, self.bytes = max_bytes, 0
        self.items: OrderedDict = OrderedDict()
        self.model = None  # the Hugging Face model the collator was given
        self.hits = self.misses = 0

    def get(self, key: str):
        item = self.items.get(key)
        if item is not None:
            self.items.move_to_end(key)
            self.hits += 1
        return item

    def put(self, key: str, item) -> None:
        self.misses += 1
        self.items[key] = item
        self.bytes += item[1].numel() * item[1].element_size()
        while self.bytes > self.max_bytes and len(self.items) > 1:
            _, (_, dropped) = self.items.popitem(last=False)
            self.bytes -= dropped.numel() * dropped.element_size()


def install(max_bytes: int) -> EmbeddingCache:
    """Patch LLaMA-Factory's Qwen2-VL plugin and collator and transformers' Qwen2-VL model for
    this process. Returns the cache (its hit counts are reported by the caller)."""
    import torch
    from llamafactory.data.collator import MultiModalDataCollatorForSeq2Seq
    from llamafactory.data.mm_plugin import Qwen2VLPlugin
    from transformers.modeling_outputs import BaseModelOutputWithPooling
    from transformers.models.qwen2_vl.modeling_qwen2_vl import Qwen2VLModel

    cache = EmbeddingCache(max_bytes)
    plain_mm_inputs = Qwen2VLPlugin._get_mm_inputs
    plain_post_init = MultiModalDataCollatorForSeq2Seq.__post_init__
    plain_image_features = Qwen2VLModel.get_image_features

    def post_init(collator):
        plain_post_init(collator)
        cache.model = collator.model  # PEFT already unwrapped by the collator

    def encode(plugin, images, processor) -> list:
        """(grid, embeddings) of each image, through the plugin's preprocessing and the tower."""
        inputs = plain_mm_inputs(plugin, images, [], [], processor)
        inner = cache.model.model
        grids = inputs["image_grid_thw"]
        with torch.no_grad():
            features = plain_image_features(inner, inputs["pixel_values"].to(inner.visual.device),
                                            grids.to(inner.visual.device)).pooler_output
        return [(grid, f.detach().cpu()) for grid, f in zip(grids, features)]

    def mm_inputs(plugin, images, videos, audios, processor):
        if cache.model is None:  # preprocessing (token counts), before the collator exists
            return plain_mm_inputs(plugin, images, videos, audios, processor)
        out = plain_mm_inputs(plugin, [], videos, audios, processor)
        if images:
            keys = [str(image) if isinstance(image, (str, Path)) else None for image in images]
            found = {key: cache.get(key) for key in dict.fromkeys(k for k in keys if k is not None)}
            missing = [i for i, key in enumerate(keys) if key is None or found[key] is None]
            # each missing image once (a generated one, LLaMA-Factory's blank filler, every time)
            first = list({(keys[i] if keys[i] is not None else i): i for i in missing}.values())
            for i, item in zip(first, encode(plugin, [images[i] for i in first], processor) if first else ()):
                if keys[i] is None:
                    found[i] = item
                else:
                    found[keys[i]] = item
                    cache.put(keys[i], item)
            encoded = [found[key if key is not None else i] for i, key in enumerate(keys)]
            out["image_grid_thw"] = torch.stack([grid for grid, _ in encoded])
            out["pixel_values"] = torch.cat([features for _, features in encoded])
        return out

    def image_features(model, pixel_values, image_grid_thw=None, **kwargs):
        # What the collator passes here is already the embeddings, one row per visual token.
        hidden = model.config.text_config.hidden_size
        if pixel_values.shape[-1] != hidden:
            raise RuntimeError(f"frozen-vision cache: expected embeddings of width {hidden}, got {tuple(pixel_values.shape)}")
        sizes = (image_grid_thw.prod(-1) // model.visual.spatial_merge_size ** 2).tolist()
        return BaseModelOutputWithPooling(pooler_output=torch.split(pixel_values, sizes))

    MultiModalDataCollatorForSeq2Seq.__post_init__ = post_init
    Qwen2VLPlugin._get_mm_inputs = mm_inputs
    Qwen2VLModel.get_image_features = image_features
    return cache
