"""Uniform interval: the stream cut into n equal segments, one frame drawn in each (TSN's
train-time sampling); segments shorter than a frame share their frames, so distinct picks
are kept by moving to the nearest free frame."""
from __future__ import annotations

import numpy as np

from fragmentforge.motion.mgsampler import pick_frames


def pick(view, n, rng):
    targets = (np.arange(n) + rng.random(n)) / n
    # frame i covers [i / length, (i + 1) / length): its centre is the position to match
    centres = (np.arange(view.length) + 0.5) / view.length
    return pick_frames(centres, targets)
