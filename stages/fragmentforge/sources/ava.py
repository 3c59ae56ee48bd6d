"""Real videos labelled in AVA v2.2's format: a CSV of person boxes and actions at keyframe
seconds, its action list (pbtxt), and a folder of videos named by `video_id`.

A bad CSV row (wrong columns, a box outside [0, 1], an unknown action, a video id that
leaves the folder) becomes a candidate that carries its reason, so ingest quarantines each
one; the good rows go on. The rows of one video become its ground truth: every keyframe
second with each person's normalised box and actions.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from fragmentforge.common import write_json_atomic
from fragmentforge.formats import ava, coco_keypoints
from fragmentforge.sources import Candidate, SourceContext, resolve


@dataclass(frozen=True)
class Options:
    """AVA-format labels: `csv` and `actions` (the action list), videos under `root`."""

    name: str
    kind: str
    csv: str
    actions: str
    root: Optional[str] = None  # the videos' folder; default: the CSV's folder
    # COCO person keypoints of the same videos (file_name: the video's file, track_id: AVA's
    # person id); MA-Bench's motion descriptors need them. Bad annotations are quarantined.
    keypoints: Optional[str] = None
    video_extensions: tuple[str, ...] = (".mp4", ".mkv", ".webm", ".avi", ".mov")


def list_candidates(source, context: SourceContext) -> list[Candidate]:
    table = resolve(context.root, source.csv)
    root = resolve(context.root, source.root) if source.root else table.parent
    actions = {a.id: a for a in ava.read_action_list(resolve(context.root, source.actions))}
    rows, problems = ava.read_csv(table, set(actions))
    out = [Candidate(source=source.name, name=f"{table.name}:line {p.line}", uri=f"{table}:{p.line}",
                     problem=f"bad AVA row ({p.text}): {p.reason}") for p in problems]
    by_video: dict[str, list[ava.AvaRow]] = {}
    for row in rows:
        by_video.setdefault(row.video_id, []).append(row)
    poses: dict[str, list] = {}
    if source.keypoints:
        people, bad = coco_keypoints.read(resolve(context.root, source.keypoints))
        out += [Candidate(source=source.name, name=f"{source.keypoints}:annotation {b['annotation']}",
                          uri=f"{source.keypoints}:{b['annotation']}", problem=f"bad COCO keypoints: {b['reason']}")
                for b in bad]
        for person in people:
            poses.setdefault(Path(person.video).stem, []).append(person)
    truth_dir = context.download_dir / "ava" / source.name
    for video_id, video_rows in sorted(by_video.items()):
        path = next((p for p in [root / video_id, *(root / f"{video_id}{e}" for e in source.video_extensions)]
                     if p.is_file()), None)
        if path is None:
            out.append(Candidate(source=source.name, name=video_id, uri=str(root / video_id),
                                 problem=f"no video file for AVA video id {video_id!r} under {root}"))
            continue
        truth_path = truth_dir / f"{video_id.replace('/', '__')}.json"
        truth_path.parent.mkdir(parents=True, exist_ok=True)
        write_json_atomic(truth_path, ground_truth(video_id, video_rows, actions, poses.get(video_id)))
        out.append(Candidate(source=source.name, name=path.relative_to(root).as_posix(), uri=str(path),
                             local_path=path, ground_truth=truth_path))
    return out


def ground_truth(video_id: str, rows: list[ava.AvaRow], actions: dict[int, ava.ActionEntry],
                 poses: list | None = None) -> dict:
    """{"world": "ava", "keyframes": [{second, people: [{person_id, box, actions}]}]}, boxes normalised;
    with keypoints, also "poses": [{frame, people: [{person_id, keypoints}]}] in pixels."""
    seconds: dict[float, dict[int, dict]] = {}
    for r in sorted(rows, key=lambda r: (r.timestamp, r.person_id, r.action_id)):
        person = seconds.setdefault(r.timestamp, {}).setdefault(
            r.person_id, {"person_id": r.person_id, "box": [r.x1, r.y1, r.x2, r.y2], "actions": []})
        entry = actions[r.action_id]
        person["actions"].append({"id": entry.id, "name": entry.name, "label_type": entry.label_type})
    truth = {"id": video_id, "world": "ava", "box_format": "x1, y1, x2, y2 normalised to [0, 1]",
             "keyframes": [{"second": s, "people": list(p.values())} for s, p in sorted(seconds.items())]}
    if poses:
        frames: dict[int, list] = {}
        for person in sorted(poses, key=lambda p: (p.frame_index, p.track_id)):
            frames.setdefault(person.frame_index, []).append(
                {"person_id": person.track_id, "keypoints": [list(k) for k in person.keypoints]})
        truth["poses"] = [{"frame": f, "people": people} for f, people in sorted(frames.items())]
    return truth
