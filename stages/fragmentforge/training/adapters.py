"""Node `adapters`: LoRA adapters for each base model and training variant, through LLaMA-Factory.

Output: <paths.adapters_dir>/<base model>/<variant>/ (adapter, training.json, trainer logs,
loss plot); the report step loads them into the results database's training tables.
Variants run in params order, so a variant's parent is trained before it.
"""
from __future__ import annotations

from pathlib import Path

from fragmentforge.cli import parse_base_stage_args
from fragmentforge.config import Params
from fragmentforge.dvc_metrics import write_training_metrics
from fragmentforge.layout import layout
from fragmentforge.models.build import open_registry
from fragmentforge.models.registry import ModelFolderError
from fragmentforge.training.fusion import fused_variant
from fragmentforge.training.runner import TrainingFailed, TrainResult, train_variant


def cuda_available() -> bool:
    import torch

    return torch.cuda.is_available()


def train_one(params: Params, root: Path, base_name: str, variant_name: str) -> TrainResult:
    root = root.resolve()  # one spelling of every path in the recipe, whoever calls (Dagster or DVC)
    registry = open_registry(params, root)
    try:
        entry = registry.describe(base_name)
    except (ModelFolderError, FileNotFoundError) as exc:
        raise TrainingFailed(f"base model {base_name!r} at {registry.uri(base_name)} is not usable: {exc}") from None
    registry.save_hash_cache()
    base_path = registry.local_copy(entry, root / params.paths.model_cache_dir)
    variant = next(v for v in params.training.variants if v.name == variant_name)
    if variant.fuse is not None:  # ActionArt's parameter fusion: no training
        result = fused_variant(entry, variant, params.training.variants, root / params.paths.adapters_dir)
        write_training_metrics(params, root, base_name)
        return result
    result = train_variant(base=entry, base_path=base_path, variant=variant, training=params.training,
                           dataset_dir=layout(params, root).llamafactory, media_dir=root,
                           adapters_root=root / params.paths.adapters_dir,
                           work_root=root / params.paths.train_work_dir, cuda=cuda_available())
    write_training_metrics(params, root, base_name)
    return result


def main(argv=None) -> None:
    params, root, bases, variants = parse_base_stage_args(
        "Train the LoRA variants of base models through LLaMA-Factory.", argv, variants=True)
    try:
        for base in bases:
            for name in variants:
                r = train_one(params, root, base, name)
                rec = r.record
                print(f"train {base}/{name}: {r.status}; steps {rec['steps']}, final loss {rec['final_loss']}, "
                      f"{rec['samples_per_second']} samples/s, peak RSS {(rec['peak_rss_bytes'] or 0) / 2**20:.0f} MiB"
                      + (f"; fused {rec['fused_from']} at weight {rec['fusion_weight']}" if rec.get("fused_from") else ""))
    except TrainingFailed as exc:
        raise SystemExit(f"training failed: {exc}") from None


if __name__ == "__main__":
    main()
