"""The files `dvc metrics show|diff` and `dvc plots show` read, one folder per base model under
paths.metrics_dir (beside the node outputs: DVC keeps metrics out of output folders).

Both orchestrators write them the same way, from the records the nodes already wrote, so they
hold only what is reproducible: accuracies, losses, steps; never timings.
"""
from __future__ import annotations

import csv
from pathlib import Path

from fragmentforge.common import exclusive, write_json_atomic
from fragmentforge.evaluate.collapse import collapsed_tasks
from fragmentforge.layout import EVALUATION_METRICS, LOSS_CURVES, TASK_ACCURACY, TRAINING_METRICS, layout
from fragmentforge.variants import evaluation_runs, mean_task_accuracy, training_records


def metrics_dir(params, root: Path, base: str) -> Path:
    folder = layout(params, root).dir("metrics_dir") / base
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def write_training_metrics(params, root: Path, base: str) -> Path:
    """Per variant: final loss, steps, trainable parameters; and its loss curve as CSV."""
    out = metrics_dir(params, root, base)
    # Variants training side by side each rewrite these files when they finish: one at a time,
    # so the last writer has seen every finished adapter.
    with exclusive(layout(params, root).dir("train_work_dir") / base / "metrics.lock"):
        summary = {}
        (out / LOSS_CURVES).mkdir(exist_ok=True)
        for variant, record, log in training_records(params, root, base):
            summary[variant] = {"final_loss": record["final_loss"], "steps": record["steps"],
                                "trainable_parameters": record["trainable_parameters"],
                                "letter_prior_loss": record.get("letter_prior_loss"),
                                "at_letter_prior": record.get("at_letter_prior")}
            with open(out / LOSS_CURVES / f"{variant}.csv", "w", newline="") as handle:
                writer = csv.writer(handle)
                writer.writerow(["step", "loss"])
                writer.writerows([r["current_steps"], r["loss"]] for r in log if r.get("loss") is not None)
        write_json_atomic(out / TRAINING_METRICS, summary)
    return out / TRAINING_METRICS


def write_evaluation_metrics(params, root: Path, base: str) -> Path:
    """Per evaluated variant: each task's accuracy and the mean over tasks; and a CSV of every
    (variant, task) accuracy for the bar plot."""
    out = metrics_dir(params, root, base)
    summary, rows = {}, []
    for run in evaluation_runs(params, root, base):
        overall = {m["task"]: round(m["accuracy"], 6) for m in run["metrics"] if m["n"] is None}
        variant = run["run"]["variant"]
        mean = mean_task_accuracy(run["metrics"])
        mean = None if mean is None else round(mean, 6)
        per_task = [m for m in run["metrics"] if m["n"] is None]
        summary[variant] = {"mean_task_accuracy": mean, "accuracy": overall, "questions": run["run"]["questions"],
                            "top_letter_share": {m["task"]: round(m.get("top_share") or 0.0, 6) for m in per_task},
                            "collapsed_tasks": len(collapsed_tasks(per_task, params.evaluation.collapse_share))}
        rows += [[f"{variant}/{task}", acc] for task, acc in sorted(overall.items())]
    write_json_atomic(out / EVALUATION_METRICS, summary)
    with open(out / TASK_ACCURACY, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["variant_task", "accuracy"])
        writer.writerows(rows)
    return out / EVALUATION_METRICS
