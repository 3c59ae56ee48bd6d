"""One resumable training run per (base model, variant).

A run's fingerprint covers the recipe (minus locations), the base model's content hash, the
bytes of the datasets and every image they name, the parent adapter and the library
versions. A finished adapter with the same fingerprint is not retrained. Unfinished runs
keep their checkpoints in a work folder outside the published adapter folder; a rerun with
the same fingerprint resumes from the last checkpoint (LLaMA-Factory finds it in its
output_dir), a different fingerprint starts over.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

from fragmentforge.common import replace_dir, sha256_file, write_json_atomic
from fragmentforge.config.schema import TrainingParams, VariantSpec
from fragmentforge.evaluate.collapse import prior_loss, training_at_prior
from fragmentforge.evaluate.model_io import media_files
from fragmentforge.layout import TRAINING_RECORD
from fragmentforge.models.families import reproducible_cpu_env
from fragmentforge.models.registry import ModelEntry
from fragmentforge.training import frozen_vision, tokenized
from fragmentforge.training.recipe import LOCATION_KEYS, build_recipe

ADAPTER_FILES = ("adapter_config.json", "adapter_model.safetensors")
TRAINER_LOG, LOSS_PLOT = "trainer_log.jsonl", "training_loss.png"  # LLaMA-Factory's logs
LOG_FILES = (TRAINER_LOG, "all_results.json", "train_results.json", "trainer_state.json", LOSS_PLOT)
LAUNCH_LOG, LAUNCH_RECIPE = "launch.log", "launch.yaml"
CHILD_MODULES = ("fragmentforge.training.launch",)  # run in a child process (launch()); for fragmentforge.lineage


class TrainingFailed(RuntimeError):
    pass


@dataclass(frozen=True)
class TrainResult:
    base: str
    variant: str
    adapter_dir: Path
    status: str  # trained | resumed | up_to_date
    record: dict


def dataset_fingerprint(dataset_dir: Path, names: tuple[str, ...], media_dir: Path) -> dict:
    info_path = dataset_dir / "dataset_info.json"
    if not info_path.is_file():
        raise TrainingFailed(f"no {info_path}: export the training datasets first")
    info = json.loads(info_path.read_text())
    out = {}
    for name in names:
        if name not in info:
            raise TrainingFailed(f"dataset {name!r} is not in {info_path} (has: {', '.join(sorted(info))})")
        data_file = dataset_dir / info[name]["file_name"]
        rows = json.loads(data_file.read_text())
        media = sorted({p for row in rows for p in media_files(row)})
        media_digest = hashlib.sha256()
        for relative in media:
            path = media_dir / relative
            if not path.is_file():
                raise TrainingFailed(f"dataset {name!r} names a missing file: {path}")
            media_digest.update(f"{relative}\0{sha256_file(path)}\n".encode())
        out[name] = {"entry": info[name], "file": sha256_file(data_file), "rows": len(rows),
                     "media": media_digest.hexdigest(), "media_files": len(media)}
    return out


def check_media_forms(base_path: Path, dataset_dir: Path, names: tuple[str, ...]) -> None:
    """A family that cannot be shown videos is never handed a dataset with a videos column."""
    from fragmentforge.models.families import family_of

    family = family_of(base_path)
    info = json.loads((dataset_dir / "dataset_info.json").read_text())
    videos = [n for n in names if "videos" in info.get(n, {}).get("columns", {})]
    if videos and "video" not in family.MEDIA_FORMS:
        name = family.__name__.rsplit(".", 1)[-1]
        raise TrainingFailed(f"{', '.join(videos)} show clips as videos, which model family {name} cannot take "
                             f"(its media forms: {', '.join(family.MEDIA_FORMS)}); set tasks.scene_media: frames")


def letter_prior_loss(base_path: Path, dataset_dir: Path, names: tuple[str, ...]) -> float | None:
    """The loss a run that learned only the answer format and the letter prior ends at."""
    from transformers import AutoTokenizer

    info = json.loads((dataset_dir / "dataset_info.json").read_text())
    return prior_loss([dataset_dir / info[name]["file_name"] for name in names],
                      AutoTokenizer.from_pretrained(base_path))


def library_versions() -> dict:
    from importlib.metadata import version

    return {name: version(name) for name in ("llamafactory", "transformers", "peft", "trl", "torch")}


def fingerprint_of(recipe: dict, base: ModelEntry, datasets: dict, parent_record: dict | None,
                   cpu_env: dict | None = None) -> str:
    payload = {"recipe": {k: v for k, v in recipe.items() if k not in LOCATION_KEYS},
               "base_hash": base.content_hash, "datasets": datasets,
               "parent": parent_record["fingerprint"] if parent_record else None,
               "versions": library_versions(),
               **({"cpu_env": cpu_env} if cpu_env else {})}  # MKL's mode changes the bits it trains
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def checkpoint_complete(folder: Path) -> bool:
    """Trainer writes trainer_state.json after the weights, optimizer and RNG state: its
    presence, parseable, marks a save that finished."""
    try:
        json.loads((folder / "trainer_state.json").read_text())
        return True
    except (OSError, ValueError):
        return False


def last_checkpoint(output_dir: Path) -> Path | None:
    """The newest complete checkpoint. Incomplete ones (killed mid-save) are deleted, since
    LLaMA-Factory resumes from the highest-numbered folder whatever it holds."""
    steps = []
    for folder in output_dir.glob("checkpoint-*"):
        if not folder.name.split("-")[1].isdigit():
            continue
        if checkpoint_complete(folder):
            steps.append((int(folder.name.split("-")[1]), folder))
        else:
            shutil.rmtree(folder)
    return max(steps)[1] if steps else None


def prepare_work(work: Path, fingerprint: str) -> Path | None:
    """Keep the work folder only if it belongs to this fingerprint; return the checkpoint to resume."""
    stamp = work / "fingerprint"
    if work.exists() and (not stamp.is_file() or stamp.read_text().strip() != fingerprint):
        shutil.rmtree(work)
    lf_out = work / "lf"
    checkpoint = last_checkpoint(lf_out) if lf_out.exists() else None
    if lf_out.exists() and checkpoint is None:
        shutil.rmtree(lf_out)  # killed before the first checkpoint: nothing to resume
    work.mkdir(parents=True, exist_ok=True)
    stamp.write_text(fingerprint + "\n")
    return checkpoint


def thread_env(threads: int) -> dict:
    """The training child's thread count. Not in the fingerprint: on CPU it changes the time,
    not the adapter (test_threads_change_the_time_not_the_adapter, tests/test_training.py)."""
    return {"OMP_NUM_THREADS": str(threads), "MKL_NUM_THREADS": str(threads)}


def launch(recipe_path: Path, metrics_path: Path, log_path: Path, time_limit_s: float,
           extra_env: dict | None = None) -> float:
    """Run the launcher in its own process group; kill the group past the time limit."""
    started = time.time()
    # A fixed hash seed: LLaMA-Factory builds LoRA target lists from sets, and their order
    # lands in adapter_config.json.
    env = dict(os.environ, PYTHONUNBUFFERED="1", TOKENIZERS_PARALLELISM="false", PYTHONHASHSEED="0", **(extra_env or {}))
    with open(log_path, "ab") as log:
        proc = subprocess.Popen([sys.executable, "-m", CHILD_MODULES[0], str(recipe_path), str(metrics_path)],
                                stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        try:
            rc = proc.wait(timeout=time_limit_s)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            raise TrainingFailed(f"training ran past its time limit of {time_limit_s:.0f} s and was killed; "
                                 f"rerun to resume from the last checkpoint (log: {log_path})") from None
        except BaseException:
            os.killpg(proc.pid, signal.SIGKILL)
            raise
    if rc != 0:
        tail = log_path.read_text(errors="replace").splitlines()[-15:]
        raise TrainingFailed(f"LLaMA-Factory exited with {rc} (log: {log_path}):\n" + "\n".join(tail))
    return time.time() - started


def read_log(path: Path) -> list[dict]:
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def adapter_hash(adapter_dir: Path) -> str:
    digest = hashlib.sha256()
    for name in ADAPTER_FILES:
        digest.update(f"{name}\0{sha256_file(adapter_dir / name)}\n".encode())
    return digest.hexdigest()


def publish(work: Path, adapter_dir: Path, record: dict) -> None:
    """Copy the adapter and its logs into a staging folder and swap it into place."""
    lf_out = work / "lf"
    staging = adapter_dir.with_name(adapter_dir.name + ".staging")
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    for name in ADAPTER_FILES + LOG_FILES:
        if (lf_out / name).is_file():
            shutil.copy2(lf_out / name, staging / name)
    for name in ("recipe.yaml", LAUNCH_LOG):
        shutil.copy2(work / name, staging / name)
    record["adapter_hash"] = adapter_hash(staging)
    write_json_atomic(staging / TRAINING_RECORD, record)
    replace_dir(staging, adapter_dir)


def summarize(log_rows: list[dict], results: dict, metrics: dict) -> dict:
    losses = [r["loss"] for r in log_rows if r.get("loss") is not None]
    return {
        "steps": metrics.get("global_step"),
        "epochs": results.get("epoch"),
        "final_loss": losses[-1] if losses else None,
        "train_loss": results.get("train_loss"),
        "train_runtime_s": results.get("train_runtime"),
        "samples_per_second": results.get("train_samples_per_second"),
        "tokens_per_second": metrics.get("tokens_per_second"),
        "tokens_seen": metrics.get("tokens_seen"),
        "trainable_parameters": metrics.get("trainable_parameters"),
        "total_parameters": metrics.get("total_parameters"),
        "peak_rss_bytes": metrics.get("peak_rss_bytes"),
        "peak_cuda_bytes": metrics.get("peak_cuda_bytes"),
        "device": metrics.get("device"),
        "vision_cache": metrics.get("vision_cache"),  # hits and misses, where the vision side was frozen
    }


def train_variant(*, base: ModelEntry, base_path: Path, variant: VariantSpec, training: TrainingParams,
                  dataset_dir: Path, media_dir: Path, adapters_root: Path, work_root: Path, cuda: bool) -> TrainResult:
    adapter_dir = adapters_root / base.name / variant.name
    work = work_root / base.name / variant.name
    parent_dir, parent_record = None, None
    if variant.parent is not None:
        parent_dir = adapters_root / base.name / variant.parent
        if not (parent_dir / TRAINING_RECORD).is_file():
            raise TrainingFailed(f"{variant.name} continues {variant.parent}, which has no finished adapter "
                                 f"at {parent_dir}; train {variant.parent} first")
        parent_record = json.loads((parent_dir / TRAINING_RECORD).read_text())
    recipe = build_recipe(base_path=base_path, variant=variant, training=training, dataset_dir=dataset_dir,
                          media_dir=media_dir, output_dir=work / "lf", cuda=cuda, parent_adapter=parent_dir)
    datasets = dataset_fingerprint(dataset_dir, variant.datasets, media_dir)
    check_media_forms(base_path, dataset_dir, variant.datasets)
    cpu_env = reproducible_cpu_env(base_path)
    fingerprint = fingerprint_of(recipe, base, datasets, parent_record, cpu_env)
    if (adapter_dir / TRAINING_RECORD).is_file() and all((adapter_dir / f).is_file() for f in ADAPTER_FILES):
        record = json.loads((adapter_dir / TRAINING_RECORD).read_text())
        if record.get("fingerprint") == fingerprint:
            return TrainResult(base.name, variant.name, adapter_dir, "up_to_date", record)
    checkpoint = prepare_work(work, fingerprint)
    (work / "recipe.yaml").write_text(yaml.safe_dump(recipe, sort_keys=True))  # published with the adapter
    token_key = tokenized.cache_key(recipe, datasets, base.content_hash, library_versions())
    token_path, reused = tokenized.choose(work_root / "tokenized", token_key, work)
    # What LLaMA-Factory reads: the recipe plus where its tokenized copy is (a location, kept out
    # of recipe.yaml so the published recipe does not depend on which run tokenized first), and
    # the frozen-vision cache's bound, which changes no number (tests/test_frozen_vision.py).
    (work / LAUNCH_RECIPE).write_text(yaml.safe_dump({**recipe, "tokenized_path": str(token_path),
                                                      frozen_vision.CAP_KEY: training.vision_cache_mib}, sort_keys=True))
    metrics_path = work / "metrics.json"
    wall = launch(work / LAUNCH_RECIPE, metrics_path, work / LAUNCH_LOG, training.time_limit_s,
                  {**(cpu_env or {}), **thread_env(training.threads)})
    lf_out = work / "lf"
    results = json.loads((lf_out / "all_results.json").read_text()) if (lf_out / "all_results.json").is_file() else {}
    metrics = json.loads(metrics_path.read_text()) if metrics_path.is_file() else {}
    summary = summarize(read_log(lf_out / TRAINER_LOG), results, metrics)
    # A preference loss has no letter prior to compare with.
    prior = letter_prior_loss(base_path, dataset_dir, variant.datasets) if variant.stage == "sft" else None
    record = {
        "base_model": base.name, "base_hash": base.content_hash, "variant": variant.name, "stage": variant.stage,
        "parent": variant.parent, "tune": variant.tune, "datasets": list(variant.datasets),
        "fingerprint": fingerprint, "resumed_from": checkpoint.name if checkpoint else None,
        "tokenized": "reused" if reused else "tokenized", "cpu_env": cpu_env, "threads": training.threads,
        "wall_seconds": wall, "finished_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        **summary, "letter_prior_loss": prior, "at_letter_prior": training_at_prior(summary["final_loss"], prior),
    }
    tokenized.publish(work, work_root / "tokenized", token_key)
    publish(work, adapter_dir, record)
    shutil.rmtree(work)
    return TrainResult(base.name, variant.name, adapter_dir, "resumed" if checkpoint else "trained", record)
