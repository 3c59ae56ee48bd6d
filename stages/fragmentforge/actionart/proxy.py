"""ActionArt's proxy tasks (§4), labelled by the teacher from unlabelled frames of training videos:

  pose description   one frame, one named person: posture and where each hand is
  spatial difference two frames of a keyframe window: which parts moved which way
  action units       two frames of one person, cropped to them: a fine-grained action label;
                     units from different videos are then concatenated into pseudo-long clips
                     whose action sequence is known (FGQA)

Only train-split videos are used, so no benchmark video is seen. The ground-truth teacher
answers from the AVA rows and keypoints; a model teacher sees the images.
"""
from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

from fragmentforge.actionart.benchmark import POSTURES
from fragmentforge.actionart.poses import DIRECTIONS, HAND_BANDS, TRACKED, hand_band, moved
from fragmentforge.microactions.vocabulary import BODY_LEVEL
from fragmentforge.tasks.finebench_questions import MIN_GAP_NORMALISED, refer
from fragmentforge.tasks.registry import TaskOptions
from fragmentforge.teacher.ground_truth import MissingAnnotation
from fragmentforge.teacher.request import TeacherRequest, prompt_text

POSE, DIFFERENCE, UNIT, CLIP = "pose_description", "pose_difference", "action_unit", "pseudo_clip"
UNIT_LABELS = sorted(set(BODY_LEVEL) | {"walk", "wave at", "point at"})
SCHEMAS = {
    POSE: {"type": "object", "additionalProperties": False,
           "required": ["posture", "left_hand", "right_hand", "description"],
           "properties": {"posture": {"enum": [*POSTURES.values(), "Other"]},
                          "left_hand": {"enum": [*HAND_BANDS, "Hidden"]}, "right_hand": {"enum": [*HAND_BANDS, "Hidden"]},
                          "description": {"type": "string", "minLength": 5}}},
    DIFFERENCE: {"type": "object", "additionalProperties": False, "required": ["changes", "summary"],
                 "properties": {"changes": {"type": "array", "items": {
                     "type": "object", "additionalProperties": False, "required": ["part", "direction"],
                     "properties": {"part": {"enum": list(TRACKED)}, "direction": {"enum": list(DIRECTIONS)}}}},
                     "summary": {"type": "string"}}},
    UNIT: {"type": "object", "additionalProperties": False, "required": ["label"],
           "properties": {"label": {"enum": UNIT_LABELS}}},
}


def _pose_at(truth: dict, frame: int, person: int):
    for f in truth.get("poses", ()):
        if f["frame"] == frame:
            return next((p["keypoints"] for p in f["people"] if p["person_id"] == person), None)
    return None


def requests_for(video: dict, truth: dict, windows: dict, units_dir: Path, root: Path) -> list[tuple]:
    """(request, subject row fields) for one train video. `windows`: keyframe second -> label set row."""
    out = []
    for keyframe in truth.get("keyframes", ()):
        window = windows.get(keyframe["second"])
        if window is None or len(window["frame_paths"]) < 5:
            continue
        boxes = {p["person_id"]: p["box"] for p in keyframe["people"]}
        positions, paths = window["frame_positions"], window["frame_paths"]
        middle, first, last = len(paths) // 2, 0, len(paths) - 1
        for person in keyframe["people"]:
            pid = person["person_id"]
            who = refer(boxes, pid, MIN_GAP_NORMALISED)
            if who is None:
                continue
            names = {a["name"] for a in person["actions"]}
            base = {"video_id": video["video_id"], "person_id": pid, "second": keyframe["second"], "who": who}
            at = _pose_at(truth, int(positions[middle]), pid)
            before, after = _pose_at(truth, int(positions[first]), pid), _pose_at(truth, int(positions[last]), pid)
            item = f"{video['video_id']}:p{pid}:{keyframe['second']:g}"
            out.append((TeacherRequest(f"{POSE}:{item}", POSE, prompt_text(POSE, who=who), SCHEMAS[POSE],
                                       images=(str(root / paths[middle]),),
                                       subject={"names": sorted(names), "keypoints": at}),
                        {**base, "frames": [paths[middle]]}))
            out.append((TeacherRequest(f"{DIFFERENCE}:{item}", DIFFERENCE, prompt_text(DIFFERENCE, who=who),
                                       SCHEMAS[DIFFERENCE], images=(str(root / paths[first]), str(root / paths[last])),
                                       subject={"before": before, "after": after}),
                        {**base, "frames": [paths[first], paths[last]]}))
            crops = _crop_unit(root, [paths[first], paths[last]], person["box"], units_dir, item)
            if crops:
                out.append((TeacherRequest(f"{UNIT}:{item}", UNIT, prompt_text(UNIT, labels=", ".join(UNIT_LABELS)),
                                           SCHEMAS[UNIT], images=tuple(str(root / c) for c in crops),
                                           subject={"names": sorted(names)}),
                            {**base, "frames": crops}))
    return out


