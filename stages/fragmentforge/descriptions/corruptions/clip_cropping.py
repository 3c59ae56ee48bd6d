"""Clip-cropping: N frames resampled from a random half-length clip of the video, so part of what
happens is never shown (an incomplete description)."""
from __future__ import annotations

import numpy as np

from fragmentforge.descriptions.corruptions import Corrupted, check_shown

NAME, INDUCES = "clip_cropping", "incomplete"


def corrupt(pool_size: int, shown: list[int], rng: np.random.Generator) -> Corrupted:
    shown = check_shown(pool_size, shown, 1)
    n, window = len(shown), pool_size // 2
    if window < n:
        raise ValueError(f"half the video ({window} frames) cannot give {n} distinct frames")
    start = int(rng.integers(0, pool_size - window + 1))
    frames = [start + int(i) for i in np.round(np.linspace(0, window - 1, n)).astype(int)]
    return Corrupted(NAME, frames, {"window": [start, start + window]})  # [first, end) of the pool
