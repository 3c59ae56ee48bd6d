"""GPU check: a Qwen2-VL-2B-shaped model with random weights, built from config (no download),
trained for a few LoRA steps through the pipeline's own training call; prints tokens/s, samples/s,
peak memory and the parameter counts as JSON.

    PYTHONPATH=.:stages .venv/bin/python infra/gpu/check_real_size.py [--shape qwen2-vl-2b|tiny]
        [--steps 10] [--batch 4] [--out DIR]

`--shape tiny` runs the same path in seconds on a CPU (the test suite does). The vocabulary is
the tiny model's own BPE (about a thousand tokens, not Qwen's 151,936), so the embeddings are
smaller than the real 2B's; everything else has its shape.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
# Qwen2-VL-2B-Instruct's config.json: language model and vision tower.
SHAPES = {
    "qwen2-vl-2b": dict(hidden_size=1536, intermediate_size=8960, layers=28, heads=12, kv_heads=2, vision_depth=32,
                        vision_embed_dim=1280, vision_heads=16, image_max_pixels=448 * 448, lm_head_init_std=0.02),
    "tiny": {},
}


def write_rows(folder: Path, count: int, frames: int, side: int, seed: int) -> None:
    """Counting questions about random frames: the check measures speed and memory, not accuracy."""
    from PIL import Image

    from fragmentforge.tasks.export import TAGS

    rng = np.random.default_rng(seed)
    (folder / "media").mkdir(parents=True, exist_ok=True)
    rows = []
    for i in range(count):
        paths = []
        for j in range(frames):
            path = folder / "media" / f"{i:04d}_{j}.jpg"
            Image.fromarray(rng.integers(0, 255, (side, side, 3), dtype=np.uint8)).save(path, quality=90)
            paths.append(path.relative_to(folder).as_posix())
        rows.append({"messages": [{"role": "user", "content": "<image>" * frames + "How many frames are there?"},
                                  {"role": "assistant", "content": str(frames)}], "images": paths})
    (folder / "check.json").write_text(json.dumps(rows))
    (folder / "dataset_info.json").write_text(json.dumps({"check": {
        "file_name": "check.json", "formatting": "sharegpt", "columns": {"messages": "messages", "images": "images"},
        "tags": TAGS}}))


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shape", choices=sorted(SHAPES), default="qwen2-vl-2b")
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--frames", type=int, default=4)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)

    import torch

    from fragmentforge.config import load_params
    from fragmentforge.config.schema import VariantSpec
    from fragmentforge.models.registry import Registry
    from fragmentforge.models.twins import build_twin
    from fragmentforge.training.runner import train_variant

    params = load_params(ROOT / "params.yaml")
    tiny = params.models.tiny
    spec = replace(tiny, **SHAPES[args.shape], pretrain=replace(tiny.pretrain, enabled=False))
    with tempfile.TemporaryDirectory(prefix="gpu-check-") as tmp:
        work = args.out or Path(tmp)
        build_twin(spec, work / "registry" / args.shape)
        entry = Registry(str(work / "registry")).describe(args.shape)
        side = int(spec.image_max_pixels ** 0.5)
        write_rows(work / "data", args.steps * args.batch, args.frames, side, seed=1)
        variant = VariantSpec(name="check", datasets=("check",), epochs=1, tune="all")
        training = replace(params.training, variants=(variant,), batch_size=args.batch, grad_accum=1,
                           save_steps=10 ** 6, logging_steps=1, time_limit_s=3600)
        cuda = torch.cuda.is_available()
        result = train_variant(base=entry, base_path=work / "registry" / args.shape, variant=variant,
                               training=training, dataset_dir=work / "data", media_dir=work / "data",
                               adapters_root=work / "adapters", work_root=work / "work", cuda=cuda)
    record = result.record
    report = {"shape": args.shape, "device": record["device"], "steps": record["steps"],
              "total_parameters": record["total_parameters"], "trainable_parameters": record["trainable_parameters"],
              "tokens_per_second": record["tokens_per_second"], "samples_per_second": record["samples_per_second"],
              "peak_cuda_bytes": record["peak_cuda_bytes"], "peak_rss_bytes": record["peak_rss_bytes"],
              "visual_tokens_per_frame": side * side // (spec.patch_size * spec.merge_size) ** 2,
              "gpu": torch.cuda.get_device_name(0) if cuda else None}
    print(json.dumps(report, indent=1))
    return report


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
