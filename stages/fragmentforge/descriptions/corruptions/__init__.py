"""Tarsier2's clip corruptions (§3.3), one module each, named by its file.

A corruption turns the frames a model is shown into frames that make it describe the video
wrongly: out of order (clip_switching, clip_reversing) or incompletely (clip_cropping,
down_sampling). Each module declares NAME, INDUCES ("temporal" or "incomplete") and
`corrupt(pool_size, shown, rng) -> Corrupted`: `shown` are the N frames of the video's frame
pool (indices 0..pool_size-1, in time order) the real description was made from; the result
lists the pool indices to show instead, in the order shown, and what was done (`meta`), so a
record says exactly how its rejected response came about.
"""
from __future__ import annotations

import zlib
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Corrupted:
    kind: str
    frames: list[int]  # pool indices, in the order they are shown
    meta: dict = field(default_factory=dict)


def rng_for(seed: int, video_id: str, kind: str) -> np.random.Generator:
    """One stream per (seed, video, corruption): the same record comes out on every run."""
    return np.random.default_rng([seed, zlib.crc32(video_id.encode()), zlib.crc32(kind.encode())])


def check_shown(pool_size: int, shown: list[int], least: int) -> list[int]:
    shown = [int(i) for i in shown]
    if len(shown) < least:
        raise ValueError(f"needs at least {least} shown frames, got {len(shown)}")
    if any(not 0 <= i < pool_size for i in shown) or shown != sorted(set(shown)):
        raise ValueError(f"shown frames must be distinct pool indices in time order (pool of {pool_size}): {shown}")
    return shown
