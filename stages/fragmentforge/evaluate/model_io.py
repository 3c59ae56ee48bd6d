"""Loading a base model (plus an optional LoRA adapter) and turning sharegpt rows into inputs.

The prompt is rendered by the model's own chat template from the same messages LLaMA-Factory
trained on, and images go through the model's processor unchanged, so evaluation sees the
token sequence training saw.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

IMAGE_PLACEHOLDER = "<image>"
OPTION_LINE = re.compile(r"^([A-Z])\. (.+)$", re.MULTILINE)


@dataclass
class LoadedModel:
    model: object
    processor: object
    device: str


def pick_device(requested: str = "auto") -> str:
    import torch

    if requested == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return requested


def load_model(base_path: Path, adapter: Path | None = None, device: str = "auto") -> LoadedModel:
    import torch
    from transformers import AutoModelForImageTextToText, AutoProcessor

    device = pick_device(device)
    dtype = torch.bfloat16 if device == "cuda" else torch.float32
    model = AutoModelForImageTextToText.from_pretrained(base_path, dtype=dtype)
    if adapter is not None:
        from peft import PeftModel

        model = PeftModel.from_pretrained(model, adapter).merge_and_unload()
    processor = AutoProcessor.from_pretrained(base_path)
    processor.tokenizer.padding_side = "left"  # the scored position is the last one in every row
    return LoadedModel(model.to(device).eval(), processor, device)


def user_turn(row: dict) -> str:
    return next(m["content"] for m in row["messages"] if m["role"] == "user")


def to_chat(text: str) -> list[dict]:
    """'<image><image>Question' -> content parts in the same order."""
    parts = []
    for i, piece in enumerate(text.split(IMAGE_PLACEHOLDER)):
        if i:
            parts.append({"type": "image"})
        if piece:
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
    the given reply text when scoring a continuation."""
    processor = loaded.processor
    texts, images = [], []
    for k, row in enumerate(rows):
        texts.append(processor.apply_chat_template(to_chat(user_turn(row)), add_generation_prompt=True,
                                                   tokenize=False) + (replies[k] if replies else ""))
        images.extend(open_rgb(media_dir / p) for p in row.get("images") or ())
    return processor(text=texts, images=images or None, return_tensors="pt", padding=True).to(loaded.device)


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
