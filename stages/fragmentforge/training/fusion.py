"""ActionArt's parameter fusion: a weighted average of a proxy-task model and the model it was
trained from, as LoRA deltas.

The child continues its parent's LoRA (or starts one on the base), so the parent's weights are
W + dW_p and the child's W + dW_c. The fused adapter holds (1 - w) dW_p + w dW_c exactly: its
A stacks both A matrices and its B both B matrices scaled by (1 - w) and w, at twice the rank
and twice the alpha (the same alpha / r scaling). Weight 0 is the parent's delta (the base when
the child has no parent), weight 1 the child's.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

CONFIG, WEIGHTS = "adapter_config.json", "adapter_model.safetensors"


class FusionError(RuntimeError):
    pass


def _load(folder: Path):
    from safetensors.torch import load_file

    return json.loads((folder / CONFIG).read_text()), load_file(str(folder / WEIGHTS))


def fuse_adapters(child_dir: Path, parent_dir: Path | None, weight: float, out_dir: Path) -> None:
    """Write the fused adapter (config and weights) into out_dir."""
    import torch
    from safetensors.torch import save_file

    config, child = _load(child_dir)
    if config.get("rank_pattern") or config.get("alpha_pattern") or config.get("use_rslora") or config.get("use_dora"):
        raise FusionError(f"{child_dir}: fusion needs one rank and alpha for every module, without rsLoRA or DoRA")
    extra = sorted(k for k in child if ".lora_A." not in k and ".lora_B." not in k)
    if extra:
        raise FusionError(f"{child_dir}: fusion handles LoRA matrices only, not {extra[:3]}")
    fused = {}
    if parent_dir is None:
        for key, tensor in child.items():
            fused[key] = tensor * weight if ".lora_B." in key else tensor.clone()
    else:
        parent_config, parent = _load(parent_dir)
        if set(parent) != set(child) or (parent_config["r"], parent_config["lora_alpha"]) != (config["r"], config["lora_alpha"]):
            raise FusionError(f"{child_dir} and {parent_dir} are not the same LoRA layout: they cannot be averaged")
        for key in child:
            if ".lora_A." in key:
                fused[key] = torch.cat([parent[key], child[key]], dim=0)
            else:
                fused[key] = torch.cat([parent[key] * (1 - weight), child[key] * weight], dim=1)
        config = {**config, "r": 2 * config["r"], "lora_alpha": 2 * config["lora_alpha"]}
    out_dir.mkdir(parents=True, exist_ok=True)
    save_file({k: v.contiguous() for k, v in fused.items()}, str(out_dir / WEIGHTS))
    (out_dir / CONFIG).write_text(json.dumps(config, indent=2, sort_keys=True) + "\n")
    if parent_dir is None and (child_dir / "README.md").is_file():
        shutil.copy2(child_dir / "README.md", out_dir / "README.md")


def fused_variant(base, variant, variants, adapters_root: Path):
    """Build (or keep) the fused adapter of `variant` for one base model; returns a TrainResult."""
    import hashlib
    import time

    from fragmentforge.common import replace_dir, write_json_atomic
    from fragmentforge.training.runner import ADAPTER_FILES, TRAINING_RECORD, TrainingFailed, TrainResult, adapter_hash

    child = next(v for v in variants if v.name == variant.fuse)
    folder = adapters_root / base.name
    records = {}
    for name in filter(None, (child.name, child.parent)):
        path = folder / name / TRAINING_RECORD
        if not path.is_file():
            raise TrainingFailed(f"{variant.name} fuses {name}, which has no finished adapter at {path.parent}")
        records[name] = json.loads(path.read_text())
    key = json.dumps([records[child.name]["fingerprint"], records.get(child.parent, {}).get("fingerprint"),
                      variant.fusion_weight, _code_digest()])
    fingerprint = hashlib.sha256(key.encode()).hexdigest()
    out = folder / variant.name
    if (out / TRAINING_RECORD).is_file() and all((out / f).is_file() for f in ADAPTER_FILES):
        record = json.loads((out / TRAINING_RECORD).read_text())
        if record.get("fingerprint") == fingerprint:
            return TrainResult(base.name, variant.name, out, "up_to_date", record)
    staging = out.with_name(out.name + ".staging")
    if staging.exists():
        shutil.rmtree(staging)
    started = time.perf_counter()
    fuse_adapters(folder / child.name, folder / child.parent if child.parent else None, variant.fusion_weight, staging)
    record = {"base_model": base.name, "base_hash": base.content_hash, "variant": variant.name, "stage": "fusion",
              "parent": child.parent, "tune": child.tune, "datasets": [], "fingerprint": fingerprint,
              "fused_from": child.name, "fusion_weight": variant.fusion_weight, "resumed_from": None,
              "steps": 0, "final_loss": None, "samples_per_second": None, "tokens_per_second": None,
              "trainable_parameters": None, "peak_rss_bytes": None, "device": "cpu",
              "wall_seconds": round(time.perf_counter() - started, 3),
              "finished_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    record["adapter_hash"] = adapter_hash(staging)
    write_json_atomic(staging / TRAINING_RECORD, record)
    replace_dir(staging, out)
    return TrainResult(base.name, variant.name, out, "fused", record)


def _code_digest() -> str:
    import hashlib

    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]
