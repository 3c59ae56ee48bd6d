"""The action vocabulary of the synthetic world, in the spirit of Something-Something v2.

Each action turns normalised time t in [0, 1] into object poses (centre x, centre y,
radius, angle), an optional hand box and a camera offset, all in pixels.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np


@dataclass(frozen=True)
class Stage:
    """What an action plans with: frame size, object radii and a seeded generator."""

    width: int
    height: int
    radii: tuple[float, ...]
    rng: np.random.Generator

    def jitter(self, scale: float = 0.04) -> float:
        return float(self.rng.uniform(-scale, scale))


@dataclass
class Motion:
    poses: np.ndarray  # (frames, objects, 4): cx, cy, r, angle
    hand: Optional[np.ndarray] = None  # (frames, 4): x0, y0, x1, y1
    camera_dx: Optional[np.ndarray] = None  # (frames,) world-to-view shift


@dataclass(frozen=True)
class Action:
    name: str
    template: str
    n_objects: int
    effect_type: str
    plan: Callable[[np.ndarray, Stage], Motion]
    completed: bool = True
    shapes: Optional[tuple[str, ...]] = None  # shapes allowed for the first object
    second_shapes: Optional[tuple[str, ...]] = None  # ... and for the second
    marker: bool = False  # draw a bar on the first object so rotation shows
    z_order: tuple[int, ...] = field(default=(0, 1))


def _lerp(a, b, t):
    return a + (b - a) * t


def _track(t, x, y, r, angle=0.0):
    """Stack per-frame values (scalars broadcast) into an (frames, 4) pose array."""
    cols = [np.broadcast_to(np.asarray(v, dtype=float), t.shape) for v in (x, y, r, angle)]
    return np.stack(cols, axis=-1)


def _poses(*tracks):
    return np.stack(tracks, axis=1)


def _horizontal(direction: int):
    def plan(t, s: Stage):
        x0, x1 = (0.22 + s.jitter()) * s.width, (0.78 + s.jitter()) * s.width
        if direction < 0:
            x0, x1 = x1, x0
        y = (0.5 + s.jitter(0.15)) * s.height
        return Motion(_poses(_track(t, _lerp(x0, x1, t), y, s.radii[0])))
    return plan


def _vertical(y_from: float, y_to: float, ease: Callable[[np.ndarray], np.ndarray]):
    def plan(t, s: Stage):
        x = (0.5 + s.jitter(0.15)) * s.width
        y = _lerp((y_from + s.jitter()) * s.height, (y_to + s.jitter()) * s.height, ease(t))
        return Motion(_poses(_track(t, x, y, s.radii[0])))
    return plan


def _scale(r_from: float, r_to: float):
    def plan(t, s: Stage):
        x, y = (0.5 + s.jitter()) * s.width, (0.5 + s.jitter()) * s.height
        return Motion(_poses(_track(t, x, y, _lerp(r_from, r_to, t) * s.radii[0])))
    return plan


def _rotate(t, s: Stage):
    turns = float(s.rng.uniform(0.4, 0.9)) * (1 if s.rng.random() < 0.5 else -1)
    x, y = (0.5 + s.jitter()) * s.width, (0.5 + s.jitter()) * s.height
    return Motion(_poses(_track(t, x, y, s.radii[0], 2 * math.pi * turns * t)))


def _cross_edge(entering: bool):
    def plan(t, s: Stage):
        r = s.radii[0]
        outside, inside = -1.5 * r, (0.45 + s.jitter()) * s.width
        x = _lerp(outside, inside, t) if entering else _lerp(inside, outside, t)
        return Motion(_poses(_track(t, x, (0.5 + s.jitter(0.15)) * s.height, r)))
    return plan


def _cover(t, s: Stage):
    r_hidden, y = s.radii[0], (0.5 + s.jitter(0.1)) * s.height
    x = (0.62 + s.jitter()) * s.width
    r_cover = 1.6 * r_hidden
    x_cover = _lerp(0.9 * r_cover, x, np.minimum(1.0, t / 0.75))
    return Motion(_poses(_track(t, x, y, r_hidden), _track(t, x_cover, y, r_cover)))


def _pair(gap_from: float, gap_to: float, ease=lambda t: t):
    """Two objects on one row whose centre distance goes from gap_from to gap_to (x width)."""
    def plan(t, s: Stage):
        mid, y = (0.5 + s.jitter()) * s.width, (0.5 + s.jitter(0.15)) * s.height
        half = _lerp(gap_from, gap_to, ease(t)) * s.width / 2
        return Motion(_poses(_track(t, mid - half, y, s.radii[0]), _track(t, mid + half, y, s.radii[1])))
    return plan


def _collide(t, s: Stage):
    mid, y = (0.5 + s.jitter()) * s.width, (0.5 + s.jitter(0.15)) * s.height
    contact = (s.radii[0] + s.radii[1]) * 0.92
    start = 0.75 * s.width
    # Close in until contact at t=0.6, then bounce back a little.
    gap = np.where(t < 0.6, _lerp(start, contact, t / 0.6), _lerp(contact, contact + 0.12 * s.width, (t - 0.6) / 0.4))
    return Motion(_poses(_track(t, mid - gap / 2, y, s.radii[0]), _track(t, mid + gap / 2, y, s.radii[1])))


def _pass(t, s: Stage):
    y0, y1 = (0.36 + s.jitter(0.03)) * s.height, (0.64 + s.jitter(0.03)) * s.height
    a, b = 0.12 * s.width, 0.88 * s.width
    return Motion(_poses(_track(t, _lerp(a, b, t), y0, s.radii[0]), _track(t, _lerp(b, a, t), y1, s.radii[1])))


def _place_on(success: bool):
    def plan(t, s: Stage):
        r_top, r_base = s.radii[0], 1.5 * s.radii[1]
        base_x, base_y = (0.62 + s.jitter()) * s.width, s.height - 0.82 * r_base - 4
        top_y = base_y - 0.82 * r_base - 0.82 * r_top
        start_x, start_y = 0.18 * s.width, 0.2 * s.height
        if success:
            x = _lerp(start_x, base_x, np.minimum(1.0, t / 0.7))
            y = _lerp(start_y, top_y, np.minimum(1.0, t / 0.7) ** 2)
        else:
            # Reaches the top edge off-centre, then slides off the far side and drops.
            over = base_x + 0.82 * r_base + r_top
            x = np.where(t < 0.55, _lerp(start_x, base_x - 0.2 * r_base, t / 0.55),
                         _lerp(base_x - 0.2 * r_base, over, np.minimum(1.0, (t - 0.55) / 0.25)))
            floor_y = s.height - r_top - 2
            y = np.where(t < 0.55, _lerp(start_y, top_y, (t / 0.55) ** 2),
                         np.where(t < 0.8, top_y, _lerp(top_y, floor_y, np.minimum(1.0, (t - 0.8) / 0.15) ** 2)))
        return Motion(_poses(_track(t, x, y, r_top), _track(t, base_x, base_y, r_base)))
    return plan


def _still(t, s: Stage):
    x, y = (0.5 + s.jitter(0.2)) * s.width, (0.5 + s.jitter(0.2)) * s.height
    return Motion(_poses(_track(t, x, y, s.radii[0])))


def _pan(t, s: Stage):
    x, y = (0.62 + s.jitter()) * s.width, (0.5 + s.jitter(0.15)) * s.height
    return Motion(_poses(_track(t, x, y, s.radii[0])), camera_dx=_lerp(0.0, 0.35 * s.width, t))


def _hand_move(pushing: bool):
    """A hand behind the object (pushing) or ahead of it holding on (pulling)."""
    def plan(t, s: Stage):
        r = s.radii[0]
        x = _lerp(0.25 * s.width, 0.72 * s.width, t)
        y = (0.55 + s.jitter(0.1)) * s.height
        hand_w, hand_h = 0.9 * r, 1.1 * r
        if pushing:
            hx0 = x - 0.82 * r - hand_w
        else:
            hx0 = x + 0.82 * r
        hand = np.stack([hx0, np.full_like(t, y - hand_h / 2), hx0 + hand_w, np.full_like(t, y + hand_h / 2)], axis=-1)
        return Motion(_poses(_track(t, x, y, r)), hand=hand)
    return plan


def _along_floor(rolling: bool):
    def plan(t, s: Stage):
        r = s.radii[0]
        x = _lerp(0.18 * s.width, 0.8 * s.width, t)
        y = s.height - r - 3
        start_angle = float(s.rng.uniform(0, math.pi))
        angle = start_angle + ((x - x[0]) / r if rolling else 0.0)
        return Motion(_poses(_track(t, x, y, r, angle)))
    return plan


def _ease_in(t):
    return t * t


def _ease_out(t):
    return 1 - (1 - t) ** 2


_VOCABULARY = [
    Action("move_left_to_right", "Moving [something] from left to right", 1, "position", _horizontal(+1)),
    Action("move_right_to_left", "Moving [something] from right to left", 1, "position", _horizontal(-1)),
    Action("move_up", "Moving [something] up", 1, "position", _vertical(0.78, 0.24, lambda t: t)),
    Action("move_down", "Moving [something] down", 1, "position", _vertical(0.22, 0.76, lambda t: t)),
    Action("falling", "[Something] falling like a rock", 1, "position", _vertical(0.15, 0.8, _ease_in)),
    Action("rising", "[Something] rising up", 1, "position", _vertical(0.82, 0.3, _ease_out)),
    Action("towards_camera", "Moving [something] closer to the camera", 1, "physical", _scale(0.7, 1.7)),
    Action("away_from_camera", "Moving [something] away from the camera", 1, "physical", _scale(1.7, 0.7)),
    Action("rotating", "Turning [something] around", 1, "intensity", _rotate,
           shapes=("square", "triangle", "diamond")),
    Action("entering", "[Something] entering the frame", 1, "quantity", _cross_edge(True)),
    Action("leaving", "[Something] leaving the frame", 1, "quantity", _cross_edge(False)),
    Action("covering", "Covering [something] with [something]", 2, "quantity", _cover,
           second_shapes=("square",)),
    Action("approaching", "Moving [something] and [something] closer to each other", 2, "distance",
           _pair(0.7, 0.36)),
    Action("separating", "Moving [something] and [something] away from each other", 2, "distance",
           _pair(0.36, 0.72)),
    Action("colliding", "Moving [something] and [something] so they collide with each other", 2,
           "multiple_object", _collide),
    Action("passing", "Moving [something] and [something] so they pass each other", 2,
           "multiple_object", _pass),
    Action("putting_on", "Putting [something] on top of [something]", 2, "completion", _place_on(True),
           second_shapes=("square",)),
    Action("failing_to_put_on", "Trying but failing to put [something] on top of [something]", 2,
           "completion", _place_on(False), completed=False, second_shapes=("square",)),
    Action("nothing_moving", "[Something] not moving at all", 1, "slight_movement", _still),
    Action("camera_pan", "Camera panning right past [something]", 1, "camera", _pan),
    Action("pushing_left_to_right", "Pushing [something] from left to right", 1, "position", _hand_move(True)),
    Action("pulling_left_to_right", "Pulling [something] from left to right", 1, "position", _hand_move(False)),
    Action("rolling", "Letting [something] roll along a flat surface", 1, "intensity", _along_floor(True),
           shapes=("circle",), marker=True),
    Action("sliding", "Sliding [something] across a flat surface", 1, "intensity", _along_floor(False),
           shapes=("circle",), marker=True),
]

ACTIONS: dict[str, Action] = {a.name: a for a in _VOCABULARY}

# Pairs that look alike but differ (the papers' "visual synonyms"); symmetric.
_SYNONYM_PAIRS = [
    ("pushing_left_to_right", "pulling_left_to_right"),
    ("rolling", "sliding"),
    ("approaching", "passing"),
    ("approaching", "colliding"),
    ("putting_on", "failing_to_put_on"),
    ("move_down", "falling"),
    ("move_up", "rising"),
    ("leaving", "covering"),
    ("move_right_to_left", "camera_pan"),
]
VISUAL_SYNONYMS: dict[str, tuple[str, ...]] = {
    name: tuple(sorted({b for a, b in _SYNONYM_PAIRS if a == name} | {a for a, b in _SYNONYM_PAIRS if b == name}))
    for name in ACTIONS
}
