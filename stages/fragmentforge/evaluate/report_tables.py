"""The report's numbers, read from the results database: the task table (columns from the task
generators and levels), per-N breakdowns, every variant against Base and against its parent."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from fragmentforge.evaluate.stats import cluster_bootstrap
from fragmentforge.results_db import sql
from fragmentforge.variants import BASE


def pct(value) -> str:
    """An accuracy as the report prints it: percent with one decimal, "–" when missing (None or NaN)."""
    return "–" if value is None or value != value else f"{100 * value:.1f}"


def delta_text(delta) -> str:
    """(mean, low, high) of a paired difference, in points."""
    return f"Δ {100 * delta[0]:+.1f} [{100 * delta[1]:+.1f}, {100 * delta[2]:+.1f}]"

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
    """Every level's columns but those a level marks REPORTED = False (training-only tasks)."""
    from fragmentforge.tasks.registry import column_layout

    return Columns([(level, pairs) for level, pairs in column_layout() if getattr(level, "REPORTED", True)])


@dataclass(frozen=True)
class Model:
    label: str  # the report's row name
    variant: str  # "base" or a training variant
    parent: str | None  # the variant it continues (None: trained on the base)


def models(training) -> list[Model]:
    """Base, then every training variant in params order; each is compared with Base and with
    its parent."""
    by_name = {v.name: v for v in training.variants}
    # a fused variant's parent is the one its proxy-task model was trained from
    return [Model("Base", BASE, None)] + [Model(v.label or v.name, v.name, by_name[v.fuse].parent if v.fuse else v.parent)
                                          for v in training.variants]


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


def collapse_rows(cols: Columns, models: list, runs: dict, metrics: dict, threshold: float) -> list[list]:
    """Per model and task: the most frequent predicted letter, its share, the entropy of the
    predicted letters, and the flag when the share reaches the threshold."""
    rows = []
    for model in models:
        if model.variant not in runs:
            continue
        m = metrics[runs[model.variant]["run_id"]]
        for column, task in cols.tasks:
            row = m.get((task, None))
            if row is None or row.get("top_share") is None or row["top_share"] != row["top_share"]:
                continue
            rows.append([model.label, column, row["top_letter"], f"{100 * row['top_share']:.0f}%",
                         f"{row['entropy_bits']:.2f}", "COLLAPSED" if row["top_share"] >= threshold else ""])
    return rows


def training_prior_rows(models: list, records: dict) -> list[list]:
    """Per trained variant: its final loss against the letter-prior loss, flagged when it ended there."""
    out = []
    for model in models:
        rec = records.get(model.variant)
        if rec is None:
            continue
        prior = rec.get("letter_prior_loss")
        out.append([model.label, f"{rec['final_loss']:.3f}" if rec.get("final_loss") is not None else "–",
                    f"{prior:.3f}" if prior is not None else "–", "AT THE PRIOR" if rec.get("at_letter_prior") else ""])
    return out


def group_delta(conn, run_a: str, run_b: str, tasks: list[str], resamples: int, seed: int):
    """(delta, low, high) of the mean over `tasks` of run_a's accuracy minus run_b's, paired by
    question; the interval resamples whole videos (every task of a drawn video comes along)."""
    frames = {t: conn.execute(sql("paired_correct"), {"a": run_a, "b": run_b, "task": t}).fetchdf() for t in tasks}
    frames = {t: f for t, f in frames.items() if not f.empty}
    if not frames:
        return None
    videos = sorted({v for f in frames.values() for v in f["video_id"]})
    index = {v: i for i, v in enumerate(videos)}
    sums, counts = np.zeros((len(videos), len(frames))), np.zeros((len(videos), len(frames)))
    for j, f in enumerate(frames.values()):
        rows = f["video_id"].map(index).to_numpy()
        np.add.at(sums[:, j], rows, f["d"].to_numpy(float))
        np.add.at(counts[:, j], rows, 1.0)

    def mean_of_tasks(weights):
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.nanmean((weights @ sums) / (weights @ counts), axis=-1)

    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(videos), size=(resamples, len(videos)))
    weights = np.stack([np.bincount(d, minlength=len(videos)) for d in draws]).astype(float)
    estimates = mean_of_tasks(weights)
    low, high = np.nanquantile(estimates, [0.025, 0.975])
    return float(mean_of_tasks(np.ones(len(videos)))), float(low), float(high)


def significance(delta) -> str:
    low, high = delta[1], delta[2]
    return "significant" if low > 0 or high < 0 else "not significant"


def findings(conn, cols: Columns, models: list, runs: dict, ev) -> list[str]:
    """One sentence per (variant, what it is compared with): the change of each group average,
    with its interval and whether the interval excludes zero, and the tasks that moved."""
    out = []
    for model in models:
        if model.variant == BASE or model.variant not in runs:
            continue
        for against in [BASE] + ([model.parent] if model.parent else []):
            if against not in runs:
                continue
            a, b = runs[model.variant]["run_id"], runs[against]["run_id"]
            other = next((m.label for m in models if m.variant == against), against)
            parts = []
            for level, pairs in cols.groups:
                delta = group_delta(conn, a, b, [t for _, t in pairs], ev.bootstrap_resamples, ev.seed)
                if delta is None:
                    continue
                per_task = [(c, paired_delta(conn, a, b, t, ev.bootstrap_resamples, ev.seed)) for c, t in pairs]
                up = [c for c, d in per_task if d and d[1] > 0]
                down = [c for c, d in per_task if d and d[2] < 0]
                moved = f"better on {len(up)} of {len(pairs)} tasks" + (f" ({', '.join(up)})" if up else "")
                if down:
                    moved += f", worse on {', '.join(down)}"
                parts.append(f"{level.TITLE.lower()} ({level.AVERAGE}) {100 * delta[0]:+.1f} points "
                             f"[{100 * delta[1]:+.1f}, {100 * delta[2]:+.1f}], {significance(delta)}; {moved}")
            if parts:
                out.append(f"{model.label} vs {other}: " + "; ".join(parts) + ".")
    return out