def _crop_unit(root: Path, paths: list[str], box: list[float], units_dir: Path, item: str) -> list[str] | None:
    """The two frames cropped to a padded square around the person's box (normalised x1, y1, x2, y2)."""
    from PIL import Image

    out = []
    for k, rel in enumerate(paths):
        with Image.open(root / rel) as image:
            w, h = image.size
            cx, cy = (box[0] + box[2]) / 2 * w, (box[1] + box[3]) / 2 * h
            side = max((box[2] - box[0]) * w, (box[3] - box[1]) * h) * 1.2
            if side < 8:
                return None
            crop = image.crop((int(cx - side / 2), int(cy - side / 2), int(cx + side / 2), int(cy + side / 2)))
            name = units_dir / f"{item.replace(':', '_')}-{k}.jpg"
            name.parent.mkdir(parents=True, exist_ok=True)
            crop.convert("RGB").resize((112, 112)).save(name, quality=90)
            out.append(name.relative_to(root).as_posix())
    return out


def ground_truth_pose(subject: dict) -> dict:
    keypoints, names = subject["keypoints"], set(subject["names"])
    if keypoints is None:
        raise MissingAnnotation("no keypoints for this person in this frame")
    posture = [POSTURES[a] for a in names if a in POSTURES]
    hands = {side: hand_band(keypoints, side) or "Hidden" for side in ("left", "right")}
    stance = posture[0] if len(posture) == 1 else "Other"
    return {"posture": stance, "left_hand": hands["left"], "right_hand": hands["right"],
            "description": f"{stance}; left hand: {hands['left'].lower()}; right hand: {hands['right'].lower()}."}


def ground_truth_difference(subject: dict) -> dict:
    before, after = subject["before"], subject["after"]
    if before is None or after is None:
        raise MissingAnnotation("no keypoints for this person in one of the frames")
    changes = [{"part": part, "direction": way} for part in TRACKED
               if (way := moved(before, after, part, least=3.0)) is not None]
    summary = "; ".join(f"{c['part']}: {c['direction'].lower()}" for c in changes) or "no clear change"
    return {"changes": changes, "summary": summary}


def ground_truth_unit(subject: dict) -> dict:
    labels = [a for a in subject["names"] if a in UNIT_LABELS]
    if len(labels) != 1:
        raise MissingAnnotation(f"{len(labels)} unit labels at this keyframe ({', '.join(labels) or 'none'})")
    return {"label": labels[0]}


ANSWERERS = {POSE: ground_truth_pose, DIFFERENCE: ground_truth_difference, UNIT: ground_truth_unit}


def pseudo_clips(units: list[dict], length: int, seed: int) -> list[dict]:
    """Labelled units (rows with video_id, frames, label) concatenated `length` at a time, each clip
    from different videos and different labels; a clip is filed under its first unit's video."""
    rng = random.Random(f"{seed}:pseudo-clips")
    pool = sorted(units, key=lambda u: (u["video_id"], u["frames"][0]))
    rng.shuffle(pool)
    clips = []
    for start in pool:
        chosen = [start]
        for u in pool:
            if len(chosen) == length:
                break
            if u["video_id"] not in {c["video_id"] for c in chosen} and u["label"] not in {c["label"] for c in chosen}:
                chosen.append(u)
        if len(chosen) == length:
            clips.append({"video_id": start["video_id"], "labels": [c["label"] for c in chosen],
                          "frames": [f for c in chosen for f in c["frames"]],
                          "units": [c["item_id"] for c in chosen]})
    return clips


@dataclass(frozen=True)
class ProxyOptions(TaskOptions):
    """A proxy task's options: it has no test split, so the gate asks for no test records."""

    min_test: int = 0


def train_rows(ctx, kind: str):
    """The teacher's usable labels of one kind for a train-split video (none for a test one)."""
    if ctx.split != "train":
        return
    for row in ctx.labels.get(kind, ()):
        if row["status"] == "ok":
            yield row


def subject_json(value: dict) -> str:
    return json.dumps(value, sort_keys=True)
