"""Node `adapters`: LoRA adapters for each base model and training variant, through LLaMA-Factory.

Output: <paths.adapters_dir>/<base model>/<variant>/ (adapter, training.json, trainer logs,
loss plot); the report step loads them into the results database's training tables.
A variant starts once its parent is trained; independent ones train side by side
(`training.parallel`, each on `training.threads` threads), as the Dagster pool runs them.
"""
from __future__ import annotations

import shutil
from concurrent.futures import FIRST_COMPLETED, wait
from pathlib import Path

from fragmentforge.cli import parse_base_stage_args
from fragmentforge.config import Params
from fragmentforge.descriptions.preference import CANDIDATES, FILTER, PAIRS_DATASET, preference_dataset
from fragmentforge.dvc_metrics import write_training_metrics
from fragmentforge.lanes import lane_pool, set_torch_threads
from fragmentforge.layout import layout
from fragmentforge.models.build import open_registry
from fragmentforge.models.registry import ModelFolderError
from fragmentforge.training.fusion import fused_variant
from fragmentforge.training.runner import TrainingFailed, TrainResult, train_variant
from fragmentforge.variants import start_priority


class NoPreferencePairs(TrainingFailed):
    """A DPO variant whose filter kept no pair: it is skipped, not failed (the report says so)."""


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
    dataset_dir, pairs = layout(params, root).llamafactory, None
    if variant.stage == "dpo" and PAIRS_DATASET in variant.datasets:  # Tarsier2: pairs sampled from the parent
        set_torch_threads(params.training.threads)  # sampled here, beside another variant's training
        dataset_dir = root / params.paths.train_work_dir / base_name / f"{variant.name}.pairs"
        pairs = preference_dataset(params, root, base_path, entry.content_hash,
                                   root / params.paths.adapters_dir / base_name / variant.parent, dataset_dir)
        if not pairs["kept"]:  # nothing to train on: no adapter (an earlier one would be stale)
            shutil.rmtree(root / params.paths.adapters_dir / base_name / variant.name, ignore_errors=True)
            write_training_metrics(params, root, base_name)
            raise NoPreferencePairs(f"{variant.name}: no preference pair passed the filter (δ = {pairs['delta']}; "
                                    f"{pairs['candidates']} candidates, see {dataset_dir / FILTER}); not trained")
    result = train_variant(base=entry, base_path=base_path, variant=variant, training=params.training,
                           dataset_dir=dataset_dir, media_dir=root, adapters_root=root / params.paths.adapters_dir,
                           work_root=root / params.paths.train_work_dir, cuda=cuda_available())
    if pairs is not None:  # the pairs and how they were filtered, beside the adapter they trained
        kept = result.adapter_dir / "pairs"
        kept.mkdir(exist_ok=True)
        for name in (FILTER, CANDIDATES, f"{PAIRS_DATASET}.json"):
            shutil.copy2(dataset_dir / name, kept / name)
    write_training_metrics(params, root, base_name)
    return result


def train_side_by_side(params: Params, root: Path, base: str, names: list[str], report, pool=lane_pool) -> None:
    """Each variant as soon as its parent and fused source are done, long chains first, at most
    `training.parallel` at once. A failure stops new starts, lets the running ones finish,
    then raises."""
    deps = {v.name: {d for d in (v.parent, v.fuse) if d in names} for v in params.training.variants if v.name in names}
    priority = start_priority(params, root)
    pending = sorted(names, key=lambda n: -priority[n])  # stable: params order among equals
    done, running, failure = set(), {}, None
    with pool(params.training.parallel) as lanes:
        while running or (pending and failure is None):
            ready = [n for n in pending if deps[n] <= done] if failure is None else []
            for name in ready[:params.training.parallel - len(running)]:
                pending.remove(name)
                running[lanes.submit(train_one, params, root, base, name)] = name
            if not running:
                break  # what is left waits on a variant that did not finish
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                name = running.pop(future)
                try:
                    report(base, name, future.result())
                except NoPreferencePairs as exc:
                    print(f"train {base}/{name}: skipped; {exc}")
                except TrainingFailed as exc:
                    failure = failure or exc
                done.add(name)
    if failure is not None:
        raise failure


def print_result(base: str, name: str, r: TrainResult) -> None:
    rec = r.record
    print(f"train {base}/{name}: {r.status}; steps {rec['steps']}, final loss {rec['final_loss']}, "
          f"{rec['samples_per_second']} samples/s, peak RSS {(rec['peak_rss_bytes'] or 0) / 2**20:.0f} MiB"
          + (f"; fused {rec['fused_from']} at weight {rec['fusion_weight']}" if rec.get("fused_from") else ""),
          flush=True)


def main(argv=None) -> None:
    params, root, bases, variants = parse_base_stage_args(
        "Train the LoRA variants of base models through LLaMA-Factory.", argv, variants=True)
    try:
        for base in bases:
            train_side_by_side(params, root, base, list(variants), print_result)
        for base in bases:  # also when no variant is listed (an ablation arm measuring Base alone)
            write_training_metrics(params, root, base)
    except TrainingFailed as exc:
        raise SystemExit(f"training failed: {exc}") from None


if __name__ == "__main__":
    main()
