"""Compose one people clip from a seed: who is where, what each does when, and the ground truth.

A person has one movement at a time (stand, walk, sit ...) and at most one overlay of each
kind (an object action, an interaction with another person, a micro-action), so labels are
concurrent where people do two things at once (walking while carrying). Actions start and
end inside the clip. Ground truth per frame and person: COCO-17 keypoints with visibility,
the box of the visible pixels, and the current actions.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np

from fragmentforge.synthetic.people.motions import MOVEMENTS, OVERLAYS
from fragmentforge.synthetic.people.render import (Look, Thing, draw_person, draw_thing, keypoints_seen, person_box)
from fragmentforge.synthetic.people.skeleton import Pose, build_skeleton
from fragmentforge.synthetic.people.vocabulary import BY_NAME, PERSON
from fragmentforge.synthetic.render import make_background

SHIRTS = {"red": (220, 40, 40), "blue": (40, 80, 230), "green": (30, 170, 60), "yellow": (235, 205, 30),
          "purple": (150, 50, 200), "orange": (240, 130, 20), "cyan": (30, 200, 210), "white": (245, 245, 245)}
TROUSERS = ((25, 25, 90), (90, 50, 20), (20, 20, 20), (70, 110, 40))
SKINS = ((240, 200, 160), (200, 150, 110), (150, 100, 70), (110, 70, 45))
STOOL = (60, 60, 60)
THING_COLOURS = {"pink": (250, 110, 200), "lime": (170, 250, 40), "teal": (0, 130, 130)}
SOLO = ("sit", "crouch", "bend", "lie down", "jump", "turn around", "walk", "raise an arm", "raise a leg", "fall")
MICROS = ("nod", "shake head", "shrug", "touch face", "tap foot", "fidget")
OBJECT_SCENES = ("pick up", "put down", "carry", "lift", "throw", "hold", "push an object", "pull an object")
PAIR_SCENES = ("hand something to", "hug", "push a person", "point at", "wave at", "watch", "approach",
               "walk away from")


@dataclass(frozen=True)
class Segment:
    label: str
    start: int  # first frame
    end: int  # one past the last frame
    target: int | None = None  # the other person of an interaction
    towards: float = 1.0  # +1 / -1: the direction in x it moves or faces
    side: str = "right"  # the arm or leg a raise/lower moves
    mode: str = ""  # a walk's variant: "behind box" (pushing or pulling), "pushed" (shoved, no steps)


@dataclass
class PersonPlan:
    index: int
    start: Pose
    look: Look
    colour: str
    movement: list[Segment]
    overlays: list[Segment] = field(default_factory=list)


@dataclass
class ThingPlan:
    thing: Thing
    holder: list[int | None]  # per frame: the person whose hands hold it, or None
    free: list[tuple[float, float]] | None  # per frame: where it is when nobody holds it


def _windows(rng, n: int, parts: int) -> list[int]:
    """Cut points 0 < c1 < ... < n, each part at least n // (2 * parts) frames."""
    least = max(2, n // (2 * parts))
    spare = n - least * parts
    weights = rng.dirichlet(np.ones(parts)) * spare
    cuts, at = [0], 0
    for w in weights:
        at += least + int(w)
        cuts.append(at)
    cuts[-1] = n
    return cuts


def _solo(rng, n: int, person: int, towards: float) -> list[Segment]:
    action = str(rng.choice(SOLO))
    side = str(rng.choice(["left", "right"]))
    if action in ("raise an arm", "raise a leg"):
        c = _windows(rng, n, 5)
        lower = "lower an arm" if action == "raise an arm" else "lower a leg"
        return [Segment("stand", c[0], c[1]), Segment(action, c[1], c[2], side=side), Segment("stand", c[2], c[3]),
                Segment(lower, c[3], c[4], side=side), Segment("stand", c[4], c[5])]
    if action == "fall":
        c = _windows(rng, n, 3)
        return [Segment("stand", c[0], c[1]), Segment("fall", c[1], c[2]), Segment("lie down", c[2], c[3])]
    c = _windows(rng, n, 3)
    return [Segment("stand", c[0], c[1]), Segment(action, c[1], c[2], towards=towards), Segment("stand", c[2], c[3])]


def _micro(rng, n: int, movement: list[Segment]) -> list[Segment]:
    """A micro-action in each of the (at most two) longest standing stretches, different ones."""
    standing = sorted((s for s in movement if s.label == "stand" and s.end - s.start >= 6),
                      key=lambda seg: seg.start - seg.end)[:2]
    picks = [str(m) for m in rng.choice(MICROS, size=len(standing), replace=False)] if standing else []
    return sorted((Segment(m, s.start + 1, s.end) for m, s in zip(picks, standing)), key=lambda seg: seg.start)


def _layout(rng, n_people: int, width: int, height: int):
    """(x, feet y, height) per person, left to right, nearer people lower and larger."""
    slots = (np.arange(n_people) + 0.5) / n_people
    out = []
    for k in range(n_people):
        depth = float(rng.uniform(0, 1))
        h = height * (0.46 + 0.12 * depth) * (1.0 if n_people < 4 else 0.9)
        x = width * float(slots[k] + rng.uniform(-0.06, 0.06) / n_people)
        feet = height * (0.8 + 0.12 * depth)
        out.append((x, feet, h))
    return out


def plan_clip(rng, width: int, height: int, n_frames: int, scene: str | None = None):
    """People, their plans and the objects, for one clip. `scene` forces one scenario."""
    n_people = int(rng.choice([1, 2, 3, 4], p=[0.3, 0.4, 0.15, 0.15]))
    if scene in PAIR_SCENES:
        n_people = max(2, n_people)
    colours = rng.choice(sorted(SHIRTS), size=n_people, replace=False)
    people = []
    for k, (x, feet, h) in enumerate(_layout(rng, n_people, width, height)):
        towards = 1.0 if x < width / 2 else -1.0
        start = Pose(x=x, y=feet - 0.5 * h, height=h, facing=towards * float(rng.choice([1.0, 0.8, 0.5])))
        look = Look(shirt=SHIRTS[str(colours[k])], skin=SKINS[int(rng.integers(len(SKINS)))],
                    trousers=TROUSERS[int(rng.integers(len(TROUSERS)))])
        people.append(PersonPlan(k, start, look, str(colours[k]), _solo(rng, n_frames, k, towards)))
    things: list[ThingPlan] = []
    kind = scene or str(rng.choice(("solo", "object", "pair") if n_people > 1 else ("solo", "object")))
    if kind in PAIR_SCENES or kind == "pair":
        _pair(rng, people, things, n_frames, None if kind == "pair" else kind)
    elif kind in OBJECT_SCENES or kind == "object":
        k = int(rng.integers(n_people))
        _object(rng, people[k], things, n_frames, width, height, None if kind == "object" else kind)
    for person in people:
        if not person.overlays and rng.random() < 0.8:
            person.overlays = _micro(rng, n_frames, person.movement)
        if any(s.label == "sit" for s in person.movement):  # a seat to sit on, there all along
            seat = 0.245 * person.start.height
            stool = Thing("stool", STOOL, (person.start.x, person.start.y + 0.5 * person.start.height - seat / 2), seat)
            things.append(ThingPlan(stool, [None] * n_frames, [stool.centre] * n_frames))
    return people, things


def _new_thing(rng, size: float) -> Thing:
    colour = str(rng.choice(sorted(THING_COLOURS)))
    return Thing(f"{colour} box", THING_COLOURS[colour], (0.0, 0.0), size)


def _object(rng, person: PersonPlan, things: list, n: int, width: int, height: int, scene: str | None) -> None:
    scene = scene or str(rng.choice(OBJECT_SCENES))
    h, p0 = person.start.height, person.start
    f = math.copysign(1.0, p0.facing)
    thing = _new_thing(rng, 0.16 * h if scene not in ("push an object", "pull an object") else 0.3 * h)
    floor = (p0.x + f * 0.28 * h, p0.y + 0.5 * h - thing.size / 2)
    c = _windows(rng, n, 3)
    me = person.index
    holder: list = [me] * n
    free: list | None = [floor] * n
    person.movement = [Segment("stand", 0, n)]
    if scene in ("pick up", "put down"):
        person.movement = [Segment("stand", c[0], c[1]), Segment("bend", c[1], c[2]), Segment("stand", c[2], c[3])]
        grasp = (c[1] + c[2]) // 2  # the hands reach the floor halfway through
        if scene == "pick up":
            person.overlays = [Segment(scene, c[1], c[2]), Segment("hold", c[2], n)]
            holder = [me if i >= grasp else None for i in range(n)]
        else:
            person.overlays = [Segment("hold", 0, c[1]), Segment(scene, c[1], c[2])]
            holder = [me if i < grasp else None for i in range(n)]
    elif scene == "carry":
        person.movement = [Segment("stand", c[0], c[1]), Segment("walk", c[1], c[2], towards=f),
                           Segment("stand", c[2], c[3])]
        person.overlays = [Segment("hold", 0, c[1]), Segment("carry", c[1], c[2]), Segment("hold", c[2], n)]
    elif scene == "lift":
        person.overlays = [Segment("carry", 0, c[1]), Segment("lift", c[1], c[2]), Segment("hold", c[2], n)]
    elif scene == "hold":
        person.overlays = [Segment("hold", 0, n)]
    elif scene == "throw":
        person.overlays = [Segment("hold", 0, c[1]), Segment("throw", c[1], c[2])]
        release = c[1] + (c[2] - c[1]) * 2 // 3
        holder = [me if i < release else None for i in range(n)]
        free = [None] * n  # set once the poses are known: the flight starts from the hand
    else:  # push or pull an object: the person walks and the box slides along in front
        towards = f if scene == "push an object" else -f
        person.movement = [Segment("stand", c[0], c[1]),
                           Segment("walk", c[1], c[2], towards=towards, mode="behind box"),
                           Segment("stand", c[2], c[3])]
        person.overlays = [Segment(scene, c[1], c[2])]
        holder, free = [None] * n, None  # follows the person: computed from the poses
    things.append(ThingPlan(thing, holder, free))


def _pair(rng, people: list[PersonPlan], things: list, n: int, scene: str | None) -> None:
    scene = scene or str(rng.choice(PAIR_SCENES))
    a, b = sorted(rng.choice(len(people), size=2, replace=False)) if len(people) > 2 else (0, 1)
    a, b = int(a), int(b)
    if rng.random() < 0.5:
        a, b = b, a
    pa, pb = people[a], people[b]
    to_b = 1.0 if pb.start.x > pa.start.x else -1.0
    pa.start = replace(pa.start, facing=to_b * abs(pa.start.facing))
    c = _windows(rng, n, 3)
    if scene in ("hug", "hand something to", "push a person"):
        gap = 0.32 * pa.start.height if scene == "hug" else 0.55 * pa.start.height
        middle = (pa.start.x + pb.start.x) / 2
        pa.start = replace(pa.start, x=middle - to_b * gap / 2, facing=to_b)
        pb.start = replace(pb.start, x=middle + to_b * gap / 2, facing=-to_b, y=pa.start.y, height=pa.start.height)
    if scene in ("approach", "walk away from"):
        towards = to_b if scene == "approach" else -to_b
        pa.movement = [Segment("stand", c[0], c[1]), Segment(scene, c[1], c[2], target=b, towards=towards),
                       Segment("stand", c[2], c[3])]
        # walking up to someone while looking at them: two interactions at once
        pa.overlays = [Segment("watch", c[1], c[2], target=b, towards=to_b)] if scene == "approach" else []
    else:
        pa.movement = [Segment("stand", 0, n)]
        pa.overlays = [Segment(scene, c[1], c[2], target=b, towards=to_b)]
        if scene == "point at" and rng.random() < 0.5:
            pa.overlays.append(Segment("watch", c[1], c[2], target=b, towards=to_b))
    pb.movement = [Segment("stand", 0, n)]
    pb.overlays = [Segment("hug", c[1], c[2], target=a, towards=-to_b)] if scene == "hug" else (
        [Segment("watch", c[1], c[2], target=a, towards=-to_b)] if scene in ("point at", "wave at", "approach")
        else [])
    if scene in ("watch", "point at", "wave at"):
        pb.start = replace(pb.start, facing=-to_b * abs(pb.start.facing))
    if scene == "hand something to":
        thing = _new_thing(rng, 0.14 * pa.start.height)
        handover = (c[1] + c[2]) // 2
        pa.overlays = [Segment("hold", 0, c[1]), Segment(scene, c[1], c[2], target=b, towards=to_b)]
        pb.overlays = [Segment("hold", c[2], n)]
        holder = [a if i < handover else b for i in range(n)]
        things.append(ThingPlan(thing, holder, [None] * n))
    if scene == "push a person":
        pb.movement = [Segment("stand", 0, c[1]), Segment("walk", c[1], c[2], towards=to_b, mode="pushed"),
                       Segment("stand", c[2], n)]


def run_movements(person: PersonPlan, n: int, fps: int) -> list[Pose]:
    """The movement pose of every frame: each segment starts where the previous one ended."""
    poses: list[Pose] = [person.start] * n
    base = person.start
    for seg in person.movement:
        frames = seg.end - seg.start
        for i in range(seg.start, seg.end):
            tau = (i - seg.start) / max(1, frames - 1)
            kwargs = dict(towards=seg.towards, frames=frames * 12 / fps, side=seg.side)
            if seg.mode == "pushed":  # carried backwards by a push: no steps
                poses[i] = base.plus(x=seg.towards * 0.25 * base.height * math.sin(math.pi / 2 * tau))
                continue
            poses[i] = MOVEMENTS[seg.label](base, tau, **kwargs)
            if seg.mode == "behind box":  # pushing or pulling: slower, still facing the box
                poses[i] = replace(poses[i], facing=person.start.facing, x=base.x + (poses[i].x - base.x) * 0.6)
        if frames:
            end = poses[seg.end - 1]
            # a walk ends with the legs together again; everything else carries on
            base = replace(end, l_hip=0.0, r_hip=0.0, l_knee=0.0, r_knee=0.0, l_shoulder=base.l_shoulder,
                           r_shoulder=base.r_shoulder) if seg.label in ("walk", "approach", "walk away from") else end
    return poses


def apply_overlays(person: PersonPlan, poses: list[Pose], fps: int) -> list[Pose]:
    out = list(poses)
    for seg in person.overlays:
        frames = seg.end - seg.start
        for i in range(seg.start, seg.end):
            tau = (i - seg.start) / max(1, frames - 1)
            out[i] = OVERLAYS[seg.label](out[i], tau, frames=frames * 12 / fps)
            if seg.target is not None and seg.label in ("watch", "point at", "wave at", "hug", "hand something to",
                                                        "push a person"):
                out[i] = replace(out[i], facing=math.copysign(max(0.5, abs(out[i].facing)), seg.towards)
                                 if seg.label != "watch" else out[i].facing)
    return out


ONE_HANDED = ("hold", "throw", "hand something to")  # the object is in the right hand; else in both


def _grip(person: PersonPlan, i: int) -> str:
    one = any(s.label in ONE_HANDED and s.start <= i < s.end for s in person.overlays)
    return "right" if one else "both"


def _hands(pose: Pose, grip: str) -> tuple[float, float]:
    j = build_skeleton(pose).joints
    if grip == "right":
        return j["right_wrist"]
    (lx, ly), (rx, ry) = j["left_wrist"], j["right_wrist"]
    return (lx + rx) / 2, (ly + ry) / 2


def actions_at(person: PersonPlan, i: int) -> list[dict]:
    """The person's labels at frame i: its movement and every active overlay."""
    out = []
    for seg in person.movement + person.overlays:
        if seg.start <= i < seg.end:
            # walking towards or away from someone is walking too (the movement), and the interaction
            names = ("walk", seg.label) if seg.label in ("approach", "walk away from") else (seg.label,)
            for name in names:
                label = BY_NAME[name]
                target = seg.target if label.category == PERSON else None
                out.append({"id": label.id, "name": label.name, "category": label.category, "target": target})
    return sorted(out, key=lambda a: a["id"])


def people_clip(clip_id: str, rng: np.random.Generator, width: int, height: int, fps: int, n_frames: int,
                scene: str | None = None):
    """Render one clip; returns (RGB frames, ground-truth dict)."""
    people, things = plan_clip(rng, width, height, n_frames, scene)
    poses = [apply_overlays(p, run_movements(p, n_frames, fps), fps) for p in people]
    _place_free_things(things, people, poses, n_frames)
    background = make_background(rng, height, width)
    ys, xs = np.mgrid[0:height, 0:width] + 0.5
    frames, truth_frames = [], []
    order = sorted(range(len(people)), key=lambda k: people[k].start.y + 0.5 * people[k].start.height)
    for i in range(n_frames):
        frame = background.copy()
        labels = np.zeros((height, width), dtype=np.int32)
        placed = []
        for t, plan in enumerate(things):  # objects nobody holds stand behind the people
            if plan.holder[i] is None:
                draw_thing(frame, labels, xs, ys, replace(plan.thing, centre=plan.free[i]), t)
                placed.append((t, plan.free[i], None))
        skeletons = {}
        for k in order:
            skeletons[k] = draw_person(frame, labels, xs, ys, poses[k][i], people[k].look, k)
            for t, plan in enumerate(things):
                if plan.holder[i] == k:
                    centre = _hands(poses[k][i], _grip(people[k], i))
                    draw_thing(frame, labels, xs, ys, replace(plan.thing, centre=centre), t)
                    placed.append((t, centre, k))
        frames.append(frame)
        truth_frames.append({
            "index": i,
            "people": [{"person_id": k, "box": person_box(labels, k), "keypoints": keypoints_seen(skeletons[k], labels, k),
                        "actions": actions_at(people[k], i)} for k in range(len(people))],
            "objects": [{"name": things[t].thing.name, "centre": [round(c[0], 2), round(c[1], 2)], "held_by": by}
                        for t, c, by in sorted(placed)],
        })
    truth = {
        "id": clip_id, "world": "people", "width": width, "height": height, "fps": fps, "num_frames": n_frames,
        "people": [{"person_id": p.index, "shirt": p.colour, "rgb": list(p.look.shirt), "skin": list(p.look.skin),
                    "trousers": list(p.look.trousers)} for p in people],
        "keypoint_format": "COCO-17 [x, y, v] in pixels; v=2 visible, v=1 in frame but hidden, v=0 outside",
        "box_format": "x0, y0, x1, y1 in pixels of visible person pixels; x1, y1 exclusive",
        "frames": truth_frames,
    }
    return frames, truth


def _place_free_things(things: list[ThingPlan], people: list[PersonPlan], poses: list[list[Pose]], n: int) -> None:
    """Positions of objects nobody holds: on the floor, in flight after a throw, or slid by a push."""
    for plan in things:
        if plan.free is None:  # pushed or pulled: it keeps its place in front of the person
            k = next(p.index for p in people if any(s.label in ("push an object", "pull an object")
                                                    for s in p.overlays))
            plan.free = []
            for i in range(n):
                pose = poses[k][i]
                f = math.copysign(1.0, people[k].start.facing)
                reach = 0.3 * pose.height if any(s.label == "push an object" for s in people[k].overlays) else 0.38 * pose.height
                plan.free.append((pose.x + f * (reach + plan.thing.size / 2 - 0.1 * pose.height),
                                  pose.y + 0.5 * pose.height - plan.thing.size / 2))
            continue
        if any(c is None for c in plan.free):
            last = max((i for i in range(n) if plan.holder[i] is not None), default=0)
            holder = plan.holder[last]
            start = _hands(poses[holder][last], _grip(people[holder], last)) if holder is not None else (0.0, 0.0)
            direction = math.copysign(1.0, poses[holder][last].facing) if holder is not None else 1.0
            free = []
            for i in range(n):
                dt = max(0, i - last)
                free.append((start[0] + direction * 4.0 * dt, start[1] - 3.0 * dt + 0.35 * dt * dt))
            plan.free = free
