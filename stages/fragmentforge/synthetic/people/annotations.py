"""The people world's ground truth in the datasets' own formats: AVA rows at keyframe seconds and
COCO keypoints for every frame."""
from __future__ import annotations

from fragmentforge.formats.ava import LABEL_TYPES, ActionEntry, AvaRow
from fragmentforge.formats.coco_keypoints import PersonKeypoints
from fragmentforge.synthetic.people.vocabulary import VOCABULARY


def action_list() -> list[ActionEntry]:
    return [ActionEntry(a.id, a.name, LABEL_TYPES[a.category]) for a in VOCABULARY]


def keyframe_seconds(truth: dict, per_second: int = 1) -> list[float]:
    """AVA's keyframes are whole seconds; `per_second` > 1 adds the marks between them. The
    first and the last frame are not keyframes (a window around each must fit)."""
    duration = truth["num_frames"] / truth["fps"]
    marks, k = [], 1
    while k / per_second < duration - 0.25:
        marks.append(round(k / per_second, 3))
        k += 1
    return marks


def frame_at(truth: dict, second: float) -> int:
    return min(truth["num_frames"] - 1, round(second * truth["fps"]))


def ava_rows(truth: dict, video_id: str, seconds: list[float]) -> list[AvaRow]:
    """One row per person, action and keyframe second; boxes normalised by the frame size, to
    the three decimals the CSV keeps."""
    width, height = truth["width"], truth["height"]
    rows = []
    for second in seconds:
        frame = truth["frames"][frame_at(truth, second)]
        for person in frame["people"]:
            if person["box"] is None:
                continue
            x0, y0, x1, y1 = person["box"]
            for action in person["actions"]:
                box = (round(x0 / width, 3), round(y0 / height, 3), round(x1 / width, 3), round(y1 / height, 3))
                rows.append(AvaRow(video_id, second, *box, action["id"], person["person_id"]))
    return rows


def coco_people(truth: dict, video: str) -> list[PersonKeypoints]:
    out = []
    for frame in truth["frames"]:
        for person in frame["people"]:
            if person["box"] is None:
                continue
            x0, y0, x1, y1 = person["box"]
            points = tuple((x, y, int(v)) for x, y, v in person["keypoints"])
            out.append(PersonKeypoints(video, frame["index"], person["person_id"], points,
                                       (float(x0), float(y0), float(x1 - x0), float(y1 - y0))))
    return out
