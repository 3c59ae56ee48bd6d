"""Motion descriptors per body part (MA-Bench §3's micro-motion tracker).

Dense optical flow (OpenCV's Farneback) between consecutive frames, read inside each body part's
region. A region is drawn from the person's COCO-17 keypoints in the earlier frame: a thick
polyline along a limb's joints, the torso's polygon, a disc over the head. Per part and clip:
the mean motion vector (pixels per frame, y down), the mean magnitude, a four-direction
histogram (each vector's magnitude counted in right / up / left / down, whichever its angle is
nearest), and the region's mean coordinates. One sequential pass over the frames.
"""
from __future__ import annotations

import numpy as np

# COCO-17 indices: 0 nose, 1-4 eyes and ears, 5/6 shoulders, 7/8 elbows, 9/10 wrists, 11/12 hips,
# 13/14 knees, 15/16 ankles (left, then right: the person's own sides).
PARTS = {
    "head": (0, 1, 2, 3, 4),
    "torso": (5, 6, 12, 11),
    "left arm": (5, 7, 9),
    "right arm": (6, 8, 10),
    "left leg": (11, 13, 15),
    "right leg": (12, 14, 16),
}
DIRECTIONS = ("right", "up", "left", "down")


def part_masks(keypoints, shape: tuple[int, int], thickness: int) -> dict[str, np.ndarray]:
    """Boolean region per part from (x, y, v) keypoints; a part with too few visible joints is empty."""
    import cv2

    out = {}
    for part, joints in PARTS.items():
        mask = np.zeros(shape, dtype=np.uint8)
        points = np.array([keypoints[j][:2] for j in joints if keypoints[j][2] > 0], dtype=np.float64)
        pixels = np.round(points).astype(np.int32)
        if part == "head" and len(points):
            centre = tuple(int(v) for v in np.round(points.mean(axis=0)))
            cv2.circle(mask, centre, max(thickness, 2), 1, thickness=-1)
        elif part == "torso" and len(points) >= 3:
            cv2.fillConvexPoly(mask, cv2.convexHull(pixels), 1)
        elif part not in ("head", "torso") and len(points) >= 2:
            cv2.polylines(mask, [pixels.reshape(-1, 1, 2)], False, 1, thickness=thickness)
        out[part] = mask.astype(bool)
    return out


def dense_flow(earlier: np.ndarray, later: np.ndarray) -> np.ndarray:
    """(H, W, 2) flow from one frame to the next (RGB, or grey levels as decoders give them), in pixels."""
    import cv2

    grey = [np.ascontiguousarray(f) if f.ndim == 2 else cv2.cvtColor(np.ascontiguousarray(f), cv2.COLOR_RGB2GRAY)
            for f in (earlier, later)]
    return cv2.calcOpticalFlowFarneback(grey[0], grey[1], None, 0.5, 3, 9, 3, 5, 1.1, 0)


def direction_weights(vectors: np.ndarray) -> np.ndarray:
    """Each vector's magnitude in the bin of the nearest of right, up, left, down (image y is down)."""
    dx, dy = vectors[:, 0], -vectors[:, 1]
    bins = np.round(np.arctan2(dy, dx) / (np.pi / 2)).astype(int) % 4
    return np.bincount(bins, weights=np.hypot(dx, dy), minlength=4)


class PartSums:
    """One part's flow over several frame pairs, summed as it comes: mean vector, magnitude,
    direction shares (magnitude-weighted) and region centre, per pair."""

    def __init__(self):
        self.vector, self.magnitude, self.bins, self.centre, self.pairs = np.zeros(2), 0.0, np.zeros(4), np.zeros(2), 0

    def add(self, flow: np.ndarray, mask: np.ndarray) -> None:
        vectors = flow[mask]
        ys, xs = np.nonzero(mask)
        self.vector += vectors.mean(axis=0)
        self.magnitude += float(np.hypot(vectors[:, 0], vectors[:, 1]).mean())
        self.bins += direction_weights(vectors)
        self.centre += (xs.mean(), ys.mean())
        self.pairs += 1

    def summary(self) -> dict:
        n, total = self.pairs, self.bins.sum()
        shares = self.bins / total if total > 0 else np.zeros(4)
        return {"vector": [round(float(v) / n, 4) for v in self.vector], "magnitude": round(self.magnitude / n, 4),
                "directions": {d: round(float(x), 4) for d, x in zip(DIRECTIONS, shares)},
                "centre": [round(float(v) / n, 2) for v in self.centre], "pairs": n}


def describe(frames: list[np.ndarray], keypoints: list, thickness: int = 5) -> dict[str, dict | None]:
    """Per part, over the clip: mean vector (dx, dy), magnitude, direction shares and centre;
    None for a part never visible. `keypoints[i]` is one person's 17 (x, y, v) in frame i."""
    sums = {p: PartSums() for p in PARTS}
    for i in range(len(frames) - 1):
        flow = dense_flow(frames[i], frames[i + 1])
        for part, mask in part_masks(keypoints[i], flow.shape[:2], thickness).items():
            if mask.any():
                sums[part].add(flow, mask)
    return {part: acc.summary() if acc.pairs else None for part, acc in sums.items()}
