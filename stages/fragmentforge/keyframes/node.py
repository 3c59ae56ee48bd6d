"""Node `keyframe_sets`: speed variants and motion-guided keyframe sets for every ok video, and a
window of frames around each labelled keyframe second (mode `label`, for AVA-labelled videos).

Output (paths.frames_dir): <video_id>/p<2 x position>.jpg (each frame once),
keyframes.parquet (one row per set) and status.parquet (one row per video).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from tqdm import tqdm

from fragmentforge.cli import parse_stage_args
from fragmentforge.common import fresh_dir, project_relative, replace_dir
from fragmentforge.config import KeyframeParams, Params
from fragmentforge.layout import DESCRIBED, KEYFRAME_STATUS, KEYFRAMES, MANIFEST
from fragmentforge.motion.extract import CLIP_MODE, KeyframeJob, extract_keyframes
from fragmentforge.video.isolated import map_isolated

KEYFRAME_SCHEMA = pa.schema([
    ("video_id", pa.string()), ("variant", pa.string()), ("set_id", pa.string()), ("n", pa.int32()),
    ("mode", pa.string()), ("stream_indices", pa.list_(pa.int32())),
    ("frame_positions", pa.list_(pa.float64())), ("timestamps", pa.list_(pa.float64())),
    ("motion_scores", pa.list_(pa.float64())), ("frame_paths", pa.list_(pa.string())),
])
STATUS_SCHEMA = pa.schema([
    ("video_id", pa.string()), ("status", pa.string()), ("reason", pa.string()), ("backend", pa.string()),
    ("frames_decoded", pa.int32()), ("frames_written", pa.int32()), ("sets", pa.int32()),
    ("frames_per_variant", pa.string()),
])


@dataclass(frozen=True)
class KeyframeResult:
    keyframes: Path
    status: Path
    videos_ok: int
    quarantined: list[dict]
    frames_written: int
    sets_per_n: dict[int, int]


def truth_marks(root: Path, video: dict) -> tuple[tuple[float, ...], bool]:
    """(the keyframe seconds of a video labelled in AVA's format, whether a manifest describes it)."""
    if not video.get("ground_truth"):
        return (), False
    truth = json.loads((root / video["ground_truth"]).read_text())
    return tuple(k["second"] for k in truth.get("keyframes", ())), bool(truth.get(DESCRIBED))


def extract_keyframe_sets(params: KeyframeParams, root: Path, raw_dir: Path, frames_dir: Path,
                          progress: bool = False) -> KeyframeResult:
    root, frames_dir = Path(root), Path(frames_dir)
    manifest = pq.read_table(Path(raw_dir) / MANIFEST).to_pylist()
    videos = sorted((r for r in manifest if r["status"] == "ok"), key=lambda r: r["video_id"])
    staging = fresh_dir(frames_dir.with_name(frames_dir.name + ".staging"))
    frames_ref = project_relative(frames_dir, root)
    jobs = []
    for v in videos:
        seconds, described = truth_marks(root, v)
        jobs.append(KeyframeJob(video_id=v["video_id"], path=str(root / v["path"]), width=v["width"],
                                height=v["height"], fps=v["fps"], decoder=v["decoder"], frames_dir=str(staging),
                                frames_ref=frames_ref, params=params, label_seconds=seconds, described=described))
    rows, statuses = [], []
    outcomes = map_isolated(extract_keyframes, jobs, params.workers, params.time_limit_s)
    for index, outcome in tqdm(outcomes, total=len(jobs), desc="keyframes", disable=not progress):
        video_id = jobs[index].video_id
        if outcome.ok:
            value = outcome.value
            rows.extend(value["rows"])
            statuses.append({"video_id": video_id, "status": "ok", "reason": None, "backend": value["backend"],
                             "frames_decoded": value["frames_decoded"], "frames_written": value["frames_written"],
                             "sets": len(value["rows"]),
                             "frames_per_variant": json.dumps(value["frames_per_variant"], sort_keys=True)})
        else:
            statuses.append({**{f.name: None for f in STATUS_SCHEMA}, "video_id": video_id,
                             "status": "quarantined", "reason": outcome.error})
    rows.sort(key=lambda r: (r["video_id"], r["variant"], r["n"], r["set_id"]))
    statuses.sort(key=lambda r: r["video_id"])
    pq.write_table(pa.Table.from_pylist(rows, schema=KEYFRAME_SCHEMA), staging / KEYFRAMES)
    pq.write_table(pa.Table.from_pylist(statuses, schema=STATUS_SCHEMA), staging / KEYFRAME_STATUS)
    for s in statuses:  # a quarantined video leaves no half-written frames behind
        if s["status"] != "ok" and (staging / s["video_id"]).exists():
            for f in (staging / s["video_id"]).iterdir():
                f.unlink()
            (staging / s["video_id"]).rmdir()
    replace_dir(staging, frames_dir)
    sets_per_n: dict[int, int] = {}
    for r in rows:
        if r["mode"] != CLIP_MODE:  # a clip set (a labelled or described video's frames) is not a keyframe set
            sets_per_n[r["n"]] = sets_per_n.get(r["n"], 0) + 1
    return KeyframeResult(
        keyframes=frames_dir / KEYFRAMES, status=frames_dir / KEYFRAME_STATUS,
        videos_ok=sum(1 for s in statuses if s["status"] == "ok"),
        quarantined=[{"video_id": s["video_id"], "reason": s["reason"]} for s in statuses if s["status"] != "ok"],
        frames_written=sum(s["frames_written"] or 0 for s in statuses), sets_per_n=dict(sorted(sets_per_n.items())))


def run_keyframes(params: Params, root: Path, progress: bool = False) -> KeyframeResult:
    return extract_keyframe_sets(params.keyframes, root, root / params.paths.raw_dir,
                                 root / params.paths.frames_dir, progress)


def main(argv=None) -> None:
    params, root = parse_stage_args("Extract speed variants and motion-guided keyframe sets.", argv)
    result = run_keyframes(params, root, progress=True)
    print(f"keyframes: {result.videos_ok} videos, {result.frames_written} frames, sets per N {result.sets_per_n}"
          f" -> {result.keyframes}")
    for q in result.quarantined:
        print(f"  quarantined {q['video_id']}: {q['reason']}")


if __name__ == "__main__":
    main()
