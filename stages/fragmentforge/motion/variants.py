"""Speed variants as frame streams over the source's frame positions (FineVidBench Speed).

A position is a source frame index; slow motion adds half positions whose frames are
synthesized between their neighbours. Pair scores follow from the source's:
  normal  0, 1, ..., T-1            scores d(f_i, f_i+1)
  fast    0, 2, 4, ...  (skipping)  scores d(f_2i, f_2i+2), measured in the same pass
  slow    0, .5, 1, ..., T-1        scores d(f_i, f_i+1) / 2 twice (exact for mean absolute
                                    difference of a blend; an approximation for 1 - SSIM)
  still   the middle frame, T times scores 0
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

VARIANTS = ("normal", "slow", "fast", "still")


@dataclass(frozen=True)
class FrameStream:
    variant: str
    positions: np.ndarray  # float source positions, multiples of 0.5
    pair_scores: np.ndarray  # len(positions) - 1


def speed_streams(adjacent: np.ndarray, skip_one: np.ndarray) -> list[FrameStream]:
    """adjacent[i] = d(f_i, f_i+1); skip_one[i] = d(f_i, f_i+2)."""
    t = len(adjacent) + 1
    normal = FrameStream("normal", np.arange(t, dtype=float), np.asarray(adjacent, dtype=float))
    slow = FrameStream("slow", np.arange(2 * t - 1) / 2.0, np.repeat(np.asarray(adjacent) / 2.0, 2))
    fast_positions = np.arange(0, t, 2, dtype=float)
    fast = FrameStream("fast", fast_positions, np.asarray(skip_one, dtype=float)[0::2][: len(fast_positions) - 1])
    still = FrameStream("still", np.full(t, float(t // 2)), np.zeros(t - 1))
    return [normal, slow, fast, still]


def blend(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return ((a.astype(np.uint16) + b.astype(np.uint16) + 1) // 2).astype(np.uint8)


def flow_midpoint(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Midpoint frame by Farneback optical flow: warp both halves toward t = 0.5."""
    import cv2

    gray_a, gray_b = cv2.cvtColor(a, cv2.COLOR_RGB2GRAY), cv2.cvtColor(b, cv2.COLOR_RGB2GRAY)
    flow = cv2.calcOpticalFlowFarneback(gray_a, gray_b, None, 0.5, 3, 15, 3, 5, 1.2, 0)
    h, w = gray_a.shape
    grid_x, grid_y = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    from_a = cv2.remap(a, grid_x - 0.5 * flow[..., 0], grid_y - 0.5 * flow[..., 1], cv2.INTER_LINEAR,
                       borderMode=cv2.BORDER_REPLICATE)
    from_b = cv2.remap(b, grid_x + 0.5 * flow[..., 0], grid_y + 0.5 * flow[..., 1], cv2.INTER_LINEAR,
                       borderMode=cv2.BORDER_REPLICATE)
    return blend(from_a, from_b)


INTERPOLATORS = {"blend": blend, "flow": flow_midpoint}

