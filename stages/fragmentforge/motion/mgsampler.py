"""Motion-guided sampling after MGSampler (Zhi et al., ICCV 2021).

Frame f >= 1 carries the motion between frames f-1 and f. With m = sqrt(score) and
p = m / sum(m), the cumulative C(f) = sum of p up to f maps time onto "amount of motion";
N picks aim at equal steps of C: (2k+1)/(2N) in test mode, a uniform draw inside
[k/N, (k+1)/N) in train mode. Each pick is the frame whose C is nearest its target.
"""
from __future__ import annotations

import numpy as np


def cumulative_motion(pair_scores: np.ndarray) -> np.ndarray:
    """C per frame (length = pairs + 1, C[0] = 0, C[-1] = 1). No motion at all: uniform."""
    m = np.sqrt(np.clip(np.asarray(pair_scores, dtype=float), 0.0, None))
    total = m.sum()
    if total <= 0 or not np.isfinite(total):
        m = np.ones_like(m)
        total = m.sum()
    return np.concatenate([[0.0], np.cumsum(m / total)])


def targets(n: int, mode: str, rng: np.random.Generator | None = None) -> np.ndarray:
    k = np.arange(n)
    if mode == "test":
        return (2 * k + 1) / (2 * n)
    if rng is None:
        raise ValueError("train mode needs a seeded generator")
    return (k + rng.random(n)) / n


def pick_frames(cumulative: np.ndarray, goal: np.ndarray) -> list[int]:
    """Nearest frame to each target; a frame already taken gives way to the next nearest,
    so a set always holds distinct frames, in temporal order."""
    if len(goal) > len(cumulative):
        raise ValueError(f"cannot pick {len(goal)} distinct frames from {len(cumulative)}")
    taken: set[int] = set()
    for target in goal:
        order = np.argsort(np.abs(cumulative - target), kind="stable")
        taken.add(int(next(i for i in order if int(i) not in taken)))
    return sorted(taken)


def sample(pair_scores: np.ndarray, n: int, mode: str, rng: np.random.Generator | None = None) -> list[int]:
    return pick_frames(cumulative_motion(pair_scores), targets(n, mode, rng))
