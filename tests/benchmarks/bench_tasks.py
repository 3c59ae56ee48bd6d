"""Benchmark: proxy-task QA records generated per second (frame I/O excluded) and bytes on
disk per record, on the data of the last `make run`.

    make bench-tasks        (or: python -m tests.benchmarks.bench_tasks)

Inputs (manifest, keyframe sets, ground truth, frame hashes) are loaded once, outside the
timing; generation (all generators plus answer placement) is timed ROUNDS times and the
median printed beside the target. Writing the records is timed separately. Bytes per
record count the task files and the exports; frames are shared, never copied per question,
so their bytes are printed once, apart.
"""
from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from fragmentforge.config import load_params
from fragmentforge.layout import layout
from fragmentforge.tasks.generate import write_records
from fragmentforge.tasks.build import generate_records
from fragmentforge.tasks.context import load_contexts

ROUNDS = 9
TARGET_PER_S = 50_000


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def main() -> None:
    root = Path(".").resolve()
    params = load_params(root / "params.yaml")
    if not layout(params, root).keyframes.exists():
        raise SystemExit("no keyframe sets: run `make run` first")
    started = time.perf_counter()
    contexts = load_contexts(root, layout(params, root).manifest, layout(params, root).keyframes)
    load_s = time.perf_counter() - started
    rates, records = [], []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        records = generate_records(contexts, params.tasks)
        rates.append(len(records) / (time.perf_counter() - started))
    with tempfile.TemporaryDirectory() as scratch:
        started = time.perf_counter()
        write_records(records, Path(scratch) / "tasks")
        write_s = time.perf_counter() - started
    rate = statistics.median(rates)
    tasks_bytes = folder_bytes(root / params.paths.tasks_dir)
    export_bytes = folder_bytes(root / params.paths.exports_dir)
    frames = [f for f in (root / params.paths.frames_dir).rglob("*.jpg")]
    frame_bytes = sum(f.stat().st_size for f in frames)
    print(f"videos {len(contexts)}, records {len(records)}; loading inputs (frame hashing included) {load_s:.2f} s")
    print(f"generation: median {rate:,.0f} records/s over {ROUNDS} rounds (min {min(rates):,.0f}, max {max(rates):,.0f});"
          f" target {TARGET_PER_S:,}/s -> ratio {rate / TARGET_PER_S:.2f}")
    print(f"writing qa.parquet + summary: {write_s:.3f} s ({len(records) / write_s:,.0f} records/s)")
    print(f"bytes per record: task files {tasks_bytes / len(records):.0f} B, LLaMA-Factory export "
          f"{export_bytes / len(records):.0f} B; frames (shared by all records) {len(frames)} files, "
          f"{frame_bytes / 1e6:.1f} MB = {frame_bytes / len(records):.0f} B per record if spread")


if __name__ == "__main__":
    main()
