"""Benchmark: our training call against the bare `llamafactory-cli train`, same data and config.

    make bench-training        (or: python -m tests.benchmarks.bench_training)

Both train the tiny base model on a generated counting dataset from scratch, in interleaved
rounds (these machines are noisy). Ours is `train_variant` end to end: fingerprinting every
image, the launcher process, the callback, publishing the adapter. The bare run is
`llamafactory-cli train` on the recipe ours wrote. Prints median wall times and the ratio;
target: at most 5% overhead.
"""
from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import yaml

from fragmentforge.config import load_params
from fragmentforge.config.schema import VariantSpec
from fragmentforge.models.registry import Registry
from fragmentforge.models.twins import build_twin
from fragmentforge.training.runner import train_variant
from tests.counting_data import make_rows, write_datasets

ROUNDS = 5
ROWS = 320
TARGET_OVERHEAD = 0.05


def main() -> None:
    params = load_params(Path("params.yaml"))
    variant = VariantSpec(name="bench", datasets=("count_train",), epochs=1)
    training = replace(params.training, variants=(variant,), save_steps=10_000, logging_steps=5)
    cli = Path(sys.executable).with_name("llamafactory-cli")
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        build_twin(params.models.tiny, root / "registry" / "tiny")
        (entry,), _ = Registry(str(root / "registry")).scan()
        datasets = write_datasets(root, {"count_train": make_rows(root, "train", ROWS, seed=1)})
        ours, bare = [], []
        for round_ in range(ROUNDS):
            for target in ("adapters", "work", "bare"):
                shutil.rmtree(root / target, ignore_errors=True)
            started = time.perf_counter()
            result = train_variant(base=entry, base_path=root / "registry" / "tiny", variant=variant,
                                   training=training, dataset_dir=datasets, media_dir=root,
                                   adapters_root=root / "adapters", work_root=root / "work", cuda=False)
            ours.append(time.perf_counter() - started)
            recipe = yaml.safe_load((result.adapter_dir / "recipe.yaml").read_text())
            recipe["output_dir"] = str(root / "bare")
            (root / "bare.yaml").write_text(yaml.safe_dump(recipe))
            started = time.perf_counter()
            subprocess.run([str(cli), "train", str(root / "bare.yaml")], check=True, capture_output=True)
            bare.append(time.perf_counter() - started)
            print(f"round {round_ + 1}: ours {ours[-1]:.1f} s, bare llamafactory-cli {bare[-1]:.1f} s", flush=True)
    ratio = statistics.median(ours) / statistics.median(bare)
    print(f"{ROWS} samples, {result.record['steps']} steps, {ROUNDS} interleaved rounds (medians)")
    print(f"ours {statistics.median(ours):.1f} s | bare llamafactory-cli train {statistics.median(bare):.1f} s | "
          f"ratio {ratio:.3f} -> overhead {100 * (ratio - 1):+.1f}% (target <= {100 * TARGET_OVERHEAD:.0f}%)")
    print(f"ours: {result.record['samples_per_second']} samples/s, peak RSS "
          f"{result.record['peak_rss_bytes'] / 2**20:.0f} MiB, {result.record['trainable_parameters']:,} trainable")


if __name__ == "__main__":
    main()
