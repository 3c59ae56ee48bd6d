"""Compose one synthetic clip from a seed: objects, background, motion, ground truth."""
from __future__ import annotations

import math

import numpy as np

from fragmentforge.synthetic.actions import ACTIONS, VISUAL_SYNONYMS, Action, Stage
from fragmentforge.synthetic.render import SceneObject, make_background, render_clip
from fragmentforge.synthetic.shapes import COLOURS, SHAPES


def clip_rng(seed: int, index: int) -> np.random.Generator:
    """Each clip has its own stream, so clip k is the same whatever the clip count."""
    return np.random.default_rng(np.random.SeedSequence([seed, index]))


def compose_clip(action: Action, rng: np.random.Generator, width: int, height: int,
                 n_frames: int):
    """Return (objects, motion, background) for one clip of `action`."""
    colours = rng.choice(sorted(COLOURS), size=action.n_objects, replace=False)
    objects = []
    for k, colour in enumerate(colours):
        allowed = (action.shapes, action.second_shapes)[k] if k < 2 else None
        allowed = allowed or SHAPES
        shape = str(rng.choice(allowed))
        objects.append(SceneObject(
            name=f"{colour} {shape}", shape=shape, colour=str(colour), rgb=COLOURS[colour],
            marker=action.marker and k == 0, z=action.z_order[k]))
    base_r = min(width, height) * float(rng.uniform(0.09, 0.12))
    radii = tuple(base_r * float(rng.uniform(0.9, 1.1)) for _ in objects)
    stage = Stage(width=width, height=height, radii=radii, rng=rng)
    t = np.linspace(0.0, 1.0, n_frames)
    motion = action.plan(t, stage)
    pan = 0 if motion.camera_dx is None else int(math.ceil(float(np.max(motion.camera_dx))))
    background = make_background(rng, height, width + pan + 1)
    return objects, motion, background


def fill_template(template: str, names: list[str]) -> str:
    text = template
    for name in names:
        lower = text.index("[something]") if "[something]" in text else None
        upper = text.index("[Something]") if "[Something]" in text else None
        if upper is not None and (lower is None or upper < lower):
            text = text.replace("[Something]", name[0].upper() + name[1:], 1)
        else:
            text = text.replace("[something]", name, 1)
    return text


def describe_effect(action: Action, objects: list[SceneObject], frames: list[dict],
                    camera_moved: bool, width: int, height: int) -> dict:
    """What changed between the first and the last frame, from the ground truth itself."""
    first, last = frames[0]["objects"], frames[-1]["objects"]
    scale = min(width, height)
    positions = {}
    for obj, a, b in zip(objects, first, last):
        dx, dy = b["centre"][0] - a["centre"][0], b["centre"][1] - a["centre"][1]
        growth = b["radius"] / a["radius"]
        if growth > 1.25:
            direction = "closer to the camera"
        elif growth < 0.8:
            direction = "farther from the camera"
        elif math.hypot(dx, dy) < 0.08 * scale:
            direction = "stationary"
        elif abs(dx) >= abs(dy):
            direction = "right" if dx > 0 else "left"
        else:
            direction = "down" if dy > 0 else "up"
        positions[obj.name] = {"dx": round(dx, 2), "dy": round(dy, 2), "scale": round(growth, 3),
                               "rotation_deg": round(b["angle_deg"] - a["angle_deg"], 2),
                               "direction": direction}
    distance = None
    if len(objects) == 2:
        def gap(state):
            (x0, y0), (x1, y1) = state[0]["centre"], state[1]["centre"]
            return math.hypot(x1 - x0, y1 - y0)
        start, end = gap(first), gap(last)
        change = "closer" if end < 0.85 * start else "farther" if end > 1.15 * start else "unchanged"
        distance = {"start": round(start, 2), "end": round(end, 2), "change": change}

    def count(state):
        return sum(1 for o in state if o["visibility"] >= 0.05)
    return {
        "type": action.effect_type,
        "position_change": positions,
        "distance_change": distance,
        "count_change": {"start": count(first), "end": count(last), "delta": count(last) - count(first)},
        "completed": action.completed,
        "camera_moved": camera_moved,
    }


def synthesize_clip(clip_id: str, action_name: str, rng: np.random.Generator, width: int,
                    height: int, fps: int, n_frames: int):
    """Render one clip; returns (list of RGB frames, ground-truth dict)."""
    action = ACTIONS[action_name]
    objects, motion, background = compose_clip(action, rng, width, height, n_frames)
    frames, frame_truth = [], []
    for i, (rgb, truth, hand) in enumerate(render_clip(objects, motion, background, width, height)):
        frames.append(rgb)
        frame_truth.append({"index": i, "objects": truth, "hand_box": hand})
    names = [o.name for o in objects]
    camera_moved = motion.camera_dx is not None
    truth = {
        "id": clip_id,
        "width": width, "height": height, "fps": fps, "num_frames": n_frames,
        "action": {
            "label": action.name,
            "template": action.template,
            "text": fill_template(action.template, names),
            "placeholders": names,
            "visual_synonyms": list(VISUAL_SYNONYMS[action.name]),
        },
        "objects": [{"name": o.name, "shape": o.shape, "colour": o.colour, "rgb": list(o.rgb),
                     "marker": o.marker} for o in objects],
        "effect": describe_effect(action, objects, frame_truth, camera_moved, width, height),
        "box_format": "x0, y0, x1, y1 in pixels of visible object pixels; x1, y1 exclusive",
        "frames": frame_truth,
    }
    return frames, truth
