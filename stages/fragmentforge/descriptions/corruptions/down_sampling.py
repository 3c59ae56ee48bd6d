"""Down-sampling: half of the N shown frames dropped at random, the rest kept in order (an
incomplete description; a clip that hardly moves survives it, which is why pairs are filtered)."""
from __future__ import annotations

import numpy as np

from fragmentforge.descriptions.corruptions import Corrupted, check_shown

NAME, INDUCES = "down_sampling", "incomplete"


def corrupt(pool_size: int, shown: list[int], rng: np.random.Generator) -> Corrupted:
    shown = check_shown(pool_size, shown, 2)
    dropped = sorted(int(i) for i in rng.choice(len(shown), size=len(shown) // 2, replace=False))
    gone = set(dropped)
    frames = [f for k, f in enumerate(shown) if k not in gone]
    return Corrupted(NAME, frames, {"dropped": dropped})  # positions among the shown frames
