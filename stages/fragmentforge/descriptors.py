"""Node `motion_descriptors`: MA-Bench's per-body-part motion descriptors for every video whose
ground truth has keypoints (an AVA source with `keypoints:`).

One sequential decode per video, under the watchdog (a hung or crashing decoder quarantines
that video only). Flow is measured between consecutive frames at the source's size and read
inside each person's body-part regions (motion/body_parts.py), summed over windows of
`window_frames` frame pairs. Output (paths.motion_dir): descriptors.parquet, one row per video,
person, window and part; status.parquet, one row per video.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from fragmentforge.cli import parse_stage_args
from fragmentforge.common import fresh_dir, replace_dir
from fragmentforge.config import Params
from fragmentforge.layout import DESCRIPTORS, DESCRIPTOR_STATUS, MANIFEST
from fragmentforge.motion.body_parts import DIRECTIONS, PartSums, dense_flow, part_masks
from fragmentforge.video.decode import sequential_frames
from fragmentforge.video.isolated import map_isolated

DESCRIPTOR_SCHEMA = pa.schema([
    ("video_id", pa.string()), ("person_id", pa.int32()), ("start_frame", pa.int32()), ("end_frame", pa.int32()),
    ("part", pa.string()), ("dx", pa.float64()), ("dy", pa.float64()), ("magnitude", pa.float64()),
    *((d, pa.float64()) for d in DIRECTIONS), ("cx", pa.float64()), ("cy", pa.float64()), ("pairs", pa.int32()),
])
STATUS_SCHEMA = pa.schema([("video_id", pa.string()), ("status", pa.string()), ("reason", pa.string()),
                           ("frames", pa.int32()), ("people", pa.int32()), ("rows", pa.int32())])


@dataclass(frozen=True)
class DescriptorJob:
    video_id: str
    path: str
    width: int
    height: int
    fps: float
    decoder: str
    poses: dict  # frame index -> {person_id: 17 (x, y, v)}
    window_frames: int
    thickness: int


def describe_video(job: DescriptorJob) -> dict:
    """Rows for one video: per person, window and part, the window's mean flow descriptors."""
    _, frames = sequential_frames(job.path, (job.width, job.height), job.fps, job.decoder or "pyav")
    sums: dict[tuple, dict] = {}
    previous, count = None, 0
    for frame in frames:
        count += 1
        if previous is not None and previous.index in job.poses:
            flow = dense_flow(previous.luma, frame.luma)
            window = previous.index // job.window_frames
            for person_id, keypoints in job.poses[previous.index].items():
                for part, mask in part_masks(keypoints, flow.shape[:2], job.thickness).items():
                    if mask.any():
                        sums.setdefault((person_id, window, part), PartSums()).add(flow, mask)
        previous = frame
    if count < 2:
        raise ValueError(f"decoded {count} frame(s): flow needs two")
    rows = [_row(job, person_id, window, part, acc) for (person_id, window, part), acc in sorted(sums.items())]
    return {"rows": rows, "frames": count}


def _row(job: DescriptorJob, person_id: int, window: int, part: str, acc: PartSums) -> dict:
    d = acc.summary()
    return {"video_id": job.video_id, "person_id": person_id, "start_frame": window * job.window_frames,
            "end_frame": (window + 1) * job.window_frames, "part": part, "dx": d["vector"][0], "dy": d["vector"][1],
            "magnitude": d["magnitude"], **d["directions"], "cx": d["centre"][0], "cy": d["centre"][1],
            "pairs": d["pairs"]}


def poses_of(truth: dict) -> dict:
    return {f["frame"]: {p["person_id"]: [tuple(k) for k in p["keypoints"]] for p in f["people"]}
            for f in truth.get("poses", ())}


@dataclass(frozen=True)
class DescriptorResult:
    descriptors: Path
    videos: int
    rows: int
    quarantined: list[dict]


def run_descriptors(params: Params, root: Path) -> DescriptorResult:
    options, root = params.motion_descriptors, Path(root)
    out_dir = root / params.paths.motion_dir
    manifest = pq.read_table(root / params.paths.raw_dir / MANIFEST).to_pylist()
    jobs = []
    for video in sorted((v for v in manifest if v["status"] == "ok" and v.get("ground_truth")),
                        key=lambda v: v["video_id"]):
        poses = poses_of(json.loads((root / video["ground_truth"]).read_text()))
        if poses:
            jobs.append(DescriptorJob(video["video_id"], str(root / video["path"]), video["width"], video["height"],
                                      video["fps"], video["decoder"], poses, options.window_frames, options.thickness))
    rows, statuses = [], []
    for index, outcome in map_isolated(describe_video, jobs, options.workers, options.time_limit_s):
        job = jobs[index]
        if outcome.ok:
            rows += outcome.value["rows"]
            statuses.append({"video_id": job.video_id, "status": "ok", "reason": None,
                             "frames": outcome.value["frames"],
                             "people": len({p for f in job.poses.values() for p in f}),
                             "rows": len(outcome.value["rows"])})
        else:
            statuses.append({"video_id": job.video_id, "status": "quarantined", "reason": outcome.error,
                             "frames": None, "people": None, "rows": 0})
    rows.sort(key=lambda r: (r["video_id"], r["person_id"], r["start_frame"], r["part"]))
    statuses.sort(key=lambda s: s["video_id"])
    staging = fresh_dir(out_dir.with_name(out_dir.name + ".staging"))
    pq.write_table(pa.Table.from_pylist(rows, schema=DESCRIPTOR_SCHEMA), staging / DESCRIPTORS)
    pq.write_table(pa.Table.from_pylist(statuses, schema=STATUS_SCHEMA), staging / DESCRIPTOR_STATUS)
    replace_dir(staging, out_dir)
    return DescriptorResult(out_dir / DESCRIPTORS, sum(s["status"] == "ok" for s in statuses), len(rows),
                            [s for s in statuses if s["status"] != "ok"])


def main(argv=None) -> None:
    params, root = parse_stage_args("Per-body-part motion descriptors (MA-Bench's micro-motion tracker).", argv)
    result = run_descriptors(params, root)
    print(f"motion descriptors: {result.videos} videos, {result.rows} rows -> {result.descriptors}")
    for q in result.quarantined:
        print(f"  quarantined {q['video_id']}: {q['reason']}")


if __name__ == "__main__":
    main()
