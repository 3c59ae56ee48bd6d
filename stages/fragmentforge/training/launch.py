"""Runs one LLaMA-Factory training in this process: `python -m fragmentforge.training.launch RECIPE METRICS`.

LLaMA-Factory's Python entry point (`run_exp`) rather than its CLI, so a callback can record
what the CLI cannot: peak memory, trainable parameters, tokens seen. The runner starts this
in a child process, which keeps CUDA memory, threads and global state out of the caller and
lets a time limit kill it. Images are measured once per run for tokenizing
(training/image_grids.py) and, where the vision side is frozen, encoded once per run
(training/frozen_vision.py; the launch recipe's `vision_cache_mib` bounds that cache).
"""
from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

import yaml
from transformers import TrainerCallback


class ResourceCallback(TrainerCallback):
    def __init__(self, out: Path, vision_cache=None):
        self.out, self.vision_cache = out, vision_cache
        self.started = time.time()
        self.params = {}

    def on_train_begin(self, args, state, control, model=None, **kwargs):
        self.started = time.time()
        if model is not None:
            self.params = {"trainable_parameters": sum(p.numel() for p in model.parameters() if p.requires_grad),
                           "total_parameters": sum(p.numel() for p in model.parameters())}

    def on_train_end(self, args, state, control, **kwargs):
        import torch

        cuda = torch.cuda.is_available()
        report = {
            **self.params,
            "global_step": state.global_step,
            "tokens_seen": int(state.num_input_tokens_seen or 0),
            "train_seconds": time.time() - self.started,
            "device": torch.cuda.get_device_name(0) if cuda else "cpu",
            "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
            "peak_cuda_bytes": torch.cuda.max_memory_allocated() if cuda else None,
        }
        report["tokens_per_second"] = report["tokens_seen"] / max(report["train_seconds"], 1e-9)
        if self.vision_cache is not None:
            report["vision_cache"] = {"hits": self.vision_cache.hits, "misses": self.vision_cache.misses,
                                      "images": len(self.vision_cache.items), "bytes": self.vision_cache.bytes}
        self.out.write_text(json.dumps(report, indent=1) + "\n")


def main(argv=None) -> None:
    recipe_path, metrics_path = (argv or sys.argv[1:])[:2]
    from llamafactory.train.tuner import run_exp

    from fragmentforge.models.families import family_of, reproducible_cpu_kernels
    from fragmentforge.training import frozen_vision, image_grids

    recipe = yaml.safe_load(Path(recipe_path).read_text())
    cache_mib = recipe.pop(frozen_vision.CAP_KEY, None)  # ours, not LLaMA-Factory's
    model_dir = Path(recipe["model_name_or_path"])
    reproducible_cpu_kernels(model_dir)  # the same adapter from the same recipe
    family, cache = family_of(model_dir), None
    if getattr(family, "TOKEN_COUNT_MEMO", False):
        image_grids.install()
    if cache_mib and frozen_vision.applies(recipe, family):
        cache = frozen_vision.install(int(cache_mib * 2 ** 20))
    run_exp(recipe, callbacks=[ResourceCallback(Path(metrics_path), cache)])


if __name__ == "__main__":
    main()
