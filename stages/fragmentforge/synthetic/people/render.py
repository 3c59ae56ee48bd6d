"""Drawing figures and the objects they handle, and reading back what a viewer can see.

Every pixel is labelled with what was drawn there last (person and body part, or object), so
a keypoint is visible exactly when its own part owns its pixel, and a box is the extent of a
person's visible pixels: ground truth that agrees with the frame by construction.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fragmentforge.synthetic.people.skeleton import (ARM_WIDTH, COCO_KEYPOINTS, LEG_WIDTH, Pose, Skeleton,
                                                     build_skeleton)

PARTS = ("torso", "head", "left_upper_arm", "left_forearm", "left_hand", "right_upper_arm", "right_forearm",
         "right_hand", "left_thigh", "left_shin", "left_foot", "right_thigh", "right_shin", "right_foot")
PART_INDEX = {p: i for i, p in enumerate(PARTS)}
# The parts whose pixels show a keypoint (a joint is seen on either limb it joins).
KEYPOINT_PARTS = {
    "nose": ("head",), "left_eye": ("head",), "right_eye": ("head",), "left_ear": ("head",), "right_ear": ("head",),
    **{f"{s}_shoulder": ("torso", f"{s}_upper_arm") for s in ("left", "right")},
    **{f"{s}_elbow": (f"{s}_upper_arm", f"{s}_forearm") for s in ("left", "right")},
    **{f"{s}_wrist": (f"{s}_forearm", f"{s}_hand") for s in ("left", "right")},
    **{f"{s}_hip": ("torso", f"{s}_thigh") for s in ("left", "right")},
    **{f"{s}_knee": (f"{s}_thigh", f"{s}_shin") for s in ("left", "right")},
    **{f"{s}_ankle": (f"{s}_shin", f"{s}_foot") for s in ("left", "right")},
}
PARTS_PER_PERSON = 16  # label = 1 + person * 16 + part; objects take labels from OBJECT_LABEL up
OBJECT_LABEL = 10_000


@dataclass(frozen=True)
class Look:
    """A person's colours: shirt (torso, arms), skin (head, hands), trousers, shoes."""

    shirt: tuple[int, int, int]
    skin: tuple[int, int, int]
    trousers: tuple[int, int, int]
    shoes: tuple[int, int, int] = (30, 30, 30)


@dataclass(frozen=True)
class Thing:
    """An object in the frame: a filled square, held or not."""

    name: str
    rgb: tuple[int, int, int]
    centre: tuple[float, float]
    size: float


def _capsule(xs, ys, a, b, radius):
    (ax, ay), (bx, by) = a, b
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    t = np.clip(((xs - ax) * dx + (ys - ay) * dy) / length2, 0.0, 1.0) if length2 > 1e-9 else 0.0
    return (xs - (ax + t * dx)) ** 2 + (ys - (ay + t * dy)) ** 2 <= radius * radius


def _limb_parts(sk: Skeleton, side: str, h: float):
    j = sk.joints
    elbow, wrist = j[f"{side}_elbow"], j[f"{side}_wrist"]
    knee, ankle = j[f"{side}_knee"], j[f"{side}_ankle"]
    foot_dir = 1.0 if sk.near == "right" else -1.0  # toes point where the figure faces
    toe = (ankle[0] + foot_dir * 0.05 * h, ankle[1])
    legs = [(f"{side}_thigh", j[f"{side}_hip"], knee, LEG_WIDTH * h / 2),
            (f"{side}_shin", knee, ankle, LEG_WIDTH * h / 2 * 0.85),
            (f"{side}_foot", ankle, toe, LEG_WIDTH * h / 2 * 0.7)]
    arms = [(f"{side}_upper_arm", j[f"{side}_shoulder"], elbow, ARM_WIDTH * h / 2),
            (f"{side}_forearm", elbow, wrist, ARM_WIDTH * h / 2 * 0.85),
            (f"{side}_hand", wrist, wrist, ARM_WIDTH * h / 2 * 1.25)]
    return legs, arms


def draw_person(frame, labels, xs, ys, pose: Pose, look: Look, index: int) -> Skeleton:
    """Draw one figure, far limbs first, and label its pixels; returns its skeleton."""
    sk = build_skeleton(pose)
    h = pose.height
    far = "left" if sk.near == "right" else "right"
    colour = {"torso": look.shirt, "head": look.skin}
    sleeve = tuple(int(c * 0.7) for c in look.shirt)  # darker, so an arm shows against the torso
    for side in ("left", "right"):
        colour.update({f"{side}_upper_arm": sleeve, f"{side}_forearm": sleeve, f"{side}_hand": look.skin,
                       f"{side}_thigh": look.trousers, f"{side}_shin": look.trousers, f"{side}_foot": look.shoes})
    far_legs, far_arms = _limb_parts(sk, far, h)
    near_legs, near_arms = _limb_parts(sk, sk.near, h)
    width = h * (0.05 + 0.05 * (1 - abs(pose.facing)))  # a torso seen front-on is wider
    neck = ((sk.joints["left_shoulder"][0] + sk.joints["right_shoulder"][0]) / 2,
            (sk.joints["left_shoulder"][1] + sk.joints["right_shoulder"][1]) / 2)
    pelvis = ((sk.joints["left_hip"][0] + sk.joints["right_hip"][0]) / 2,
              (sk.joints["left_hip"][1] + sk.joints["right_hip"][1]) / 2)
    torso = [("torso", neck, pelvis, width)]
    head = [("head", sk.head, sk.head, sk.head_r)]
    for part, a, b, radius in far_arms + far_legs + torso + near_legs + head + near_arms:
        mask = _capsule(xs, ys, a, b, radius)
        frame[mask] = colour[part]
        labels[mask] = 1 + index * PARTS_PER_PERSON + PART_INDEX[part]
    return sk


def draw_thing(frame, labels, xs, ys, thing: Thing, index: int) -> None:
    half = thing.size / 2
    cx, cy = thing.centre
    mask = (np.abs(xs - cx) <= half) & (np.abs(ys - cy) <= half)
    frame[mask] = thing.rgb
    labels[mask] = OBJECT_LABEL + index


def keypoints_seen(sk: Skeleton, labels: np.ndarray, index: int) -> list[list[float]]:
    """COCO keypoints [x, y, v] for one person: v=2 seen, v=1 in frame but hidden, v=0 outside."""
    height, width = labels.shape
    out = []
    for name in COCO_KEYPOINTS:
        x, y = sk.joints[name]
        col, row = int(np.floor(x)), int(np.floor(y))
        if not (0 <= col < width and 0 <= row < height):
            out.append([0.0, 0.0, 0])
            continue
        own = {1 + index * PARTS_PER_PERSON + PART_INDEX[p] for p in KEYPOINT_PARTS[name]}
        seen = int(labels[row, col]) in own and name not in sk.face_hidden
        out.append([round(float(x), 2), round(float(y), 2), 2 if seen else 1])
    return out


def person_box(labels: np.ndarray, index: int):
    """[x0, y0, x1, y1) of a person's visible pixels, or None when none is visible."""
    mask = person_mask(labels, index)
    if not mask.any():
        return None
    rows, cols = np.nonzero(mask.any(axis=1))[0], np.nonzero(mask.any(axis=0))[0]
    return [int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1]


def person_mask(labels: np.ndarray, index: int) -> np.ndarray:
    low = 1 + index * PARTS_PER_PERSON
    return (labels >= low) & (labels < low + PARTS_PER_PERSON)
