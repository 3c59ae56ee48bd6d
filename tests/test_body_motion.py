"""MA-Bench's motion descriptors per body part: a textured limb moved a known way on a textured,
still background must show that motion in its own part and none in the others."""
import numpy as np
import pytest

from fragmentforge.motion.body_parts import describe

SIZE, STEP, FRAMES = 96, 2, 6


def _figure(arm_shift: tuple[int, int]):
    """Keypoints of a standing figure whose right arm (joints 6, 8, 10) is shifted by arm_shift."""
    points = {0: (48, 14), 1: (46, 12), 2: (50, 12), 3: (44, 13), 4: (52, 13), 5: (40, 26), 6: (56, 26),
              7: (38, 38), 8: (66, 32), 9: (36, 50), 10: (66, 44), 11: (43, 52), 12: (53, 52),
              13: (42, 66), 14: (54, 66), 15: (42, 80), 16: (54, 80)}
    dx, dy = arm_shift
    return [(x + dx, y + dy, 2) if j in (8, 10) else (x, y, 2) for j, (x, y) in sorted(points.items())]


def _clip(direction: tuple[int, int]):
    """Frames in which a noise-textured block (the forearm) moves STEP pixels a frame."""
    rng = np.random.default_rng(0)
    background = rng.integers(0, 120, size=(SIZE, SIZE, 3), dtype=np.uint8)
    texture = rng.integers(120, 256, size=(18, 10, 3), dtype=np.uint8)
    frames, keypoints = [], []
    for i in range(FRAMES):
        dx, dy = direction[0] * STEP * i, direction[1] * STEP * i
        frame = background.copy()
        frame[28 + dy:46 + dy, 61 + dx:71 + dx] = texture  # the elbow (66, 32) to the wrist (66, 44)
        frames.append(frame)
        keypoints.append(_figure((dx, dy)))
    return frames, keypoints


@pytest.mark.parametrize("direction, name", [((1, 0), "right"), ((0, -1), "up"), ((-1, 0), "left"),
                                             ((0, 1), "down")])
def test_a_moving_forearm_moves_its_own_part_the_right_way(direction, name):
    frames, keypoints = _clip(direction)
    parts = describe(frames, keypoints, thickness=7)
    arm = parts["right arm"]
    dx, dy = arm["vector"]
    along = dx * direction[0] + dy * direction[1]  # the motion's own axis
    across = abs(dx * direction[1]) + abs(dy * direction[0])
    assert along > 0.5 * STEP and across < 0.3 * along, arm
    assert max(arm["directions"], key=arm["directions"].get) == name and arm["directions"][name] > 0.6, arm
    for still in ("left leg", "right leg", "head"):
        assert parts[still]["magnitude"] < 0.2 * arm["magnitude"], (still, parts[still], arm)
    assert arm["pairs"] == FRAMES - 1 and 55 < arm["centre"][0] < 80


def test_a_part_with_no_visible_joints_has_no_descriptor():
    frames, keypoints = _clip((1, 0))
    hidden = [[(x, y, 0) if j in (11, 13, 15) else (x, y, v) for j, (x, y, v) in enumerate(k)] for k in keypoints]
    parts = describe(frames, hidden)
    assert parts["left leg"] is None and parts["right arm"] is not None
