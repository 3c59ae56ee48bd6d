"""An ablation table's cells from the collected rows: per arm, each task's accuracy and their
mean (MA-Bench's Avg), or description F1; each with a 95% interval that resamples whole videos,
and the difference from the reference arm resampled on the same videos (paired)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from fragmentforge.ablations.spec import Ablation
from fragmentforge.evaluate.stats import cluster_bootstrap, f1_bootstrap, video_weights


@dataclass(frozen=True)
class Interval:
    value: float
    low: float
    high: float

    @property
    def excludes_zero(self) -> bool:
        return self.low > 0 or self.high < 0


@dataclass(frozen=True)
class ArmCells:
    arm: str
    tasks: dict[str, Interval]  # accuracy tables only
    headline: Interval  # the mean of the task accuracies, or F1
    delta: Interval | None  # headline minus the reference arm's (None for the reference itself)
    questions: int
    videos: int


def _with_sample(videos: np.ndarray, resamples: int, seed: int) -> np.ndarray:
    """Row 0 the sample itself, then the bootstrap resamples of whole videos."""
    return np.vstack([np.ones(len(videos)), video_weights(len(videos), resamples, seed)])


def _mean_task_accuracy(frame: pd.DataFrame, tasks, videos: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Per weight row: the mean over tasks of each task's accuracy (tasks a draw has no question of skipped)."""
    per_task = []
    for task in tasks:
        rows = frame[frame["task"] == task]
        grouped = rows.groupby("video_id")["correct"].agg(["sum", "count"]).reindex(videos, fill_value=0)
        hits, counts = weights @ grouped["sum"].to_numpy(float), weights @ grouped["count"].to_numpy(float)
        per_task.append(np.where(counts > 0, hits / np.where(counts > 0, counts, 1), np.nan))
    stacked = np.vstack(per_task)
    return np.nanmean(np.where(np.isnan(stacked).all(axis=0), 0.0, stacked), axis=0) if len(tasks) else stacked


def _interval(samples: np.ndarray) -> Interval:
    low, high = np.nanquantile(samples[1:], [0.025, 0.975])
    return Interval(float(samples[0]), float(low), float(high))


def accuracy_cells(ablation: Ablation, rows: pd.DataFrame, resamples: int, seed: int) -> list[ArmCells]:
    """rows: arm, task, video_id, correct (one base model)."""
    rows = rows[rows["task"].isin(ablation.tasks)]
    videos = np.array(sorted(rows["video_id"].unique()))
    weights = _with_sample(videos, resamples, seed)
    present = [a.name for a in ablation.arms if (rows["arm"] == a.name).any()]
    means = {arm: _mean_task_accuracy(rows[rows["arm"] == arm], ablation.tasks, videos, weights) for arm in present}
    cells = []
    for arm in present:
        own = rows[rows["arm"] == arm]
        tasks = {t: Interval(*cluster_bootstrap(own.loc[own["task"] == t, "correct"].to_numpy(float),
                                                own.loc[own["task"] == t, "video_id"].to_numpy(), resamples, seed))
                 for t in ablation.tasks if (own["task"] == t).any()}
        ref = means.get(ablation.reference)
        delta = _interval(means[arm] - ref) if arm != ablation.reference and ref is not None else None
        cells.append(ArmCells(arm, tasks, _interval(means[arm]), delta, len(own), own["video_id"].nunique()))
    return cells


def f1_cells(ablation: Ablation, rows: pd.DataFrame, resamples: int, seed: int) -> list[ArmCells]:
    """rows: arm, desc_id, video_id, precision, recall (one base model); F1 of the mean P and R."""
    ref = rows[rows["arm"] == ablation.reference].set_index("desc_id")
    cells = []
    for arm in [a.name for a in ablation.arms if (rows["arm"] == a.name).any()]:
        own = rows[rows["arm"] == arm]
        f1 = Interval(*f1_bootstrap(own["precision"], own["recall"], own["video_id"], resamples, seed))
        delta = None
        if arm != ablation.reference and not ref.empty:
            both = own.join(ref[["precision", "recall"]], on="desc_id", rsuffix="_ref", how="inner")
            delta = Interval(*f1_bootstrap(both["precision"], both["recall"], both["video_id"], resamples, seed,
                                           baseline=(both["precision_ref"], both["recall_ref"])))
        cells.append(ArmCells(arm, {}, f1, delta, len(own), own["video_id"].nunique()))
    return cells
