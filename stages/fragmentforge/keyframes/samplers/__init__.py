"""Train-mode keyframe samplers (SF²T Table 6), one module each, named by its file.

A sampler module defines `pick(view, n, rng) -> list[int]`: n distinct indices of the stream,
in order. `keyframes.train_sampler` names the one that draws the jittered train-mode sets. The
test-mode sets, which the benchmark shows, stay MGSampler's whichever is chosen, so an ablation
of the sampler changes what the model is trained on and nothing it is tested on.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass

import numpy as np

from fragmentforge import plugins


@dataclass(frozen=True)
class StreamView:
    """What a sampler may look at: the stream's length, the motion score of each step
    (pair_scores[i] between frames i and i+1) and which frames the codec stored whole."""

    pair_scores: np.ndarray
    codec_keys: np.ndarray  # bool per stream index

    @property
    def length(self) -> int:
        return len(self.pair_scores) + 1


def load(name: str):
    return plugins.load(sys.modules[__name__], name)


def fill(chosen: set[int], n: int, length: int, rng: np.random.Generator) -> list[int]:
    """`chosen` topped up to n with frames drawn at random from the rest, in order."""
    rest = np.array(sorted(set(range(length)) - chosen), dtype=int)
    extra = rng.choice(rest, size=n - len(chosen), replace=False) if n > len(chosen) else []
    return sorted(chosen | {int(i) for i in extra})
