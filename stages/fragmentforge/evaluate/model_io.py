"""Loading a base model (plus an optional LoRA adapter) and turning sharegpt rows into inputs.

The prompt is rendered by the model's own chat template from the same messages LLaMA-Factory
trained on, and images go through the model's processor unchanged, so evaluation sees the
token sequence training saw.
"""
from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from fragmentforge.models.families import VIDEO_FPS, family_of, pixel_bounds

IMAGE_PLACEHOLDER, VIDEO_PLACEHOLDER = "<image>", "<video>"
MEDIA_PART = re.compile(r"(<image>|<video>)")
OPTION_LINE = re.compile(r"^([A-Z])\. (.+)$", re.MULTILINE)


@dataclass
class LoadedModel:
    model: object
    processor: object
    device: str
    family: object = None  # the model family's module (models/families); None: Qwen2-VL's ways
    # image path -> (grid, visual embeddings): questions about one keyframe set, and FineAgent's
    # helper settings, show the same frames (evaluate/likelihood.py's shared-vision path)
    vision_cache: OrderedDict = field(default_factory=OrderedDict)


def pick_device(requested: str = "auto") -> str:
    import torch

    if requested == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return requested


def load_model(base_path: Path, adapter: Path | None = None, device: str = "auto") -> LoadedModel:
    import torch
    from transformers import AutoModelForImageTextToText, AutoProcessor

    device = pick_device(device)
    if device == "cpu":
        from fragmentforge.models.families import reproducible_cpu_kernels

        reproducible_cpu_kernels(base_path)
    dtype = torch.bfloat16 if device == "cuda" else torch.float32
    family = family_of(base_path)  # the registry let a remote-code model through only if allowed
    remote = {"trust_remote_code": True} if family.TRUST_REMOTE_CODE else {}
    model = AutoModelForImageTextToText.from_pretrained(base_path, dtype=dtype, **remote)
    if adapter is not None:
        from peft import PeftModel

        model = PeftModel.from_pretrained(model, adapter).merge_and_unload()
    processor = AutoProcessor.from_pretrained(base_path, **remote)
    processor.tokenizer.padding_side = "left"  # the scored position is the last one in every row
    return LoadedModel(model.to(device).eval(), processor, device, family)


def user_turn(row: dict) -> str:
    return next(m["content"] for m in row["messages"] if m["role"] == "user")


def to_chat(text: str) -> list[dict]:
    """'<image><image>Question' (or '<video>Question') -> content parts in the same order."""
    parts = []
    for piece in MEDIA_PART.split(text):
        if piece in (IMAGE_PLACEHOLDER, VIDEO_PLACEHOLDER):
            parts.append({"type": piece[1:-1]})
        elif piece:
            parts.append({"type": "text", "text": piece})
    return [{"role": "user", "content": parts}]


def option_letters(question: str) -> list[str]:
    return [m.group(1) for m in OPTION_LINE.finditer(question)]


@lru_cache(maxsize=4096)
def open_rgb(path: Path):
    """Decoded once per run: questions about one keyframe set share its frames."""
    from PIL import Image

    with Image.open(path) as image:
        return image.convert("RGB")


def option_texts(question: str) -> dict[str, str]:
    return {m.group(1): m.group(2) for m in OPTION_LINE.finditer(question)}


def batch_inputs(loaded: LoadedModel, rows: list[dict], media_dir: Path, replies: list[str] | None = None):
    """Left-padded model inputs for sharegpt rows: the prompt up to the assistant turn, plus
    the given reply's tokens when scoring a continuation."""
    processor = loaded.processor
    bounds = pixel_bounds(loaded.family)
    multiple = getattr(loaded.family, "VIDEO_FRAME_MULTIPLE", 2)
    texts, images, videos, timing = [], [], [], []
    for row in rows:
        texts.append(processor.apply_chat_template(to_chat(user_turn(row)), add_generation_prompt=True,
                                                   tokenize=False))
        images.extend(row_images(loaded, row, media_dir))
        for video in row.get("videos") or ():
            frames = video_frames(media_dir, video, multiple)
            videos.append([within_bounds(f, bounds["video_max_pixels"], bounds["video_min_pixels"]) for f in frames])
            timing.append({"fps": VIDEO_FPS, "total_num_frames": len(videos[-1]),
                           "frames_indices": list(range(len(video))), "duration": len(video) / VIDEO_FPS})
    extra = {"video_metadata": timing, "do_sample_frames": False} if videos else {}
    extra.update(getattr(loaded.family, "PROCESSOR_KWARGS", {}) if images else {})
    inputs = processor(text=texts, images=images or None, videos=videos or None, return_tensors="pt", padding=True,
                       **extra)
    if replies is not None:
        inputs = append_replies(inputs, [reply_ids(processor.tokenizer, r) for r in replies],
                                processor.tokenizer.pad_token_id)
    return inputs.to(loaded.device)


