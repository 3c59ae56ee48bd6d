"""Benchmark: a training run with images worked on once (token counts, frozen-vision embeddings)
against the same run that processes every image every time, on the last `make run`'s data.

    make bench-image-memo      (or: python -m tests.benchmarks.bench_image_memo)

Both arms train the `sft` variant's recipe (tune: language) from its dataset, tokenizing it
afresh, for STEPS steps (past one epoch, so images come back), in interleaved rounds. The
plain arm switches the family's TOKEN_COUNT_MEMO and FROZEN_VISION_CACHE off. Prints wall
time, training time and the ratio, and whether the two adapters are the same bytes.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from fragmentforge.config import load_params
from fragmentforge.training.frozen_vision import CAP_KEY

ROUNDS, STEPS, VARIANT = 2, 400, "sft"
PLAIN = ("import fragmentforge.models.families.qwen2_vl as f; f.TOKEN_COUNT_MEMO = f.FROZEN_VISION_CACHE = False; "
         "from fragmentforge.training.launch import main; main(sys.argv[1:])")
MEMO = "from fragmentforge.training.launch import main; main(sys.argv[1:])"


def run_arm(code: str, recipe: dict, folder: Path) -> tuple[float, float, str]:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    (folder / "recipe.yaml").write_text(yaml.safe_dump({**recipe, "output_dir": str(folder / "lf"),
                                                        "tokenized_path": str(folder / "tokenized")}))
    env = dict(os.environ, PYTHONHASHSEED="0", TOKENIZERS_PARALLELISM="false")
    started = time.perf_counter()
    with open(folder / "log", "wb") as log:
        subprocess.run([sys.executable, "-c", f"import sys; {code}", str(folder / "recipe.yaml"), str(folder / "m.json")],
                       check=True, stdout=log, stderr=subprocess.STDOUT, env=env)
    wall = time.perf_counter() - started
    train = json.loads((folder / "lf" / "all_results.json").read_text())["train_runtime"]
    digest = hashlib.sha256((folder / "lf" / "adapter_model.safetensors").read_bytes()).hexdigest()
    return wall, train, digest


def main() -> None:
    params = load_params(Path("params.yaml"))
    base = params.models.base_models[0]
    published = Path(params.paths.adapters_dir) / base / VARIANT / "recipe.yaml"
    if not published.is_file():
        raise SystemExit(f"no {published}: run `make run` first")
    recipe = {**yaml.safe_load(published.read_text()), "max_steps": STEPS, "save_steps": 100_000, "plot_loss": False,
              CAP_KEY: params.training.vision_cache_mib}
    arms = {"plain": PLAIN, "memo": MEMO}
    times = {name: [] for name in arms}
    with tempfile.TemporaryDirectory() as scratch:
        for round_ in range(ROUNDS):
            for name, code in arms.items():
                wall, train, digest = run_arm(code, recipe, Path(scratch) / name)
                times[name].append((wall, train, digest))
                print(f"round {round_ + 1} {name:<5}: wall {wall:6.1f} s, training {train:6.1f} s", flush=True)
        stats = json.loads((Path(scratch) / "memo" / "m.json").read_text()).get("vision_cache")
    med = {name: (statistics.median(w for w, _, _ in runs), statistics.median(t for _, t, _ in runs))
           for name, runs in times.items()}
    print(f"{VARIANT} recipe, {STEPS} steps, {ROUNDS} interleaved rounds (medians), tokenizing included")
    print(f"wall: plain {med['plain'][0]:.1f} s | memo {med['memo'][0]:.1f} s | ratio {med['plain'][0] / med['memo'][0]:.2f}x")
    print(f"training: plain {med['plain'][1]:.1f} s | memo {med['memo'][1]:.1f} s | "
          f"ratio {med['plain'][1] / med['memo'][1]:.2f}x")
    print(f"vision cache: {stats}")
    same = len({d for runs in times.values() for _, _, d in runs}) == 1
    print(f"adapters: {'the same bytes in every run' if same else 'DIFFER'}")


if __name__ == "__main__":
    main()
