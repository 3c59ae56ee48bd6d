"""Rasterise a planned motion into RGB frames and per-frame object ground truth."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fragmentforge.synthetic.actions import Motion
from fragmentforge.synthetic.shapes import HAND_COLOUR, MARKER_COLOUR, full_area, marker_mask, shape_mask


@dataclass(frozen=True)
class SceneObject:
    name: str  # e.g. "red circle": what the template's [something] becomes
    shape: str
    colour: str
    rgb: tuple[int, int, int]
    marker: bool
    z: int


def make_background(rng: np.random.Generator, height: int, width: int) -> np.ndarray:
    """A muted texture (low saturation, mid grey) that no object colour can be confused with."""
    base = rng.uniform(70, 150)
    tint_a = base + rng.uniform(-14, 14, size=3)
    tint_b = tint_a + rng.uniform(-30, 30)
    ys, xs = np.mgrid[0:height, 0:width]
    kind = rng.choice(["checker", "stripes", "blotches", "gradient"])
    period = int(rng.integers(6, 18))
    if kind == "checker":
        weight = ((xs // period + ys // period) % 2).astype(float)
    elif kind == "stripes":
        weight = (((xs + ys) // period) % 2).astype(float)
    elif kind == "blotches":
        coarse = rng.random((height // period + 2, width // period + 2))
        weight = np.kron(coarse, np.ones((period, period)))[:height, :width]
    else:
        weight = xs / max(1, width - 1)
    grain = rng.normal(0, 3, size=(height, width, 1))
    img = tint_a + (tint_b - tint_a) * weight[..., None] + grain
    return np.clip(img, 0, 255).astype(np.uint8)


def render_clip(objects: list[SceneObject], motion: Motion, background: np.ndarray,
                width: int, height: int):
    """Yield (frame, per-object ground truth) for every planned frame."""
    ys, xs = np.mgrid[0:height, 0:width] + 0.5
    n_frames = motion.poses.shape[0]
    draw_order = sorted(range(len(objects)), key=lambda k: objects[k].z)
    for i in range(n_frames):
        dx = 0 if motion.camera_dx is None else int(round(float(motion.camera_dx[i])))
        frame = background[:, dx:dx + width].copy()
        masks = {}
        for k in draw_order:
            cx, cy, r, angle = motion.poses[i, k]
            cx -= dx
            mask = shape_mask(objects[k].shape, cx, cy, r, angle, xs, ys)
            frame[mask] = objects[k].rgb
            if objects[k].marker:
                frame[mask & marker_mask(cx, cy, r, angle, xs, ys)] = MARKER_COLOUR
            masks[k] = mask
        hand_mask = None
        if motion.hand is not None:
            x0, y0, x1, y1 = motion.hand[i] - np.array([dx, 0, dx, 0])
            hand_mask = (xs >= x0) & (xs < x1) & (ys >= y0) & (ys < y1)
            frame[hand_mask] = HAND_COLOUR
        truth = []
        for pos, k in enumerate(draw_order):
            covered = np.zeros_like(masks[k])
            for later in draw_order[pos + 1:]:
                covered |= masks[later]
            if hand_mask is not None:
                covered |= hand_mask
            visible = masks[k] & ~covered
            cx, cy, r, angle = motion.poses[i, k]
            truth.append((k, _object_truth(objects[k], visible, cx - dx, cy, r, angle)))
        yield frame, [t for _, t in sorted(truth)], _hand_truth(motion, i, dx)


def _object_truth(obj: SceneObject, visible: np.ndarray, cx, cy, r, angle) -> dict:
    count = int(visible.sum())
    area = full_area(obj.shape, cx, cy, r, angle)
    box = None
    if count:
        rows, cols = np.nonzero(visible.any(axis=1))[0], np.nonzero(visible.any(axis=0))[0]
        box = [int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1]
    return {
        "name": obj.name,
        "box": box,
        "visible": count > 0,
        "visibility": round(min(1.0, count / area), 4) if area else 0.0,
        "centre": [round(float(cx), 2), round(float(cy), 2)],
        "radius": round(float(r), 2),
        "angle_deg": round(float(np.degrees(angle)), 2),
    }


def _hand_truth(motion: Motion, i: int, dx: int):
    if motion.hand is None:
        return None
    x0, y0, x1, y1 = (float(v) for v in motion.hand[i])
    return [round(x0 - dx, 2), round(y0, 2), round(x1 - dx, 2), round(y1, 2)]
