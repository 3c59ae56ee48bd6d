"""Keyframe: the frames a shot or the codec marks. Codec key frames (I-frames) first, then
scene changes (the frames that differ most from the one before, local peaks of the motion
score), strongest first; a stream with fewer marks is topped up at random. Synthetic clips
are encoded with one I-frame, so here it is mostly the scene-change half that picks."""
from __future__ import annotations

import numpy as np

from fragmentforge.keyframes.samplers import fill


def peaks(pair_scores: np.ndarray) -> list[int]:
    """Frames (index >= 1) whose incoming score is above both neighbours' and above zero,
    strongest first."""
    s = np.concatenate([[-np.inf], np.asarray(pair_scores, dtype=float), [-np.inf]])
    frames = [i for i in range(1, len(s) - 1) if s[i] > 0 and s[i] >= s[i - 1] and s[i] > s[i + 1]]
    return sorted(frames, key=lambda f: -s[f])


def pick(view, n, rng):
    chosen: list[int] = [int(i) for i in np.flatnonzero(view.codec_keys)][:n]
    for frame in peaks(view.pair_scores):
        if len(chosen) == n:
            break
        if frame not in chosen:
            chosen.append(frame)
    return fill(set(chosen), n, view.length, rng)
