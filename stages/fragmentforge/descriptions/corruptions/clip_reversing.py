"""Clip-reversing: a run of N/2 to N consecutive shown frames played backwards (a temporal error)."""
from __future__ import annotations

import math

import numpy as np

from fragmentforge.descriptions.corruptions import Corrupted, check_shown

NAME, INDUCES = "clip_reversing", "temporal"


def corrupt(pool_size: int, shown: list[int], rng: np.random.Generator) -> Corrupted:
    shown = check_shown(pool_size, shown, 2)
    n = len(shown)
    length = int(rng.integers(max(2, math.ceil(n / 2)), n + 1))
    start = int(rng.integers(0, n - length + 1))
    frames = shown[:start] + shown[start:start + length][::-1] + shown[start + length:]
    return Corrupted(NAME, frames, {"reversed": [start, start + length]})  # [first, end) of the shown positions
