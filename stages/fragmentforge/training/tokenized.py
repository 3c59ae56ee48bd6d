"""LLaMA-Factory's tokenized datasets, kept for the next run that would tokenize the same data.

Base+SF²T and Base(SFT)+SF²T train on the same dataset with the same template, cutoff, media
bounds and base model, so they tokenize identical examples: about 30 s each for sf2t_train on
two cores. A run tokenizes into its own work folder (`tokenized_path`); when it finishes, that
copy is published by rename under a key of everything preprocessing reads, and a later run with
the same key loads it instead. A run never sees a half-written copy.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

# Recipe keys preprocessing never reads (optimisation, adapters, logging, where outputs go):
# every other key, the dataset bytes and the base model are in the key.
TRAINING_ONLY = ("learning_rate", "num_train_epochs", "lr_scheduler_type", "warmup_ratio", "lora_rank",
                 "lora_alpha", "lora_dropout", "lora_target", "freeze_vision_tower", "freeze_multi_modal_projector",
                 "freeze_language_model", "logging_steps", "save_steps", "save_total_limit", "plot_loss",
                 "per_device_train_batch_size", "gradient_accumulation_steps", "output_dir", "adapter_name_or_path",
                 "create_new_adapter", "seed", "bf16", "fp16", "disable_gradient_checkpointing", "report_to",
                 "include_num_input_tokens_seen", "pref_beta", "pref_loss", "ref_model", "ref_model_adapters")
KEEP = 8  # published copies kept, newest first (the default run makes five)


def cache_key(recipe: dict, datasets: dict, base_hash: str, versions: dict) -> str:
    payload = {"recipe": {k: v for k, v in recipe.items() if k not in TRAINING_ONLY},
               "datasets": datasets, "base_hash": base_hash, "versions": versions}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()[:24]


def choose(cache_dir: Path, key: str, work: Path) -> tuple[Path, bool]:
    """(tokenized_path, reused): the published copy, or a fresh one to be made in the work folder."""
    published = cache_dir / key
    if published.is_dir():
        os.utime(published)  # newest: a run publishing beside this one prunes older copies, not this
        return published, True
    private = work / "tokenized"
    shutil.rmtree(private, ignore_errors=True)  # a copy from a killed run may be incomplete
    return private, False


def publish(work: Path, cache_dir: Path, key: str) -> None:
    """After a finished run: its copy becomes the published one (if none is yet); old ones go."""
    private, published = work / "tokenized", cache_dir / key
    if private.is_dir() and not published.exists():
        cache_dir.mkdir(parents=True, exist_ok=True)
        try:
            os.rename(private, published)
        except OSError:
            pass  # another run published the same key first
    copies = sorted((p for p in cache_dir.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime, reverse=True) \
        if cache_dir.is_dir() else []
    for old in copies[KEEP:]:
        shutil.rmtree(old, ignore_errors=True)
