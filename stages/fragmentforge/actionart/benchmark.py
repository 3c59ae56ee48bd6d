"""ActionArt's benchmark questions (its eight sub-tasks as tags), from the people world's ground
truth: the AVA rows at keyframes and the COCO keypoints of every frame.

Each question follows one named person through `frames` evenly spaced frames of the whole clip,
numbered in the question, and has four options:
  AC   action count: how many times an oscillating action repeats (peaks of the moving joint)
  AR   action recognition: which body-part action they make in one frame (on a keyframe)
  AS   action sequence: the order of two of their actions
  GS   global spatial: their posture in one frame
  HOI  human-object interaction: what they do with an object in one frame (on a keyframe)
  LS   local spatial: where one hand is in one frame, against head, shoulders and hips
  MV   moving direction: which way a part moves between two consecutive frames
  TL   temporal localization: at which keyframe moment they do an action
"""
from __future__ import annotations

import numpy as np

from fragmentforge.actionart.poses import DIRECTIONS, HAND_BANDS, JOINTS, TRACKED, hand_band, moved
from fragmentforge.microactions import questions as q
from fragmentforge.microactions.vocabulary import BODY_LEVEL
from fragmentforge.motion.extract import CLIP_SET_ID
from fragmentforge.synthetic.people.vocabulary import BY_NAME, OBJECT, similar

TAGS = ("AC", "AR", "AS", "GS", "HOI", "LS", "MV", "TL")
POSTURES = {"stand": "Standing", "sit": "Sitting", "lie down": "Lying down", "crouch": "Crouching",
            "bend": "Bending over"}
PART_ACTIONS = (set(BODY_LEVEL) | {"wave at", "point at"}) - set(POSTURES)
SEQUENCED = set(BY_NAME) - {"stand", "hold", "watch"}
# oscillating actions: the joint that repeats, the axis, and +1 to count maxima, -1 minima
REPEATS = {"nod": ("nose", 1, 1), "shake head": ("nose", 0, 1), "tap foot": ("right ankle", 1, -1),
           "wave at": ("right wrist", 0, 1)}
INTRO = ("These {n} frames of the clip are numbered 1 to {n} (frame 1 at {first:.2f} s, frame {n} at {last:.2f} s); "
         "the question is about {who}. ")


def shown_frames(ctx, n: int, seconds=()):
    """(positions, times, paths) of n evenly spaced frames of the labelled clip, each moved onto a
    keyframe's own frame when one is nearer than half the spacing (questions about one frame are
    asked of keyframe frames only: the rows say what happens there), or None."""
    clip = next((s for s in ctx.sets if s.set_id == CLIP_SET_ID), None)
    if clip is None or len(clip.paths) < n or len(clip.times) != len(clip.paths):
        return None
    picks = [int(i) for i in np.round(np.linspace(0, len(clip.paths) - 1, n))]
    spacing = (len(clip.paths) - 1) / max(1, n - 1)
    for second in seconds:
        on = int(np.argmin([abs(t - second) for t in clip.times]))
        nearest = min(range(n), key=lambda k: abs(picks[k] - on))
        if abs(picks[nearest] - on) <= spacing / 2 and on not in picks:
            picks[nearest] = on
    picks = sorted(set(picks))
    if len(picks) < n:
        return None
    return ([clip.positions[i] for i in picks], [clip.times[i] for i in picks], [clip.paths[i] for i in picks])


def _labels(truth: dict, person: int) -> list[tuple[float, set]]:
    out = []
    for k in truth["keyframes"]:
        names = {a["name"] for p in k["people"] if p["person_id"] == person for a in p["actions"]}
        out.append((k["second"], names))
    return out


def _four(correct: str, others: list[str], rng) -> tuple[str, list[str]] | None:
    others = [o for o in dict.fromkeys(others) if o != correct]
    if len(others) < 3:
        return None
    rng.shuffle(others)
    return correct, others[:3]


def _not_done(candidates, done: set, near: str | None = None) -> list[str]:
    first = [a.name for a in similar(BY_NAME[near])] if near else []
    return [a for a in first + sorted(candidates) if a in candidates and a not in done]


def questions(ctx, n_frames: int, rng) -> list[dict]:
    truth = ctx.truth
    if not truth or truth.get("world") != "ava" or not truth.get("poses"):
        return []
    frames = shown_frames(ctx, n_frames, [k["second"] for k in truth["keyframes"]])
    if frames is None:
        return []
    positions, times, paths = frames
    poses = {f["frame"]: {p["person_id"]: p["keypoints"] for p in f["people"]} for f in truth["poses"]}
    duration = times[-1] + (times[-1] - times[0]) / max(1, len(times) - 1)
    fps = (positions[-1] - positions[0]) / (times[-1] - times[0]) if times[-1] > times[0] else 0.0
    if fps <= 0:
        return []
    step = 1.0 / fps  # "on a keyframe": within half a frame of its second
    people = sorted({p["person_id"] for k in truth["keyframes"] for p in k["people"]})
    out = []
    for person in people:
        who = q.who(truth, person, 0.0, duration)
        if who is None:
            continue
        intro = INTRO.format(n=n_frames, first=times[0], last=times[-1], who=who)
        labels = _labels(truth, person)
        done = set().union(*(names for _, names in labels)) if labels else set()
        shown = [poses.get(int(round(p)), {}).get(person) for p in positions]
        found = {
            "GS": _gs(labels, times, step, rng), "LS": _ls(shown, rng), "MV": _mv(shown),
            "AR": _ar(labels, times, step, rng), "HOI": _hoi(labels, times, step, rng), "TL": _tl(labels, rng),
            "AS": _as(labels, rng),
            "AC": _ac(labels, poses, person, fps),
        }
        for tag, item in sorted(found.items()):
            if item is not None:
                question, (correct, distractors) = item
                out.append({"tag": tag, "person_id": person, "question": intro + question, "correct": correct,
                            "distractors": distractors, "frames": list(paths)})
    return out


