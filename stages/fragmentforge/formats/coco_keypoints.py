"""COCO person keypoints, for video frames.

`images` are frames: COCO's id, width and height, with the video's file as `file_name` and the
frame's `frame_index` (as PoseTrack numbers frames); `annotations` are one person in one frame:
17 keypoints as flat [x, y, v] triples (v: 0 not labelled, 1 hidden, 2 visible), `bbox` as
[x, y, width, height], and `track_id` the person across frames. Reading checks every
annotation and keeps the bad ones apart with a reason.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from fragmentforge.synthetic.people.skeleton import COCO_KEYPOINTS, COCO_SKELETON

CATEGORY = {"id": 1, "name": "person", "supercategory": "person", "keypoints": list(COCO_KEYPOINTS),
            "skeleton": [list(edge) for edge in COCO_SKELETON]}


@dataclass(frozen=True)
class PersonKeypoints:
    video: str
    frame_index: int
    track_id: int
    keypoints: tuple[tuple[float, float, int], ...]  # 17, COCO's order
    bbox: tuple[float, float, float, float]  # x, y, width, height


def to_coco(people: list[PersonKeypoints], sizes: dict[str, tuple[int, int]]) -> dict:
    """`sizes`: video -> (width, height)."""
    images, annotations, image_ids = [], [], {}
    for p in sorted(people, key=lambda p: (p.video, p.frame_index, p.track_id)):
        key = (p.video, p.frame_index)
        if key not in image_ids:
            image_ids[key] = len(image_ids) + 1
            width, height = sizes[p.video]
            images.append({"id": image_ids[key], "file_name": p.video, "frame_index": p.frame_index,
                           "width": width, "height": height})
        flat = [v for x, y, vis in p.keypoints for v in (round(x, 2), round(y, 2), int(vis))]
        annotations.append({"id": len(annotations) + 1, "image_id": image_ids[key], "category_id": 1,
                            "track_id": p.track_id, "keypoints": flat,
                            "num_keypoints": sum(1 for _, _, v in p.keypoints if v > 0),
                            "bbox": [round(v, 2) for v in p.bbox], "area": round(p.bbox[2] * p.bbox[3], 2),
                            "iscrowd": 0})
    return {"images": images, "annotations": annotations, "categories": [CATEGORY]}


def write(path: Path, people: list[PersonKeypoints], sizes: dict[str, tuple[int, int]]) -> None:
    Path(path).write_text(json.dumps(to_coco(people, sizes), indent=1) + "\n")


def read(path: Path) -> tuple[list[PersonKeypoints], list[dict]]:
    """(people, problems): a problem is {"annotation": id, "reason": ...}."""
    data = json.loads(Path(path).read_text())
    images = {img["id"]: img for img in data.get("images", [])}
    people, problems = [], []
    for ann in data.get("annotations", []):
        reason = _problem(ann, images)
        if reason:
            problems.append({"annotation": ann.get("id"), "reason": reason})
            continue
        image = images[ann["image_id"]]
        flat = ann["keypoints"]
        points = tuple((float(flat[i]), float(flat[i + 1]), int(flat[i + 2])) for i in range(0, len(flat), 3))
        people.append(PersonKeypoints(image["file_name"], int(image["frame_index"]), int(ann["track_id"]), points,
                                      tuple(float(v) for v in ann["bbox"])))
    return people, problems


def _problem(ann: dict, images: dict) -> str | None:
    if ann.get("image_id") not in images:
        return f"image {ann.get('image_id')!r} is not in images"
    flat = ann.get("keypoints")
    if not isinstance(flat, list) or len(flat) != 3 * len(COCO_KEYPOINTS):
        return f"keypoints must be {3 * len(COCO_KEYPOINTS)} numbers ([x, y, v] for each of COCO's 17)"
    if any(flat[i + 2] not in (0, 1, 2) for i in range(0, len(flat), 3)):
        return "a keypoint's visibility is not 0, 1 or 2"
    image = images[ann["image_id"]]
    bbox = ann.get("bbox")
    if (not isinstance(bbox, list) or len(bbox) != 4 or bbox[2] <= 0 or bbox[3] <= 0 or bbox[0] < 0 or bbox[1] < 0
            or bbox[0] + bbox[2] > image["width"] or bbox[1] + bbox[3] > image["height"]):
        return f"bbox {bbox} is not a box inside the {image['width']}x{image['height']} frame"
    if "track_id" not in ann:
        return "no track_id: the person cannot be followed across frames"
    return None
