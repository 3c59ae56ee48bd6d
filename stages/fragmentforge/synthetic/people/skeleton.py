"""A 2-D articulated figure: a pose (root, facing, joint angles) to COCO-17 keypoints and limbs.

Limb angles live in the body's sagittal plane (forward/up), which the image shows foreshortened
by `facing`: +1 is a profile facing right, -1 facing left, 0 facing the camera. Arms and legs
raise forward from hanging down; elbows bend forward, knees backward. `roll` turns the whole
figure about the pelvis (lying down, falling).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace


COCO_KEYPOINTS = ("nose", "left_eye", "right_eye", "left_ear", "right_ear", "left_shoulder", "right_shoulder",
                  "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_hip", "right_hip", "left_knee",
                  "right_knee", "left_ankle", "right_ankle")
# COCO's skeleton edges (1-based in COCO's files), for writing keypoint JSON.
COCO_SKELETON = ((16, 14), (14, 12), (17, 15), (15, 13), (12, 13), (6, 12), (7, 13), (6, 7), (6, 8), (7, 9),
                 (8, 10), (9, 11), (2, 3), (1, 2), (1, 3), (2, 4), (3, 5), (4, 6), (5, 7))

# Segment lengths as fractions of the standing height (head top to soles).
TORSO, NECK, HEAD_R = 0.30, 0.035, 0.075
UPPER_ARM, FOREARM, THIGH, SHIN = 0.16, 0.15, 0.245, 0.245
SHOULDER_HALF, HIP_HALF = 0.105, 0.065
ARM_WIDTH, LEG_WIDTH = 0.05, 0.065


@dataclass(frozen=True)
class Pose:
    x: float  # pelvis, pixels
    y: float
    height: float  # standing height, pixels
    facing: float = 1.0
    roll: float = 0.0
    lean: float = 0.0  # torso forward from upright, radians
    nod: float = 0.0  # head pitch down
    head_turn: float = 0.0  # head yaw, radians
    shrug: float = 0.0  # shoulders raised, 0..1
    l_shoulder: float = 0.0
    r_shoulder: float = 0.0
    l_elbow: float = 0.0
    r_elbow: float = 0.0
    l_hip: float = 0.0
    r_hip: float = 0.0
    l_knee: float = 0.0
    r_knee: float = 0.0
    lift: float = 0.0  # the whole figure raised (a jump), pixels

    def plus(self, **deltas) -> "Pose":
        return replace(self, **{k: getattr(self, k) + v for k, v in deltas.items()})


POSE_FIELDS = tuple(f.name for f in fields(Pose))


def blend(a: Pose, b: Pose, w: float) -> Pose:
    """a at w=0, b at w=1, every field linearly."""
    return Pose(**{k: getattr(a, k) + (getattr(b, k) - getattr(a, k)) * w for k in POSE_FIELDS})


@dataclass(frozen=True)
class Skeleton:
    """Joint positions in pixels (name -> (x, y)) and the head's centre and radius."""

    joints: dict[str, tuple[float, float]]
    head: tuple[float, float]
    head_r: float
    near: str  # "left" or "right": the side nearer the camera (drawn last)
    face_hidden: frozenset[str]  # face keypoints the head itself hides (profile)


def _direction(angle: float, lean_frame: float) -> tuple[float, float]:
    """(forward, up) of a limb hanging `angle` forward of the frame's down direction."""
    a = angle + lean_frame
    return math.sin(a), -math.cos(a)


def build_skeleton(pose: Pose) -> Skeleton:
    h, s = pose.height, max(-1.0, min(1.0, pose.facing))
    side = math.sqrt(max(0.0, 1.0 - s * s))  # how much of the body's width faces the camera

    def project(u: float, v: float, lateral: float = 0.0) -> tuple[float, float]:
        # body plane (forward u, up v, lateral) -> image, then the whole-body roll about the pelvis
        dx, dy = u * s + lateral * side, -v
        c, n = math.cos(pose.roll), math.sin(pose.roll)
        return pose.x + dx * c - dy * n, pose.y - pose.lift + dx * n + dy * c

    up = (math.sin(pose.lean), math.cos(pose.lean))
    neck = (up[0] * TORSO * h, up[1] * TORSO * h)
    shrug = pose.shrug * 0.035 * h
    joints: dict[str, tuple[float, float]] = {}
    for name, sign, shoulder_a, elbow_a, hip_a, knee_a in (
            ("left", 1.0, pose.l_shoulder, pose.l_elbow, pose.l_hip, pose.l_knee),
            ("right", -1.0, pose.r_shoulder, pose.r_elbow, pose.r_hip, pose.r_knee)):
        su, sv = neck[0] - up[0] * 0.02 * h + up[0] * shrug / h, neck[1] - 0.02 * h + shrug
        f, u_ = _direction(shoulder_a, pose.lean)
        eu, ev = su + f * UPPER_ARM * h, sv + u_ * UPPER_ARM * h
        f, u_ = _direction(shoulder_a + elbow_a, pose.lean)
        wu, wv = eu + f * FOREARM * h, ev + u_ * FOREARM * h
        f, u_ = _direction(hip_a, 0.0)
        ku, kv = f * THIGH * h, u_ * THIGH * h
        f, u_ = _direction(hip_a - knee_a, 0.0)
        au, av = ku + f * SHIN * h, kv + u_ * SHIN * h
        arm_l, leg_l = sign * SHOULDER_HALF * h, sign * HIP_HALF * h
        joints[f"{name}_shoulder"] = project(su, sv, arm_l)
        joints[f"{name}_elbow"] = project(eu, ev, arm_l)
        joints[f"{name}_wrist"] = project(wu, wv, arm_l)
        joints[f"{name}_hip"] = project(0.0, 0.0, leg_l)
        joints[f"{name}_knee"] = project(ku, kv, leg_l)
        joints[f"{name}_ankle"] = project(au, av, leg_l)
    head_v = TORSO * h + NECK * h + HEAD_R * h
    head_u = up[0] * head_v + math.sin(pose.nod) * 0.3 * HEAD_R * h
    head = project(head_u, up[1] * head_v)
    r = HEAD_R * h
    # The face turns with the head; a nod moves it down the head.
    face_s = math.sin(max(-math.pi / 2, min(math.pi / 2, math.asin(s) + pose.head_turn)))
    face_side = math.sqrt(max(0.0, 1.0 - face_s * face_s))
    drop = 0.15 * r + 0.5 * r * math.sin(pose.nod)

    def face(forward: float, lateral: float, down: float) -> tuple[float, float]:
        dx, dy = forward * face_s * r + lateral * face_side * r, down
        c, n = math.cos(pose.roll), math.sin(pose.roll)
        return head[0] + dx * c - dy * n, head[1] + dx * n + dy * c

    joints["nose"] = face(0.9, 0.0, drop + 0.1 * r)
    joints["left_eye"] = face(0.6, 0.35, drop - 0.25 * r)
    joints["right_eye"] = face(0.6, -0.35, drop - 0.25 * r)
    joints["left_ear"] = face(-0.1, 0.9, drop - 0.1 * r)
    joints["right_ear"] = face(-0.1, -0.9, drop - 0.1 * r)
    far = "left" if face_s > 0 else "right"  # facing right: the person's left side is away
    hidden = frozenset({f"{far}_eye", f"{far}_ear"}) if abs(face_s) > 0.5 else frozenset()
    return Skeleton(joints=joints, head=head, head_r=r, near="right" if s > 0 else "left", face_hidden=hidden)