def _gs(labels, times, step, rng):
    for k, t in enumerate(times):
        near = [names for s, names in labels if abs(s - t) <= step / 2]
        if len(near) == 1:
            posture = [POSTURES[a] for a in near[0] if a in POSTURES]
            if len(posture) == 1:
                four = _four(posture[0], list(POSTURES.values()), rng)
                return (f"In frame {k + 1}, what is their posture?", four) if four else None
    return None


def _ls(shown, rng):
    sides = ["right", "left"]
    rng.shuffle(sides)
    for side in sides:
        for k, keypoints in enumerate(shown):
            band = hand_band(keypoints, side) if keypoints else None
            if band is not None:
                return f"In frame {k + 1}, where is their {side} hand?", (band, [b for b in HAND_BANDS if b != band])
    return None


def _mv(shown):
    best = None
    for k in range(len(shown) - 1):
        if shown[k] is None or shown[k + 1] is None:
            continue
        for part in TRACKED:
            way = moved(shown[k], shown[k + 1], part, least=5.0)
            if way is not None and best is None:
                best = (k, part, way)
    if best is None:
        return None
    k, part, way = best
    subject = "they move as a whole" if part == "whole body" else f"their {part} move"
    return (f"Between frame {k + 1} and frame {k + 2}, which way does {subject}?",
            (way, [d for d in DIRECTIONS if d != way]))


def _at_keyframe(labels, times, step, wanted: set, rng):
    """(frame number, the labels there) of a shown frame on a keyframe where the person does one
    of `wanted`: the rows list everything done at that moment, so distractors are sure to be wrong."""
    found = []
    for k, t in enumerate(times):
        near = [names for s, names in labels if abs(s - t) <= step / 2]
        if len(near) == 1 and near[0] & wanted:
            found.append((k + 1, near[0]))
    return found[rng.randrange(len(found))] if found else None


def _ar(labels, times, step, rng):
    hit = _at_keyframe(labels, times, step, PART_ACTIONS, rng)
    if hit is None:
        return None
    k, names = hit
    action = sorted(names & PART_ACTIONS)[0]
    four = _four(q.option(action), [q.option(a) for a in _not_done(PART_ACTIONS, names, action)], rng)
    return (f"In frame {k}, which of these movements are they making?", four) if four else None


def _hoi(labels, times, step, rng):
    objects = {a.name for a in BY_NAME.values() if a.category == OBJECT}
    hit = _at_keyframe(labels, times, step, objects, rng)
    if hit is None:
        return None
    k, names = hit
    action = (sorted((names & objects) - {"hold"}) or sorted(names & objects))[0]
    four = _four(q.option(action), [q.option(a) for a in _not_done(objects, names, action)], rng)
    return (f"In frame {k}, what are they doing with an object?", four) if four else None


def _tl(labels, rng):
    candidates = sorted({a for _, names in labels for a in names} & SEQUENCED)
    rng.shuffle(candidates)
    for action in candidates:
        at = [s for s, names in labels if action in names]
        free = [s for s, names in labels if action not in names]
        if len(free) >= 3:
            wrong = [f"At about {s:.1f} s" for s in free]
            rng.shuffle(wrong)
            return f"At which moment are they {BY_NAME[action].phrase}?", (f"At about {at[0]:.1f} s", wrong[:3])
    return None


def _as(labels, rng):
    first: dict[str, float] = {}
    for s, names in labels:
        for a in names & SEQUENCED:
            first.setdefault(a, s)
    ordered = sorted(first.items(), key=lambda kv: kv[1])
    if len(ordered) < 2 or ordered[0][1] == ordered[1][1]:
        return None
    (a, _), (b, _) = ordered[:2]
    others = [c for c in _not_done(SEQUENCED, set(first), b)]
    if not others:
        return None
    c = others[0]
    text = lambda x, y: f"{q.option(x)}, then {BY_NAME[y].phrase}"  # noqa: E731
    return "In which order do they do these?", (text(a, b), [text(b, a), text(a, c), text(c, b)])


def count_repeats(signal: list[float], sign: int, prominence: float = 1.0) -> int:
    x = [sign * v for v in signal]
    peaks = 0
    for i in range(1, len(x) - 1):
        window = x[max(0, i - 3):i + 4]
        if x[i] > x[i - 1] and x[i] >= x[i + 1] and x[i] - min(window) >= prominence:
            peaks += 1
    return peaks


def _ac(labels, poses, person, fps):
    for action, (joint, axis, sign) in REPEATS.items():
        at = [s for s, names in labels if action in names]
        if not at:
            continue
        span = [f for f in sorted(poses) if person in poses[f] and any(abs(f / fps - s) <= 0.5 for s in at)]
        n = count_repeats([poses[f][person][JOINTS[joint]][axis] for f in span], sign)
        if n < 1:
            continue
        word = lambda c: f"{c} time{'s' * (c != 1)}"  # noqa: E731
        wrong = [word(n + d) for d in (-1, 1, 2, 3) if n + d >= 1][:3]
        return f"How many times do they repeat {BY_NAME[action].phrase}?", (word(n), wrong)
    return None
