"""AVA v2.2-style action annotations.

A CSV row is `video_id, timestamp, x1, y1, x2, y2, action_id, person_id`: the keyframe's second
in the video, the person's box normalised to [0, 1] (x1 < x2, y1 < y2), one row per person,
action and keyframe, no header. The action list is AVA's pbtxt form, one `label { name,
label_id, label_type }` block per action. Reading never stops at a bad row: each becomes a
problem with its line number and reason, and the good rows go on.
"""
from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

COLUMNS = ("video_id", "timestamp", "x1", "y1", "x2", "y2", "action_id", "person_id")
LABEL_TYPES = {"person movement": "PERSON_MOVEMENT", "object manipulation": "OBJECT_MANIPULATION",
               "person interaction": "PERSON_INTERACTION", "micro-action": "MICRO_ACTION"}


@dataclass(frozen=True)
class AvaRow:
    video_id: str
    timestamp: float
    x1: float
    y1: float
    x2: float
    y2: float
    action_id: int
    person_id: int


@dataclass(frozen=True)
class AvaProblem:
    line: int
    text: str
    reason: str


@dataclass(frozen=True)
class ActionEntry:
    id: int
    name: str
    label_type: str


def format_row(row: AvaRow) -> list[str]:
    return [row.video_id, f"{row.timestamp:g}", *(f"{v:.3f}" for v in (row.x1, row.y1, row.x2, row.y2)),
            str(row.action_id), str(row.person_id)]


def write_csv(path: Path, rows: list[AvaRow]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in sorted(rows, key=lambda r: (r.video_id, r.timestamp, r.person_id, r.action_id)):
        writer.writerow(format_row(row))
    Path(path).write_text(buffer.getvalue())


def safe_video_id(video_id: str) -> bool:
    """A video id that names a file inside its folder: no absolute path, no "..", no empty part."""
    path = PurePosixPath(video_id)
    return bool(video_id) and "\\" not in video_id and not path.is_absolute() and ".." not in path.parts


def read_csv(path: Path, action_ids: set[int]) -> tuple[list[AvaRow], list[AvaProblem]]:
    """Every row, checked: columns, numbers, boxes inside [0, 1] with positive size, a known
    action, a person id, a video id that stays inside its folder."""
    rows, problems = [], []
    with open(path, newline="") as handle:
        for line, fields in enumerate(csv.reader(handle), start=1):
            text = ",".join(fields)
            if not fields or all(not f.strip() for f in fields):
                continue
            try:
                rows.append(_parse(fields, action_ids))
            except ValueError as exc:
                problems.append(AvaProblem(line, text, str(exc)))
    return rows, problems


def _parse(fields: list[str], action_ids: set[int]) -> AvaRow:
    if len(fields) != len(COLUMNS):
        raise ValueError(f"{len(fields)} columns, expected {len(COLUMNS)} ({', '.join(COLUMNS)})")
    video_id = fields[0].strip()
    if not safe_video_id(video_id):
        raise ValueError(f"video id {video_id!r} escapes its folder")
    try:
        timestamp, x1, y1, x2, y2 = (float(f) for f in fields[1:6])
        action_id, person_id = int(fields[6]), int(fields[7])
    except ValueError:
        raise ValueError("a timestamp, box, action id or person id is not a number") from None
    if not all(math.isfinite(v) for v in (timestamp, x1, y1, x2, y2)) or timestamp < 0:
        raise ValueError(f"timestamp {fields[1]} is not a second of the video")
    if not (0 <= x1 < x2 <= 1 and 0 <= y1 < y2 <= 1):
        raise ValueError(f"box ({x1}, {y1}, {x2}, {y2}) is not inside [0, 1] with x1 < x2 and y1 < y2")
    if action_id not in action_ids:
        raise ValueError(f"action id {action_id} is not in the action list")
    if person_id < 0:
        raise ValueError(f"person id {person_id} is negative")
    return AvaRow(video_id, timestamp, x1, y1, x2, y2, action_id, person_id)


def write_action_list(path: Path, actions: list[ActionEntry]) -> None:
    blocks = [f'label {{\n  name: "{a.name}"\n  label_id: {a.id}\n  label_type: {a.label_type}\n}}\n'
              for a in sorted(actions, key=lambda a: a.id)]
    Path(path).write_text("".join(blocks))


_BLOCK = re.compile(r'label\s*\{\s*name:\s*"([^"]*)"\s*label_id:\s*(\d+)\s*label_type:\s*([A-Z_]+)\s*\}')


def read_action_list(path: Path) -> list[ActionEntry]:
    text = Path(path).read_text()
    entries = [ActionEntry(int(i), name, kind) for name, i, kind in _BLOCK.findall(text)]
    if not entries or text.count("label {") + text.count("label{") != len(entries):
        raise ValueError(f"{path}: not an AVA action list (label {{ name label_id label_type }} blocks)")
    return entries
