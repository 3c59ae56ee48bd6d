"""Accuracy with 95% bootstrap intervals resampled by video (questions about one video are
correlated, so resampling questions would make the intervals too narrow)."""
from __future__ import annotations

import numpy as np


def cluster_bootstrap(correct, clusters, resamples: int = 1000, seed: int = 0, level: float = 0.95):
    """(accuracy, low, high); whole videos are drawn with replacement."""
    correct = np.asarray(correct, dtype=float)
    if correct.size == 0:
        return float("nan"), float("nan"), float("nan")
    names, index = np.unique(np.asarray(clusters), return_inverse=True)
    hits = np.bincount(index, weights=correct, minlength=len(names))
    counts = np.bincount(index, minlength=len(names)).astype(float)
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(names), size=(resamples, len(names)))
    totals = counts[draws].sum(axis=1)
    estimates = hits[draws].sum(axis=1) / np.where(totals > 0, totals, 1)
    tail = (1 - level) / 2
    low, high = np.quantile(estimates, [tail, 1 - tail])
    return float(correct.mean()), float(low), float(high)


def chance(option_counts) -> float:
    """Expected accuracy of a uniform random pick among each question's options."""
    counts = np.asarray(option_counts, dtype=float)
    return float((1.0 / counts).mean()) if counts.size else float("nan")
