"""Benchmark: side by side against one at a time, for training and for evaluation, on the last
`make run`'s data.

    make bench-lanes      (or: python -m tests.benchmarks.bench_lanes)

Training: the `sft` and `sf2t` recipes, STEPS steps each from a fresh tokenizing, either one
after the other on two threads each (the old schedule) or both at once on one thread each
(`training.parallel: 2`, `training.threads: 1`), in interleaved rounds. Evaluation: Base and
three adapters through every benchmark question, one model after another on two threads, or
two processes of one thread each. Prints medians, the ratios, and whether both schedules gave
the same adapters and the same predictions.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import pyarrow.parquet as pq
import yaml

from fragmentforge.config import load_params
from fragmentforge.layout import PREDICTIONS
from fragmentforge.training.frozen_vision import CAP_KEY
from fragmentforge.training.runner import thread_env

ROUNDS, STEPS, VARIANTS = 2, 300, ("sft", "sf2t")
EVALUATED = ("sft", "sf2t", "sft+sf2t")


def train(recipe: dict, folder: Path, threads: int) -> str:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    (folder / "recipe.yaml").write_text(yaml.safe_dump({**recipe, "output_dir": str(folder / "lf"),
                                                        "tokenized_path": str(folder / "tokenized")}))
    env = dict(os.environ, PYTHONHASHSEED="0", TOKENIZERS_PARALLELISM="false", **thread_env(threads))
    with open(folder / "log", "wb") as log:
        subprocess.run([sys.executable, "-m", "fragmentforge.training.launch", str(folder / "recipe.yaml"),
                        str(folder / "m.json")], check=True, stdout=log, stderr=subprocess.STDOUT, env=env)
    return hashlib.sha256((folder / "lf" / "adapter_model.safetensors").read_bytes()).hexdigest()


def training_arm(recipes: dict, scratch: Path, side_by_side: bool) -> tuple[float, dict]:
    started = time.perf_counter()
    if side_by_side:
        with ThreadPoolExecutor(len(recipes)) as pool:
            futures = {name: pool.submit(train, r, scratch / name, 1) for name, r in recipes.items()}
            digests = {name: f.result() for name, f in futures.items()}
    else:
        digests = {name: train(r, scratch / name, 2) for name, r in recipes.items()}
    return time.perf_counter() - started, digests


def evaluation_arm(params, scratch: Path, side_by_side: bool) -> tuple[float, dict]:
    from fragmentforge.evaluate.evaluations import evaluate_base_model

    shutil.rmtree(scratch, ignore_errors=True)
    evaluation = replace(params.evaluation, parallel=2 if side_by_side else 1, threads=1)
    arm = replace(params, evaluation=evaluation, paths=replace(params.paths, eval_dir=str(scratch / "eval"),
                                                               metrics_dir=str(scratch / "metrics")),
                  training=replace(params.training, only=EVALUATED))
    base = params.models.base_models[0]
    started = time.perf_counter()
    summaries = evaluate_base_model(arm, Path.cwd(), base)
    seconds = time.perf_counter() - started
    return seconds, {s["run"]["variant"]: pq.read_table(scratch / "eval" / base / s["run"]["variant"] / PREDICTIONS)
                     .drop_columns(["run_id"]).to_pylist() for s in summaries}


def report(name: str, arms: dict) -> None:
    med = {arm: statistics.median(times) for arm, times in arms.items()}
    print(f"{name}: one at a time {med['one at a time']:.1f} s | side by side {med['side by side']:.1f} s | "
          f"ratio {med['one at a time'] / med['side by side']:.2f}x", flush=True)


def main() -> None:
    params = load_params(Path("params.yaml"))
    base = params.models.base_models[0]
    recipes = {}
    for name in VARIANTS:
        published = Path(params.paths.adapters_dir) / base / name / "recipe.yaml"
        if not published.is_file():
            raise SystemExit(f"no {published}: run `make run` first")
        recipes[name] = {**yaml.safe_load(published.read_text()), "max_steps": STEPS, "save_steps": 100_000,
                         "plot_loss": False, CAP_KEY: params.training.vision_cache_mib}
    times = {"training": {"one at a time": [], "side by side": []},
             "evaluation": {"one at a time": [], "side by side": []}}
    digests, predictions = [], []
    with tempfile.TemporaryDirectory() as scratch:
        for round_ in range(ROUNDS):
            for arm, side in (("one at a time", False), ("side by side", True)):
                seconds, d = training_arm(recipes, Path(scratch) / "train", side)
                times["training"][arm].append(seconds)
                digests.append(d)
                print(f"round {round_ + 1} training {arm}: {seconds:.1f} s", flush=True)
                seconds, p = evaluation_arm(params, Path(scratch) / "evaluate", side)
                times["evaluation"][arm].append(seconds)
                predictions.append(p)
                print(f"round {round_ + 1} evaluation {arm}: {seconds:.1f} s", flush=True)
    print(f"{ROUNDS} interleaved rounds (medians); training: {' and '.join(VARIANTS)}, {STEPS} steps each, "
          f"tokenizing included; evaluation: base and {', '.join(EVALUATED)}")
    report("training", times["training"])
    report("evaluation", times["evaluation"])
    print(f"adapters: {'the same bytes in every arm' if all(d == digests[0] for d in digests) else 'DIFFER'}")
    print(f"predictions: {'the same in every arm' if all(p == predictions[0] for p in predictions) else 'DIFFER'}")


if __name__ == "__main__":
    main()
