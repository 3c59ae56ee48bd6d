"""Clip-switching: the shown frames cut into four clips, two of them swapped (a temporal error)."""
from __future__ import annotations

import numpy as np

from fragmentforge.descriptions.corruptions import Corrupted, check_shown

NAME, INDUCES, CLIPS = "clip_switching", "temporal", 4


def corrupt(pool_size: int, shown: list[int], rng: np.random.Generator) -> Corrupted:
    shown = check_shown(pool_size, shown, CLIPS)
    clips = [list(c) for c in np.array_split(shown, CLIPS)]
    a, b = sorted(int(i) for i in rng.choice(CLIPS, size=2, replace=False))
    clips[a], clips[b] = clips[b], clips[a]
    return Corrupted(NAME, [int(i) for clip in clips for i in clip], {"clips": CLIPS, "swapped": [a, b]})