def row_images(loaded: LoadedModel, row: dict, media_dir: Path) -> list:
    """A row's images, decoded and resized into the family's bounds as LLaMA-Factory resizes them."""
    bounds = pixel_bounds(loaded.family)
    return [within_bounds(open_rgb(media_dir / p), bounds["image_max_pixels"], bounds["image_min_pixels"])
            for p in row.get("images") or ()]


def reply_ids(tokenizer, reply: str) -> list[int]:
    """A reply's tokens as LLaMA-Factory trains them: encoded apart from the prompt, so no merge
    across the boundary changes them, whatever the tokenizer."""
    return tokenizer.encode(reply, add_special_tokens=False)


def append_replies(inputs, replies: list[list[int]], pad_id: int):
    """Left-padded prompts (input_ids, attention_mask, mm_token_type_ids) with each row's reply
    ids appended, padded on the left again to one length."""
    import torch

    keys = [k for k in ("input_ids", "attention_mask", "mm_token_type_ids") if k in inputs]
    mask = inputs["attention_mask"].bool()
    rows = []
    for i, reply in enumerate(replies):
        fill = {"input_ids": reply, "attention_mask": [1] * len(reply), "mm_token_type_ids": [0] * len(reply)}
        rows.append({k: inputs[k][i][mask[i]].tolist() + fill[k] for k in keys})
    width = max(len(r["input_ids"]) for r in rows)
    pads = {"input_ids": pad_id, "attention_mask": 0, "mm_token_type_ids": 0}
    for k in keys:
        inputs[k] = torch.tensor([[pads[k]] * (width - len(r[k])) + r[k] for r in rows], dtype=inputs[k].dtype)
    return inputs


def video_frames(media_dir: Path, video, multiple: int = 2) -> list:
    """A video given as its frames' paths, decoded; the count is padded with the last frame to
    a multiple of `multiple`, as LLaMA-Factory does for Qwen-VL's two-frame patches. The times
    (`batch_inputs`) are those LLaMA-Factory gives: the shown frames at VIDEO_FPS."""
    if isinstance(video, str):
        raise ValueError(f"video files are not scored yet, only videos given as frames: {video}")
    frames = [open_rgb(media_dir / p) for p in video]
    return frames + frames[-1:] * (-len(frames) % multiple)


def within_bounds(image, max_pixels: int, min_pixels: int):
    """The frame resized into [min_pixels, max_pixels] keeping its aspect, with LLaMA-Factory's
    arithmetic (widths and heights truncated), so evaluation sees the pixels training saw."""
    for limit, shrink in ((max_pixels, True), (min_pixels, False)):
        area = image.width * image.height
        if (area > limit) if shrink else (area < limit):
            factor = (limit / area) ** 0.5
            image = image.resize((int(image.width * factor), int(image.height * factor)))
    return image


def prefetched_batches(loaded: LoadedModel, rows: list[dict], media_dir: Path, batch_size: int):
    """Yield (rows, inputs) per batch; the next batch's images are prepared on a helper
    thread while the model runs on the current one (both release the GIL)."""
    from concurrent.futures import ThreadPoolExecutor

    chunks = [rows[i:i + batch_size] for i in range(0, len(rows), batch_size)]
    if not chunks:
        return
    with ThreadPoolExecutor(max_workers=1) as helper:
        upcoming = helper.submit(batch_inputs, loaded, chunks[0], media_dir)
        for i, chunk in enumerate(chunks):
            inputs = upcoming.result()
            if i + 1 < len(chunks):
                upcoming = helper.submit(batch_inputs, loaded, chunks[i + 1], media_dir)
            yield chunk, inputs


def media_files(entry: dict) -> list[str]:
    """Every file a sharegpt entry shows: its images, and each video's file or frames."""
    videos = [v for video in entry.get("videos") or () for v in ([video] if isinstance(video, str) else video)]
    return [*(entry.get("images") or ()), *videos]
