"""Token counts of images, worked out once per image while LLaMA-Factory tokenizes a dataset.

To expand each image placeholder into its visual tokens, LLaMA-Factory's Qwen2-VL plugin
decodes, resizes and patchifies every image of every example, keeping only the patch grid.
The frames of the embedded default are shown about eight times each, so most of that work is
repeated: here the grid is kept per image path for the life of the training process (the files
do not change under a run), and only new images go through the plugin. The tokenized dataset
is the same, token for token (tests/test_frozen_vision.py). Installed by training/launch.py
for a family that declares TOKEN_COUNT_MEMO (its plugin is the one patched here).
"""
from __future__ import annotations

from pathlib import Path


def install() -> dict:
    """Patch the Qwen2-VL plugin's token metadata; returns the path -> grid memo."""
    import torch
    from llamafactory.data.mm_plugin import Qwen2VLPlugin

    grids: dict[str, torch.Tensor] = {}
    plain = Qwen2VLPlugin._get_mm_token_metadata

    def token_metadata(plugin, images, videos, audios, processor):
        keys = [str(image) if isinstance(image, (str, Path)) else None for image in images]
        if audios or not images or None in keys:
            return plain(plugin, images, videos, audios, processor)
        new = list(dict.fromkeys(k for k in keys if k not in grids))
        if new:
            grids.update(zip(new, plain(plugin, new, [], [], processor)["image_grid_thw"]))
        out = plain(plugin, [], videos, [], processor) if videos else {}
        if out is None:
            return None
        return {**out, "image_grid_thw": torch.stack([grids[k] for k in keys])}

    Qwen2VLPlugin._get_mm_token_metadata = token_metadata
    return grids
