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


def video_weights(videos: int, resamples: int, seed: int) -> np.ndarray:
    """(resamples, videos): how many times each video is drawn in each bootstrap resample."""
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, videos, size=(resamples, videos))
    weights = np.zeros((resamples, videos))
    np.add.at(weights, (np.arange(resamples)[:, None], draws), 1.0)
    return weights


def f1_bootstrap(precision, recall, clusters, resamples: int = 1000, seed: int = 0, level: float = 0.95,
                 baseline=None):
    """(F1, low, high) of F1 computed from the mean precision and mean recall (Tarsier's way),
    whole videos drawn with replacement. With `baseline` (precision, recall of another model on
    the same items, in the same order) the statistic is the difference of the two F1s, paired."""
    p, r = np.asarray(precision, dtype=float), np.asarray(recall, dtype=float)
    if p.size == 0:
        return float("nan"), float("nan"), float("nan")
    names, index = np.unique(np.asarray(clusters), return_inverse=True)
    counts = np.bincount(index, minlength=len(names)).astype(float)
    sums = [np.bincount(index, weights=v, minlength=len(names)) for v in (p, r)]
    if baseline is not None:
        sums += [np.bincount(index, weights=np.asarray(v, dtype=float), minlength=len(names)) for v in baseline]

    def f1_of(sp, sr, n):
        mp, mr = sp / n, sr / n
        return np.where(mp + mr > 0, 2 * mp * mr / np.where(mp + mr > 0, mp + mr, 1), 0.0)

    def statistic(weights):
        n = weights @ counts
        value = f1_of(weights @ sums[0], weights @ sums[1], n)
        return value - f1_of(weights @ sums[2], weights @ sums[3], n) if baseline is not None else value

    weights = video_weights(len(names), resamples, seed)
    tail = (1 - level) / 2
    low, high = np.quantile(statistic(weights), [tail, 1 - tail])
    return float(statistic(np.ones(len(names)))), float(low), float(high)
