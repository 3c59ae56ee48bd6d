"""Motion-salient: MGSampler's train mode (the default, and Table 6's best): one pick per
equal step of accumulated motion, jittered inside the step."""
from __future__ import annotations

from fragmentforge.motion import mgsampler


def pick(view, n, rng):
    return mgsampler.sample(view.pair_scores, n, "train", rng)
