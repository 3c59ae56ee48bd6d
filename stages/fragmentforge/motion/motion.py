"""Motion between adjacent frames: `fast` (mean absolute difference of small grayscale
frames) or `faithful` (1 - SSIM at full resolution)."""
from __future__ import annotations

import numpy as np
from scipy.ndimage import uniform_filter

SSIM_WINDOW = 7
_C1, _C2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2


def to_gray(rgb: np.ndarray) -> np.ndarray:
    return rgb[..., 0] * 0.299 + rgb[..., 1] * 0.587 + rgb[..., 2] * 0.114


def shrink(gray: np.ndarray, width: int) -> np.ndarray:
    """Box-average the last two axes down to about `width` columns (integer factor: cheap
    and alias-free). Leading axes, e.g. a batch of frames, are kept."""
    factor = max(1, gray.shape[-1] // width)
    h, w = (gray.shape[-2] // factor) * factor, (gray.shape[-1] // factor) * factor
    lead = gray.shape[:-2]
    if factor > 4:
        blocks = gray[..., :h, :w].reshape(*lead, h // factor, factor, w // factor, factor)
        return blocks.mean(axis=(-3, -1), dtype=np.float32)
    # Small factors (the usual case: frames arrive already scaled) as a sum of strided
    # views: about 8x faster than the reshape-mean, and exact in integers.
    total = np.zeros((*lead, h // factor, w // factor), np.float32 if gray.dtype.kind == "f" else np.uint32)
    for i in range(factor):
        for j in range(factor):
            total += gray[..., i:h:factor, j:w:factor]
    return total.astype(np.float32) * np.float32(1.0 / (factor * factor))


def mean_abs_differences(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Mean absolute difference of each pair of frames along the first axis of two stacks."""
    return np.abs(a - b).reshape(len(a), -1).mean(axis=1, dtype=np.float64)


def one_minus_ssim(a: np.ndarray, b: np.ndarray) -> float:
    """1 - mean SSIM over a sliding uniform window (Wang et al. 2004 constants)."""
    a, b = a.astype(np.float64), b.astype(np.float64)
    mu_a, mu_b = uniform_filter(a, SSIM_WINDOW), uniform_filter(b, SSIM_WINDOW)
    var_a = uniform_filter(a * a, SSIM_WINDOW) - mu_a ** 2
    var_b = uniform_filter(b * b, SSIM_WINDOW) - mu_b ** 2
    cov = uniform_filter(a * b, SSIM_WINDOW) - mu_a * mu_b
    ssim = ((2 * mu_a * mu_b + _C1) * (2 * cov + _C2)) / ((mu_a ** 2 + mu_b ** 2 + _C1) * (var_a + var_b + _C2))
    return float(1.0 - ssim.mean())
