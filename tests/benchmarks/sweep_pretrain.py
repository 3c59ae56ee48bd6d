"""Sweep: sizes and recipes of the tiny base's grounding pretraining, measured on held-out clips.

    make sweep-pretrain        (or: python -m tests.benchmarks.sweep_pretrain [NAME ...])

Each row builds the random-weight model from params.yaml's `models.tiny` with the row's
changes, pretrains it with `fragmentforge.models.pretrain.pretrain` (the pipeline's own step)
and prints the held-out accuracy per question kind against chance, the final loss and the
wall time. The rows were chosen before any benchmark result was looked at; the benchmark
never enters here.
"""
from __future__ import annotations

import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from fragmentforge.config import load_params
from fragmentforge.models.pretrain import pretrain
from fragmentforge.models.twins import build_twin

# name -> (model changes, pretraining changes)
ROWS = {
    "default": ({}, {}),
    "4 epochs": ({}, {"epochs": 4}),
    "lr 5e-4": ({}, {"learning_rate": 5e-4}),
    "weight decay 0.1": ({}, {"weight_decay": 0.1}),
    "patch 7, merge 4": ({"patch_size": 7, "merge_size": 4}, {}),
    "vision 64 wide, 4 deep": ({"vision_embed_dim": 64, "vision_depth": 4, "vision_heads": 4}, {}),
    "LM 128 wide, 4 deep": ({"hidden_size": 128, "intermediate_size": 256, "layers": 4}, {"learning_rate": 1e-3}),
    "constant lr": ({}, {"lr_scheduler": "constant_with_warmup"}),
    "muon": ({}, {"optimizer": "muon"}),
    "4 tokens a frame (merge 4)": ({"merge_size": 4}, {}),
    "rope theta 1e4": ({"rope_theta": 1e4}, {}),
    "rope theta 100": ({"rope_theta": 100.0}, {}),
    "frozen vision tower": ({}, {"freeze_vision_tower": True}),
    # after the switch to text replies (tasks.answer_format: text)
    "letter replies": ({}, {"answer_format": "letter"}),
    "cosine": ({}, {"lr_scheduler": "cosine"}),
    "no size, count, presence": ({}, {"kinds": ("colour", "shape", "position", "caption")}),
    "lr 5e-3": ({}, {"learning_rate": 5e-3}),
    # widths: a step's time is mostly per-operation overhead at these sizes, so width is cheap
    "LM 256 wide": ({"hidden_size": 256, "intermediate_size": 512}, {}),
    "LM 256 wide, lr 1e-3": ({"hidden_size": 256, "intermediate_size": 512}, {"learning_rate": 1e-3}),
    "vision 128 wide": ({"vision_embed_dim": 128, "vision_heads": 4}, {}),
    "64 tokens a frame (merge 1)": ({"merge_size": 1}, {}),
    "no caption": ({}, {"kinds": ("colour", "shape", "position")}),
    "batch 64, lr 4e-3, 4 epochs": ({}, {"batch_size": 64, "learning_rate": 4e-3, "epochs": 4}),
    "batch 64, lr 4e-3, 12 epochs": ({}, {"batch_size": 64, "learning_rate": 4e-3, "epochs": 12}),
    # at head width 16, theta 1e6 turns a step along a frame's width by under 2e-4 rad: no position signal
    "rope theta 10 (text replies)": ({"rope_theta": 10.0}, {}),
    "rope theta 100 (text replies)": ({"rope_theta": 100.0}, {}),
}
KINDS = ("colour", "shape", "position", "size", "presence", "count")


def run(name: str, model: dict, recipe: dict, work: Path, base) -> list:
    spec = replace(base, **model, pretrain=replace(base.pretrain, **recipe))
    folder = work / name.replace(" ", "_").replace(",", "")
    build_twin(spec, folder / "init")
    started = time.time()
    record = pretrain(spec, folder / "init", folder / "work", folder / "out", time_limit_s=3600)
    held = record["held_out"]
    cells = [f"{100 * held['kinds'][k]['accuracy']:.0f}/{100 * held['kinds'][k]['chance']:.0f}"
             if k in held["kinds"] else "–" for k in KINDS]
    return [name, *cells, f"{100 * held['accuracy']:.1f}/{100 * held['chance']:.1f}",
            f"{record['final_loss']:.3f}", f"{time.time() - started:.0f}"]


def main(argv=None) -> None:
    names = (argv if argv is not None else sys.argv[1:]) or list(ROWS)
    base = load_params(Path("params.yaml")).models.tiny
    header = ["row", *KINDS, "all", "final loss", "seconds"]
    print("| " + " | ".join(header) + " |\n|" + "---|" * len(header), flush=True)
    with tempfile.TemporaryDirectory(prefix="sweep-pretrain-") as tmp:
        for name in names:
            model, recipe = ROWS[name]
            print("| " + " | ".join(run(name, model, recipe, Path(tmp), base)) + " |", flush=True)
    print("cells: held-out accuracy / chance, in %")


if __name__ == "__main__":
    main()
