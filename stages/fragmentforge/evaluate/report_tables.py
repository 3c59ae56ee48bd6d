"""The report's numbers, read from the results database: the task table (columns from the task
generators and levels), per-N breakdowns, every variant against Base and against its parent."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from fragmentforge.evaluate.stats import cluster_bootstrap
from fragmentforge.results_db import sql
from fragmentforge.variants import BASE

@dataclass(frozen=True)
class Columns:
    """The report's task columns, found from the task generators and levels (nothing lists them)."""

    groups: list  # [(level module, [(column label, task)])], in report order

    @property
    def tasks(self) -> list[tuple[str, str]]:
        return [pair for _, pairs in self.groups for pair in pairs]

    @property
    def average_labels(self) -> list[str]:
        return [level.AVERAGE for level, _ in self.groups] + ["A-Avg"]

    def averages(self, task_acc: dict) -> dict:
        """Each group's mean over its tasks, and A-Avg over every task."""
        out = {}
        for level, pairs in self.groups:
            values = [task_acc[t] for _, t in pairs if t in task_acc]
            out[level.AVERAGE] = float(np.mean(values)) if values else None
        every = [task_acc[t] for _, t in self.tasks if t in task_acc]
        out["A-Avg"] = float(np.mean(every)) if every else None
        return out


def columns() -> Columns:
    from fragmentforge.tasks.registry import column_layout

    return Columns(column_layout())


@dataclass(frozen=True)
class Model:
    label: str  # the report's row name
    variant: str  # "base" or a training variant
    parent: str | None  # the variant it continues (None: trained on the base)


def models(training) -> list[Model]:
    """Base, then every training variant in params order; each is compared with Base and with
    its parent."""
    return [Model("Base", BASE, None)] + [Model(v.label or v.name, v.name, v.parent) for v in training.variants]


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


def paired_delta(conn, run_a: str, run_b: str, task: str, resamples: int, seed: int):
    """Accuracy of run_a minus run_b on the same questions, with a by-video bootstrap interval."""
    frame = conn.execute(sql("paired_correct"), {"a": run_a, "b": run_b, "task": task}).fetchdf()
    if frame.empty:
        return None
    return cluster_bootstrap(frame["d"].to_numpy(float), frame["video_id"].to_numpy(), resamples, seed)


def by_base(data: dict) -> dict:
    out = defaultdict(dict)
    for run in data["runs"]:
        out[run["base_model"]][run["variant"]] = run
    return out
