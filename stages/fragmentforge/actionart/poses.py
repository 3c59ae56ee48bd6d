"""Reading a person's pose from COCO-17 keypoints (pixels, y down): where a hand is, which way a
part moved. Shared by the benchmark's questions and the ground-truth teacher."""
from __future__ import annotations

JOINTS = {"nose": 0, "left shoulder": 5, "right shoulder": 6, "left elbow": 7, "right elbow": 8,
          "left wrist": 9, "right wrist": 10, "left hip": 11, "right hip": 12, "left knee": 13, "right knee": 14,
          "left ankle": 15, "right ankle": 16}
TRACKED = {"head": ("nose",), "left hand": ("left wrist",), "right hand": ("right wrist",),
           "left foot": ("left ankle",), "right foot": ("right ankle",),
           "whole body": ("left hip", "right hip")}
HAND_BANDS = ("Above their head", "Level with their face or neck", "Between their shoulders and hips",
              "Below their hips")
MARGIN = 2.0  # pixels: a hand this close to a band's edge is not asked about
DIRECTIONS = ("Up", "Down", "To the left of the frame", "To the right of the frame")


def point(keypoints, joint: str):
    x, y, v = keypoints[JOINTS[joint]]
    return (x, y) if v > 0 else None


def centre(keypoints, joints) -> tuple[float, float] | None:
    points = [point(keypoints, j) for j in joints]
    if any(p is None for p in points):
        return None
    return sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points)


def hand_band(keypoints, side: str) -> str | None:
    """Which of HAND_BANDS the hand is in, or None when hidden or near an edge."""
    wrist, nose = point(keypoints, f"{side} wrist"), point(keypoints, "nose")
    shoulders = centre(keypoints, ("left shoulder", "right shoulder"))
    hips = centre(keypoints, ("left hip", "right hip"))
    if None in (wrist, nose, shoulders, hips):
        return None
    edges = [nose[1] - 4.0, shoulders[1], hips[1]]  # the top of the head is a few pixels above the nose
    y = wrist[1]
    if min(abs(y - e) for e in edges) < MARGIN:
        return None
    return HAND_BANDS[sum(y > e for e in edges)]


def moved(before, after, part: str, least: float = 4.0) -> str | None:
    """The direction a tracked part moved between two poses, when clearly along one axis."""
    a, b = centre(before, TRACKED[part]), centre(after, TRACKED[part])
    if a is None or b is None:
        return None
    dx, dy = b[0] - a[0], b[1] - a[1]
    if max(abs(dx), abs(dy)) < least or min(abs(dx), abs(dy)) * 2 > max(abs(dx), abs(dy)):
        return None
    if abs(dy) > abs(dx):
        return DIRECTIONS[0] if dy < 0 else DIRECTIONS[1]
    return DIRECTIONS[2] if dx < 0 else DIRECTIONS[3]
