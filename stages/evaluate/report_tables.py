"""The report's numbers, read from the results database: FineVidBench tables, fragment tasks
by N, the four-way comparison with paired deltas, unparseable rates, lineage."""
from __future__ import annotations

from collections import defaultdict

import numpy as np

from stages.results_db import sql

# FineVidBench's columns and the tasks behind them (SF²T, Table 3).
SCENE = (("Action", "action"), ("Effect", "effect"), ("Speed", "speed"))
FRAGMENT = (("FCnt", "counting"), ("MoO", "localization"), ("FCmp", "consistency"), ("AoN", "disorder"),
            ("Rearr", "rearrangement"))
# The papers' four rows, and the variant that produces each.
FOUR_WAY = (("Base", "base"), ("Base+SF²T", "sf2t"), ("Base(SFT)", "sft"), ("Base(SFT)+SF²T", "sft+sf2t"))
SIZES = (3, 4, 5)


def label(variant: str) -> str:
    return dict((v, name) for name, v in FOUR_WAY).get(variant, variant)


def load(conn, dataset_hash: str, params_hash: str) -> dict:
    runs = conn.execute(sql("latest_runs"), {"dataset_hash": dataset_hash, "params_hash": params_hash}
                        ).fetchdf().to_dict("records")
    metrics, direct = {}, {}
    for run in runs:
        rows = conn.execute(sql("run_metrics"), {"run_id": run["run_id"]}).fetchdf().to_dict("records")
        metrics[run["run_id"]] = {(r["task"], None if r["n"] != r["n"] or r["n"] is None else int(r["n"])): r
                                  for r in rows}
        direct[run["run_id"]] = conn.execute(sql("task_accuracy"), {"run_id": run["run_id"]}).fetchdf()
    return {"runs": runs, "metrics": metrics, "direct": direct}


def averages(task_acc: dict) -> dict:
    scene = [task_acc[t] for _, t in SCENE if t in task_acc]
    fragment = [task_acc[t] for _, t in FRAGMENT if t in task_acc]
    return {"S-Avg": float(np.mean(scene)) if scene else None,
            "FG-Avg": float(np.mean(fragment)) if fragment else None,
            "A-Avg": float(np.mean(scene + fragment)) if scene or fragment else None}


def paired_delta(conn, run_a: str, run_b: str, task: str, resamples: int, seed: int):
    """Accuracy of run_a minus run_b on the same questions, with a by-video bootstrap interval."""
    frame = conn.execute(
        "SELECT a.video_id, CAST(a.correct AS INT) - CAST(b.correct AS INT) AS d FROM predictions a "
        "JOIN predictions b ON a.qa_id = b.qa_id AND b.run_id = $b WHERE a.run_id = $a AND a.task = $task",
        {"a": run_a, "b": run_b, "task": task}).fetchdf()
    if frame.empty:
        return None
    names, index = np.unique(frame["video_id"].to_numpy(), return_inverse=True)
    sums = np.bincount(index, weights=frame["d"].to_numpy(float), minlength=len(names))
    counts = np.bincount(index, minlength=len(names)).astype(float)
    draws = np.random.default_rng(seed).integers(0, len(names), size=(resamples, len(names)))
    estimates = sums[draws].sum(axis=1) / counts[draws].sum(axis=1)
    low, high = np.quantile(estimates, [0.025, 0.975])
    return float(frame["d"].mean()), float(low), float(high)


def by_base(data: dict) -> dict:
    out = defaultdict(dict)
    for run in data["runs"]:
        out[run["base_model"]][run["variant"]] = run
    return out
