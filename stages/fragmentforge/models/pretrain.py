"""Pretraining the embedded base: full-parameter, through LLaMA-Factory, on single-frame grounding.

A random-weight model cannot see, so a LoRA on it learns the answer format and the letter
prior and nothing else. Real bases arrive pretrained; the tiny one is pretrained here on its
own pool of synthetic frames (fragmentforge/models/grounding.py), which teaches what one frame
shows and never anything about time, so SF²T and SFT still have everything left to teach.

The output folder holds only reproducible bytes: the weights, the processor files of the
randomly initialised build, and a record of the loss curve and held-out accuracy.
"""
from __future__ import annotations

import json
import shutil
import time
from collections import defaultdict
from pathlib import Path

import yaml

from fragmentforge.config.schema import TinyModelParams
from fragmentforge.models.grounding import kind_counts, write_dataset, write_pool
from fragmentforge.training.recipe import precision_flags
from fragmentforge.training.runner import TRAINER_LOG, TrainingFailed, launch, read_log

PRETRAIN_RECORD = "fragmentforge_pretrain.json"
WEIGHT_FILES = ("model.safetensors", "config.json")  # the rest as the random-weight build wrote it
TRAIN_SET, HELD_OUT_SET = "grounding_train", "grounding_held_out"


def pretrain_recipe(spec: TinyModelParams, init_dir: Path, pool_dir: Path, output_dir: Path) -> dict:
    p = spec.pretrain
    recipe = {
        "model_name_or_path": str(init_dir), "trust_remote_code": False, "stage": "sft", "do_train": True,
        "finetuning_type": "full", "freeze_vision_tower": p.freeze_vision_tower, "freeze_multi_modal_projector": False,
        "freeze_language_model": False, "dataset": TRAIN_SET, "dataset_dir": str(pool_dir),
        "media_dir": str(pool_dir), "template": "qwen2_vl", "cutoff_len": 1024, "preprocessing_num_workers": 1,
        "overwrite_cache": True, "output_dir": str(output_dir), "overwrite_output_dir": True,
        "save_strategy": "no", "logging_steps": 5, "plot_loss": False,
        "per_device_train_batch_size": p.batch_size, "gradient_accumulation_steps": 1,
        "learning_rate": p.learning_rate, "num_train_epochs": p.epochs, "lr_scheduler_type": p.lr_scheduler,
        "warmup_ratio": p.warmup_ratio, "weight_decay": p.weight_decay, "report_to": "none",
        "seed": spec.seed, "data_seed": spec.seed, **precision_flags("fp32", False),
        "disable_gradient_checkpointing": True,  # a tiny model: recomputing activations only costs time
    }
    if p.max_samples is not None:
        recipe["max_samples"] = p.max_samples
    if p.optimizer == "muon":
        recipe["use_muon"] = True
    return recipe


def held_out_accuracy(model_dir: Path, pool_dir: Path) -> dict:
    """Per kind of question with options on the held-out clips: accuracy, chance and count.
    Each is scored in the form it was trained in (its letter, or its option text)."""
    from fragmentforge.evaluate.likelihood import reply_is, score_by_reply
    from fragmentforge.evaluate.model_io import load_model, option_letters, user_turn

    rows = [r for r in json.loads((pool_dir / f"{HELD_OUT_SET}.json").read_text()) if option_letters(user_turn(r))]
    scored = score_by_reply(load_model(model_dir, device="cpu"), rows, pool_dir, batch_size=32)
    hits, chance = defaultdict(list), defaultdict(list)
    for row, s in zip(rows, scored):
        hits[row["kind"]].append(reply_is(row, s["prediction"]))
        chance[row["kind"]].append(1 / len(option_letters(user_turn(row))))
    kinds = {k: {"accuracy": sum(v) / len(v), "chance": sum(chance[k]) / len(v), "questions": len(v)}
             for k, v in sorted(hits.items())}
    every = [h for v in hits.values() for h in v]
    return {"kinds": kinds, "accuracy": sum(every) / max(len(every), 1),
            "chance": sum(c for v in chance.values() for c in v) / max(len(every), 1), "questions": len(every)}


def pretrain(spec: TinyModelParams, init_dir: Path, work: Path, out: Path, time_limit_s: float) -> dict:
    """Pretrain `init_dir` into `out`; returns the record (also written to out/PRETRAIN_RECORD)."""
    p = spec.pretrain
    pool = work / "pool"
    rows = write_pool(pool, seed=p.seed, clips=p.clips, held_out_clips=p.held_out_clips, width=p.width,
                      height=p.height, fps=p.fps, frames_per_clip=p.frames_per_clip, jpeg_quality=p.jpeg_quality,
                      answer_format=p.answer_format, kinds=tuple(p.kinds))
    write_dataset(pool, {TRAIN_SET: rows["train"], HELD_OUT_SET: rows["held_out"]})
    lf_out = work / "lf"
    (work / "recipe.yaml").write_text(yaml.safe_dump(pretrain_recipe(spec, init_dir, pool, lf_out), sort_keys=True))
    started = time.time()
    launch(work / "recipe.yaml", work / "metrics.json", work / "launch.log", time_limit_s)
    seconds = time.time() - started
    out.mkdir(parents=True, exist_ok=True)
    for name in WEIGHT_FILES:
        if not (lf_out / name).is_file():
            raise TrainingFailed(f"pretraining wrote no {name} (log: {work / 'launch.log'})")
        shutil.copy2(lf_out / name, out / name)
    for source in init_dir.iterdir():  # tokenizer, processor, chat template: as built
        if source.is_file() and not (out / source.name).exists():
            shutil.copy2(source, out / source.name)
    log = read_log(lf_out / TRAINER_LOG)
    record = {
        "samples": {"train": kind_counts(rows["train"]), "held_out": kind_counts(rows["held_out"])},
        "loss": [[r["current_steps"], round(r["loss"], 6)] for r in log if r.get("loss") is not None],
        "held_out": held_out_accuracy(out, pool),
    }
    record["final_loss"] = record["loss"][-1][1] if record["loss"] else None
    (out / PRETRAIN_RECORD).write_text(json.dumps(record, indent=1, sort_keys=True) + "\n")
    return {**record, "seconds": seconds}
